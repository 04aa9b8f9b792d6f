//! The SQL behind [`Storage`], written once for both backends: `sql/sqlite.rs` and
//! `sql/postgres.rs` compile the same files for SQLite and PostgreSQL, each typed against its own
//! driver. Parameters are `$n` (both engines accept it) and every dynamic statement goes
//! through `QueryBuilder`.

use std::str::FromStr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::json;
use sqlx::migrate::Migrator;
use sqlx::postgres::{PgPoolOptions, Postgres};
use sqlx::sqlite::{
    Sqlite, SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous,
};
use sqlx::{Pool, QueryBuilder, Transaction};
use std::sync::LazyLock;
use tokio::sync::{broadcast, OnceCell};

use crate::error::unique_as_duplicate;
use crate::knowledge::*;
use crate::model::*;
use crate::seed::{DemoDistrict, WorkshopSeed};
use crate::sql_knowledge::*;
use crate::{
    AccountStore, Actor, AuditStore, Backend, KnowledgeStore, LoginThrottle, OutboxRow,
    OutboxStatus, OutboxStore, PlanStore, Readiness, RecordStore, Result, SearchFeed, SeedStore,
    Storage, StorageError,
};

// Migrations a newer version applied are no error: during a rolling upgrade the migrations run
// first and the instances of the old version go on (and may restart) on the newer schema, which
// is why every migration only adds (a column or table goes only once no version reads it).
pub(crate) static SQLITE_MIGRATIONS: LazyLock<Migrator> = LazyLock::new(|| {
    let mut m = sqlx::migrate!("../migrations/sqlite");
    m.set_ignore_missing(true);
    m
});
static POSTGRES_MIGRATIONS: LazyLock<Migrator> = LazyLock::new(|| {
    let mut m = sqlx::migrate!("../migrations/postgres");
    m.set_ignore_missing(true);
    m
});

/// Notifications of committed contributions.
const EVENT_CHANNEL: &str = "srb_contributions";
/// Events a slow subscriber may lag behind before it is told it missed some.
const EVENT_BUFFER: usize = 1024;

/// Rows per multi-row INSERT when seeding: keeps every statement below SQLite's parameter limit.
const BATCH_ROWS: usize = 500;

pub struct SqlStore<DB: sqlx::Database> {
    pool: Pool<DB>,
    /// What the server does on its own every few hundred milliseconds (the search worker's
    /// claims and heartbeats, readiness checks). On SQLite a connection of its own: the pool
    /// hands out its idle connections oldest first, so a poll through it would touch every
    /// connection in turn and none would ever be idle long enough to close.
    background: Pool<DB>,
    statements: AtomicU64,
    districts: OnceCell<Vec<District>>,
    /// Committed contributions, for live subscribers in this process. On PostgreSQL fed by a
    /// LISTEN connection (so writes on any instance arrive), on SQLite by the writer itself.
    events: broadcast::Sender<ContributionEvent>,
    listening: OnceCell<()>,
}

pub type SqliteStore = SqlStore<Sqlite>;
pub type PgStore = SqlStore<Postgres>;

impl<DB: sqlx::Database> SqlStore<DB> {
    fn count(&self, n: u64) {
        self.statements.fetch_add(n, Ordering::Relaxed);
    }

    pub fn pool(&self) -> &Pool<DB> {
        &self.pool
    }
}

