//! The SQL behind [`crate::KnowledgeStore`] and [`crate::OutboxStore`]. Compiled once per
//! backend, like `base.rs`, whose helpers it uses.

use super::base::*;
use super::*;
use crate::Liveness;

impl SqlStore<Db> {
    /// Restricts a query on a table with `publication` and `district_ags` to what the
    /// audience may read; `drafts` also hides unpublished documents from other districts.
    pub(super) fn push_audience(qb: &mut QueryBuilder<'_, Db>, audience: &Audience, drafts: bool) {
        if audience.everything {
            return;
        }
        qb.push(" AND ((");
        if drafts {
            qb.push("status = 'PUBLISHED' AND ");
        }
        qb.push("(publication = 'PUBLIC'");
        if audience.signed_in {
            qb.push(" OR publication = 'REGISTERED'");
        }
        qb.push("))");
        if let Some(ags) = &audience.district {
            qb.push(" OR district_ags = ").push_bind(ags.clone());
        }
        qb.push(")");
    }

    pub(super) fn push_all_tags(
        qb: &mut QueryBuilder<'_, Db>,
        table: &str,
        key: &str,
        tags: &[String],
    ) {
        for tag in tags {
            qb.push(" AND id IN (SELECT ")
                .push(key)
                .push(" FROM ")
                .push(table)
                .push(" WHERE tag = ")
                .push_bind(tag.clone())
                .push(")");
        }
    }

    pub(super) fn push_workshop_filter(
        qb: &mut QueryBuilder<'_, Db>,
        f: &WorkshopFilter,
        audience: &Audience,
    ) {
        qb.push(" WHERE 1 = 1");
        if let Some(from) = f.from {
            qb.push(" AND held_on >= ").push_bind(from);
        }
        if let Some(to) = f.to {
            qb.push(" AND held_on <= ").push_bind(to);
        }
        if let Some(ags) = &f.district_ags {
            qb.push(" AND district_ags = ").push_bind(ags.clone());
        }
        if !f.include_deleted {
            qb.push(" AND deleted_at IS NULL");
        }
        Self::push_audience(qb, audience, false);
    }

    pub(super) fn push_contribution_filter(qb: &mut QueryBuilder<'_, Db>, f: &ContributionFilter) {
        qb.push(" WHERE session_id = ").push_bind(f.session_id);
        if !f.kinds.is_empty() {
            qb.push(" AND kind IN (");
            push_list(qb, f.kinds.iter().map(|k| k.as_str()));
            qb.push(")");
        }
        if let Some(ags) = &f.district_ags {
            qb.push(" AND district_ags = ").push_bind(ags.clone());
        }
        Self::push_all_tags(qb, "contribution_tags", "contribution_id", &f.tags);
        if !f.include_deleted {
            qb.push(" AND deleted_at IS NULL");
        }
    }

    pub(super) fn push_document_filter(
        qb: &mut QueryBuilder<'_, Db>,
        f: &DocumentFilter,
        audience: &Audience,
    ) {
        qb.push(" WHERE 1 = 1");
        if let Some(kind) = f.kind {
            qb.push(" AND kind = ").push_bind(kind.as_str());
        }
        if let Some(ags) = &f.district_ags {
            qb.push(" AND district_ags = ").push_bind(ags.clone());
        }
        if let Some(category) = &f.category {
            qb.push(" AND category = ").push_bind(category.clone());
        }
        if let Some(status) = f.status {
            qb.push(" AND status = ").push_bind(status.as_str());
        }
        if let Some(from) = f.updated_from {
            let start = from.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc();
            qb.push(" AND updated_at >= ").push_bind(start);
        }
        if let Some(to) = f.updated_to {
            let end = (to + chrono::Days::new(1))
                .and_hms_opt(0, 0, 0)
                .unwrap_or_default()
                .and_utc();
            qb.push(" AND updated_at < ").push_bind(end);
        }
        Self::push_all_tags(qb, "knowledge_document_tags", "document_id", &f.tags);
        if !f.include_deleted {
            qb.push(" AND deleted_at IS NULL");
        }
        Self::push_audience(qb, audience, true);
    }

