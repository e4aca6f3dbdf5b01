//! Storage: a durable store (SQLite or PostgreSQL through one sqlx implementation) and an
//! ephemeral store (in-process or Redis) behind one trait, with typed wrappers on top.

pub mod durable;
pub mod ephemeral;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The backend could not be reached in time; the request may be retried later.
    #[error("store unavailable: {0}")]
    Unavailable(String),
    /// A unique key already exists.
    #[error("already exists")]
    Conflict,
    #[error("stored value is corrupt: {0}")]
    Corrupt(String),
    #[error("store error: {0}")]
    Backend(String),
}

impl From<sqlx::Error> for StoreError {
    fn from(err: sqlx::Error) -> Self {
        match &err {
            sqlx::Error::Database(db) if db.is_unique_violation() => Self::Conflict,
            sqlx::Error::PoolTimedOut
            | sqlx::Error::PoolClosed
            | sqlx::Error::Io(_)
            | sqlx::Error::Tls(_)
            | sqlx::Error::WorkerCrashed => Self::Unavailable(err.to_string()),
            sqlx::Error::ColumnDecode { .. } | sqlx::Error::Decode(_) => {
                Self::Corrupt(err.to_string())
            }
            _ => Self::Backend(err.to_string()),
        }
    }
}
