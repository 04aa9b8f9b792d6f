//! Feeds the search index from the outbox. A row names a record; the worker reads the record's
//! current state from the database and replaces it in the index (or removes it when it is gone
//! or deleted), so applying a row twice, or late, is harmless. Rows are marked done only after
//! the index confirmed; when the index fails they wait and are tried again with growing delays.

use std::sync::Arc;
use std::time::Duration;

use anyhow::Result;
use srb_app::search_docs::refresh;
use srb_search::SearchIndex;
use srb_storage::{Liveness, OutboxRow, Storage};

/// Rows per round of the server's worker: one index commit each.
pub const BATCH: i64 = 500;
/// Rows per round of a rebuild: fewer commits, more memory.
pub const REBUILD_BATCH: i64 = 2_000;
/// How long a claimed row stays with this worker before another may take it: longer than the
/// longest one index update may take, plus the database reads around it. Renewed while a
/// failing batch is taken apart.
pub const LEASE: Duration = Duration::from_secs(srb_search::LONGEST_APPLY.as_secs() + 60);
const IDLE: Duration = Duration::from_millis(200);
/// How often a feeding instance says it is alive, and after how long without a word its claim
/// on the feed lapses (a process killed without a goodbye).
const HEARTBEAT: Duration = Duration::from_secs(10);
pub const FEED_STALE: Duration = Duration::from_secs(45);

/// How failures are retried.
#[derive(Debug, Clone, Copy)]
pub struct Retry {
    /// The first wait after a row's own failure; it doubles with each further one.
    pub base: Duration,
    /// A row failing on its own this often, while the index takes others, becomes a dead letter.
    pub max_attempts: i32,
    /// The wait while the index does not answer at all (an outage, not the rows' fault).
    pub outage: Duration,
}

pub const RETRY: Retry = Retry {
    base: Duration::from_secs(1),
    max_attempts: 5,
    outage: Duration::from_secs(5),
};

/// One round with the standard retries: claim, refresh, apply, confirm.
pub async fn run_once(storage: &dyn Storage, index: &dyn SearchIndex, batch: i64) -> Result<usize> {
    run_once_with(storage, index, batch, RETRY).await
}

async fn apply(storage: &dyn Storage, index: &dyn SearchIndex, rows: &[OutboxRow]) -> Result<()> {
    let (removals, docs) = refresh(storage, rows).await?;
    index.apply(removals, docs).await?;
    Ok(())
}

/// One round: claim, refresh, apply, confirm. Returns the rows applied. When the batch fails
/// and the index does not answer, the rows wait for it and the error is returned; when the
/// index answers, the batch is taken apart by halves so that only the rows it refuses wait (and,
/// refused too often, become dead letters) while the others are applied.
pub async fn run_once_with(
    storage: &dyn Storage,
    index: &dyn SearchIndex,
    batch: i64,
    retry: Retry,
) -> Result<usize> {
    run_once_as(storage, index, batch, retry, None).await
}

/// [`run_once_with`] as the registered worker `worker`, whose rows others take over as soon as
/// its heartbeat is [`FEED_STALE`] (and which takes over those of silent workers).
pub async fn run_once_as(
    storage: &dyn Storage,
    index: &dyn SearchIndex,
    batch: i64,
    retry: Retry,
    worker: Option<&str>,
) -> Result<usize> {
    let liveness = worker.map(|holder| Liveness {
        holder,
        stale_before: stale_before(),
    });
    let rows = storage
        .claim_outbox_as(liveness.as_ref(), batch, LEASE)
        .await?;
    if rows.is_empty() {
        return Ok(0);
    }
    let error = match apply(storage, index, &rows).await {
        Ok(()) => {
            storage.finish_outbox(&ids(&rows)).await?;
            return Ok(rows.len());
        }
        Err(e) => e,
    };
    if index.count().await.is_err() {
        storage
            .retry_outbox(&ids(&rows), &error.to_string(), retry.outage, false)
            .await?;
        return Err(error);
    }
    let mut applied = 0;
    isolate(storage, index, &rows, error, retry, &mut applied).await?;
    metrics::counter!("srb_search_rows_isolated_total").increment(rows.len() as u64);
    Ok(applied)
}

fn ids(rows: &[OutboxRow]) -> Vec<i64> {
    rows.iter().map(|r| r.id).collect()
}

