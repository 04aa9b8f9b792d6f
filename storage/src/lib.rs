//! Persistence for srb-werkstatt.
//!
//! [`Storage`] is the one interface the rest of the platform sees, made of one trait per area:
//! [`RecordStore`], [`AccountStore`], [`AuditStore`], [`PlanStore`], [`KnowledgeStore`], [`MonitoringStore`],
//! [`OutboxStore`]; demo seeding is apart ([`SeedStore`], through [`Storage::seeder`]). It has
//! two implementations, [`SqliteStore`] and [`PgStore`], compiled from the same source
//! (`sql/base.rs`, `sql/plan.rs`, `sql/knowledge.rs`, once per driver): the SQL is written in the
//! dialect both engines share, and what differs lives in the migrations (`migrations/sqlite`,
//! `migrations/postgres`) and in a few backend hooks (`sql.rs`).
//!
//! Invariants kept here, whatever the caller does:
//! - every write is one transaction, with its audit record in the same transaction;
//! - a versioned write names the version it read; a stale one fails with
//!   [`StorageError::Conflict`] and changes nothing;
//! - nothing is deleted: records are soft-deleted and can be restored.

mod error;
#[macro_use]
pub mod model;
mod accounts;
mod audit;
pub mod backup;
pub mod knowledge;
pub mod monitoring;
mod outbox;
mod plan;
mod records;
mod seed;
mod sql;
mod sql_knowledge;

use std::sync::Arc;

use async_trait::async_trait;

pub use accounts::{AccountStore, LoginThrottle};
pub use audit::AuditStore;
pub use error::{Result, StorageError};
pub use knowledge::*;
pub use model::*;
pub use monitoring::*;
pub use outbox::{Liveness, OutboxRow, OutboxStatus, OutboxStore, SearchFeed};
pub use plan::PlanStore;
pub use records::RecordStore;
pub use seed::{DemoDistrict, DemoKita, SeedStore, WorkshopSeed};
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
pub trait Storage:
    RecordStore
    + AccountStore
    + AuditStore
    + PlanStore
    + KnowledgeStore
    + MonitoringStore
    + OutboxStore
    + Send
    + Sync
    + 'static
{
    fn backend(&self) -> Backend;
    /// SQL statements executed through this store so far; lets tests prove the absence of N+1
    /// query patterns and feeds `/metrics`. The search outbox's housekeeping (the indexer
    /// polling for work) is not counted.
    fn statements_executed(&self) -> u64;

    async fn migrate(&self) -> Result<()>;
    async fn readiness(&self) -> Result<Readiness>;

    /// Demo and bulk seeding, kept out of the interface the platform's services write through.
    fn seeder(&self) -> &dyn SeedStore;
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