    pub(super) async fn replace_tags(
        &self,
        tx: &mut Transaction<'static, Db>,
        table: &str,
        key: &str,
        id: i64,
        tags: &[String],
    ) -> Result<()> {
        let mut qb = QueryBuilder::<Db>::new("DELETE FROM ");
        qb.push(table)
            .push(" WHERE ")
            .push(key)
            .push(" = ")
            .push_bind(id);
        self.count(1);
        qb.build().execute(&mut **tx).await?;
        if !tags.is_empty() {
            let mut qb = QueryBuilder::<Db>::new("INSERT INTO ");
            qb.push(table).push(" (").push(key).push(", tag) ");
            qb.push_values(tags, |mut row, tag| {
                row.push_bind(id).push_bind(tag.clone());
            });
            self.count(1);
            qb.build().execute(&mut **tx).await?;
        }
        Ok(())
    }

    pub(super) async fn tag_pairs(
        &self,
        table: &str,
        key: &str,
        ids: &[i64],
    ) -> Result<Vec<(i64, String)>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let mut qb = QueryBuilder::<Db>::new("SELECT ");
        qb.push(key)
            .push(", tag FROM ")
            .push(table)
            .push(" WHERE ")
            .push(key)
            .push(" IN (");
        push_list(&mut qb, ids.iter().copied());
        qb.push(") ORDER BY ").push(key).push(", tag");
        self.count(1);
        Ok(qb.build_query_as().fetch_all(&self.pool).await?)
    }

    pub(super) async fn write_contribution(
        &self,
        actor: Actor,
        write: Write,
        tags: Option<&[String]>,
    ) -> Result<Contribution> {
        let mut tx = self.begin_write().await?;
        let created = matches!(write, Write::Create(_));
        let extra = tags.map(tags_detail);
        let (_, c) = self
            .write::<Contribution>(&mut tx, &CONTRIBUTIONS, actor, write, extra)
            .await?;
        if let Some(tags) = tags {
            self.replace_tags(&mut tx, "contribution_tags", "contribution_id", c.id, tags)
                .await?;
        }
        let event = ContributionEvent {
            session_id: c.session_id,
            contribution_id: c.id,
        };
        if created {
            self.announce_in(&mut tx, event).await?;
        }
        tx.commit().await?;
        if created {
            self.announced(event);
        }
        Ok(c)
    }

    /// One document write and, unless it only deletes or restores, its new revision.
    pub(super) async fn write_document(
        &self,
        actor: Actor,
        write: Write,
        tags: Option<&[String]>,
    ) -> Result<KnowledgeDocument> {
        let mut tx = self.begin_write().await?;
        let extra = tags.map(tags_detail);
        let (_, doc) = self
            .write::<KnowledgeDocument>(&mut tx, &DOCUMENTS, actor, write, extra)
            .await?;
        if let Some(tags) = tags {
            self.replace_tags(
                &mut tx,
                "knowledge_document_tags",
                "document_id",
                doc.id,
                tags,
            )
            .await?;
            self.count(1);
            let next: i32 = sqlx::query_scalar(
                "SELECT COALESCE(MAX(revision), 0) + 1 FROM knowledge_revisions WHERE document_id = $1",
            )
            .bind(doc.id)
            .fetch_one(&mut *tx)
            .await?;
            self.count(1);
            sqlx::query(
                "INSERT INTO knowledge_revisions (document_id, revision, title, category, status, \
                 publication, content, tags, saved_at, saved_by) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
            )
            .bind(doc.id)
            .bind(next)
            .bind(&doc.title)
            .bind(&doc.category)
            .bind(doc.status.as_str())
            .bind(doc.publication.as_str())
            .bind(&doc.content)
            .bind(json_list(tags))
            .bind(doc.updated_at)
            .bind(actor)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(doc)
    }
}

#[async_trait]
impl KnowledgeStore for SqlStore<Db> {
    async fn workshops_by_ids(&self, ids: &[i64]) -> Result<Vec<Workshop>> {
        self.by_ids("workshops", ids).await
    }

    async fn workshops(
        &self,
        filter: &WorkshopFilter,
        audience: &Audience,
        page: Page,
    ) -> Result<PageOf<Workshop>> {
        let mut qb = QueryBuilder::<Db>::new("SELECT * FROM workshops");
        Self::push_workshop_filter(&mut qb, filter, audience);
        Self::push_page_on(&mut qb, page, "id");
        self.count(1);
        let rows = qb
            .build_query_as::<Workshop>()
            .fetch_all(&self.pool)
            .await?;
        Ok(finish_page(rows, page))
    }