/// `rows` failed together with `error`: apply each half on its own, down to single rows.
fn isolate<'a>(
    storage: &'a dyn Storage,
    index: &'a dyn SearchIndex,
    rows: &'a [OutboxRow],
    error: anyhow::Error,
    retry: Retry,
    applied: &'a mut usize,
) -> futures::future::BoxFuture<'a, Result<()>> {
    Box::pin(async move {
        if let [row] = rows {
            let message = error.to_string();
            if row.attempts + 1 >= retry.max_attempts {
                tracing::error!(
                    entity = %row.entity_type, id = row.entity_id, error = %message,
                    "search index keeps refusing a record: moved to the dead letters"
                );
                storage.bury_outbox(&[row.id], &message).await?;
            } else {
                let delay = retry.base * (1u32 << row.attempts.clamp(0, 6) as u32);
                storage
                    .retry_outbox(&[row.id], &message, delay, true)
                    .await?;
            }
            return Ok(());
        }
        let (first, second) = rows.split_at(rows.len() / 2);
        for half in [first, second] {
            storage.extend_outbox_lease(&ids(half), LEASE).await?;
            match apply(storage, index, half).await {
                Ok(()) => {
                    storage.finish_outbox(&ids(half)).await?;
                    *applied += half.len();
                }
                Err(e) => isolate(storage, index, half, e, retry, applied).await?,
            }
        }
        Ok(())
    })
}

/// What this instance's index is, for the feed: instances that consume one outbox must all
/// feed one index. Meilisearch is named by address and index; an embedded index by host and
/// directory, so a restart of the same instance is the same feeder.
pub fn feed_target(meili: Option<(&str, &str)>, embedded_dir: &std::path::Path) -> String {
    match meili {
        Some((url, index)) => format!("meilisearch {} index {index}", url.trim_end_matches('/')),
        None => {
            let dir =
                std::fs::canonicalize(embedded_dir).unwrap_or_else(|_| embedded_dir.to_path_buf());
            format!("embedded index {} on {}", dir.display(), hostname())
        }
    }
}

/// A name for one feeding worker, as the feed and the outbox know it: pid and host, and a
/// random tag, since a restarted container has the pid and host of the one killed before it
/// (and tests run several servers in one process).
pub fn feed_holder() -> String {
    format!(
        "pid {} {} #{:08x}",
        std::process::id(),
        hostname(),
        rand::random::<u32>()
    )
}

fn stale_before() -> chrono::DateTime<chrono::Utc> {
    chrono::Utc::now() - chrono::Duration::from_std(FEED_STALE).unwrap_or_default()
}

fn hostname() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .ok()
        .map(|h| h.trim().to_owned())
        .filter(|h| !h.is_empty())
        .or_else(|| std::env::var("HOSTNAME").ok())
        .unwrap_or_else(|| "localhost".to_owned())
}

/// Joins the feed of `target`, or says in German who feeds which other index.
pub async fn join_feed(storage: &dyn Storage, target: &str, holder: &str) -> Result<()> {
    let now = chrono::Utc::now();
    match storage
        .join_search_feed(target, holder, now, stale_before())
        .await?
    {
        None => Ok(()),
        Some(other) => anyhow::bail!(
            "Die Warteschlange des Suchindex dieser Datenbank speist schon einen anderen Index \
             ({}, Instanz {}, zuletzt vor {} s). Zwei Indizes an einer Warteschlange verpassen \
             gegenseitig ihre Änderungen. Mehrere Instanzen auf einer Datenbank brauchen einen \
             gemeinsamen Meilisearch (MEILI_URL); eine Instanz mit eingebettetem Index braucht \
             ihre eigene Datenbank.",
            other.target,
            other.holder,
            (now - other.heartbeat_at).num_seconds().max(0)
        ),
    }
}

