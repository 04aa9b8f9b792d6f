//! Persistence for srb-werkstatt.
//!
//! [`Storage`] is the one interface the rest of the platform sees. It has two implementations,
//! [`SqliteStore`] and [`PgStore`], generated from the same source (`sql.rs`): the SQL is written
//! in the dialect both engines share, and what differs lives in the migrations
//! (`migrations/sqlite`, `migrations/postgres`) and in a few backend hooks.
//!
//! Invariants kept here, whatever the caller does:
//! - every write is one transaction, with its audit record in the same transaction;
//! - a versioned write names the version it read; a stale one fails with
//!   [`StorageError::Conflict`] and changes nothing;
//! - nothing is deleted: records are soft-deleted and can be restored.

mod error;
#[macro_use]
pub mod model;
pub mod knowledge;
mod plan;
#[macro_use]
mod sql_plan;
#[macro_use]
mod sql_knowledge;
mod sql;

use std::sync::Arc;

use async_trait::async_trait;
use chrono::{DateTime, Utc};

pub use error::{Result, StorageError};
pub use knowledge::*;
pub use model::*;
pub use plan::PlanStore;
pub use sql::{PgStore, SqlStore, SqliteStore};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn as_str(self) -> &'static str {
        match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        }
    }
}

/// What `/readyz` needs to know.
#[derive(Debug, Clone)]
pub struct Readiness {
    /// Migrations embedded in this binary that the database has not applied.
    pub pending_migrations: usize,
}

/// Who performs a write, for the audit record (`None`: the system itself, e.g. demo seeding).
pub type Actor = Option<i64>;

#[async_trait]
pub trait Storage: PlanStore + KnowledgeStore + Send + Sync + 'static {
    fn backend(&self) -> Backend;
    /// SQL statements executed through this store so far; lets tests prove the absence of N+1
    /// query patterns and feeds `/metrics`. The search outbox's housekeeping (the indexer
    /// polling for work) is not counted.
    fn statements_executed(&self) -> u64;

    async fn migrate(&self) -> Result<()>;
    async fn readiness(&self) -> Result<Readiness>;

    async fn districts(&self) -> Result<Vec<District>>;
    async fn districts_by_ags(&self, ags: &[String]) -> Result<Vec<District>>;

    async fn social_spaces_by_ids(&self, ids: &[i64]) -> Result<Vec<SocialSpace>>;
    /// The social spaces of these districts, by district, name and id.
    async fn social_spaces_of(
        &self,
        district_ags: &[String],
        include_deleted: bool,
    ) -> Result<Vec<SocialSpace>>;
    async fn create_social_space(
        &self,
        actor: Actor,
        data: &SocialSpaceData,
    ) -> Result<SocialSpace>;
    async fn update_social_space(
        &self,
        actor: Actor,
        id: i64,
        expected_version: i32,
        data: &SocialSpaceData,
    ) -> Result<SocialSpace>;
    async fn set_social_space_lifecycle(
        &self,
        actor: Actor,
        id: i64,
        expected_version: i32,
        lifecycle: Lifecycle,
    ) -> Result<SocialSpace>;

    async fn providers_by_ids(&self, ids: &[i64]) -> Result<Vec<Provider>>;
    /// The providers of these districts, by district, name and id.
    async fn providers_of(
        &self,
        district_ags: &[String],
        include_deleted: bool,
    ) -> Result<Vec<Provider>>;
    async fn create_provider(&self, actor: Actor, data: &ProviderData) -> Result<Provider>;
    async fn update_provider(
        &self,
        actor: Actor,
        id: i64,
        expected_version: i32,
        data: &ProviderData,
    ) -> Result<Provider>;
    async fn set_provider_lifecycle(
        &self,
        actor: Actor,
        id: i64,
        expected_version: i32,
        lifecycle: Lifecycle,
    ) -> Result<Provider>;

    async fn kitas_by_ids(&self, ids: &[i64]) -> Result<Vec<Kita>>;
    async fn kitas(&self, filter: &KitaFilter, page: Page) -> Result<PageOf<Kita>>;
    async fn count_kitas(&self, filter: &KitaFilter) -> Result<i64>;
    /// `(kita id, tag)` pairs, tags in alphabetical order.
    async fn tags_of_kitas(&self, ids: &[i64]) -> Result<Vec<(i64, String)>>;
    async fn create_kita(&self, actor: Actor, data: &KitaData) -> Result<Kita>;
    async fn update_kita(
        &self,
        actor: Actor,
        id: i64,
        expected_version: i32,
        data: &KitaData,
    ) -> Result<Kita>;
    async fn set_kita_lifecycle(
        &self,
        actor: Actor,
        id: i64,
        expected_version: i32,
        lifecycle: Lifecycle,
    ) -> Result<Kita>;

    async fn create_user(
        &self,
        email: &str,
        display_name: Option<&str>,
        password_hash: Option<&str>,
        role: Role,
        district_ags: Option<&str>,
    ) -> Result<User>;
    async fn user_by_email(&self, email: &str) -> Result<Option<User>>;
    /// The user owning a valid (unrevoked) token with this hash.
    async fn user_by_token_hash(&self, token_hash: &str) -> Result<Option<User>>;
    async fn create_token(&self, user_id: i64, token_hash: &str, label: &str) -> Result<()>;
    /// Revokes the token; false when no valid token had this hash.
    async fn revoke_token(&self, token_hash: &str) -> Result<bool>;

    async fn record_login_failure(&self, email: &str, at: DateTime<Utc>) -> Result<()>;
    async fn login_failures_since(&self, email: &str, since: DateTime<Utc>) -> Result<i64>;
    async fn clear_login_failures(&self, email: &str) -> Result<()>;

    async fn audit_entries(&self, filter: &AuditFilter, page: Page) -> Result<PageOf<AuditEntry>>;

    /// Stores a district's demo records in one transaction; false (and nothing written) when the
    /// district has demo Kitas already, which makes seeding idempotent.
    async fn seed_demo_district(&self, demo: &DemoDistrict) -> Result<bool>;
}

/// Opens the database a URL names: `sqlite:…` (created when missing) or `postgres://…`.
pub async fn connect(url: &str) -> Result<Arc<dyn Storage>> {
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        Ok(Arc::new(PgStore::connect(url).await?))
    } else if url.starts_with("sqlite:") {
        Ok(Arc::new(SqliteStore::connect(url).await?))
    } else {
        Err(StorageError::UnsupportedUrl)
    }
}
