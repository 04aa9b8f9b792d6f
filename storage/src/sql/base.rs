//! Records, accounts, audit and seeding, in the SQL both backends share; compiled once per
//! backend with `Db` (and `BACKEND`) set by the enclosing module in `sql.rs`.

use super::*;

impl SqlStore<Db> {
    /// The districts, read once per process: they are reference data that only
    /// migrations change, so every instance holds the same rows.
    pub(super) async fn reference_districts(&self) -> Result<&[District]> {
        let rows = self
            .districts
            .get_or_try_init(|| async {
                self.count(1);
                sqlx::query_as::<_, District>("SELECT * FROM districts ORDER BY ags")
                    .fetch_all(&self.pool)
                    .await
            })
            .await?;
        Ok(rows)
    }

    pub(super) fn bind_value<'q>(qb: &mut QueryBuilder<'q, Db>, value: Value) {
        match value {
            Value::Text(v) => qb.push_bind(v),
            Value::Int(v) => qb.push_bind(v),
            Value::Bool(v) => qb.push_bind(v),
            Value::Date(v) => qb.push_bind(v),
        };
    }

    pub(super) async fn by_ids<T>(&self, table: &str, ids: &[i64]) -> Result<Vec<T>>
    where
        T: for<'r> sqlx::FromRow<'r, <Db as sqlx::Database>::Row> + Send + Unpin,
    {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        self.count(1);
        let mut qb = QueryBuilder::<Db>::new("SELECT * FROM ");
        qb.push(table).push(" WHERE id IN (");
        push_list(&mut qb, ids.iter().copied());
        qb.push(") ORDER BY id");
        Ok(qb.build_query_as::<T>().fetch_all(&self.pool).await?)
    }

    pub(super) async fn of_districts<T>(
        &self,
        table: &str,
        district_ags: &[String],
        include_deleted: bool,
    ) -> Result<Vec<T>>
    where
        T: for<'r> sqlx::FromRow<'r, <Db as sqlx::Database>::Row> + Send + Unpin,
    {
        if district_ags.is_empty() {
            return Ok(Vec::new());
        }
        self.count(1);
        let mut qb = QueryBuilder::<Db>::new("SELECT * FROM ");
        qb.push(table).push(" WHERE district_ags IN (");
        push_list(&mut qb, district_ags.iter().cloned());
        qb.push(")");
        if !include_deleted {
            qb.push(" AND deleted_at IS NULL");
        }
        qb.push(" ORDER BY district_ags, name, id");
        Ok(qb.build_query_as::<T>().fetch_all(&self.pool).await?)
    }

    pub(super) async fn audit(
        &self,
        tx: &mut Transaction<'static, Db>,
        record: AuditRecord<'_>,
    ) -> Result<()> {
        self.count(1);
        sqlx::query(
            "INSERT INTO audit_log (at, actor_user_id, entity_type, entity_id, \
             district_ags, action, old_version, new_version, details) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(Utc::now())
        .bind(record.actor)
        .bind(record.entity_type)
        .bind(record.entity_id)
        .bind(record.district_ags)
        .bind(record.action)
        .bind(record.old_version)
        .bind(record.new_version)
        .bind(serde_json::to_string(&record.details)?)
        .execute(&mut **tx)
        .await?;
        Ok(())
    }

    /// Asks the search indexer to refresh a record, inside the writing transaction.
    pub(super) async fn enqueue(
        &self,
        tx: &mut Transaction<'static, Db>,
        entity_type: &str,
        entity_id: i64,
    ) -> Result<()> {
        let now = Utc::now();
        self.count(1);
        sqlx::query(
            "INSERT INTO search_outbox (entity_type, entity_id, created_at, available_at) \
             VALUES ($1, $2, $3, $3)",
        )
        .bind(entity_type)
        .bind(entity_id)
        .bind(now)
        .execute(&mut **tx)
        .await?;
        Ok(())
    }

    /// A token issued or revoked: recorded on the user it belongs to, as that user's act.
    pub(super) async fn token_audit(
        &self,
        tx: &mut Transaction<'static, Db>,
        user_id: i64,
        action: &str,
        details: serde_json::Value,
    ) -> Result<()> {
        self.audit(
            tx,
            AuditRecord {
                actor: Some(user_id),
                entity_type: "User",
                entity_id: &user_id.to_string(),
                district_ags: None,
                action,
                old_version: None,
                new_version: None,
                details,
            },
        )
        .await
    }

    /// One versioned write inside `tx`: the version check, the row change, the audit
    /// record. Returns the record before (none for a create) and after.
    pub(super) async fn write<T>(
        &self,
        tx: &mut Transaction<'static, Db>,
        table: &Table,
        actor: Actor,
        write: Write,
        extra_details: Option<serde_json::Value>,
    ) -> Result<(Option<T>, T)>
    where
        T: for<'r> sqlx::FromRow<'r, <Db as sqlx::Database>::Row> + Send + Unpin + Versioned,
    {
        let action = action_name(&write);
        let now = Utc::now();
        let (old, new): (Option<T>, T) = match write {
            Write::Create(values) => {
                let mut qb = QueryBuilder::<Db>::new("INSERT INTO ");
                qb.push(table.name).push(" (");
                for (column, _) in &values {
                    qb.push(*column).push(", ");
                }
                qb.push("created_at, updated_at) VALUES (");
                for (_, value) in values {
                    Self::bind_value(&mut qb, value);
                    qb.push(", ");
                }
                qb.push_bind(now)
                    .push(", ")
                    .push_bind(now)
                    .push(") RETURNING *");
                self.count(1);
                let row = qb
                    .build_query_as::<T>()
                    .fetch_one(&mut **tx)
                    .await
                    .map_err(|e| unique_as_duplicate(e, table.entity, "name"))?;
                (None, row)
            }
            Write::Update {
                id,
                expected_version,
                ..
            }
            | Write::Lifecycle {
                id,
                expected_version,
                ..
            } => {
                let mut qb = QueryBuilder::<Db>::new("SELECT * FROM ");
                qb.push(table.name).push(" WHERE id = ").push_bind(id);
                self.count(1);
                let current: T = qb
                    .build_query_as::<T>()
                    .fetch_optional(&mut **tx)
                    .await?
                    .ok_or_else(|| StorageError::NotFound {
                        entity: table.entity,
                        id: id.to_string(),
                    })?;
                if current.version() != expected_version {
                    return Err(StorageError::Conflict {
                        entity: table.entity,
                        id: id.to_string(),
                        expected: expected_version,
                        actual: current.version(),
                    });
                }
                let mut qb = QueryBuilder::<Db>::new("UPDATE ");
                qb.push(table.name).push(" SET ");
                match write {
                    Write::Update { values, .. } => {
                        if current.is_deleted() {
                            return Err(StorageError::NotFound {
                                entity: table.entity,
                                id: id.to_string(),
                            });
                        }
                        for (column, value) in values {
                            qb.push(column).push(" = ");
                            Self::bind_value(&mut qb, value);
                            qb.push(", ");
                        }
                    }
                    Write::Lifecycle { lifecycle, .. } => match (lifecycle, current.is_deleted()) {
                        (Lifecycle::Delete, false) => {
                            qb.push("deleted_at = ").push_bind(now).push(", ");
                        }
                        (Lifecycle::Restore, true) => {
                            qb.push("deleted_at = NULL, ");
                        }
                        (Lifecycle::Delete, true) => {
                            return Err(StorageError::NotFound {
                                entity: table.entity,
                                id: id.to_string(),
                            })
                        }
                        (Lifecycle::Restore, false) => {
                            return Err(StorageError::NotDeleted {
                                entity: table.entity,
                                id: id.to_string(),
                            })
                        }
                    },
                    _ => unreachable!(),
                }
                qb.push("version = version + 1, updated_at = ")
                    .push_bind(now);
                qb.push(" WHERE id = ").push_bind(id);
                qb.push(" AND version = ").push_bind(expected_version);
                qb.push(" RETURNING *");
                self.count(1);
                let row = qb
                    .build_query_as::<T>()
                    .fetch_optional(&mut **tx)
                    .await
                    .map_err(|e| unique_as_duplicate(e, table.entity, "name"))?
                    // Changed between our read and our write (PostgreSQL only; SQLite
                    // holds the write lock since BEGIN IMMEDIATE).
                    .ok_or_else(|| StorageError::Conflict {
                        entity: table.entity,
                        id: id.to_string(),
                        expected: expected_version,
                        actual: expected_version + 1,
                    })?;
                (Some(current), row)
            }
        };
        if table.searchable {
            self.enqueue(tx, table.entity, new.id()).await?;
        }
        let mut details = json!({ "old": &old, "new": &new });
        if let Some(extra) = extra_details {
            details["extra"] = extra;
        }
        self.audit(
            tx,
            AuditRecord {
                actor,
                entity_type: table.entity,
                entity_id: &new.id().to_string(),
                district_ags: new.district_ags(),
                action,
                old_version: old.as_ref().map(|o| o.version()),
                new_version: Some(new.version()),
                details,
            },
        )
        .await?;
        Ok((old, new))
    }

    pub(super) async fn write_simple<T>(
        &self,
        table: &Table,
        actor: Actor,
        write: Write,
    ) -> Result<T>
    where
        T: for<'r> sqlx::FromRow<'r, <Db as sqlx::Database>::Row> + Send + Unpin + Versioned,
    {
        let mut tx = self.begin_write().await?;
        let (_, new) = self.write(&mut tx, table, actor, write, None).await?;
        tx.commit().await?;
        Ok(new)
    }

    pub(super) async fn write_kita(
        &self,
        actor: Actor,
        write: Write,
        tags: Option<&[String]>,
    ) -> Result<Kita> {
        let mut tx = self.begin_write().await?;
        let extra = tags.map(|t| json!({ "tags": t }));
        let (_, kita) = self
            .write::<Kita>(&mut tx, &KITAS, actor, write, extra)
            .await?;
        if let Some(tags) = tags {
            self.count(1);
            sqlx::query("DELETE FROM kita_tags WHERE kita_id = $1")
                .bind(kita.id)
                .execute(&mut *tx)
                .await?;
            if !tags.is_empty() {
                let mut qb = QueryBuilder::<Db>::new("INSERT INTO kita_tags (kita_id, tag) ");
                qb.push_values(tags, |mut row, tag| {
                    row.push_bind(kita.id).push_bind(tag.clone());
                });
                self.count(1);
                qb.build().execute(&mut *tx).await?;
            }
        }
        tx.commit().await?;
        Ok(kita)
    }

    pub(super) fn push_kita_filter(qb: &mut QueryBuilder<'_, Db>, f: &KitaFilter) {
        qb.push(" WHERE 1 = 1");
        if let Some(ags) = &f.district_ags {
            qb.push(" AND district_ags = ").push_bind(ags.clone());
        }
        if let Some(id) = f.social_space_id {
            qb.push(" AND social_space_id = ").push_bind(id);
        }
        if let Some(id) = f.provider_id {
            qb.push(" AND provider_id = ").push_bind(id);
        }
        if let Some(needle) = &f.name_contains {
            qb.push(" AND lower(name) LIKE ")
                .push_bind(contains_pattern(needle))
                .push(" ESCAPE '\\'");
        }
        if let Some(fc) = f.family_center {
            qb.push(" AND family_center = ").push_bind(fc);
        }
        if let Some(tag) = &f.tag {
            qb.push(" AND id IN (SELECT kita_id FROM kita_tags WHERE tag = ")
                .push_bind(tag.clone())
                .push(")");
        }
        if !f.include_deleted {
            qb.push(" AND deleted_at IS NULL");
        }
    }

    pub(super) fn push_page(qb: &mut QueryBuilder<'_, Db>, page: Page) {
        Self::push_page_on(qb, page, "id");
    }

    /// Keyset paging over a unique integer column.
    pub(super) fn push_page_on(qb: &mut QueryBuilder<'_, Db>, page: Page, key: &str) {
        if let Some(after) = page.after {
            qb.push(" AND ").push(key).push(" > ").push_bind(after);
        }
        if let Some(before) = page.before {
            qb.push(" AND ").push(key).push(" < ").push_bind(before);
        }
        qb.push(" ORDER BY ")
            .push(key)
            .push(if page.from_end { " DESC" } else { "" });
        qb.push(" LIMIT ").push_bind(page.limit + 1);
    }
}