    async fn create_workshop(&self, actor: Actor, data: &WorkshopData) -> Result<Workshop> {
        self.write_simple(&WORKSHOPS, actor, Write::Create(workshop_values(data)))
            .await
    }

    async fn update_workshop(
        &self,
        actor: Actor,
        id: i64,
        expected_version: i32,
        data: &WorkshopData,
    ) -> Result<Workshop> {
        let values = workshop_values(data);
        self.write_simple(
            &WORKSHOPS,
            actor,
            Write::Update {
                id,
                expected_version,
                values,
            },
        )
        .await
    }

    async fn set_workshop_lifecycle(
        &self,
        actor: Actor,
        id: i64,
        expected_version: i32,
        lifecycle: Lifecycle,
    ) -> Result<Workshop> {
        self.write_simple(
            &WORKSHOPS,
            actor,
            lifecycle_write(id, expected_version, lifecycle),
        )
        .await
    }

    async fn sessions_by_ids(&self, ids: &[i64]) -> Result<Vec<WorkshopSession>> {
        self.by_ids("workshop_sessions", ids).await
    }

    async fn sessions_of(
        &self,
        workshop_ids: &[i64],
        include_deleted: bool,
    ) -> Result<Vec<WorkshopSession>> {
        if workshop_ids.is_empty() {
            return Ok(Vec::new());
        }
        let mut qb =
            QueryBuilder::<Db>::new("SELECT * FROM workshop_sessions WHERE workshop_id IN (");
        push_list(&mut qb, workshop_ids.iter().copied());
        qb.push(")");
        if !include_deleted {
            qb.push(" AND deleted_at IS NULL");
        }
        qb.push(" ORDER BY workshop_id, position, id");
        self.count(1);
        Ok(qb.build_query_as().fetch_all(&self.pool).await?)
    }

    async fn create_session(&self, actor: Actor, data: &SessionData) -> Result<WorkshopSession> {
        let mut tx = self.begin_write().await?;
        let position = match data.position {
            Some(p) => p,
            None => {
                self.count(1);
                sqlx::query_scalar::<_, i32>(
                    "SELECT COALESCE(MAX(position), 0) + 1 FROM workshop_sessions WHERE workshop_id = $1",
                )
                .bind(data.workshop_id)
                .fetch_one(&mut *tx)
                .await?
            }
        };
        let write = Write::Create(session_values(data, position));
        let (_, s) = self
            .write::<WorkshopSession>(&mut tx, &SESSIONS, actor, write, None)
            .await?;
        tx.commit().await?;
        Ok(s)
    }

    async fn update_session(
        &self,
        actor: Actor,
        id: i64,
        expected_version: i32,
        data: &SessionData,
    ) -> Result<WorkshopSession> {
        let current = self.sessions_by_ids(&[id]).await?;
        let position = data
            .position
            .or(current.first().map(|s| s.position))
            .unwrap_or(1);
        let values = session_values(data, position);
        self.write_simple(
            &SESSIONS,
            actor,
            Write::Update {
                id,
                expected_version,
                values,
            },
        )
        .await
    }

    async fn set_session_lifecycle(
        &self,
        actor: Actor,
        id: i64,
        expected_version: i32,
        lifecycle: Lifecycle,
    ) -> Result<WorkshopSession> {
        self.write_simple(
            &SESSIONS,
            actor,
            lifecycle_write(id, expected_version, lifecycle),
        )
        .await
    }

    async fn contributions_by_ids(&self, ids: &[i64]) -> Result<Vec<Contribution>> {
        self.by_ids("contributions", ids).await
    }

    async fn contributions(
        &self,
        filter: &ContributionFilter,
        page: Page,
    ) -> Result<PageOf<Contribution>> {
        let mut qb = QueryBuilder::<Db>::new("SELECT * FROM contributions");
        Self::push_contribution_filter(&mut qb, filter);
        Self::push_page_on(&mut qb, page, "position");
        self.count(1);
        let rows = qb
            .build_query_as::<Contribution>()
            .fetch_all(&self.pool)
            .await?;
        Ok(finish_page(rows, page))
    }

