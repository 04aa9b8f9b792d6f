//! The SQL behind [`crate::MonitoringStore`]: positions, spending, review meetings and the
//! grouped reads of the state overview. Compiled once per backend, like `base.rs`.

use super::*;
use crate::monitoring::*;

fn position_values(d: &PositionData) -> Vec<(&'static str, Value)> {
    vec![
        ("district_ags", Value::Text(Some(d.district_ags.clone()))),
        ("year", Value::Int(Some(d.year.into()))),
        ("title", Value::Text(Some(d.title.clone()))),
        ("role", Value::Text(Some(d.role.as_str().into()))),
        ("profile_id", Value::Int(d.profile_id)),
        ("fte_e4", Value::Int(Some(d.fte_e4))),
        ("pay_grade", Value::Text(d.pay_grade.clone())),
        (
            "employer_kind",
            Value::Text(Some(d.employer_kind.as_str().into())),
        ),
        ("employer_name", Value::Text(Some(d.employer_name.clone()))),
        (
            "line_supervision",
            Value::Text(Some(d.line_supervision.clone())),
        ),
        (
            "professional_supervision",
            Value::Text(Some(d.professional_supervision.clone())),
        ),
        ("pillar_id", Value::Text(Some(d.pillar_id.clone()))),
        ("pillar_name", Value::Text(Some(d.pillar_name.clone()))),
        (
            "kitas",
            Value::Text(Some(
                serde_json::to_string(&d.kitas).unwrap_or_else(|_| "[]".into()),
            )),
        ),
        ("status", Value::Text(Some(d.status.as_str().into()))),
        ("status_since", Value::Date(Some(d.status_since))),
        ("synthetic", Value::Bool(d.synthetic)),
    ]
}