pub(super) fn finish_page<T>(mut rows: Vec<T>, page: Page) -> PageOf<T> {
    let has_more = rows.len() as i64 > page.limit;
    rows.truncate(page.limit.max(0) as usize);
    if page.from_end {
        rows.reverse();
    }
    PageOf { rows, has_more }
}

#[async_trait]
impl Storage for SqlStore<Db> {
    fn backend(&self) -> Backend {
        BACKEND
    }

    fn statements_executed(&self) -> u64 {
        self.statements.load(Ordering::Relaxed)
    }

    async fn migrate(&self) -> Result<()> {
        self.migrator().run(&self.pool).await?;
        Ok(())
    }

    async fn readiness(&self) -> Result<Readiness> {
        self.count(1);
        let applied: Vec<i64> =
            sqlx::query_scalar("SELECT version FROM _sqlx_migrations WHERE success")
                .fetch_all(&self.background)
                .await?;
        let pending = self
            .migrator()
            .iter()
            .filter(|m| !applied.contains(&m.version))
            .count();
        Ok(Readiness {
            pending_migrations: pending,
        })
    }

    fn seeder(&self) -> &dyn SeedStore {
        self
    }
}

#[async_trait]
impl RecordStore for SqlStore<Db> {
    async fn districts(&self) -> Result<Vec<District>> {
        Ok(self.reference_districts().await?.to_vec())
    }

