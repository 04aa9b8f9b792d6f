use thiserror::Error;

#[derive(Debug, Error)]
pub enum StorageError {
    #[error("{entity} {id} not found")]
    NotFound { entity: &'static str, id: String },
    /// An optimistic-concurrency check failed: somebody else changed the record first.
    #[error("{entity} {id} is at version {actual}, not {expected}")]
    Conflict {
        entity: &'static str,
        id: String,
        expected: i32,
        actual: i32,
    },
    /// A uniqueness rule of the schema was violated (e.g. the same Kita name twice in a district).
    #[error("{entity} with this {field} exists already")]
    Duplicate {
        entity: &'static str,
        field: &'static str,
    },
    #[error("database: {0}")]
    Database(#[from] sqlx::Error),
    #[error("migration: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("{entity} {id} is not deleted")]
    NotDeleted { entity: &'static str, id: String },
    #[error("unsupported database URL (expected sqlite:… or postgres://…)")]
    UnsupportedUrl,
    #[error("serialising audit details: {0}")]
    Json(#[from] serde_json::Error),
    /// A backup that cannot be made or restored, with the German reason.
    #[error("{0}")]
    Backup(String),
}

pub type Result<T, E = StorageError> = std::result::Result<T, E>;

/// Turns a unique violation into `Duplicate`; every other error stays as it is.
pub(crate) fn unique_as_duplicate(
    e: sqlx::Error,
    entity: &'static str,
    field: &'static str,
) -> StorageError {
    match &e {
        sqlx::Error::Database(db) if db.is_unique_violation() => {
            StorageError::Duplicate { entity, field }
        }
        _ => StorageError::Database(e),
    }
}
