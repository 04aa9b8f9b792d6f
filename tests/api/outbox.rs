//! The search outbox under faults (issue 18): one index per outbox, rows the index refuses.

use std::sync::Arc;

use srb_search::{Removal, SearchDoc, SearchIndex, SearchQuery, SearchResults};
use srb_server::indexer::{run_once_with, Retry};
use srb_storage::Role;
use srb_tests::{Db, TestApp};

/// Two instances on one database, each with its own embedded index, both consumed the one
/// outbox: each index silently missed the other's updates. Now the second refuses to start
/// and says why; once the first has stopped (or gone silent) it may.
async fn a_second_embedded_index_is_refused(db: Db) {
    let Some(mut first) = TestApp::spawn(db).await else {
        return;
    };
    let refused = first
        .try_second_instance(|_| {})
        .await
        .err()
        .expect("a second embedded index on one outbox is refused");
    let message = refused.to_string();
    assert!(message.contains("MEILI_URL"), "{message}");
    assert!(message.contains("eigene Datenbank"), "{message}");

    // Without its indexer an instance consumes nothing and may run beside the first.
    let reader = first
        .try_second_instance(|c| c.search_worker = false)
        .await
        .unwrap();
    reader.stop().await;

    // A graceful stop gives the feed up at once.
    first.stop_server().await;
    let second = first.try_second_instance(|_| {}).await.unwrap();
    second.stop().await;
    first.stop().await;
}

/// A feeder killed without a goodbye holds the feed only until its heartbeat is stale.
async fn a_silent_feeder_is_replaced(db: Db) {
    let Some(app) = TestApp::spawn_with(db, |c| c.search_worker = false).await else {
        return;
    };
    let long_ago = chrono::Utc::now() - chrono::Duration::minutes(5);
    assert!(app
        .storage
        .join_search_feed(
            "embedded index /elsewhere on host-b",
            "pid 1 host-b",
            long_ago,
            long_ago
        )
        .await
        .unwrap()
        .is_none());
    let second = app.try_second_instance(|_| {}).await.unwrap();
    second.stop().await;
    app.stop().await;
}

/// An index that refuses every document whose title holds `marker`, and answers otherwise.
struct Refusing {
    inner: Arc<dyn SearchIndex>,
    marker: &'static str,
}

#[async_trait::async_trait]
impl SearchIndex for Refusing {
    fn backend(&self) -> &'static str {
        "refusing"
    }
    async fn apply(&self, removals: Vec<Removal>, docs: Vec<SearchDoc>) -> srb_search::Result<()> {
        if docs.iter().any(|d| d.title.contains(self.marker)) {
            return Err(srb_search::SearchError::Index(format!(
                "document refused: {}",
                self.marker
            )));
        }
        self.inner.apply(removals, docs).await
    }
    async fn search(&self, query: &SearchQuery) -> srb_search::Result<SearchResults> {
        self.inner.search(query).await
    }
    async fn clear(&self) -> srb_search::Result<()> {
        self.inner.clear().await
    }
    async fn count(&self) -> srb_search::Result<u64> {
        self.inner.count().await
    }
}

/// A row the index kept refusing was retried with its whole batch forever, so nothing after
/// it reached the index. Now the batch is taken apart: the others are applied, the refused row
/// waits and, refused again and again, becomes a dead letter that `/readyz` and the metrics
/// show, until `srb reindex` queues it anew.
async fn a_row_the_index_refuses_becomes_a_dead_letter(db: Db) {
    let Some(app) = TestApp::spawn_with(db, |c| c.search_worker = false).await else {
        return;
    };
    let token = app.token_for(Role::Coordinator, Some("07111")).await;
    for title in [
        "Springerpool Nord",
        "GIFTIGE Idee",
        "Springerpool Süd",
        "Tandem-Einarbeitung",
    ] {
        app.staffing_idea(&token, title).await;
    }
    let index = Refusing {
        inner: app.embedded().clone(),
        marker: "GIFTIG",
    };
    let retry = Retry {
        base: std::time::Duration::ZERO,
        max_attempts: 3,
        outage: std::time::Duration::ZERO,
    };
    let mut applied = 0;
    for _ in 0..10 {
        applied += run_once_with(app.storage.as_ref(), &index, 500, retry)
            .await
            .unwrap();
    }
    assert_eq!(applied, 3, "the three good ideas reached the index");
    let status = app.storage.outbox_status().await.unwrap();
    assert_eq!((status.pending, status.dead), (0, 1), "{status:?}");
    assert!(status
        .last_dead_error
        .as_deref()
        .unwrap()
        .contains("document refused"));

    let r = srb_tests::search_total(&app, "Springerpool").await;
    assert_eq!(r, 2);

    let ready = app.readiness().await;
    assert_eq!(ready["status"], "degraded", "{ready:#}");
    assert_eq!(ready["search"]["deadLetters"], 1, "{ready:#}");
    let metrics = app.metrics_text().await;
    assert!(
        metrics.contains("srb_search_dead_letters 1"),
        "{}",
        metrics
            .lines()
            .filter(|l| l.contains("dead"))
            .collect::<Vec<_>>()
            .join("\n")
    );

    // A rebuild queues every record again, the refused one too.
    app.storage.enqueue_all().await.unwrap();
    assert_eq!(app.storage.outbox_status().await.unwrap().dead, 0);
    app.stop().await;
}