    async fn districts_by_ags(&self, ags: &[String]) -> Result<Vec<District>> {
        let all = self.reference_districts().await?;
        Ok(all
            .iter()
            .filter(|d| ags.contains(&d.ags))
            .cloned()
            .collect())
    }

    async fn social_spaces_by_ids(&self, ids: &[i64]) -> Result<Vec<SocialSpace>> {
        self.by_ids(SOCIAL_SPACES.name, ids).await
    }

    async fn social_spaces_of(
        &self,
        ags: &[String],
        include_deleted: bool,
    ) -> Result<Vec<SocialSpace>> {
        self.of_districts(SOCIAL_SPACES.name, ags, include_deleted)
            .await
    }

    async fn create_social_space(
        &self,
        actor: Actor,
        data: &SocialSpaceData,
    ) -> Result<SocialSpace> {
        self.write_simple(
            &SOCIAL_SPACES,
            actor,
            Write::Create(social_space_values(data)),
        )
        .await
    }

    async fn update_social_space(
        &self,
        actor: Actor,
        id: i64,
        expected_version: i32,
        data: &SocialSpaceData,
    ) -> Result<SocialSpace> {
        let values = social_space_values(data);
        self.write_simple(
            &SOCIAL_SPACES,
            actor,
            Write::Update {
                id,
                expected_version,
                values,
            },
        )
        .await
    }