#[async_trait]
impl MonitoringStore for SqlStore<Db> {
    async fn positions_by_ids(&self, ids: &[i64]) -> Result<Vec<Position>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let mut qb = QueryBuilder::<Db>::new("SELECT * FROM positions WHERE id IN (");
        push_list(&mut qb, ids.iter().copied());
        qb.push(")");
        self.count(1);
        Ok(qb.build_query_as().fetch_all(&self.pool).await?)
    }

    async fn positions_of(&self, district_ags: &str, year: i32) -> Result<Vec<Position>> {
        self.count(1);
        Ok(sqlx::query_as(
            "SELECT * FROM positions WHERE district_ags = $1 AND year = $2 AND deleted_at IS NULL \
             ORDER BY pillar_name, title, id",
        )
        .bind(district_ags)
        .bind(year)
        .fetch_all(&self.pool)
        .await?)
    }

    async fn write_positions(
        &self,
        actor: Actor,
        writes: &[PositionWrite],
    ) -> Result<Vec<Position>> {
        let mut tx = self.begin_write().await?;
        let mut out = Vec::with_capacity(writes.len());
        for w in writes {
            let write = match w {
                PositionWrite::Create(data) => Write::Create(position_values(data)),
                PositionWrite::Update {
                    id,
                    expected_version,
                    data,
                } => Write::Update {
                    id: *id,
                    expected_version: *expected_version,
                    values: position_values(data),
                },
            };
            let (_, p) = self
                .write::<Position>(&mut tx, &POSITIONS, actor, write, None)
                .await?;
            out.push(p);
        }
        tx.commit().await?;
        Ok(out)
    }

    async fn spending_of(&self, district_ags: &str, year: i32) -> Result<Vec<SpendingEntry>> {
        self.count(1);
        Ok(sqlx::query_as(
            "SELECT * FROM spending WHERE district_ags = $1 AND year = $2 \
             ORDER BY pillar_id, quarter",
        )
        .bind(district_ags)
        .bind(year)
        .fetch_all(&self.pool)
        .await?)
    }

    async fn record_spending(
        &self,
        actor: Actor,
        district_ags: &str,
        year: i32,
        entries: &[SpendingData],
        synthetic: bool,
    ) -> Result<SpendingOutcome> {
        let mut tx = self.begin_write().await?;
        self.count(1);
        let existing: Vec<SpendingEntry> =
            sqlx::query_as("SELECT * FROM spending WHERE district_ags = $1 AND year = $2")
                .bind(district_ags)
                .bind(year)
                .fetch_all(&mut *tx)
                .await?;
        let mut outcome = SpendingOutcome::default();
        let now = Utc::now();
        for e in entries {
            let old = existing
                .iter()
                .find(|o| o.pillar_id == e.pillar_id && o.quarter == e.quarter);
            let (action, old_amount, row): (&str, Option<i64>, SpendingEntry) = match old {
                Some(o) if o.amount == e.amount => {
                    outcome.unchanged += 1;
                    continue;
                }
                Some(o) => {
                    outcome.corrected += 1;
                    self.count(1);
                    let row = sqlx::query_as(
                        "UPDATE spending SET amount = $1, version = version + 1, updated_at = $2 \
                         WHERE id = $3 RETURNING *",
                    )
                    .bind(e.amount)
                    .bind(now)
                    .bind(o.id)
                    .fetch_one(&mut *tx)
                    .await?;
                    ("correct_spending", Some(o.amount), row)
                }
                None => {
                    outcome.inserted += 1;
                    self.count(1);
                    let row = sqlx::query_as(
                        "INSERT INTO spending (district_ags, year, pillar_id, quarter, amount, \
                         synthetic, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING *",
                    )
                    .bind(district_ags)
                    .bind(year)
                    .bind(&e.pillar_id)
                    .bind(e.quarter)
                    .bind(e.amount)
                    .bind(synthetic)
                    .bind(now)
                    .fetch_one(&mut *tx)
                    .await?;
                    ("record_spending", None, row)
                }
            };
            self.audit(
                &mut tx,
                AuditRecord {
                    actor,
                    entity_type: "Spending",
                    entity_id: &row.id.to_string(),
                    district_ags: Some(district_ags),
                    action,
                    old_version: old.map(|o| o.version),
                    new_version: Some(row.version),
                    details: json!({
                        "year": year,
                        "pillarId": e.pillar_id,
                        "quarter": e.quarter,
                        "oldAmount": old_amount,
                        "amount": e.amount,
                    }),
                },
            )
            .await?;
        }
        tx.commit().await?;
        Ok(outcome)
    }

    async fn review_meetings_of(&self, district_ags: &str) -> Result<Vec<ReviewMeeting>> {
        self.count(1);
        Ok(sqlx::query_as(
            "SELECT * FROM review_meetings WHERE district_ags = $1 ORDER BY held_on DESC, id DESC",
        )
        .bind(district_ags)
        .fetch_all(&self.pool)
        .await?)
    }

    async fn create_review_meeting(
        &self,
        actor: Actor,
        data: &ReviewMeetingData,
    ) -> Result<ReviewMeeting> {
        let mut tx = self.begin_write().await?;
        self.count(1);
        let row: ReviewMeeting = sqlx::query_as(
            "INSERT INTO review_meetings (district_ags, held_on, participants, outcome, \
             concept_id, synthetic, created_by, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING *",
        )
        .bind(&data.district_ags)
        .bind(data.held_on)
        .bind(&data.participants)
        .bind(&data.outcome)
        .bind(data.concept_id)
        .bind(data.synthetic)
        .bind(actor)
        .bind(Utc::now())
        .fetch_one(&mut *tx)
        .await?;
        self.audit(
            &mut tx,
            AuditRecord {
                actor,
                entity_type: "ReviewMeeting",
                entity_id: &row.id.to_string(),
                district_ags: Some(&data.district_ags),
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

    async fn set_concept_review_due(
        &self,
        actor: Actor,
        id: i64,
        expected_version: i32,
        review_due: Option<chrono::NaiveDate>,
    ) -> Result<Concept> {
        self.write_simple(
            &CONCEPTS,
            actor,
            Write::Update {
                id,
                expected_version,
                values: vec![("review_due", Value::Date(review_due))],
            },
        )
        .await
    }

    async fn monitoring_facts(
        &self,
        year: i32,
        district_ags: Option<&str>,
        long_vacancy_cutoff: chrono::NaiveDate,
    ) -> Result<MonitoringFacts> {
        // Eight grouped reads, side by side on the pool's connections; none decodes a run's
        // result or a concept's document, none returns a row per position or value.
        let ags = district_ags.map(str::to_owned);
        let only = |qb: &mut QueryBuilder<'static, Db>, column: &str| {
            if let Some(a) = &ags {
                qb.push(" AND ").push(column.to_owned()).push(" = ");
                qb.push_bind(a.clone());
            }
        };
        let mut plans = QueryBuilder::<Db>::new(
            "SELECT p.district_ags, p.year, p.run_id, r.budget, r.allocated \
             FROM official_plans p JOIN allocation_runs r ON r.id = p.run_id WHERE p.year <= ",
        );
        plans.push_bind(year);
        only(&mut plans, "p.district_ags");
        let mut spending = QueryBuilder::<Db>::new(
            "SELECT district_ags, year, CAST(SUM(amount) AS BIGINT) FROM spending WHERE year <= ",
        );
        spending.push_bind(year);
        only(&mut spending, "district_ags");
        spending.push(" GROUP BY district_ags, year");
        let mut groups = QueryBuilder::<Db>::new(
            "SELECT district_ags, year, status, COUNT(*) AS positions, \
             CAST(SUM(fte_e4) AS BIGINT) AS fte_e4 FROM positions \
             WHERE deleted_at IS NULL AND year <= ",
        );
        groups.push_bind(year);
        only(&mut groups, "district_ags");
        groups.push(" GROUP BY district_ags, year, status");
        let mut uses = QueryBuilder::<Db>::new(
            "SELECT district_ags, role, pillar_name, COUNT(*) AS positions, \
             CAST(SUM(fte_e4) AS BIGINT) AS fte_e4 FROM positions \
             WHERE deleted_at IS NULL AND year = ",
        );
        uses.push_bind(year);
        only(&mut uses, "district_ags");
        uses.push(" GROUP BY district_ags, role, pillar_name");
        let mut vacancies = QueryBuilder::<Db>::new(
            "SELECT district_ags, MIN(status_since) AS since, \
             CAST(SUM(CASE WHEN status_since <= ",
        );
        vacancies.push_bind(long_vacancy_cutoff);
        vacancies.push(
            " THEN 1 ELSE 0 END) AS BIGINT) AS long FROM positions \
             WHERE deleted_at IS NULL AND status = 'VACANT' AND year = ",
        );
        vacancies.push_bind(year);
        only(&mut vacancies, "district_ags");
        vacancies.push(" GROUP BY district_ags");
        let mut concepts = QueryBuilder::<Db>::new(
            "SELECT id, district_ags, name, decided_on, valid_from, valid_to, review_due, version \
             FROM concepts WHERE deleted_at IS NULL AND status = 'DECIDED'",
        );
        only(&mut concepts, "district_ags");
        concepts.push(" ORDER BY district_ags, decided_on, id");
        let mut reviews = QueryBuilder::<Db>::new(
            "SELECT district_ags, MAX(held_on) FROM review_meetings WHERE 1 = 1",
        );
        only(&mut reviews, "district_ags");
        reviews.push(" GROUP BY district_ags");
        // Kept by every import (`indicator_latest`): a row per district and indicator.
        let mut currency = QueryBuilder::<Db>::new(
            "SELECT district_ags, indicator_id, reference_date FROM indicator_latest WHERE 1 = 1",
        );
        only(&mut currency, "district_ags");
        self.count(8);
        let pool = &self.pool;
        let (plans, spending, position_groups, uses, vacancies, concepts, last_reviews, currency) =
            tokio::try_join!(
                plans.build_query_as::<PlanFact>().fetch_all(pool),
                spending
                    .build_query_as::<(String, i32, i64)>()
                    .fetch_all(pool),
                groups.build_query_as::<PositionGroup>().fetch_all(pool),
                uses.build_query_as::<UseGroup>().fetch_all(pool),
                vacancies.build_query_as::<VacancyGroup>().fetch_all(pool),
                concepts.build_query_as::<ConceptFact>().fetch_all(pool),
                reviews
                    .build_query_as::<(String, chrono::NaiveDate)>()
                    .fetch_all(pool),
                currency
                    .build_query_as::<(String, i64, chrono::NaiveDate)>()
                    .fetch_all(pool),
            )?;
        Ok(MonitoringFacts {
            plans,
            spending,
            position_groups,
            uses,
            vacancies,
            concepts,
            last_reviews,
            currency,
        })
    }
}