impl SqliteStore {
    pub async fn connect(url: &str) -> Result<Self> {
        let options = SqliteConnectOptions::from_str(url)?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(10))
            // Each connection keeps its prepared statements; a hundred each held 25 MiB.
            .statement_cache_capacity(32);
        let pool = SqlitePoolOptions::new()
            .max_connections(8)
            // Connections a burst opened close once idle: their caches (page cache, prepared
            // statements: 2 MiB each) are most of the memory at rest. Opening one again costs
            // about a millisecond.
            .min_connections(1)
            .idle_timeout(Duration::from_secs(10))
            .connect_with(options.clone())
            .await?;
        // A few small statements: a small page cache (SQLite's default is 2 MiB).
        let background = SqlitePoolOptions::new()
            .max_connections(1)
            .connect_with(
                options
                    .statement_cache_capacity(8)
                    .pragma("cache_size", "-256"),
            )
            .await?;
        Ok(Self {
            pool,
            background,
            statements: AtomicU64::new(0),
            districts: OnceCell::new(),
            events: broadcast::channel(EVENT_BUFFER).0,
            listening: OnceCell::new(),
        })
    }

    /// `BEGIN IMMEDIATE` takes the write lock up front, so a transaction that reads before it
    /// writes waits for the busy timeout instead of failing when another writer got there first.
    async fn begin_write(&self) -> Result<Transaction<'static, Sqlite>> {
        Ok(self.pool.begin_with("BEGIN IMMEDIATE").await?)
    }

    async fn begin_background_write(&self) -> Result<Transaction<'static, Sqlite>> {
        Ok(self.background.begin_with("BEGIN IMMEDIATE").await?)
    }

    fn migrator(&self) -> &'static Migrator {
        &SQLITE_MIGRATIONS
    }

    /// One writer at a time (`BEGIN IMMEDIATE`): nothing to skip.
    const CLAIM_LOCK: &'static str = "";

    /// SQLite serves one instance: the writer tells this process's subscribers after commit.
    async fn announce_in(
        &self,
        _tx: &mut Transaction<'static, Sqlite>,
        _event: ContributionEvent,
    ) -> Result<()> {
        Ok(())
    }

    fn announced(&self, event: ContributionEvent) {
        // No receivers is not an error: nobody is watching.
        let _ = self.events.send(event);
    }

    async fn subscribe_events(&self) -> Result<broadcast::Receiver<ContributionEvent>> {
        Ok(self.events.subscribe())
    }
}

impl PgStore {
    pub async fn connect(url: &str) -> Result<Self> {
        let pool = PgPoolOptions::new()
            .max_connections(16)
            .acquire_timeout(Duration::from_secs(10))
            .connect(url)
            .await?;
        Ok(Self {
            // PostgreSQL's connections are in the server: one pool, no closing to wait for.
            background: pool.clone(),
            pool,
            statements: AtomicU64::new(0),
            districts: OnceCell::new(),
            events: broadcast::channel(EVENT_BUFFER).0,
            listening: OnceCell::new(),
        })
    }

    async fn begin_write(&self) -> Result<Transaction<'static, Postgres>> {
        Ok(self.pool.begin().await?)
    }

    async fn begin_background_write(&self) -> Result<Transaction<'static, Postgres>> {
        Ok(self.background.begin().await?)
    }

    fn migrator(&self) -> &'static Migrator {
        &POSTGRES_MIGRATIONS
    }

    /// Workers of several instances claim disjoint rows without waiting for each other.
    const CLAIM_LOCK: &'static str = " FOR UPDATE SKIP LOCKED";

    /// NOTIFY inside the transaction: PostgreSQL delivers it on commit only, in commit order, to
    /// every instance listening.
    async fn announce_in(
        &self,
        tx: &mut Transaction<'static, Postgres>,
        event: ContributionEvent,
    ) -> Result<()> {
        self.count(1);
        sqlx::query("SELECT pg_notify($1, $2)")
            .bind(EVENT_CHANNEL)
            .bind(event.encode())
            .execute(&mut **tx)
            .await?;
        Ok(())
    }

    fn announced(&self, _event: ContributionEvent) {}

    /// The first subscriber starts this process's one LISTEN connection; it forwards every
    /// notification to the local channel. `LISTEN` has taken effect when this returns, so a
    /// subscriber misses nothing committed afterwards.
    async fn subscribe_events(&self) -> Result<broadcast::Receiver<ContributionEvent>> {
        self.listening
            .get_or_try_init(|| async {
                let mut listener = sqlx::postgres::PgListener::connect_with(&self.pool).await?;
                listener.listen(EVENT_CHANNEL).await?;
                let events = self.events.clone();
                tokio::spawn(async move {
                    loop {
                        match listener.recv().await {
                            Ok(n) => {
                                if let Some(e) = ContributionEvent::decode(n.payload()) {
                                    let _ = events.send(e);
                                }
                            }
                            // recv reconnects by itself; back off while the database is away.
                            Err(e) => {
                                tracing::warn!(error = %e, "contribution listener");
                                tokio::time::sleep(Duration::from_secs(1)).await;
                            }
                        }
                    }
                });
                Ok::<(), StorageError>(())
            })
            .await?;
        Ok(self.events.subscribe())
    }
}

/// A column value of a versioned record, bound the same way on both backends.
pub(crate) enum Value {
    Text(Option<String>),
    Int(Option<i64>),
    Bool(bool),
    Date(Option<chrono::NaiveDate>),
}

