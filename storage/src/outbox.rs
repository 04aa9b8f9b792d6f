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
    async fn claim_outbox(&self, limit: i64, lease: std::time::Duration) -> Result<Vec<OutboxRow>> {
        self.claim_outbox_as(None, limit, lease).await
    }
    /// [`Self::claim_outbox`] by a registered worker: the rows carry its name, and rows of a
    /// worker whose heartbeat is older than the liveness's `stale_before` are free again, lease
    /// or not (the worker is gone).
    async fn claim_outbox_as(
        &self,
        worker: Option<&Liveness<'_>>,
        limit: i64,
        lease: std::time::Duration,
    ) -> Result<Vec<OutboxRow>>;
    /// A worker says it is alive (at `now`); called before its first claim and then regularly.
    async fn beat_search_worker(&self, holder: &str, now: DateTime<Utc>) -> Result<()>;
    /// A worker stopping: its registration goes and the rows it holds are free at once.
    async fn leave_search_worker(&self, holder: &str) -> Result<()>;
    /// Keeps claimed rows for another `lease` (a worker still busy with them).
    async fn extend_outbox_lease(&self, ids: &[i64], lease: std::time::Duration) -> Result<()>;
    /// The index confirmed these rows.
    async fn finish_outbox(&self, ids: &[i64]) -> Result<()>;
    /// The index failed: try these rows again after `delay`. `counted`: the failure was the
    /// rows' own (the index answered others), so it adds to their attempts; an outage does not.
    async fn retry_outbox(
        &self,
        ids: &[i64],
        error: &str,
        delay: std::time::Duration,
        counted: bool,
    ) -> Result<()>;
    /// Moves rows the index keeps refusing to the dead letters, with the error: they hold up
    /// nothing any more and stay visible (`outbox_status().dead`) until `enqueue_all`.
    async fn bury_outbox(&self, ids: &[i64], error: &str) -> Result<()>;
    /// Joins the feeding of the search index `target` as `holder`: refused (with who feeds it)
    /// while a different target's heartbeat is newer than `stale_before`. Called again as the
    /// heartbeat.
    async fn join_search_feed(
        &self,
        target: &str,
        holder: &str,
        now: DateTime<Utc>,
        stale_before: DateTime<Utc>,
    ) -> Result<Option<SearchFeed>>;
    /// Gives the feed up (an instance with its own index stopping), so a successor with another
    /// index need not wait for the heartbeat to go stale.
    async fn leave_search_feed(&self, target: &str) -> Result<()>;
    async fn outbox_status(&self) -> Result<OutboxStatus>;
    /// Adds an outbox row for every searchable record (a rebuild of the index), deleted ones
    /// too, so that their index entries go, and clears the dead letters (their records are
    /// queued again); returns how many.
    async fn enqueue_all(&self) -> Result<i64>;
}

/// Who claims, and from when on a silent worker counts as gone.
#[derive(Debug, Clone, Copy)]
pub struct Liveness<'a> {
    pub holder: &'a str,
    pub stale_before: DateTime<Utc>,
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
    /// Rows given up on (dead letters), and the last one's error.
    pub dead: i64,
    pub last_dead_error: Option<String>,
}

/// Who feeds the search index from the outbox.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SearchFeed {
    pub target: String,
    pub holder: String,
    pub heartbeat_at: DateTime<Utc>,
}