    async fn count_contributions(&self, filter: &ContributionFilter) -> Result<i64> {
        let mut qb = QueryBuilder::<Db>::new("SELECT COUNT(*) FROM contributions");
        Self::push_contribution_filter(&mut qb, filter);
        self.count(1);
        Ok(qb.build_query_scalar::<i64>().fetch_one(&self.pool).await?)
    }

    async fn contributions_of_sessions(&self, session_ids: &[i64]) -> Result<Vec<Contribution>> {
        if session_ids.is_empty() {
            return Ok(Vec::new());
        }
        let mut qb = QueryBuilder::<Db>::new("SELECT * FROM contributions WHERE session_id IN (");
        push_list(&mut qb, session_ids.iter().copied());
        qb.push(") AND deleted_at IS NULL ORDER BY session_id, position");
        self.count(1);
        Ok(qb.build_query_as().fetch_all(&self.pool).await?)
    }

    async fn tags_of_contributions(&self, ids: &[i64]) -> Result<Vec<(i64, String)>> {
        self.tag_pairs("contribution_tags", "contribution_id", ids)
            .await
    }

    async fn create_contribution(
        &self,
        actor: Actor,
        data: &ContributionData,
    ) -> Result<Contribution> {
        // Reserve the next position under the session's row lock: concurrent captures in
        // one session queue here and get distinct positions in commit order.
        let mut tx = self.begin_write().await?;
        self.count(1);
        let position: Option<i32> = sqlx::query_scalar(
            "UPDATE workshop_sessions SET contribution_count = contribution_count + 1 \
             WHERE id = $1 AND deleted_at IS NULL RETURNING contribution_count",
        )
        .bind(data.session_id)
        .fetch_optional(&mut *tx)
        .await?;
        let Some(position) = position else {
            return Err(StorageError::NotFound {
                entity: "WorkshopSession",
                id: data.session_id.to_string(),
            });
        };
        let mut values = contribution_values(data);
        values.push(("session_id", Value::Int(Some(data.session_id))));
        values.push(("position", Value::Int(Some(position.into()))));
        let extra = Some(tags_detail(&data.tags));
        let (_, c) = self
            .write::<Contribution>(&mut tx, &CONTRIBUTIONS, actor, Write::Create(values), extra)
            .await?;
        self.replace_tags(
            &mut tx,
            "contribution_tags",
            "contribution_id",
            c.id,
            &data.tags,
        )
        .await?;
        let event = ContributionEvent {
            session_id: c.session_id,
            contribution_id: c.id,
        };
        self.announce_in(&mut tx, event).await?;
        tx.commit().await?;
        self.announced(event);
        Ok(c)
    }

    async fn update_contribution(
        &self,
        actor: Actor,
        id: i64,
        expected_version: i32,
        data: &ContributionData,
    ) -> Result<Contribution> {
        let values = contribution_values(data);
        self.write_contribution(
            actor,
            Write::Update {
                id,
                expected_version,
                values,
            },
            Some(&data.tags),
        )
        .await
    }

    async fn set_contribution_lifecycle(
        &self,
        actor: Actor,
        id: i64,
        expected_version: i32,
        lifecycle: Lifecycle,
    ) -> Result<Contribution> {
        self.write_contribution(
            actor,
            lifecycle_write(id, expected_version, lifecycle),
            None,
        )
        .await
    }

    async fn contribution_events(&self) -> Result<broadcast::Receiver<ContributionEvent>> {
        self.subscribe_events().await
    }

    async fn documents_by_ids(&self, ids: &[i64]) -> Result<Vec<KnowledgeDocument>> {
        self.by_ids("knowledge_documents", ids).await
    }

    async fn documents(
        &self,
        filter: &DocumentFilter,
        audience: &Audience,
        page: Page,
    ) -> Result<PageOf<KnowledgeDocument>> {
        let mut qb = QueryBuilder::<Db>::new("SELECT * FROM knowledge_documents");
        Self::push_document_filter(&mut qb, filter, audience);
        Self::push_page_on(&mut qb, page, "id");
        self.count(1);
        let rows = qb
            .build_query_as::<KnowledgeDocument>()
            .fetch_all(&self.pool)
            .await?;
        Ok(finish_page(rows, page))
    }

