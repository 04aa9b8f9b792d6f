//! The two migration folders tell the same story: a fresh SQLite and a fresh PostgreSQL
//! database have the same tables, columns, nullability, primary and foreign keys, and indexes.
//! Types are not compared (the dialects name them differently).

use std::collections::BTreeSet;

use sqlx::Row;
use srb_tests::{Db, TestApp};

/// Everything compared, as sortable lines: `table`, `table.column NULL|NOT NULL`,
/// `table PK (a, b)`, `table FK (a) -> other`, `table INDEX|UNIQUE (a, b)`.
type Shape = BTreeSet<String>;

fn skip(table: &str) -> bool {
    table.starts_with("_sqlx") || table.starts_with("sqlite_")
}

async fn sqlite_shape(url: &str) -> Shape {
    let pool = sqlx::SqlitePool::connect(url).await.unwrap();
    let mut shape = Shape::new();
    let tables: Vec<String> =
        sqlx::query_scalar("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
            .fetch_all(&pool)
            .await
            .unwrap();
    for t in tables.into_iter().filter(|t| !skip(t)) {
        shape.insert(t.clone());
        let cols = sqlx::query("SELECT name, \"notnull\", pk FROM pragma_table_info(?)")
            .bind(&t)
            .fetch_all(&pool)
            .await
            .unwrap();
        let mut pk: Vec<(i64, String)> = Vec::new();
        for c in &cols {
            let name: String = c.get(0);
            let notnull: i64 = c.get(1);
            let in_pk: i64 = c.get(2);
            // A primary key column is NOT NULL in PostgreSQL whatever SQLite records.
            let null = if notnull == 1 || in_pk > 0 {
                "NOT NULL"
            } else {
                "NULL"
            };
            shape.insert(format!("{t}.{name} {null}"));
            if in_pk > 0 {
                pk.push((in_pk, name));
            }
        }
        pk.sort();
        if !pk.is_empty() {
            let names: Vec<String> = pk.into_iter().map(|(_, n)| n).collect();
            shape.insert(format!("{t} PK ({})", names.join(", ")));
        }
        let fks = sqlx::query("SELECT \"from\", \"table\" FROM pragma_foreign_key_list(?)")
            .bind(&t)
            .fetch_all(&pool)
            .await
            .unwrap();
        for fk in fks {
            let from: String = fk.get(0);
            let to: String = fk.get(1);
            shape.insert(format!("{t} FK ({from}) -> {to}"));
        }
        let indexes = sqlx::query("SELECT name, \"unique\", origin FROM pragma_index_list(?)")
            .bind(&t)
            .fetch_all(&pool)
            .await
            .unwrap();
        for ix in indexes {
            let name: String = ix.get(0);
            let unique: i64 = ix.get(1);
            let origin: String = ix.get(2);
            if origin == "pk" {
                continue;
            }
            let cols: Vec<Option<String>> =
                sqlx::query_scalar("SELECT name FROM pragma_index_info(?) ORDER BY seqno")
                    .bind(&name)
                    .fetch_all(&pool)
                    .await
                    .unwrap();
            let cols: Vec<String> = cols
                .into_iter()
                .map(|c| c.unwrap_or_else(|| "<expression>".into()))
                .collect();
            let kind = if unique == 1 { "UNIQUE" } else { "INDEX" };
            shape.insert(format!("{t} {kind} ({})", cols.join(", ")));
        }
    }
    pool.close().await;
    shape
}

async fn postgres_shape(url: &str) -> Shape {
    let pool = sqlx::PgPool::connect(url).await.unwrap();
    let mut shape = Shape::new();
    let cols = sqlx::query(
        "SELECT c.table_name::text, c.column_name::text, c.is_nullable::text
         FROM information_schema.columns c
         JOIN information_schema.tables t
           ON t.table_schema = c.table_schema AND t.table_name = c.table_name
         WHERE c.table_schema = 'public' AND t.table_type = 'BASE TABLE'",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    for c in cols {
        let t: String = c.get(0);
        if skip(&t) {
            continue;
        }
        let name: String = c.get(1);
        let nullable: String = c.get(2);
        shape.insert(t.clone());
        let null = if nullable == "YES" {
            "NULL"
        } else {
            "NOT NULL"
        };
        shape.insert(format!("{t}.{name} {null}"));
    }
    // Keys and indexes from the catalogue: column lists in key order.
    let keys = sqlx::query(
        "SELECT rel.relname::text, con.contype::text, ref.relname::text,
                array_to_string(ARRAY(
                    SELECT a.attname FROM unnest(con.conkey) WITH ORDINALITY k(n, i)
                    JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.n
                    ORDER BY k.i), ', ')
         FROM pg_constraint con
         JOIN pg_class rel ON rel.oid = con.conrelid
         JOIN pg_namespace ns ON ns.oid = rel.relnamespace
         LEFT JOIN pg_class ref ON ref.oid = con.confrelid
         WHERE ns.nspname = 'public' AND con.contype IN ('p', 'f')",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    for k in keys {
        let t: String = k.get(0);
        if skip(&t) {
            continue;
        }
        let kind: String = k.get(1);
        let cols: String = k.get(3);
        if kind == "p" {
            shape.insert(format!("{t} PK ({cols})"));
        } else {
            let to: String = k.get(2);
            shape.insert(format!("{t} FK ({cols}) -> {to}"));
        }
    }
    let indexes = sqlx::query(
        "SELECT t.relname::text, ix.indisunique, ix.indisprimary,
                array_to_string(ARRAY(
                    SELECT COALESCE(a.attname::text, '<expression>')
                    FROM unnest(ix.indkey::int2[]) WITH ORDINALITY k(n, i)
                    LEFT JOIN pg_attribute a ON a.attrelid = ix.indrelid AND a.attnum = k.n
                    ORDER BY k.i), ', ')
         FROM pg_index ix
         JOIN pg_class t ON t.oid = ix.indrelid
         JOIN pg_namespace ns ON ns.oid = t.relnamespace
         WHERE ns.nspname = 'public'",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    for ix in indexes {
        let t: String = ix.get(0);
        let unique: bool = ix.get(1);
        let primary: bool = ix.get(2);
        if skip(&t) || primary {
            continue;
        }
        let cols: String = ix.get(3);
        let kind = if unique { "UNIQUE" } else { "INDEX" };
        shape.insert(format!("{t} {kind} ({cols})"));
    }
    pool.close().await;
    shape
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_and_postgres_migrate_to_the_same_schema() {
    let Some(pg) = TestApp::spawn(Db::Postgres).await else {
        eprintln!("skipped: TEST_DATABASE_URL is not set");
        return;
    };
    let sqlite = TestApp::spawn(Db::Sqlite).await.unwrap();
    let a = sqlite_shape(sqlite.database_url()).await;
    let b = postgres_shape(pg.database_url()).await;
    assert!(a.len() > 100, "the schema was read: {a:#?}");
    let only_sqlite: Vec<&String> = a.difference(&b).collect();
    let only_postgres: Vec<&String> = b.difference(&a).collect();
    sqlite.stop().await;
    pg.stop().await;
    assert!(
        only_sqlite.is_empty() && only_postgres.is_empty(),
        "only in SQLite: {only_sqlite:#?}\nonly in PostgreSQL: {only_postgres:#?}"
    );
}

/// During a rolling upgrade the new version migrates first; an instance of the old version that
/// restarts meanwhile finds a migration it does not know. It starts and is ready (migrations
/// only add), instead of refusing until the upgrade is through.
async fn an_older_version_starts_on_a_newer_schema(db: Db) {
    let Some(mut app) = TestApp::spawn(db).await else {
        return;
    };
    const NEWER: &str = "INSERT INTO _sqlx_migrations \
        (version, description, success, checksum, execution_time) \
        VALUES (99990001, 'from a newer version', TRUE, $1, 0)";
    let checksum = vec![0u8; 48];
    match db {
        Db::Sqlite => {
            let pool = sqlx::SqlitePool::connect(app.database_url()).await.unwrap();
            sqlx::query(NEWER)
                .bind(checksum)
                .execute(&pool)
                .await
                .unwrap();
            pool.close().await;
        }
        Db::Postgres => {
            let pool = sqlx::PgPool::connect(app.database_url()).await.unwrap();
            sqlx::query(NEWER)
                .bind(checksum)
                .execute(&pool)
                .await
                .unwrap();
            pool.close().await;
        }
    }
    app.stop_server().await;
    let restarted = app
        .try_second_instance(|_| {})
        .await
        .expect("the old version starts on the newer schema");
    let ready = restarted.readiness().await;
    assert_eq!(ready["status"], "ready", "{ready}");
    restarted.stop().await;
    app.stop().await;
}

srb_tests::on_both_backends!(an_older_version_starts_on_a_newer_schema);
