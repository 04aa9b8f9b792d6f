//! Feeds the search index from the outbox. A row names a record; the worker reads the record's
//! current state from the database and replaces it in the index (or removes it when it is gone
//! or deleted), so applying a row twice, or late, is harmless. Rows are marked done only after
//! the index confirmed; when the index fails they wait and are tried again with growing delays.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Result;
use chrono::Datelike;
use srb_schema::search::join;
use srb_search::{audiences, DocKind, Removal, SearchDoc, SearchIndex};
use srb_storage::{DocumentKind, DocumentStatus, OutboxRow, Publication, Storage, Workshop};

/// Rows per round of the server's worker: one index commit each.
pub const BATCH: i64 = 500;
/// Rows per round of a rebuild: fewer commits, more memory.
pub const REBUILD_BATCH: i64 = 2_000;
/// How long a claimed row stays with this worker before another may take it.
const LEASE: Duration = Duration::from_secs(60);
const IDLE: Duration = Duration::from_millis(200);

fn day(date: chrono::NaiveDate) -> i64 {
    date.signed_duration_since(chrono::NaiveDate::default())
        .num_days()
}

fn workshop_audiences(w: &Workshop) -> Vec<String> {
    audiences(
        w.publication == Publication::Public,
        w.publication == Publication::Registered,
        w.district_ags.as_deref(),
    )
}

fn doc_kind(kind: DocumentKind) -> DocKind {
    match kind {
        DocumentKind::RoleProfile => DocKind::RoleProfile,
        DocumentKind::StaffingIdea => DocKind::StaffingIdea,
        DocumentKind::CooperationModel => DocKind::CooperationModel,
    }
}

/// What the index must do so that it shows these records as the database has them now.
pub async fn refresh(
    storage: &dyn Storage,
    rows: &[OutboxRow],
) -> Result<(Vec<Removal>, Vec<SearchDoc>)> {
    let mut ids: HashMap<&str, Vec<i64>> = HashMap::new();
    for r in rows {
        ids.entry(r.entity_type.as_str())
            .or_default()
            .push(r.entity_id);
    }
    let mut removals = Vec::new();
    let mut docs = Vec::new();

    // Sessions and contributions are refreshed with their whole workshop: its publication and
    // titles are part of every contribution's document.
    let mut workshop_ids: Vec<i64> = ids.get("Workshop").cloned().unwrap_or_default();
    let sessions = storage
        .sessions_by_ids(ids.get("WorkshopSession").map_or(&[][..], |v| v))
        .await?;
    workshop_ids.extend(sessions.iter().map(|s| s.workshop_id));
    let contributions = storage
        .contributions_by_ids(ids.get("Contribution").map_or(&[][..], |v| v))
        .await?;
    let parent_sessions = storage
        .sessions_by_ids(
            &contributions
                .iter()
                .map(|c| c.session_id)
                .collect::<Vec<_>>(),
        )
        .await?;
    workshop_ids.extend(parent_sessions.iter().map(|s| s.workshop_id));
    workshop_ids.sort_unstable();
    workshop_ids.dedup();
    for w in storage.workshops_by_ids(&workshop_ids).await? {
        removals.push(Removal::Workshop(w.id));
        if w.deleted_at.is_some() {
            continue;
        }
        docs.extend(workshop_docs(storage, &w).await?);
    }

    let documents = storage
        .documents_by_ids(ids.get("KnowledgeDocument").map_or(&[][..], |v| v))
        .await?;
    let tags = tags_by_id(
        storage
            .tags_of_documents(&documents.iter().map(|d| d.id).collect::<Vec<_>>())
            .await?,
    );
    for d in documents {
        let kind = doc_kind(d.kind);
        if d.deleted_at.is_some() {
            removals.push(Removal::Doc(kind, d.id));
            continue;
        }
        let updated = d.updated_at.date_naive();
        docs.push(SearchDoc {
            kind,
            id: d.id,
            title: d.title.clone(),
            body: srb_schema::search::document_text(&d),
            audiences: audiences(
                d.status == DocumentStatus::Published && d.publication == Publication::Public,
                d.status == DocumentStatus::Published && d.publication == Publication::Registered,
                d.district_ags.as_deref(),
            ),
            district_ags: d.district_ags.clone(),
            workshop_id: None,
            session_id: None,
            tags: tags.get(&d.id).cloned().unwrap_or_default(),
            category: d.category.clone(),
            day: day(updated),
            year: updated.year(),
        });
    }

    for k in storage
        .kitas_by_ids(ids.get("Kita").map_or(&[][..], |v| v))
        .await?
    {
        if k.deleted_at.is_some() {
            removals.push(Removal::Doc(DocKind::Kita, k.id));
            continue;
        }
        let updated = k.updated_at.date_naive();
        let place = [
            k.street.as_deref(),
            k.postal_code.as_deref(),
            k.city.as_deref(),
        ]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" ");
        docs.push(SearchDoc {
            kind: DocKind::Kita,
            id: k.id,
            title: k.name.clone(),
            body: place,
            audiences: audiences(true, true, Some(&k.district_ags)),
            district_ags: Some(k.district_ags.clone()),
            workshop_id: None,
            session_id: None,
            tags: Vec::new(),
            category: None,
            day: day(updated),
            year: updated.year(),
        });
    }
    Ok((removals, docs))
}

fn tags_by_id(pairs: Vec<(i64, String)>) -> HashMap<i64, Vec<String>> {
    let mut out: HashMap<i64, Vec<String>> = HashMap::new();
    for (id, tag) in pairs {
        out.entry(id).or_default().push(tag);
    }
    out
}

/// A workshop and every live contribution of its live sessions.
async fn workshop_docs(storage: &dyn Storage, w: &Workshop) -> Result<Vec<SearchDoc>> {
    let aud = workshop_audiences(w);
    let sessions = storage.sessions_of(&[w.id], false).await?;
    let session_ids: Vec<i64> = sessions.iter().map(|s| s.id).collect();
    let contributions = storage.contributions_of_sessions(&session_ids).await?;
    let tags = tags_by_id(
        storage
            .tags_of_contributions(&contributions.iter().map(|c| c.id).collect::<Vec<_>>())
            .await?,
    );
    let mut docs = vec![SearchDoc {
        kind: DocKind::Workshop,
        id: w.id,
        title: w.title.clone(),
        body: join(&[
            w.description.as_deref().unwrap_or_default(),
            &sessions
                .iter()
                .map(|s| s.title.as_str())
                .collect::<Vec<_>>()
                .join("\n"),
        ]),
        district_ags: w.district_ags.clone(),
        audiences: aud.clone(),
        workshop_id: Some(w.id),
        session_id: None,
        tags: Vec::new(),
        category: None,
        day: day(w.held_on),
        year: w.held_on.year(),
    }];
    for c in contributions {
        if !sessions.iter().any(|s| s.id == c.session_id) {
            continue;
        }
        docs.push(SearchDoc {
            kind: DocKind::Contribution,
            id: c.id,
            // The session's title would make every point of a room match its theme; the
            // contribution is found by what it says.
            title: String::new(),
            body: c.body.clone(),
            district_ags: c.district_ags.clone(),
            audiences: aud.clone(),
            workshop_id: Some(w.id),
            session_id: Some(c.session_id),
            tags: tags.get(&c.id).cloned().unwrap_or_default(),
            category: Some(c.kind.as_str().to_owned()),
            day: day(w.held_on),
            year: w.held_on.year(),
        });
    }
    Ok(docs)
}

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
