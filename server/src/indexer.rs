//! Feeds the search index from the outbox. A row names a record; the worker reads the record's
//! current state from the database and replaces it in the index (or removes it when it is gone
//! or deleted), so applying a row twice, or late, is harmless. Rows are marked done only after
//! the index confirmed; when the index fails they wait and are tried again with growing delays.

use std::sync::Arc;
use std::time::Duration;

use anyhow::Result;
use srb_app::search_docs::refresh;
use srb_search::SearchIndex;
use srb_storage::Storage;

/// Rows per round of the server's worker: one index commit each.
pub const BATCH: i64 = 500;
/// Rows per round of a rebuild: fewer commits, more memory.
pub const REBUILD_BATCH: i64 = 2_000;
/// How long a claimed row stays with this worker before another may take it.
const LEASE: Duration = Duration::from_secs(60);
const IDLE: Duration = Duration::from_millis(200);

/// One round: claim, refresh, apply, confirm. Returns the rows handled; an index failure puts
/// the rows back with a delay and is returned as the error.
pub async fn run_once(storage: &dyn Storage, index: &dyn SearchIndex, batch: i64) -> Result<usize> {
    let rows = storage.claim_outbox(batch, LEASE).await?;
    if rows.is_empty() {
        return Ok(0);
    }
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let outcome = async {
        let (removals, docs) = refresh(storage, &rows).await?;
        index.apply(removals, docs).await?;
        anyhow::Ok(())
    }
    .await;
    match outcome {
        Ok(()) => {
            storage.finish_outbox(&ids).await?;
            Ok(rows.len())
        }
        Err(e) => {
            let attempts = rows.iter().map(|r| r.attempts).max().unwrap_or(0);
            // 1 s, 2 s, 4 s … up to a minute.
            let delay = Duration::from_secs(1u64 << attempts.clamp(0, 6) as u64);
            storage.retry_outbox(&ids, &e.to_string(), delay).await?;
            Err(e)
        }
    }
}

/// The worker of this instance: runs until the process ends.
pub fn spawn(
    storage: Arc<dyn Storage>,
    index: Arc<dyn SearchIndex>,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut failing = false;
        loop {
            match run_once(storage.as_ref(), index.as_ref(), BATCH).await {
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
