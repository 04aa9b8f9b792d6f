//! The search outbox: a row per write of a searchable record, added in the writing
//! transaction and consumed by each instance's indexer.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use crate::Result;

#[async_trait]
pub trait OutboxStore: Send + Sync {
    /// Claims up to `limit` outbox rows for `lease`: only rows whose record has no older pending
    /// row (so one record's rows apply in order), each claimed by one worker of one instance
    /// (PostgreSQL: `FOR UPDATE SKIP LOCKED`). A worker that dies leaves its rows to be claimed
    /// again when the lease runs out.
    async fn claim_outbox(&self, limit: i64, lease: std::time::Duration) -> Result<Vec<OutboxRow>>;
    /// The index confirmed these rows.
    async fn finish_outbox(&self, ids: &[i64]) -> Result<()>;
    /// The index failed: try these rows again after `delay`.
    async fn retry_outbox(
        &self,
        ids: &[i64],
        error: &str,
        delay: std::time::Duration,
    ) -> Result<()>;
    async fn outbox_status(&self) -> Result<OutboxStatus>;
    /// Adds an outbox row for every searchable record (a rebuild of the index), deleted ones
    /// too, so that their index entries go; returns how many.
    async fn enqueue_all(&self) -> Result<i64>;
}

/// A record the search index must refresh.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct OutboxRow {
    pub id: i64,
    /// The storage entity: Kita, Workshop, WorkshopSession, Contribution, KnowledgeDocument.
    pub entity_type: String,
    pub entity_id: i64,
    pub attempts: i32,
}

#[derive(Debug, Clone, Default)]
pub struct OutboxStatus {
    pub pending: i64,
    /// The oldest pending row: how far the index lags behind.
    pub oldest_pending: Option<DateTime<Utc>>,
    /// Pending rows that failed at least once.
    pub failing: i64,
    pub last_error: Option<String>,
}
