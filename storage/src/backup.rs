//! Backup and restore of the embedded (SQLite) database. PostgreSQL has its own tools
//! (`pg_dump`, `pg_restore`; see the README), which know more about it than we could.
//!
//! A backup is taken with `VACUUM INTO` while the server runs: SQLite writes the copy from one
//! read transaction, so it is a consistent snapshot, writers go on meanwhile, and the copy is
//! compact and has no WAL beside it. It is written under a temporary name and renamed when
//! complete, so a file with the backup's name is always whole.

use std::path::{Path, PathBuf};
use std::str::FromStr;

use sqlx::sqlite::{SqliteConnectOptions, SqlitePoolOptions};
use sqlx::{Pool, Row, Sqlite};

use crate::{Result, StorageError};

/// What a database file holds: rows per table, and the newest migration applied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Summary {
    pub tables: Vec<(String, i64)>,
    pub migration: i64,
}

impl Summary {
    pub fn rows(&self) -> i64 {
        self.tables.iter().map(|(_, n)| n).sum()
    }
}

fn fail(message: impl Into<String>) -> StorageError {
    StorageError::Backup(message.into())
}

/// The file of a `sqlite:` URL; `None` for other databases and in-memory ones.
pub fn sqlite_path(url: &str) -> Option<PathBuf> {
    let rest = url.strip_prefix("sqlite:")?;
    let rest = rest.strip_prefix("//").unwrap_or(rest);
    let path = rest.split('?').next().unwrap_or("");
    (!path.is_empty() && path != ":memory:").then(|| PathBuf::from(path))
}

async fn open_read_only(path: &Path) -> Result<Pool<Sqlite>> {
    let options = SqliteConnectOptions::from_str("sqlite:")?
        .filename(path)
        .read_only(true);
    Ok(SqlitePoolOptions::new()
        .max_connections(1)
        .connect_with(options)
        .await?)
}

/// Checks a database file (`PRAGMA integrity_check`, foreign keys) and counts its rows.
pub async fn inspect(path: &Path) -> Result<Summary> {
    if !path.is_file() {
        return Err(fail(format!("{} gibt es nicht.", path.display())));
    }
    let pool = open_read_only(path).await?;
    let integrity: String = sqlx::query_scalar("PRAGMA integrity_check")
        .fetch_one(&pool)
        .await
        .map_err(|e| {
            fail(format!(
                "{} ist keine lesbare SQLite-Datenbank: {e}",
                path.display()
            ))
        })?;
    if integrity != "ok" {
        return Err(fail(format!(
            "{} ist beschädigt (integrity_check: {integrity}).",
            path.display()
        )));
    }
    let broken: Vec<sqlx::sqlite::SqliteRow> = sqlx::query("PRAGMA foreign_key_check")
        .fetch_all(&pool)
        .await?;
    if !broken.is_empty() {
        return Err(fail(format!(
            "{} verletzt {} Fremdschlüssel.",
            path.display(),
            broken.len()
        )));
    }
    let migration: Option<i64> =
        sqlx::query_scalar("SELECT MAX(version) FROM _sqlx_migrations WHERE success")
            .fetch_one(&pool)
            .await
            .map_err(|_| fail(format!("{} ist keine Datenbank von srb.", path.display())))?;
    let names: Vec<String> = sqlx::query_scalar(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' \
         ORDER BY name",
    )
    .fetch_all(&pool)
    .await?;
    let mut tables = Vec::with_capacity(names.len());
    for name in names {
        // Names come from the file's own catalogue; quoted as identifiers.
        let count: i64 = sqlx::query(&format!(
            "SELECT COUNT(*) FROM \"{}\"",
            name.replace('"', "\"\"")
        ))
        .fetch_one(&pool)
        .await?
        .get(0);
        tables.push((name, count));
    }
    pool.close().await;
    Ok(Summary {
        tables,
        migration: migration.unwrap_or(0),
    })
}

/// Writes a consistent copy of the live database at `url` to `out` and checks it.
pub async fn backup(url: &str, out: &Path) -> Result<Summary> {
    if sqlite_path(url).is_none() {
        return Err(fail(
            "Sicherungen mit srb backup gibt es für die eingebettete Datenbank (SQLite); \
             PostgreSQL sichern Sie mit pg_dump (siehe README).",
        ));
    }
    if out.exists() {
        return Err(fail(format!(
            "{} gibt es schon; eine Sicherung überschreibt nichts.",
            out.display()
        )));
    }
    let partial = out.with_extension("partial");
    let _ = std::fs::remove_file(&partial);
    let options = SqliteConnectOptions::from_str(url)?;
    let pool = SqlitePoolOptions::new()
        .max_connections(1)
        .connect_with(options)
        .await?;
    let target = partial
        .to_str()
        .ok_or_else(|| fail("Der Zielpfad ist kein gültiger Text."))?;
    let done = sqlx::query("VACUUM INTO $1")
        .bind(target)
        .execute(&pool)
        .await;
    pool.close().await;
    if let Err(e) = done {
        let _ = std::fs::remove_file(&partial);
        return Err(fail(format!("Die Sicherung ist fehlgeschlagen: {e}")));
    }
    let summary = match inspect(&partial).await {
        Ok(s) => s,
        Err(e) => {
            let _ = std::fs::remove_file(&partial);
            return Err(e);
        }
    };
    std::fs::rename(&partial, out)
        .map_err(|e| fail(format!("{} ließ sich nicht anlegen: {e}", out.display())))?;
    Ok(summary)
}