    async fn count_documents(&self, filter: &DocumentFilter, audience: &Audience) -> Result<i64> {
        let mut qb = QueryBuilder::<Db>::new("SELECT COUNT(*) FROM knowledge_documents");
        Self::push_document_filter(&mut qb, filter, audience);
        self.count(1);
        Ok(qb.build_query_scalar::<i64>().fetch_one(&self.pool).await?)
    }

    async fn tags_of_documents(&self, ids: &[i64]) -> Result<Vec<(i64, String)>> {
        self.tag_pairs("knowledge_document_tags", "document_id", ids)
            .await
    }

    async fn create_document(
        &self,
        actor: Actor,
        data: &DocumentData,
    ) -> Result<KnowledgeDocument> {
        self.write_document(
            actor,
            Write::Create(document_create_values(data)),
            Some(&data.tags),
        )
        .await
    }

    async fn update_document(
        &self,
        actor: Actor,
        id: i64,
        expected_version: i32,
        data: &DocumentData,
    ) -> Result<KnowledgeDocument> {
        let values = document_values(data);
        self.write_document(
            actor,
            Write::Update {
                id,
                expected_version,
                values,
            },
            Some(&data.tags),
        )
        .await
    }

    async fn set_document_lifecycle(
        &self,
        actor: Actor,
        id: i64,
        expected_version: i32,
        lifecycle: Lifecycle,
    ) -> Result<KnowledgeDocument> {
        self.write_document(
            actor,
            lifecycle_write(id, expected_version, lifecycle),
            None,
        )
        .await
    }

    async fn revisions_of(&self, document_ids: &[i64]) -> Result<Vec<KnowledgeRevision>> {
        if document_ids.is_empty() {
            return Ok(Vec::new());
        }
        let mut qb =
            QueryBuilder::<Db>::new("SELECT * FROM knowledge_revisions WHERE document_id IN (");
        push_list(&mut qb, document_ids.iter().copied());
        qb.push(") ORDER BY document_id, revision DESC");
        self.count(1);
        Ok(qb.build_query_as().fetch_all(&self.pool).await?)
    }

    async fn revision(&self, document_id: i64, revision: i32) -> Result<Option<KnowledgeRevision>> {
        self.count(1);
        Ok(sqlx::query_as(
            "SELECT * FROM knowledge_revisions WHERE document_id = $1 AND revision = $2",
        )
        .bind(document_id)
        .bind(revision)
        .fetch_optional(&self.pool)
        .await?)
    }

    async fn forks_of(&self, origin_ids: &[i64]) -> Result<Vec<DocumentFork>> {
        if origin_ids.is_empty() {
            return Ok(Vec::new());
        }
        let mut qb = QueryBuilder::<Db>::new(
            "SELECT forked_from_id AS origin_id, id, district_ags, created_at, deleted_at \
             FROM knowledge_documents WHERE forked_from_id IN (",
        );
        push_list(&mut qb, origin_ids.iter().copied());
        qb.push(") ORDER BY forked_from_id, created_at, id");
        self.count(1);
        Ok(qb.build_query_as().fetch_all(&self.pool).await?)
    }
}

#[async_trait]
impl OutboxStore for SqlStore<Db> {
    async fn claim_outbox_as(
        &self,
        worker: Option<&Liveness<'_>>,
        limit: i64,
        lease: std::time::Duration,
    ) -> Result<Vec<OutboxRow>> {
        let now = Utc::now();
        let until = now + chrono::Duration::from_std(lease).unwrap_or_default();
        let mut qb = QueryBuilder::<Db>::new("UPDATE search_outbox SET claimed_until = ");
        qb.push_bind(until);
        qb.push(", claimed_by = ")
            .push_bind(worker.map(|w| w.holder.to_owned()));
        qb.push(" WHERE id IN (SELECT o.id FROM search_outbox o WHERE o.available_at <= ");
        qb.push_bind(now);
        qb.push(" AND (o.claimed_until IS NULL OR o.claimed_until < ")
            .push_bind(now);
        if let Some(w) = worker {
            // Held by a worker that stopped saying it is alive: it was killed mid-update.
            qb.push(
                " OR (o.claimed_by IS NOT NULL AND NOT EXISTS (SELECT 1 FROM search_workers w \
                 WHERE w.holder = o.claimed_by AND w.heartbeat_at >= ",
            )
            .push_bind(w.stale_before)
            .push("))");
        }
        qb.push(
            ") AND NOT EXISTS (SELECT 1 FROM search_outbox p WHERE p.entity_type = o.entity_type AND p.entity_id = o.entity_id AND p.id < o.id) \
             ORDER BY o.id LIMIT ",
        );
        qb.push_bind(limit);
        qb.push(Self::CLAIM_LOCK);
        qb.push(") RETURNING id, entity_type, entity_id, attempts");
        let mut tx = self.begin_background_write().await?;
        let mut rows: Vec<OutboxRow> = qb.build_query_as().fetch_all(&mut *tx).await?;
        tx.commit().await?;
        rows.sort_by_key(|r| r.id);
        Ok(rows)
    }

