//! Storage: a durable store (SQLite or PostgreSQL through one sqlx implementation) and an
//! ephemeral store (in-process or Redis) behind one trait, with typed wrappers on top.

pub mod durable;
pub mod ephemeral;

#[derive(Debug, Clone, thiserror::Error)]
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

/// PostgreSQL SQLSTATEs of a server that is stopping, starting or full: connection
/// exceptions (class 08), shutdowns and "cannot connect now" (57P01–57P03), too many
/// connections (53300). A retry later succeeds.
fn server_going_away(code: &str) -> bool {
    code.starts_with("08") || matches!(code, "57P01" | "57P02" | "57P03" | "53300")
}

impl From<sqlx::Error> for StoreError {
    fn from(err: sqlx::Error) -> Self {
        match &err {
            sqlx::Error::Database(db) if db.is_unique_violation() => Self::Conflict,
            sqlx::Error::Database(db) if db.code().is_some_and(|c| server_going_away(&c)) => {
                Self::Unavailable(err.to_string())
            }
            // A connection cut mid-conversation reads as a protocol error (a truncated
            // or empty answer), not only as an I/O error.
            sqlx::Error::PoolTimedOut
            | sqlx::Error::PoolClosed
            | sqlx::Error::Io(_)
            | sqlx::Error::Tls(_)
            | sqlx::Error::Protocol(_)
            | sqlx::Error::WorkerCrashed => Self::Unavailable(err.to_string()),
            sqlx::Error::ColumnDecode { .. } | sqlx::Error::Decode(_) => {
                Self::Corrupt(err.to_string())
            }
            _ => Self::Backend(err.to_string()),
        }
    }
}