/// Replaces the database at `url` with the backup `from`, which is checked first: whole,
/// from srb, and not from a newer version than this one. The server must be stopped. The
/// backup is copied beside the database and renamed into place, so the database is either the
/// old one or the backup, never a mixture; the old database's WAL files go with it.
pub async fn restore(from: &Path, url: &str) -> Result<Summary> {
    let Some(target) = sqlite_path(url) else {
        return Err(fail(
            "srb restore stellt die eingebettete Datenbank (SQLite) wieder her; \
             PostgreSQL mit pg_restore (siehe README).",
        ));
    };
    let summary = inspect(from).await?;
    let newest = crate::sql::SQLITE_MIGRATIONS
        .iter()
        .map(|m| m.version)
        .max()
        .unwrap_or(0);
    if summary.migration > newest {
        return Err(fail(format!(
            "Die Sicherung stammt von einer neueren Version (Migration {}; diese kennt bis {newest}).",
            summary.migration
        )));
    }
    if let Some(dir) = target.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)
            .map_err(|e| fail(format!("{} ließ sich nicht anlegen: {e}", dir.display())))?;
    }
    let incoming = target.with_extension("restoring");
    std::fs::copy(from, &incoming)
        .map_err(|e| fail(format!("Die Sicherung ließ sich nicht kopieren: {e}")))?;
    // Who fed the search index, which workers were alive and which outbox rows they held is
    // the state of the processes that ran then, not data: the restored database starts with
    // nobody feeding and every row free, so whoever starts next indexes at once (a snapshot
    // taken mid-batch would otherwise keep its rows "held" until the dead worker times out).
    let options = SqliteConnectOptions::from_str("sqlite:")?.filename(&incoming);
    let pool = SqlitePoolOptions::new()
        .max_connections(1)
        .connect_with(options)
        .await?;
    let cleared = forget_processes(&pool).await;
    pool.close().await;
    if let Err(e) = cleared {
        let _ = std::fs::remove_file(&incoming);
        return Err(e.into());
    }
    std::fs::File::open(&incoming)
        .and_then(|f| f.sync_all())
        .map_err(|e| fail(format!("Die Kopie ließ sich nicht sichern: {e}")))?;
    for suffix in ["-wal", "-shm"] {
        let mut side = target.clone().into_os_string();
        side.push(suffix);
        let _ = std::fs::remove_file(PathBuf::from(side));
    }
    std::fs::rename(&incoming, &target)
        .map_err(|e| fail(format!("Die Datenbank ließ sich nicht ersetzen: {e}")))?;
    Ok(summary)
}

async fn forget_processes(pool: &sqlx::SqlitePool) -> std::result::Result<(), sqlx::Error> {
    // A backup of an older version may lack the later tables and columns (migrations add them
    // when the server starts), so only what is there is cleared.
    let has = |sql: &'static str| async move {
        sqlx::query_scalar::<_, i64>(sql)
            .fetch_one(pool)
            .await
            .map(|n| n > 0)
    };
    let workers = has("SELECT count(*) FROM sqlite_master WHERE name = 'search_workers'").await?;
    let claims =
        has("SELECT count(*) FROM pragma_table_info('search_outbox') WHERE name = 'claimed_by'")
            .await?;
    let mut tx = pool.begin().await?;
    sqlx::query("DELETE FROM search_feed")
        .execute(&mut *tx)
        .await?;
    if workers {
        sqlx::query("DELETE FROM search_workers")
            .execute(&mut *tx)
            .await?;
    }
    let release = if claims {
        "UPDATE search_outbox SET claimed_until = NULL, claimed_by = NULL"
    } else {
        "UPDATE search_outbox SET claimed_until = NULL"
    };
    sqlx::query(release).execute(&mut *tx).await?;
    tx.commit().await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_file_of_a_sqlite_url() {
        assert_eq!(
            sqlite_path("sqlite:data/srb.sqlite3"),
            Some(PathBuf::from("data/srb.sqlite3"))
        );
        assert_eq!(
            sqlite_path("sqlite:///var/lib/srb/srb.sqlite3?mode=rwc"),
            Some(PathBuf::from("/var/lib/srb/srb.sqlite3"))
        );
        assert_eq!(sqlite_path("sqlite::memory:"), None);
        assert_eq!(sqlite_path("postgres://db/srb"), None);
    }
}