/// A table holding versioned, soft-deletable records.
struct Table {
    name: &'static str,
    entity: &'static str,
    /// Whether the search index holds its records: then every write adds an outbox row.
    searchable: bool,
}

const SOCIAL_SPACES: Table = Table {
    name: "social_spaces",
    entity: "SocialSpace",
    searchable: false,
};
const PROVIDERS: Table = Table {
    name: "providers",
    entity: "Provider",
    searchable: false,
};
const KITAS: Table = Table {
    name: "kitas",
    entity: "Kita",
    searchable: true,
};
const CONCEPTS: Table = Table {
    name: "concepts",
    entity: "Concept",
    searchable: false,
};
const POSITIONS: Table = Table {
    name: "positions",
    entity: "Position",
    searchable: false,
};
const WORKSHOPS: Table = Table {
    name: "workshops",
    entity: "Workshop",
    searchable: true,
};
const SESSIONS: Table = Table {
    name: "workshop_sessions",
    entity: "WorkshopSession",
    searchable: true,
};
const CONTRIBUTIONS: Table = Table {
    name: "contributions",
    entity: "Contribution",
    searchable: true,
};
const DOCUMENTS: Table = Table {
    name: "knowledge_documents",
    entity: "KnowledgeDocument",
    searchable: true,
};

trait Versioned: Serialize {
    fn id(&self) -> i64;
    fn version(&self) -> i32;
    /// The district the audit record is filed under (None: state-wide).
    fn district_ags(&self) -> Option<&str>;
    fn is_deleted(&self) -> bool;
}

macro_rules! versioned {
    ($($t:ty),*) => {$(
        impl Versioned for $t {
            fn id(&self) -> i64 { self.id }
            fn version(&self) -> i32 { self.version }
            fn district_ags(&self) -> Option<&str> { Some(&self.district_ags) }
            fn is_deleted(&self) -> bool { self.deleted_at.is_some() }
        }
    )*};
    (optional: $($t:ty),*) => {$(
        impl Versioned for $t {
            fn id(&self) -> i64 { self.id }
            fn version(&self) -> i32 { self.version }
            fn district_ags(&self) -> Option<&str> { self.district_ags.as_deref() }
            fn is_deleted(&self) -> bool { self.deleted_at.is_some() }
        }
    )*};
}
versioned!(
    SocialSpace,
    Provider,
    Kita,
    Concept,
    crate::monitoring::Position
);
versioned!(optional: Workshop, Contribution, KnowledgeDocument);

impl Versioned for WorkshopSession {
    fn id(&self) -> i64 {
        self.id
    }
    fn version(&self) -> i32 {
        self.version
    }
    fn district_ags(&self) -> Option<&str> {
        None
    }
    fn is_deleted(&self) -> bool {
        self.deleted_at.is_some()
    }
}

/// One row of the audit trail.
struct AuditRecord<'a> {
    actor: Actor,
    entity_type: &'a str,
    entity_id: &'a str,
    district_ags: Option<&'a str>,
    action: &'a str,
    old_version: Option<i32>,
    new_version: Option<i32>,
    details: serde_json::Value,
}

