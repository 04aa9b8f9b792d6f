//! The SQL behind [`crate::PlanStore`]: indicators, imports, cost rates, concepts, runs and
//! official plans. Compiled once per backend, like `base.rs`, whose helpers it uses.

use super::*;

impl SqlStore<Db> {
    /// One district's import inside `tx`: new values inserted, changed ones replaced,
    /// equal ones left alone; with nothing to change, nothing is written.
    pub(super) async fn import_in(
        &self,
        tx: &mut Transaction<'static, Db>,
        actor: Actor,
        import: &IndicatorImport,
    ) -> Result<ImportOutcome> {
        let mut ids: Vec<i64> = import.values.iter().map(|v| v.indicator_id).collect();
        ids.sort_unstable();
        ids.dedup();
        let mut existing: std::collections::HashMap<(i64, String), IndicatorValue> =
            std::collections::HashMap::new();
        if !ids.is_empty() {
            let mut qb = QueryBuilder::<Db>::new("SELECT * FROM indicator_values WHERE year = ");
            qb.push_bind(import.year)
                .push(" AND district_ags = ")
                .push_bind(&import.district_ags);
            qb.push(" AND indicator_id IN (");
            push_list(&mut qb, ids.iter().copied());
            qb.push(")");
            self.count(1);
            let rows: Vec<IndicatorValue> = qb.build_query_as().fetch_all(&mut **tx).await?;
            existing = rows
                .into_iter()
                .map(|r| ((r.indicator_id, r.subject.clone()), r))
                .collect();
        }
        let mut inserts = Vec::new();
        let mut updates = Vec::new();
        let mut outcome = ImportOutcome::default();
        for v in &import.values {
            let subject = v.subject.key(&import.district_ags);
            match existing.get(&(v.indicator_id, subject.clone())) {
                None => inserts.push((v, subject)),
                Some(old)
                    if old.value == v.value
                        && old.reference_date == v.reference_date
                        && old.source == v.source =>
                {
                    outcome.unchanged += 1
                }
                Some(old) => updates.push((v, old.id)),
            }
        }
        outcome.inserted = inserts.len() as i64;
        outcome.updated = updates.len() as i64;
        if inserts.is_empty() && updates.is_empty() {
            return Ok(outcome);
        }
        let now = Utc::now();
        self.count(1);
        let import_id: i64 = sqlx::query_scalar(
            "INSERT INTO imports (district_ags, kind, year, file_name, file_sha256, rows, inserted, \
             updated, actor_user_id, created_at) VALUES ($1, 'INDICATORS', $2, $3, $4, $5, $6, $7, $8, $9) \
             RETURNING id",
        )
        .bind(&import.district_ags)
        .bind(import.year)
        .bind(&import.file_name)
        .bind(&import.file_sha256)
        .bind(import.rows)
        .bind(outcome.inserted)
        .bind(outcome.updated)
        .bind(actor)
        .bind(now)
        .fetch_one(&mut **tx)
        .await?;
        outcome.import_id = Some(import_id);
        // A changed value is replaced: delete and insert in batches is far cheaper than
        // one UPDATE per value (tens of thousands in a district's file); nothing refers
        // to a value row's id.
        let updated_ids: Vec<i64> = updates.iter().map(|(_, id)| *id).collect();
        for chunk in updated_ids.chunks(BATCH_ROWS) {
            let mut qb = QueryBuilder::<Db>::new("DELETE FROM indicator_values WHERE id IN (");
            push_list(&mut qb, chunk.iter().copied());
            qb.push(")");
            self.count(1);
            qb.build().execute(&mut **tx).await?;
        }
        let rows: Vec<(&NewIndicatorValue, String)> = inserts
            .iter()
            .map(|(v, subject)| (*v, subject.clone()))
            .chain(
                updates
                    .iter()
                    .map(|(v, _)| (*v, v.subject.key(&import.district_ags))),
            )
            .collect();
        for chunk in rows.chunks(BATCH_ROWS) {
            let mut qb = QueryBuilder::<Db>::new(
                "INSERT INTO indicator_values (indicator_id, year, district_ags, subject, kita_id, \
                 social_space_id, value, reference_date, source, import_id, updated_at) ",
            );
            qb.push_values(chunk, |mut row, (v, subject)| {
                let (kita, space) = match v.subject {
                    Subject::Kita(id) => (Some(id), None),
                    Subject::SocialSpace(id) => (None, Some(id)),
                    Subject::District => (None, None),
                };
                row.push_bind(v.indicator_id)
                    .push_bind(import.year)
                    .push_bind(import.district_ags.clone())
                    .push_bind(subject.clone())
                    .push_bind(kita)
                    .push_bind(space)
                    .push_bind(v.value.clone())
                    .push_bind(v.reference_date)
                    .push_bind(v.source.clone())
                    .push_bind(import_id)
                    .push_bind(now);
            });
            self.count(1);
            qb.build().execute(&mut **tx).await?;
        }
        // The latest Stichtag of each indicator the import touched, in the same transaction.
        let mut qb = QueryBuilder::<Db>::new(
            "INSERT INTO indicator_latest (district_ags, indicator_id, reference_date) \
             SELECT district_ags, indicator_id, MAX(reference_date) FROM indicator_values \
             WHERE district_ags = ",
        );
        qb.push_bind(&import.district_ags);
        qb.push(" AND indicator_id IN (");
        push_list(&mut qb, ids.iter().copied());
        qb.push(
            ") GROUP BY district_ags, indicator_id ON CONFLICT (district_ags, indicator_id) \
             DO UPDATE SET reference_date = excluded.reference_date",
        );
        self.count(1);
        qb.build().execute(&mut **tx).await?;
        // The old values of updated rows, so the audit trail shows what was replaced.
        let replaced: Vec<serde_json::Value> = updates
            .iter()
            .filter_map(|(v, _)| {
                existing
                    .get(&(v.indicator_id, v.subject.key(&import.district_ags)))
                    .map(|old| json!({ "indicatorId": old.indicator_id, "subject": old.subject, "old": old.value, "new": v.value }))
            })
            .collect();
        self.audit(
            tx,
            AuditRecord {
                actor,
                entity_type: "Import",
                entity_id: &import_id.to_string(),
                district_ags: Some(&import.district_ags),
                action: "import_indicators",
                old_version: None,
                new_version: None,
                details: json!({
                    "year": import.year,
                    "fileName": import.file_name,
                    "sha256": import.file_sha256,
                    "inserted": outcome.inserted,
                    "updated": outcome.updated,
                    "unchanged": outcome.unchanged,
                    "replaced": replaced,
                }),
            },
        )
        .await?;
        Ok(outcome)
    }
}