/// While the index does not answer at all, rows wait without counting against them: an outage
/// makes no dead letters, and everything arrives once the index is back.
async fn an_outage_makes_no_dead_letters(db: Db) {
    let Some(app) = TestApp::spawn_with(db, |c| c.search_worker = false).await else {
        return;
    };
    let token = app.token_for(Role::Coordinator, Some("07111")).await;
    app.staffing_idea(&token, "Springerpool West").await;
    app.embedded().close();
    let retry = Retry {
        base: std::time::Duration::ZERO,
        max_attempts: 2,
        outage: std::time::Duration::ZERO,
    };
    for _ in 0..6 {
        assert!(
            run_once_with(app.storage.as_ref(), app.index.as_ref(), 500, retry)
                .await
                .is_err()
        );
    }
    assert_eq!(app.storage.outbox_status().await.unwrap().dead, 0);
    app.embedded().reopen().unwrap();
    assert_eq!(
        run_once_with(app.storage.as_ref(), app.index.as_ref(), 500, retry)
            .await
            .unwrap(),
        1
    );
    assert_eq!(srb_tests::search_total(&app, "Springerpool").await, 1);
    app.stop().await;
}

/// An instance killed (-9) while it held outbox rows left them to wait out the lease, which
/// must outlast the longest index update (minutes). Now the rows of a worker whose heartbeat
/// went silent are taken over at once; rows of a live worker, and rows claimed without a name
/// (a rebuild), keep their lease; a worker stopping gracefully frees its rows itself.
async fn rows_of_a_silent_worker_go_to_the_others(db: Db) {
    use srb_storage::Liveness;
    let Some(app) = TestApp::spawn_with(db, |c| c.search_worker = false).await else {
        return;
    };
    let token = app.token_for(Role::Coordinator, Some("07111")).await;
    for title in ["Springerpool Nord", "Springerpool Süd", "Tandem"] {
        app.staffing_idea(&token, title).await;
    }
    let storage = app.storage.as_ref();
    let lease = std::time::Duration::from_secs(600);
    let now = chrono::Utc::now();
    let alive = |holder| Liveness {
        holder,
        stale_before: chrono::Utc::now() - chrono::Duration::seconds(45),
    };
    storage.beat_search_worker("a", now).await.unwrap();
    storage.beat_search_worker("b", now).await.unwrap();
    let held = storage
        .claim_outbox_as(Some(&alive("a")), 100, lease)
        .await
        .unwrap();
    assert_eq!(held.len(), 3);
    let none = storage
        .claim_outbox_as(Some(&alive("b")), 100, lease)
        .await
        .unwrap();
    assert!(none.is_empty(), "a live worker keeps its rows: {none:?}");

    // `a` fell silent (its last heartbeat five minutes ago): `b` takes its rows, lease or not.
    storage
        .beat_search_worker("a", now - chrono::Duration::minutes(5))
        .await
        .unwrap();
    let taken = storage
        .claim_outbox_as(Some(&alive("b")), 100, lease)
        .await
        .unwrap();
    let ids = |rows: &[srb_storage::OutboxRow]| rows.iter().map(|r| r.id).collect::<Vec<_>>();
    assert_eq!(ids(&taken), ids(&held));

    // `b` stops gracefully: its rows are free at once, even for a claim without a name.
    storage.leave_search_worker("b").await.unwrap();
    let freed = storage.claim_outbox(100, lease).await.unwrap();
    assert_eq!(ids(&freed), ids(&held));
    // Claimed without a name: nobody's heartbeat frees them, only the lease.
    let kept = storage
        .claim_outbox_as(Some(&alive("c")), 100, lease)
        .await
        .unwrap();
    assert!(kept.is_empty(), "{kept:?}");
    app.stop().await;
}

srb_tests::on_both_backends!(
    rows_of_a_silent_worker_go_to_the_others,
    a_second_embedded_index_is_refused,
    a_silent_feeder_is_replaced,
    a_row_the_index_refuses_becomes_a_dead_letter,
    an_outage_makes_no_dead_letters,
);