    async fn set_social_space_lifecycle(
        &self,
        actor: Actor,
        id: i64,
        expected_version: i32,
        lifecycle: Lifecycle,
    ) -> Result<SocialSpace> {
        self.write_simple(
            &SOCIAL_SPACES,
            actor,
            Write::Lifecycle {
                id,
                expected_version,
                lifecycle,
            },
        )
        .await
    }

    async fn providers_by_ids(&self, ids: &[i64]) -> Result<Vec<Provider>> {
        self.by_ids(PROVIDERS.name, ids).await
    }

    async fn providers_of(&self, ags: &[String], include_deleted: bool) -> Result<Vec<Provider>> {
        self.of_districts(PROVIDERS.name, ags, include_deleted)
            .await
    }

    async fn create_provider(&self, actor: Actor, data: &ProviderData) -> Result<Provider> {
        self.write_simple(&PROVIDERS, actor, Write::Create(provider_values(data)))
            .await
    }

    async fn update_provider(
        &self,
        actor: Actor,
        id: i64,
        expected_version: i32,
        data: &ProviderData,
    ) -> Result<Provider> {
        let values = provider_values(data);
        self.write_simple(
            &PROVIDERS,
            actor,
            Write::Update {
                id,
                expected_version,
                values,
            },
        )
        .await
    }

    async fn set_provider_lifecycle(
        &self,
        actor: Actor,
        id: i64,
        expected_version: i32,
        lifecycle: Lifecycle,
    ) -> Result<Provider> {
        self.write_simple(
            &PROVIDERS,
            actor,
            Write::Lifecycle {
                id,
                expected_version,
                lifecycle,
            },
        )
        .await
    }

    async fn kitas_by_ids(&self, ids: &[i64]) -> Result<Vec<Kita>> {
        self.by_ids(KITAS.name, ids).await
    }

    async fn kitas(&self, filter: &KitaFilter, page: Page) -> Result<PageOf<Kita>> {
        let mut qb = QueryBuilder::<Db>::new("SELECT * FROM kitas");
        Self::push_kita_filter(&mut qb, filter);
        Self::push_page(&mut qb, page);
        self.count(1);
        let rows = qb.build_query_as::<Kita>().fetch_all(&self.pool).await?;
        Ok(finish_page(rows, page))
    }

    async fn count_kitas(&self, filter: &KitaFilter) -> Result<i64> {
        let mut qb = QueryBuilder::<Db>::new("SELECT COUNT(*) FROM kitas");
        Self::push_kita_filter(&mut qb, filter);
        self.count(1);
        Ok(qb.build_query_scalar::<i64>().fetch_one(&self.pool).await?)
    }