#[async_trait]
impl PlanStore for SqlStore<Db> {
    async fn indicator_definitions(
        &self,
        district_ags: &[String],
    ) -> Result<Vec<IndicatorDefinition>> {
        let mut qb = QueryBuilder::<Db>::new(
            "SELECT * FROM indicator_definitions WHERE district_ags IS NULL",
        );
        if !district_ags.is_empty() {
            qb.push(" OR district_ags IN (");
            push_list(&mut qb, district_ags.iter().cloned());
            qb.push(")");
        }
        // State-wide first: NULL sorts first on SQLite, last on PostgreSQL without this.
        qb.push(" ORDER BY CASE WHEN district_ags IS NULL THEN 0 ELSE 1 END, district_ags, key");
        self.count(1);
        Ok(qb.build_query_as().fetch_all(&self.pool).await?)
    }

    async fn create_indicator_definition(
        &self,
        actor: Actor,
        data: &IndicatorDefinitionData,
    ) -> Result<IndicatorDefinition> {
        let mut tx = self.begin_write().await?;
        self.count(1);
        let row: IndicatorDefinition = sqlx::query_as(
            "INSERT INTO indicator_definitions (district_ags, key, label, unit, level, direction, \
             description, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING *",
        )
        .bind(&data.district_ags)
        .bind(&data.key)
        .bind(&data.label)
        .bind(data.unit.as_str())
        .bind(data.level.as_str())
        .bind(data.direction.as_str())
        .bind(&data.description)
        .bind(Utc::now())
        .fetch_one(&mut *tx)
        .await
        .map_err(|e| unique_as_duplicate(e, "IndicatorDefinition", "key"))?;
        self.audit(
            &mut tx,
            AuditRecord {
                actor,
                entity_type: "IndicatorDefinition",
                entity_id: &row.id.to_string(),
                district_ags: row.district_ags.as_deref(),
                action: "create",
                old_version: None,
                new_version: None,
                details: json!({ "new": &row }),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(row)
    }

    async fn indicator_values(&self, f: &ValueFilter) -> Result<Vec<IndicatorValue>> {
        let mut qb = QueryBuilder::<Db>::new("SELECT * FROM indicator_values WHERE 1 = 1");
        fn list<'q, T>(qb: &mut QueryBuilder<'q, Db>, column: &str, items: &'q [T])
        where
            T: 'q + Clone + Send + sqlx::Encode<'q, Db> + sqlx::Type<Db>,
        {
            if items.is_empty() {
                return;
            }
            qb.push(" AND ").push(column).push(" IN (");
            push_list(qb, items.iter().cloned());
            qb.push(")");
        }
        list(&mut qb, "district_ags", &f.district_ags);
        list(&mut qb, "indicator_id", &f.indicator_ids);
        list(&mut qb, "kita_id", &f.kita_ids);
        if let Some(year) = f.year {
            qb.push(" AND year = ").push_bind(year);
        }
        qb.push(" ORDER BY district_ags, year, subject, indicator_id");
        self.count(1);
        Ok(qb.build_query_as().fetch_all(&self.pool).await?)
    }

    async fn values_for_computation(
        &self,
        district_ags: &str,
        year: i32,
    ) -> Result<Vec<(Option<i64>, Option<i64>, i64, String)>> {
        self.count(1);
        Ok(sqlx::query_as(
            "SELECT kita_id, social_space_id, indicator_id, value FROM indicator_values \
             WHERE district_ags = $1 AND year = $2",
        )
        .bind(district_ags)
        .bind(year)
        .fetch_all(&self.pool)
        .await?)
    }

    async fn import_indicator_values(
        &self,
        actor: Actor,
        import: &IndicatorImport,
    ) -> Result<ImportOutcome> {
        let mut tx = self.begin_write().await?;
        let outcome = self.import_in(&mut tx, actor, import).await?;
        tx.commit().await?;
        Ok(outcome)
    }

    async fn import_indicator_values_of_many(
        &self,
        actor: Actor,
        imports: &[IndicatorImport],
    ) -> Result<Vec<ImportOutcome>> {
        let mut tx = self.begin_write().await?;
        let mut outcomes = Vec::with_capacity(imports.len());
        for import in imports {
            outcomes.push(self.import_in(&mut tx, actor, import).await?);
        }
        tx.commit().await?;
        Ok(outcomes)
    }

    async fn indicator_years(&self, district_ags: &str) -> Result<Vec<(i32, i64)>> {
        self.count(1);
        Ok(sqlx::query_as(
            "SELECT year, COUNT(*) FROM indicator_values WHERE district_ags = $1 \
             GROUP BY year ORDER BY year DESC",
        )
        .bind(district_ags)
        .fetch_all(&self.pool)
        .await?)
    }

    async fn indicator_currency(&self, district_ags: &str) -> Result<Vec<IndicatorCurrency>> {
        self.count(1);
        let rows: Vec<(i64, i32, chrono::NaiveDate, i64)> = sqlx::query_as(
            "SELECT indicator_id, year, MAX(reference_date), COUNT(*) FROM indicator_values \
             WHERE district_ags = $1 GROUP BY indicator_id, year ORDER BY indicator_id, year DESC",
        )
        .bind(district_ags)
        .fetch_all(&self.pool)
        .await?;
        let mut out: Vec<IndicatorCurrency> = Vec::new();
        for (indicator_id, year, reference_date, values) in rows {
            // Newest year first within an indicator: the first row is the one that counts.
            if out.last().is_some_and(|c| c.indicator_id == indicator_id) {
                continue;
            }
            out.push(IndicatorCurrency {
                indicator_id,
                year,
                reference_date,
                values,
            });
        }
        Ok(out)
    }

    async fn import_kitas(
        &self,
        actor: Actor,
        creates: &[KitaData],
        updates: &[(i64, i32, KitaData)],
    ) -> Result<()> {
        let mut tx = self.begin_write().await?;
        let extra = || Some(json!({ "import": true }));
        for d in creates {
            self.write::<Kita>(
                &mut tx,
                &KITAS,
                actor,
                Write::Create(kita_values(d)),
                extra(),
            )
            .await?;
        }
        for (id, version, d) in updates {
            let write = Write::Update {
                id: *id,
                expected_version: *version,
                values: kita_values(d),
            };
            self.write::<Kita>(&mut tx, &KITAS, actor, write, extra())
                .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    async fn cost_rates(&self, district_ags: &str, year: i32) -> Result<Vec<CostRate>> {
        self.count(1);
        Ok(sqlx::query_as(
            "SELECT * FROM cost_rates WHERE year = $1 AND (district_ags IS NULL OR district_ags = $2) \
             ORDER BY role, CASE WHEN district_ags IS NULL THEN 0 ELSE 1 END",
        )
        .bind(year)
        .bind(district_ags)
        .fetch_all(&self.pool)
        .await?)
    }

    async fn set_cost_rate(&self, actor: Actor, data: &CostRateData) -> Result<CostRate> {
        let mut tx = self.begin_write().await?;
        let now = Utc::now();
        self.count(1);
        let old: Option<CostRate> = sqlx::query_as(
            "SELECT * FROM cost_rates WHERE role = $1 AND year = $2 AND \
             (district_ags = $3 OR (district_ags IS NULL AND $4))",
        )
        .bind(&data.role)
        .bind(data.year)
        .bind(&data.district_ags)
        .bind(data.district_ags.is_none())
        .fetch_optional(&mut *tx)
        .await?;
        self.count(1);
        let row: CostRate = match &old {
            Some(o) => sqlx::query_as(
                "UPDATE cost_rates SET cost_per_fte = $1, source = $2, updated_at = $3 WHERE id = $4 RETURNING *",
            )
            .bind(data.cost_per_fte)
            .bind(&data.source)
            .bind(now)
            .bind(o.id)
            .fetch_one(&mut *tx)
            .await?,
            None => sqlx::query_as(
                "INSERT INTO cost_rates (district_ags, role, year, cost_per_fte, source, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6) RETURNING *",
            )
            .bind(&data.district_ags)
            .bind(&data.role)
            .bind(data.year)
            .bind(data.cost_per_fte)
            .bind(&data.source)
            .bind(now)
            .fetch_one(&mut *tx)
            .await?,
        };
        self.audit(
            &mut tx,
            AuditRecord {
                actor,
                entity_type: "CostRate",
                entity_id: &row.id.to_string(),
                district_ags: row.district_ags.as_deref(),
                action: if old.is_some() { "update" } else { "create" },
                old_version: None,
                new_version: None,
                details: json!({ "old": old, "new": &row }),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(row)
    }

    async fn concepts_by_ids(&self, ids: &[i64]) -> Result<Vec<Concept>> {
        self.by_ids(CONCEPTS.name, ids).await
    }

    async fn concepts_of(
        &self,
        district_ags: &[String],
        include_deleted: bool,
    ) -> Result<Vec<Concept>> {
        self.of_districts(CONCEPTS.name, district_ags, include_deleted)
            .await
    }

    async fn create_concept(&self, actor: Actor, data: &ConceptData) -> Result<Concept> {
        self.write_simple(&CONCEPTS, actor, Write::Create(concept_values(data)))
            .await
    }

    async fn update_concept(
        &self,
        actor: Actor,
        id: i64,
        expected_version: i32,
        data: &ConceptData,
    ) -> Result<Concept> {
        let values = concept_values(data);
        self.write_simple(
            &CONCEPTS,
            actor,
            Write::Update {
                id,
                expected_version,
                values,
            },
        )
        .await
    }

    async fn set_concept_lifecycle(
        &self,
        actor: Actor,
        id: i64,
        expected_version: i32,
        lifecycle: Lifecycle,
    ) -> Result<Concept> {
        self.write_simple(
            &CONCEPTS,
            actor,
            Write::Lifecycle {
                id,
                expected_version,
                lifecycle,
            },
        )
        .await
    }

    async fn create_run(&self, actor: Actor, run: &NewRun) -> Result<AllocationRun> {
        let mut tx = self.begin_write().await?;
        self.count(1);
        let row: AllocationRun = sqlx::query_as(
            "INSERT INTO allocation_runs (district_ags, concept_id, concept_version, year, budget, \
             allocated, previous_run_id, input_hash, engine_version, result, created_by, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING *",
        )
        .bind(&run.district_ags)
        .bind(run.concept_id)
        .bind(run.concept_version)
        .bind(run.year)
        .bind(run.budget)
        .bind(run.allocated)
        .bind(run.previous_run_id)
        .bind(&run.input_hash)
        .bind(&run.engine_version)
        .bind(&run.result)
        .bind(actor)
        .bind(Utc::now())
        .fetch_one(&mut *tx)
        .await?;
        self.audit(
            &mut tx,
            AuditRecord {
                actor,
                entity_type: "AllocationRun",
                entity_id: &row.id.to_string(),
                district_ags: Some(&row.district_ags),
                action: "create",
                old_version: None,
                new_version: None,
                details: json!({
                    "conceptId": row.concept_id,
                    "conceptVersion": row.concept_version,
                    "year": row.year,
                    "budget": row.budget,
                    "allocated": row.allocated,
                    "inputHash": row.input_hash,
                    "engineVersion": row.engine_version,
                }),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(row)
    }

    async fn runs_by_ids(&self, ids: &[i64]) -> Result<Vec<AllocationRun>> {
        self.by_ids("allocation_runs", ids).await
    }

    async fn runs_of(
        &self,
        district_ags: &str,
        year: Option<i32>,
        limit: i64,
    ) -> Result<Vec<AllocationRun>> {
        let mut qb = QueryBuilder::<Db>::new("SELECT * FROM allocation_runs WHERE district_ags = ");
        qb.push_bind(district_ags);
        if let Some(year) = year {
            qb.push(" AND year = ").push_bind(year);
        }
        qb.push(" ORDER BY id DESC LIMIT ").push_bind(limit);
        self.count(1);
        Ok(qb.build_query_as().fetch_all(&self.pool).await?)
    }

    async fn set_official_plan(&self, actor: Actor, run_id: i64) -> Result<OfficialPlan> {
        let mut tx = self.begin_write().await?;
        self.count(1);
        let run: (String, i32) =
            sqlx::query_as("SELECT district_ags, year FROM allocation_runs WHERE id = $1")
                .bind(run_id)
                .fetch_optional(&mut *tx)
                .await?
                .ok_or_else(|| StorageError::NotFound {
                    entity: "AllocationRun",
                    id: run_id.to_string(),
                })?;
        self.count(1);
        let old: Option<OfficialPlan> =
            sqlx::query_as("SELECT * FROM official_plans WHERE district_ags = $1 AND year = $2")
                .bind(&run.0)
                .bind(run.1)
                .fetch_optional(&mut *tx)
                .await?;
        let now = Utc::now();
        self.count(1);
        let plan: OfficialPlan = if old.is_some() {
            sqlx::query_as(
                "UPDATE official_plans SET run_id = $1, named_by = $2, named_at = $3 \
                 WHERE district_ags = $4 AND year = $5 RETURNING *",
            )
            .bind(run_id)
            .bind(actor)
            .bind(now)
            .bind(&run.0)
            .bind(run.1)
            .fetch_one(&mut *tx)
            .await?
        } else {
            sqlx::query_as(
                "INSERT INTO official_plans (district_ags, year, run_id, named_by, named_at) \
                 VALUES ($1, $2, $3, $4, $5) RETURNING *",
            )
            .bind(&run.0)
            .bind(run.1)
            .bind(run_id)
            .bind(actor)
            .bind(now)
            .fetch_one(&mut *tx)
            .await?
        };
        self.audit(
            &mut tx,
            AuditRecord {
                actor,
                entity_type: "OfficialPlan",
                entity_id: &format!("{}:{}", run.0, run.1),
                district_ags: Some(&run.0),
                action: "set_official",
                old_version: None,
                new_version: None,
                details: json!({ "oldRunId": old.map(|o| o.run_id), "runId": run_id }),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(plan)
    }

    async fn official_plans(
        &self,
        year: i32,
        district_ags: &[String],
    ) -> Result<Vec<OfficialPlan>> {
        let mut qb = QueryBuilder::<Db>::new("SELECT * FROM official_plans WHERE year = ");
        qb.push_bind(year);
        if !district_ags.is_empty() {
            qb.push(" AND district_ags IN (");
            push_list(&mut qb, district_ags.iter().cloned());
            qb.push(")");
        }
        qb.push(" ORDER BY district_ags");
        self.count(1);
        Ok(qb.build_query_as().fetch_all(&self.pool).await?)
    }
}