pub(crate) enum Write {
    Create(Vec<(&'static str, Value)>),
    Update {
        id: i64,
        expected_version: i32,
        values: Vec<(&'static str, Value)>,
    },
    Lifecycle {
        id: i64,
        expected_version: i32,
        lifecycle: Lifecycle,
    },
}

/// Binds each value, comma-separated: the inside of a batched query's `IN (…)`, built with
/// `QueryBuilder` so no value ever becomes SQL text.
pub(crate) fn push_list<'a, DB, T>(
    qb: &mut QueryBuilder<'a, DB>,
    values: impl IntoIterator<Item = T>,
) where
    DB: sqlx::Database,
    T: 'a + sqlx::Encode<'a, DB> + sqlx::Type<DB> + Send,
{
    let mut list = qb.separated(", ");
    for v in values {
        list.push_bind(v);
    }
}

fn social_space_values(d: &SocialSpaceData) -> Vec<(&'static str, Value)> {
    vec![
        ("district_ags", Value::Text(Some(d.district_ags.clone()))),
        ("name", Value::Text(Some(d.name.clone()))),
        ("description", Value::Text(d.description.clone())),
        ("synthetic", Value::Bool(d.synthetic)),
    ]
}

fn provider_values(d: &ProviderData) -> Vec<(&'static str, Value)> {
    vec![
        ("district_ags", Value::Text(Some(d.district_ags.clone()))),
        ("name", Value::Text(Some(d.name.clone()))),
        ("ownership", Value::Text(Some(d.ownership.as_str().into()))),
        ("kind", Value::Text(Some(d.kind.as_str().into()))),
        ("synthetic", Value::Bool(d.synthetic)),
    ]
}

fn kita_values(d: &KitaData) -> Vec<(&'static str, Value)> {
    vec![
        ("district_ags", Value::Text(Some(d.district_ags.clone()))),
        ("name", Value::Text(Some(d.name.clone()))),
        ("street", Value::Text(d.street.clone())),
        ("postal_code", Value::Text(d.postal_code.clone())),
        ("city", Value::Text(d.city.clone())),
        ("places", Value::Int(Some(d.places.into()))),
        ("places_under3", Value::Int(Some(d.places_under3.into()))),
        ("provider_id", Value::Int(d.provider_id)),
        ("social_space_id", Value::Int(d.social_space_id)),
        ("family_center", Value::Bool(d.family_center)),
        ("synthetic", Value::Bool(d.synthetic)),
    ]
}

fn concept_values(d: &ConceptData) -> Vec<(&'static str, Value)> {
    vec![
        ("district_ags", Value::Text(Some(d.district_ags.clone()))),
        ("name", Value::Text(Some(d.name.clone()))),
        ("status", Value::Text(Some(d.status.as_str().into()))),
        ("decided_on", Value::Date(d.decided_on)),
        ("valid_from", Value::Int(d.valid_from.map(i64::from))),
        ("valid_to", Value::Int(d.valid_to.map(i64::from))),
        ("derived_from_id", Value::Int(d.derived_from_id)),
        ("document", Value::Text(Some(d.document.clone()))),
        ("synthetic", Value::Bool(d.synthetic)),
    ]
}

fn action_name(write: &Write) -> &'static str {
    match write {
        Write::Create(_) => "create",
        Write::Update { .. } => "update",
        Write::Lifecycle {
            lifecycle: Lifecycle::Delete,
            ..
        } => "delete",
        Write::Lifecycle {
            lifecycle: Lifecycle::Restore,
            ..
        } => "restore",
    }
}

/// A LIKE pattern matching `needle` anywhere, with the wildcards in it taken literally.
fn contains_pattern(needle: &str) -> String {
    let escaped = needle
        .to_lowercase()
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    format!("%{escaped}%")
}

// The same SQL, typed against each driver: `sql/sqlite.rs` and `sql/postgres.rs` compile the
// files `sql/base.rs`, `sql/plan.rs` and `sql/knowledge.rs`, which name the backend `Db`.
// Compiling the same files once per driver is the point.
#[allow(clippy::duplicate_mod)]
mod postgres;
#[allow(clippy::duplicate_mod)]
mod sqlite;

#[cfg(test)]
mod tests {
    use super::*;

    /// The search worker and readiness checks use a connection of their own: they go on while
    /// requests hold every connection of the pool (and, polling, leave the pool's connections
    /// idle, so that those a burst opened close).
    #[tokio::test]
    async fn the_search_worker_polls_beside_the_request_pool() {
        let dir = std::env::temp_dir().join(format!(
            "srb-storage-background-{}-{}",
            std::process::id(),
            Utc::now().timestamp_nanos_opt().unwrap_or_default()
        ));
        std::fs::create_dir_all(&dir).unwrap();
        let url = format!("sqlite:{}", dir.join("srb.sqlite3").display());
        let store = SqliteStore::connect(&url).await.unwrap();
        store.migrate().await.unwrap();
        let mut held = Vec::new();
        while let Ok(Some(conn)) = tokio::time::timeout(Duration::from_millis(200), async {
            Some(store.pool.acquire().await.unwrap())
        })
        .await
        {
            held.push(conn);
        }
        assert_eq!(held.len(), 8, "the request pool is exhausted");
        let lease = Duration::from_secs(60);
        let claimed = tokio::time::timeout(Duration::from_secs(5), store.claim_outbox(10, lease))
            .await
            .expect("the claim does not wait for the request pool")
            .unwrap();
        assert!(claimed.is_empty());
        store.beat_search_worker("w", Utc::now()).await.unwrap();
        store.readiness().await.unwrap();
        drop(held);
        store.pool.close().await;
        store.background.close().await;
        std::fs::remove_dir_all(&dir).ok();
    }
}