    async fn beat_search_worker(&self, holder: &str, now: DateTime<Utc>) -> Result<()> {
        self.count(1);
        sqlx::query(
            "INSERT INTO search_workers (holder, heartbeat_at) VALUES ($1, $2) \
             ON CONFLICT (holder) DO UPDATE SET heartbeat_at = excluded.heartbeat_at",
        )
        .bind(holder)
        .bind(now)
        .execute(&self.background)
        .await?;
        // Workers gone for a day (each start is a new one) leave no trace.
        sqlx::query("DELETE FROM search_workers WHERE heartbeat_at < $1")
            .bind(now - chrono::Duration::days(1))
            .execute(&self.background)
            .await?;
        Ok(())
    }

    async fn leave_search_worker(&self, holder: &str) -> Result<()> {
        self.count(1);
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "UPDATE search_outbox SET claimed_until = NULL, claimed_by = NULL WHERE claimed_by = $1",
        )
        .bind(holder)
        .execute(&mut *tx)
        .await?;
        sqlx::query("DELETE FROM search_workers WHERE holder = $1")
            .bind(holder)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn extend_outbox_lease(&self, ids: &[i64], lease: std::time::Duration) -> Result<()> {
        if ids.is_empty() {
            return Ok(());
        }
        let until = Utc::now() + chrono::Duration::from_std(lease).unwrap_or_default();
        let mut qb = QueryBuilder::<Db>::new("UPDATE search_outbox SET claimed_until = ");
        qb.push_bind(until).push(" WHERE id IN (");
        push_list(&mut qb, ids.iter().copied());
        qb.push(")");
        self.count(1);
        let mut tx = self.begin_write().await?;
        qb.build().execute(&mut *tx).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn finish_outbox(&self, ids: &[i64]) -> Result<()> {
        if ids.is_empty() {
            return Ok(());
        }
        // A confirmed row says nothing the audit log does not; keeping it would grow the table
        // with every write.
        let mut qb = QueryBuilder::<Db>::new("DELETE FROM search_outbox WHERE id IN (");
        push_list(&mut qb, ids.iter().copied());
        qb.push(")");
        let mut tx = self.begin_write().await?;
        qb.build().execute(&mut *tx).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn retry_outbox(
        &self,
        ids: &[i64],
        error: &str,
        delay: std::time::Duration,
        counted: bool,
    ) -> Result<()> {
        if ids.is_empty() {
            return Ok(());
        }
        let at = Utc::now() + chrono::Duration::from_std(delay).unwrap_or_default();
        let mut qb = QueryBuilder::<Db>::new(
            "UPDATE search_outbox SET claimed_until = NULL, attempts = attempts + ",
        );
        qb.push_bind(i32::from(counted)).push(", available_at = ");
        qb.push_bind(at)
            .push(", last_error = ")
            .push_bind(error.chars().take(500).collect::<String>());
        qb.push(" WHERE id IN (");
        push_list(&mut qb, ids.iter().copied());
        qb.push(")");
        let mut tx = self.begin_write().await?;
        qb.build().execute(&mut *tx).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn bury_outbox(&self, ids: &[i64], error: &str) -> Result<()> {
        if ids.is_empty() {
            return Ok(());
        }
        let error: String = error.chars().take(500).collect();
        let mut tx = self.begin_write().await?;
        let mut qb = QueryBuilder::<Db>::new(
            "INSERT INTO search_outbox_dead (id, entity_type, entity_id, created_at, failed_at, attempts, last_error) \
             SELECT id, entity_type, entity_id, created_at, ",
        );
        qb.push_bind(Utc::now())
            .push(", attempts + 1, ")
            .push_bind(error)
            .push(" FROM search_outbox WHERE id IN (");
        push_list(&mut qb, ids.iter().copied());
        qb.push(")");
        qb.build().execute(&mut *tx).await?;
        let mut qb = QueryBuilder::<Db>::new("DELETE FROM search_outbox WHERE id IN (");
        push_list(&mut qb, ids.iter().copied());
        qb.push(")");
        qb.build().execute(&mut *tx).await?;
        tx.commit().await?;
        self.count(2);
        Ok(())
    }

    async fn join_search_feed(
        &self,
        target: &str,
        holder: &str,
        now: DateTime<Utc>,
        stale_before: DateTime<Utc>,
    ) -> Result<Option<SearchFeed>> {
        self.count(1);
        // One statement: of two instances starting at once, one wins.
        let joined = sqlx::query(
            "INSERT INTO search_feed (id, target, holder, heartbeat_at) VALUES (1, $1, $2, $3) \
             ON CONFLICT (id) DO UPDATE SET target = excluded.target, holder = excluded.holder, \
             heartbeat_at = excluded.heartbeat_at \
             WHERE search_feed.target = excluded.target OR search_feed.heartbeat_at < $4",
        )
        .bind(target)
        .bind(holder)
        .bind(now)
        .bind(stale_before)
        .execute(&self.background)
        .await?
        .rows_affected()
            == 1;
        if joined {
            return Ok(None);
        }
        self.count(1);
        Ok(
            sqlx::query_as("SELECT target, holder, heartbeat_at FROM search_feed WHERE id = 1")
                .fetch_optional(&self.background)
                .await?,
        )
    }

    async fn leave_search_feed(&self, target: &str) -> Result<()> {
        self.count(1);
        sqlx::query("DELETE FROM search_feed WHERE id = 1 AND target = $1")
            .bind(target)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    async fn outbox_status(&self) -> Result<OutboxStatus> {
        let (pending, oldest, failing): (i64, Option<DateTime<Utc>>, i64) = sqlx::query_as(
            "SELECT COUNT(*), MIN(created_at), COUNT(CASE WHEN attempts > 0 THEN 1 END) \
             FROM search_outbox",
        )
        .fetch_one(&self.pool)
        .await?;
        let last_error: Option<String> = if failing > 0 {
            sqlx::query_scalar(
                "SELECT last_error FROM search_outbox WHERE attempts > 0 \
                 ORDER BY id DESC LIMIT 1",
            )
            .fetch_optional(&self.pool)
            .await?
            .flatten()
        } else {
            None
        };
        let (dead, last_dead_error): (i64, Option<String>) = sqlx::query_as(
            "SELECT COUNT(*), (SELECT last_error FROM search_outbox_dead \
             ORDER BY failed_at DESC, id DESC LIMIT 1) FROM search_outbox_dead",
        )
        .fetch_one(&self.pool)
        .await?;
        Ok(OutboxStatus {
            pending,
            oldest_pending: oldest,
            failing,
            last_error,
            dead,
            last_dead_error,
        })
    }

    async fn enqueue_all(&self) -> Result<i64> {
        let now = Utc::now();
        let mut tx = self.begin_write().await?;
        let mut total = 0;
        // Workshops bring their sessions' contributions along.
        for (entity, table) in [
            ("Workshop", "workshops"),
            ("KnowledgeDocument", "knowledge_documents"),
            ("Kita", "kitas"),
        ] {
            let mut qb = QueryBuilder::<Db>::new("INSERT INTO search_outbox (entity_type, entity_id, created_at, available_at) SELECT ");
            qb.push_bind(entity)
                .push(", id, ")
                .push_bind(now)
                .push(", ")
                .push_bind(now);
            qb.push(" FROM ").push(table).push(" ORDER BY id");
            self.count(1);
            total += qb.build().execute(&mut *tx).await?.rows_affected() as i64;
        }
        self.count(1);
        sqlx::query("DELETE FROM search_outbox_dead")
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(total)
    }
}
