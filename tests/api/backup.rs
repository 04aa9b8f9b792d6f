//! `srb backup` and `srb restore` (issue 18): a backup taken while the server writes is whole,
//! and a restore brings back exactly what it holds, table by table.

use std::collections::BTreeMap;
use std::path::Path;
use std::str::FromStr;

use srb_storage::Role;
use srb_tests::{Db, TestApp};

/// Every row of every table, as text, in a stable order.
async fn dump(path: &Path) -> BTreeMap<String, Vec<String>> {
    let options = sqlx::sqlite::SqliteConnectOptions::from_str("sqlite:")
        .unwrap()
        .filename(path);
    let pool = sqlx::SqlitePool::connect_with(options).await.unwrap();
    let tables: Vec<String> = sqlx::query_scalar(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    let mut out = BTreeMap::new();
    for t in tables {
        let columns: Vec<String> =
            sqlx::query_scalar(&format!("SELECT name FROM pragma_table_info('{t}')"))
                .fetch_all(&pool)
                .await
                .unwrap();
        let row = columns
            .iter()
            .map(|c| format!("quote(\"{c}\")"))
            .collect::<Vec<_>>()
            .join(" || '|' || ");
        let rows: Vec<String> =
            sqlx::query_scalar(&format!("SELECT {row} FROM \"{t}\" ORDER BY 1"))
                .fetch_all(&pool)
                .await
                .unwrap();
        out.insert(t, rows);
    }
    pool.close().await;
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_backup_taken_while_writing_restores_every_table() {
    let mut app = TestApp::spawn(Db::Sqlite).await.unwrap();
    srb_server::demo::seed(app.storage.as_ref(), 1)
        .await
        .unwrap();
    let token = app.token_for(Role::Coordinator, Some("07111")).await;
    app.staffing_idea(&token, "Quokka-Springerpool").await;
    app.indexed().await;

    let url = app.database_url().to_owned();
    let backup = app.data_dir().join("sicherung.sqlite3");
    // Writes go on while the backup is taken: it is a snapshot all the same.
    let writes = async {
        for i in 0..10 {
            app.staffing_idea(&token, &format!("Gleichzeitige Idee {i}"))
                .await;
        }
    };
    let (summary, ()) = tokio::join!(srb_storage::backup::backup(&url, &backup), writes);
    let summary = summary.unwrap();
    assert!(summary.rows() > 1_000, "{summary:?}");
    assert_eq!(
        srb_storage::backup::inspect(&backup).await.unwrap(),
        summary,
        "the file checks out as written"
    );
    // The snapshot may catch a worker in the middle of a batch: its rows claimed, its heartbeat
    // fresh. Made certain here, so the restore must free them.
    hold_outbox_rows(&backup).await;
    let mut saved = dump(&backup).await;
    // The feeder, the workers and their claims are process state: a restore starts without.
    assert_eq!(saved["search_feed"].len(), 1);
    assert!(!saved["search_workers"].is_empty());
    saved.insert("search_feed".into(), Vec::new());
    saved.insert("search_workers".into(), Vec::new());
    assert_eq!(
        saved["kitas"].len() as i64,
        summary.tables.iter().find(|(t, _)| t == "kitas").unwrap().1
    );

    // A backup never overwrites.
    let again = srb_storage::backup::backup(&url, &backup)
        .await
        .unwrap_err();
    assert!(again.to_string().contains("gibt es schon"), "{again}");

    app.staffing_idea(&token, "Wombat-Springerpool").await;
    let config = srb_server::Config::for_database(&url, app.data_dir());
    let refused = srb_server::restore(&config, &backup).await.unwrap_err();
    assert!(refused.to_string().contains("läuft noch"), "{refused}");

    app.stop_server().await;
    // The process would end here; in a test the index is closed by hand.
    app.embedded().close();
    srb_server::restore(&config, &backup).await.unwrap();
    let db_file = srb_storage::backup::sqlite_path(&url).unwrap();
    let mut restored_rows = dump(&db_file).await;
    let outbox = restored_rows.remove("search_outbox").unwrap();
    let saved_outbox = saved.remove("search_outbox").unwrap();
    assert_eq!(restored_rows, saved, "every table as in the backup");
    assert_eq!(outbox.len(), saved_outbox.len(), "every outbox row kept");
    assert_eq!(
        held_outbox_rows(&db_file).await,
        0,
        "no outbox row held by a process of the backup"
    );

    // The restored database serves, and its new index holds what the backup holds.
    let restored = app.try_second_instance(|_| {}).await.unwrap();
    restored.indexed().await;
    let total = |q: &'static str| srb_tests::search_total(&restored, q);
    assert_eq!(total("Quokka").await, 1);
    assert_eq!(total("Wombat").await, 0);
    restored.stop().await;
    app.stop().await;
}

/// Marks the backup's outbox as claimed by a worker with a fresh heartbeat, as a snapshot taken
/// mid-batch would be; ensures there is a row to claim.
async fn hold_outbox_rows(path: &Path) {
    let options = sqlx::sqlite::SqliteConnectOptions::from_str("sqlite:")
        .unwrap()
        .filename(path);
    let pool = sqlx::SqlitePool::connect_with(options).await.unwrap();
    let now = chrono::Utc::now();
    let until = now + chrono::Duration::minutes(3);
    sqlx::query("INSERT INTO search_workers (holder, heartbeat_at) VALUES ('alt-1', $1)")
        .bind(now)
        .execute(&pool)
        .await
        .unwrap();
    sqlx::query(
        "INSERT INTO search_outbox (entity_type, entity_id, created_at, available_at) \
         SELECT 'KnowledgeDocument', id, $1, $1 FROM knowledge_documents",
    )
    .bind(now)
    .execute(&pool)
    .await
    .unwrap();
    sqlx::query("UPDATE search_outbox SET claimed_by = 'alt-1', claimed_until = $1")
        .bind(until)
        .execute(&pool)
        .await
        .unwrap();
    pool.close().await;
}

async fn held_outbox_rows(path: &Path) -> i64 {
    let options = sqlx::sqlite::SqliteConnectOptions::from_str("sqlite:")
        .unwrap()
        .filename(path);
    let pool = sqlx::SqlitePool::connect_with(options).await.unwrap();
    let held = sqlx::query_scalar(
        "SELECT count(*) FROM search_outbox WHERE claimed_by IS NOT NULL OR claimed_until IS NOT NULL",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    pool.close().await;
    held
}

/// A damaged or foreign file is refused before anything is replaced.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_damaged_backup_is_refused_and_nothing_is_replaced() {
    let mut app = TestApp::spawn(Db::Sqlite).await.unwrap();
    app.stop_server().await;
    app.embedded().close();
    let url = app.database_url().to_owned();
    let db_file = srb_storage::backup::sqlite_path(&url).unwrap();
    let before = dump(&db_file).await;
    let junk = app.data_dir().join("kaputt.sqlite3");
    std::fs::write(&junk, b"das ist keine Datenbank").unwrap();
    let config = srb_server::Config::for_database(&url, app.data_dir());
    let e = srb_server::restore(&config, &junk).await.unwrap_err();
    assert!(
        e.to_string().contains("keine lesbare SQLite-Datenbank")
            || e.to_string().contains("beschädigt"),
        "{e}"
    );
    assert_eq!(dump(&db_file).await, before);
    app.stop().await;
}