/// The worker of this instance: runs until the process ends, renewing its claim on the feed.
pub fn spawn(
    storage: Arc<dyn Storage>,
    index: Arc<dyn SearchIndex>,
    feed: Option<(String, String)>,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        // Registered before the first claim, so no one takes this worker for dead; then the
        // heartbeat goes on in a task of its own (an update that takes long is no sign of
        // death), which ends with this one (a graceful stop aborts it).
        let _heart = match &feed {
            Some((_, holder)) => {
                beat(storage.as_ref(), holder).await;
                let (storage, holder) = (storage.clone(), holder.clone());
                Some(AbortOnDrop(tokio::spawn(async move {
                    loop {
                        tokio::time::sleep(HEARTBEAT).await;
                        beat(storage.as_ref(), &holder).await;
                    }
                })))
            }
            None => None,
        };
        let mut failing = false;
        let mut beat = tokio::time::Instant::now();
        let mut feeding = true;
        loop {
            if let Some((target, holder)) = &feed {
                if beat.elapsed() >= HEARTBEAT || !feeding {
                    beat = tokio::time::Instant::now();
                    match join_feed(storage.as_ref(), target, holder).await {
                        Ok(()) => {
                            if !feeding {
                                tracing::info!("search feed is ours again");
                            }
                            feeding = true;
                        }
                        Err(e) => {
                            if feeding {
                                tracing::error!(error = %e, "search feed taken over: not indexing");
                            }
                            feeding = false;
                            tokio::time::sleep(HEARTBEAT).await;
                            continue;
                        }
                    }
                }
            }
            let worker = feed.as_ref().map(|(_, holder)| holder.as_str());
            match run_once_as(storage.as_ref(), index.as_ref(), BATCH, RETRY, worker).await {
                Ok(0) => tokio::time::sleep(IDLE).await,
                Ok(_) => {
                    if failing {
                        tracing::info!("search index reachable again; catching up");
                        failing = false;
                    }
                }
                Err(e) => {
                    if !failing {
                        tracing::warn!(error = %e, "search index update failed; will retry");
                        failing = true;
                    }
                    tokio::time::sleep(IDLE).await;
                }
            }
        }
    })
}

async fn beat(storage: &dyn Storage, holder: &str) {
    if let Err(e) = storage.beat_search_worker(holder, chrono::Utc::now()).await {
        tracing::warn!(error = %e, "search worker heartbeat");
    }
}

struct AbortOnDrop(tokio::task::JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// Progress of a rebuild: outbox rows applied of those queued.
#[derive(Debug, Clone, Copy)]
pub struct Progress {
    pub done: i64,
    pub total: i64,
}

/// Every record queued for the index.
pub struct Queued {
    /// Rows added now.
    pub records: i64,
    /// Rows to apply in all: those added and those already waiting.
    pub total: i64,
}

/// Queues every searchable record for the index.
pub async fn queue_all(storage: &dyn Storage) -> Result<Queued> {
    let before = storage.outbox_status().await?.pending;
    let records = storage.enqueue_all().await?;
    Ok(Queued {
        records,
        total: before + records,
    })
}

/// Rebuilds the index from the database: queues every searchable record, then applies the
/// queue until it is empty. With `owner` the index is emptied first (nobody else writes to it);
/// without, records are only refreshed, so searches keep answering during the rebuild. Writes
/// made meanwhile queue their own rows and are applied in the same pass.
pub async fn rebuild(
    storage: &dyn Storage,
    index: &dyn SearchIndex,
    owner: bool,
    mut progress: impl FnMut(Progress),
) -> Result<Progress> {
    if owner {
        index.clear().await?;
    }
    let Queued { total, .. } = queue_all(storage).await?;
    let mut done = 0;
    progress(Progress { done, total });
    let mut failures = 0;
    loop {
        match run_once(storage, index, REBUILD_BATCH).await {
            Ok(0) => {
                let pending = storage.outbox_status().await?.pending;
                if pending == 0 {
                    break;
                }
                // Rows claimed by a server's worker or waiting for their retry.
                tokio::time::sleep(IDLE).await;
            }
            Ok(n) => {
                failures = 0;
                done += n as i64;
                progress(Progress {
                    done,
                    total: total.max(done),
                });
            }
            Err(e) => {
                failures += 1;
                if failures >= 5 {
                    return Err(e.context("the search index keeps failing"));
                }
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
        }
    }
    let done = Progress {
        done: total.max(done),
        total: total.max(done),
    };
    progress(done);
    Ok(done)
}

/// Follows the queue while another process (a running server) applies it.
pub async fn follow(
    storage: &dyn Storage,
    total: i64,
    mut progress: impl FnMut(Progress),
) -> Result<()> {
    loop {
        let pending = storage.outbox_status().await?.pending;
        progress(Progress {
            done: (total - pending).max(0),
            total,
        });
        if pending == 0 {
            return Ok(());
        }
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The lease was 60 s while one Meilisearch update may wait 150 s for its confirmations:
    /// another worker took rows still being applied.
    #[test]
    fn a_lease_outlasts_the_longest_index_update() {
        assert!(LEASE > srb_search::LONGEST_APPLY, "{LEASE:?}");
        // And a killed feeder's rows come back within minutes, not hours.
        assert!(LEASE <= Duration::from_secs(10 * 60));
    }
}