    async fn tags_of_kitas(&self, ids: &[i64]) -> Result<Vec<(i64, String)>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let mut qb =
            QueryBuilder::<Db>::new("SELECT kita_id, tag FROM kita_tags WHERE kita_id IN (");
        push_list(&mut qb, ids.iter().copied());
        qb.push(") ORDER BY kita_id, tag");
        self.count(1);
        Ok(qb.build_query_as().fetch_all(&self.pool).await?)
    }

    async fn create_kita(&self, actor: Actor, data: &KitaData) -> Result<Kita> {
        self.write_kita(actor, Write::Create(kita_values(data)), Some(&data.tags))
            .await
    }

    async fn update_kita(
        &self,
        actor: Actor,
        id: i64,
        expected_version: i32,
        data: &KitaData,
    ) -> Result<Kita> {
        let values = kita_values(data);
        self.write_kita(
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

    async fn set_kita_lifecycle(
        &self,
        actor: Actor,
        id: i64,
        expected_version: i32,
        lifecycle: Lifecycle,
    ) -> Result<Kita> {
        self.write_kita(
            actor,
            Write::Lifecycle {
                id,
                expected_version,
                lifecycle,
            },
            None,
        )
        .await
    }
}

#[async_trait]
impl AccountStore for SqlStore<Db> {
    async fn create_user(
        &self,
        email: &str,
        display_name: Option<&str>,
        password_hash: Option<&str>,
        role: Role,
        district_ags: Option<&str>,
    ) -> Result<User> {
        let mut tx = self.begin_write().await?;
        self.count(1);
        let user: User = sqlx::query_as(
            "INSERT INTO users (email, display_name, password_hash, role, district_ags, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING *",
        )
        .bind(email)
        .bind(display_name)
        .bind(password_hash)
        .bind(role.as_str())
        .bind(district_ags)
        .bind(Utc::now())
        .fetch_one(&mut *tx)
        .await
        .map_err(|e| unique_as_duplicate(e, "User", "email"))?;
        self.audit(
            &mut tx,
            AuditRecord {
                actor: None,
                entity_type: "User",
                entity_id: &user.id.to_string(),
                district_ags,
                action: "create",
                old_version: None,
                new_version: None,
                details: json!({ "new": &user }),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(user)
    }

    async fn user_by_email(&self, email: &str) -> Result<Option<User>> {
        self.count(1);
        Ok(sqlx::query_as("SELECT * FROM users WHERE email = $1")
            .bind(email)
            .fetch_optional(&self.pool)
            .await?)
    }

    async fn user_by_token_hash(
        &self,
        token_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<(User, Option<DateTime<Utc>>)>> {
        use sqlx::{FromRow, Row};
        self.count(1);
        let row = sqlx::query(
            "SELECT u.*, t.last_used_at AS token_last_used_at FROM users u \
             JOIN api_tokens t ON t.user_id = u.id \
             WHERE t.token_hash = $1 AND t.revoked_at IS NULL AND t.expires_at > $2",
        )
        .bind(token_hash)
        .bind(now)
        .fetch_optional(&self.pool)
        .await?;
        row.map(|r| Ok((User::from_row(&r)?, r.try_get("token_last_used_at")?)))
            .transpose()
    }

    async fn touch_token(&self, token_hash: &str, now: DateTime<Utc>) -> Result<()> {
        self.count(1);
        sqlx::query("UPDATE api_tokens SET last_used_at = $1 WHERE token_hash = $2")
            .bind(now)
            .bind(token_hash)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    async fn create_token(
        &self,
        user_id: i64,
        token_hash: &str,
        label: &str,
        expires_at: DateTime<Utc>,
    ) -> Result<i64> {
        let mut tx = self.begin_write().await?;
        self.count(1);
        let token_id: i64 = sqlx::query_scalar(
            "INSERT INTO api_tokens (user_id, token_hash, label, created_at, expires_at) \
             VALUES ($1, $2, $3, $4, $5) RETURNING id",
        )
        .bind(user_id)
        .bind(token_hash)
        .bind(label)
        .bind(Utc::now())
        .bind(expires_at)
        .fetch_one(&mut *tx)
        .await?;
        self.token_audit(
            &mut tx,
            user_id,
            "token_create",
            json!({ "tokenId": token_id, "label": label, "expiresAt": expires_at }),
        )
        .await?;
        tx.commit().await?;
        Ok(token_id)
    }

    async fn revoke_token(&self, token_hash: &str) -> Result<bool> {
        let mut tx = self.begin_write().await?;
        self.count(1);
        let revoked: Option<(i64, i64)> = sqlx::query_as(
            "UPDATE api_tokens SET revoked_at = $1 WHERE token_hash = $2 AND revoked_at IS NULL \
             RETURNING id, user_id",
        )
        .bind(Utc::now())
        .bind(token_hash)
        .fetch_optional(&mut *tx)
        .await?;
        let Some((token_id, user_id)) = revoked else {
            return Ok(false);
        };
        self.token_audit(
            &mut tx,
            user_id,
            "token_revoke",
            json!({ "tokenId": token_id }),
        )
        .await?;
        tx.commit().await?;
        Ok(true)
    }

    async fn tokens_of_user(&self, user_id: i64) -> Result<Vec<ApiToken>> {
        self.count(1);
        Ok(sqlx::query_as(
            "SELECT id, user_id, label, created_at, revoked_at, expires_at, last_used_at \
             FROM api_tokens \
             WHERE user_id = $1 ORDER BY id DESC",
        )
        .bind(user_id)
        .fetch_all(&self.pool)
        .await?)
    }

    async fn revoke_token_of_user(&self, user_id: i64, token_id: i64) -> Result<bool> {
        let mut tx = self.begin_write().await?;
        self.count(1);
        let revoked = sqlx::query(
            "UPDATE api_tokens SET revoked_at = $1 \
             WHERE id = $2 AND user_id = $3 AND revoked_at IS NULL",
        )
        .bind(Utc::now())
        .bind(token_id)
        .bind(user_id)
        .execute(&mut *tx)
        .await?
        .rows_affected()
            == 1;
        if !revoked {
            return Ok(false);
        }
        self.token_audit(
            &mut tx,
            user_id,
            "token_revoke",
            json!({ "tokenId": token_id }),
        )
        .await?;
        tx.commit().await?;
        Ok(true)
    }

    async fn create_web_session(
        &self,
        user_id: i64,
        token_hash: &str,
        expires_at: DateTime<Utc>,
    ) -> Result<()> {
        let mut tx = self.begin_write().await?;
        self.count(1);
        let session_id: i64 = sqlx::query_scalar(
            "INSERT INTO web_sessions (user_id, token_hash, created_at, expires_at) \
             VALUES ($1, $2, $3, $4) RETURNING id",
        )
        .bind(user_id)
        .bind(token_hash)
        .bind(Utc::now())
        .bind(expires_at)
        .fetch_one(&mut *tx)
        .await?;
        self.token_audit(
            &mut tx,
            user_id,
            "session_start",
            json!({ "sessionId": session_id }),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn user_by_web_session(
        &self,
        token_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<User>> {
        self.count(1);
        Ok(sqlx::query_as(
            "SELECT u.* FROM users u JOIN web_sessions s ON s.user_id = u.id \
             WHERE s.token_hash = $1 AND s.revoked_at IS NULL AND s.expires_at > $2",
        )
        .bind(token_hash)
        .bind(now)
        .fetch_optional(&self.pool)
        .await?)
    }

    async fn revoke_web_session(&self, token_hash: &str) -> Result<bool> {
        let mut tx = self.begin_write().await?;
        self.count(1);
        let ended: Option<(i64, i64)> = sqlx::query_as(
            "UPDATE web_sessions SET revoked_at = $1 WHERE token_hash = $2 AND revoked_at IS NULL \
             RETURNING id, user_id",
        )
        .bind(Utc::now())
        .bind(token_hash)
        .fetch_optional(&mut *tx)
        .await?;
        let Some((session_id, user_id)) = ended else {
            return Ok(false);
        };
        self.token_audit(
            &mut tx,
            user_id,
            "session_end",
            json!({ "sessionId": session_id }),
        )
        .await?;
        tx.commit().await?;
        Ok(true)
    }

    async fn login_throttle(&self, key: &str) -> Result<Option<LoginThrottle>> {
        self.count(1);
        Ok(
            sqlx::query_as("SELECT failures, blocked_until FROM login_throttle WHERE key = $1")
                .bind(key)
                .fetch_optional(&self.pool)
                .await?,
        )
    }

    async fn set_login_throttle(
        &self,
        key: &str,
        expected: Option<i64>,
        next: &LoginThrottle,
        now: DateTime<Utc>,
    ) -> Result<bool> {
        self.count(1);
        let done =
            match expected {
                None => {
                    sqlx::query(
                        "INSERT INTO login_throttle (key, failures, blocked_until, updated_at) \
                 VALUES ($1, $2, $3, $4) ON CONFLICT (key) DO NOTHING",
                    )
                    .bind(key)
                    .bind(next.failures)
                    .bind(next.blocked_until)
                    .bind(now)
                    .execute(&self.pool)
                    .await?
                }
                Some(failures) => sqlx::query(
                    "UPDATE login_throttle SET failures = $1, blocked_until = $2, updated_at = $3 \
                 WHERE key = $4 AND failures = $5",
                )
                .bind(next.failures)
                .bind(next.blocked_until)
                .bind(now)
                .bind(key)
                .bind(failures)
                .execute(&self.pool)
                .await?,
            };
        Ok(done.rows_affected() == 1)
    }

    async fn clear_login_throttle(&self, keys: &[String]) -> Result<()> {
        if keys.is_empty() {
            return Ok(());
        }
        self.count(1);
        let mut qb = QueryBuilder::<Db>::new("DELETE FROM login_throttle WHERE key IN (");
        push_list(&mut qb, keys.iter().cloned());
        qb.push(")");
        qb.build().execute(&self.pool).await?;
        Ok(())
    }

    async fn prune_login_throttle(&self, before: DateTime<Utc>) -> Result<u64> {
        self.count(1);
        Ok(
            sqlx::query("DELETE FROM login_throttle WHERE updated_at < $1")
                .bind(before)
                .execute(&self.pool)
                .await?
                .rows_affected(),
        )
    }
}

#[async_trait]
impl AuditStore for SqlStore<Db> {
    async fn audit_entries(&self, filter: &AuditFilter, page: Page) -> Result<PageOf<AuditEntry>> {
        let mut qb = QueryBuilder::<Db>::new("SELECT * FROM audit_log WHERE 1 = 1");
        if let Some(ags) = &filter.district_ags {
            qb.push(" AND district_ags = ").push_bind(ags.clone());
        }
        if let Some(t) = &filter.entity_type {
            qb.push(" AND entity_type = ").push_bind(t.clone());
        }
        if let Some(id) = &filter.entity_id {
            qb.push(" AND entity_id = ").push_bind(id.clone());
        }
        Self::push_page(&mut qb, page);
        self.count(1);
        let rows = qb
            .build_query_as::<AuditEntry>()
            .fetch_all(&self.pool)
            .await?;
        Ok(finish_page(rows, page))
    }
}

#[async_trait]
impl SeedStore for SqlStore<Db> {
    async fn seed_demo_district(&self, demo: &DemoDistrict) -> Result<bool> {
        let mut tx = self.begin_write().await?;
        self.count(1);
        let present: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM kitas WHERE district_ags = $1 AND synthetic = $2",
        )
        .bind(&demo.district_ags)
        .bind(true)
        .fetch_one(&mut *tx)
        .await?;
        if present > 0 {
            return Ok(false);
        }
        let now = Utc::now();
        for chunk in demo.social_spaces.chunks(BATCH_ROWS) {
            let mut qb = QueryBuilder::<Db>::new(
                "INSERT INTO social_spaces (district_ags, name, description, synthetic, created_at, updated_at) ",
            );
            qb.push_values(chunk, |mut row, s| {
                row.push_bind(s.district_ags.clone())
                    .push_bind(s.name.clone())
                    .push_bind(s.description.clone())
                    .push_bind(s.synthetic)
                    .push_bind(now)
                    .push_bind(now);
            });
            self.count(1);
            qb.build()
                .execute(&mut *tx)
                .await
                .map_err(|e| unique_as_duplicate(e, "SocialSpace", "name"))?;
        }
        for chunk in demo.providers.chunks(BATCH_ROWS) {
            let mut qb = QueryBuilder::<Db>::new(
                "INSERT INTO providers (district_ags, name, ownership, kind, synthetic, created_at, updated_at) ",
            );
            qb.push_values(chunk, |mut row, p| {
                row.push_bind(p.district_ags.clone())
                    .push_bind(p.name.clone())
                    .push_bind(p.ownership.as_str())
                    .push_bind(p.kind.as_str())
                    .push_bind(p.synthetic)
                    .push_bind(now)
                    .push_bind(now);
            });
            self.count(1);
            qb.build()
                .execute(&mut *tx)
                .await
                .map_err(|e| unique_as_duplicate(e, "Provider", "name"))?;
        }
        self.count(2);
        let spaces: std::collections::HashMap<String, i64> = sqlx::query_as::<_, (String, i64)>(
            "SELECT name, id FROM social_spaces WHERE district_ags = $1 AND deleted_at IS NULL",
        )
        .bind(&demo.district_ags)
        .fetch_all(&mut *tx)
        .await?
        .into_iter()
        .collect();
        let providers: std::collections::HashMap<String, i64> = sqlx::query_as::<_, (String, i64)>(
            "SELECT name, id FROM providers WHERE district_ags = $1 AND deleted_at IS NULL",
        )
        .bind(&demo.district_ags)
        .fetch_all(&mut *tx)
        .await?
        .into_iter()
        .collect();
        for chunk in demo.kitas.chunks(BATCH_ROWS) {
            let mut qb = QueryBuilder::<Db>::new(
                "INSERT INTO kitas (district_ags, name, street, postal_code, city, places, places_under3, \
                 provider_id, social_space_id, family_center, synthetic, created_at, updated_at) ",
            );
            qb.push_values(chunk, |mut row, k| {
                let d = &k.data;
                row.push_bind(d.district_ags.clone())
                    .push_bind(d.name.clone())
                    .push_bind(d.street.clone())
                    .push_bind(d.postal_code.clone())
                    .push_bind(d.city.clone())
                    .push_bind(d.places)
                    .push_bind(d.places_under3)
                    .push_bind(providers.get(&k.provider_name).copied())
                    .push_bind(spaces.get(&k.social_space_name).copied())
                    .push_bind(d.family_center)
                    .push_bind(d.synthetic)
                    .push_bind(now)
                    .push_bind(now);
            });
            self.count(1);
            qb.build()
                .execute(&mut *tx)
                .await
                .map_err(|e| unique_as_duplicate(e, "Kita", "name"))?;
        }
        self.count(1);
        let kitas: std::collections::HashMap<String, i64> = sqlx::query_as::<_, (String, i64)>(
            "SELECT name, id FROM kitas WHERE district_ags = $1 AND deleted_at IS NULL",
        )
        .bind(&demo.district_ags)
        .fetch_all(&mut *tx)
        .await?
        .into_iter()
        .collect();
        let tags: Vec<(i64, &String)> = demo
            .kitas
            .iter()
            .flat_map(|k| k.data.tags.iter().map(|t| (kitas[&k.data.name], t)))
            .collect();
        for chunk in tags.chunks(BATCH_ROWS) {
            let mut qb = QueryBuilder::<Db>::new("INSERT INTO kita_tags (kita_id, tag) ");
            qb.push_values(chunk, |mut row, (id, tag)| {
                row.push_bind(*id).push_bind((*tag).clone());
            });
            self.count(1);
            qb.build().execute(&mut *tx).await?;
        }
        // The demo's Kitas go to the search index like any other write.
        let now = Utc::now();
        self.count(1);
        sqlx::query(
            "INSERT INTO search_outbox (entity_type, entity_id, created_at, available_at) \
             SELECT 'Kita', id, $1, $1 FROM kitas WHERE district_ags = $2 ORDER BY id",
        )
        .bind(now)
        .bind(&demo.district_ags)
        .execute(&mut *tx)
        .await?;
        self.audit(
            &mut tx,
            AuditRecord {
                actor: None,
                entity_type: "District",
                entity_id: &demo.district_ags,
                district_ags: Some(&demo.district_ags),
                action: "seed_demo",
                old_version: None,
                new_version: None,
                details: json!({
                    "socialSpaces": demo.social_spaces.len(),
                    "providers": demo.providers.len(),
                    "kitas": demo.kitas.len(),
                    "synthetic": true,
                }),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(true)
    }

    async fn seed_workshop(&self, seed: &WorkshopSeed) -> Result<Option<Workshop>> {
        let mut tx = self.begin_write().await?;
        self.count(1);
        let exists: Option<i64> = sqlx::query_scalar(
            "SELECT id FROM workshops WHERE title = $1 AND held_on = $2 LIMIT 1",
        )
        .bind(&seed.workshop.title)
        .bind(seed.workshop.held_on)
        .fetch_optional(&mut *tx)
        .await?;
        if exists.is_some() {
            return Ok(None);
        }
        let (_, workshop) = self
            .write::<Workshop>(
                &mut tx,
                &WORKSHOPS,
                None,
                Write::Create(workshop_values(&seed.workshop)),
                None,
            )
            .await?;
        for (position, (session, contributions)) in seed.sessions.iter().enumerate() {
            let session = SessionData {
                workshop_id: workshop.id,
                ..session.clone()
            };
            let position = session.position.unwrap_or(position as i32 + 1);
            let mut values = session_values(&session, position);
            values.push((
                "contribution_count",
                Value::Int(Some(contributions.len() as i64)),
            ));
            let (_, stored) = self
                .write::<WorkshopSession>(&mut tx, &SESSIONS, None, Write::Create(values), None)
                .await?;
            for (i, c) in contributions.iter().enumerate() {
                let mut values = contribution_values(c);
                values.push(("session_id", Value::Int(Some(stored.id))));
                values.push(("position", Value::Int(Some(i as i64 + 1))));
                let (_, row) = self
                    .write::<Contribution>(
                        &mut tx,
                        &CONTRIBUTIONS,
                        None,
                        Write::Create(values),
                        Some(tags_detail(&c.tags)),
                    )
                    .await?;
                self.replace_tags(
                    &mut tx,
                    "contribution_tags",
                    "contribution_id",
                    row.id,
                    &c.tags,
                )
                .await?;
            }
        }
        tx.commit().await?;
        Ok(Some(workshop))
    }
}
