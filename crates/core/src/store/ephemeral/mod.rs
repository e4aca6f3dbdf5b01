//! The ephemeral store: short-lived, TTL-bound values (sessions, codes, pending requests,
//! revocations). One small trait with atomic operations, an in-process and a Redis
//! implementation; the typed wrappers never know which one they run on.

mod codes;
mod console_sessions;
mod memory;
mod pending;
mod redis;
mod revocations;
mod sessions;
mod throttle;
mod timed;

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;

pub use codes::{CodeGrant, Codes, Redemption};
pub use console_sessions::{
    ConsoleSession, ConsoleSessions, ConsoleSignIn, Submission, FLASH_TTL, SIGN_IN_WINDOW,
};
pub use memory::MemoryStore;
pub use pending::{PendingRequest, PendingRequests};
pub use redis::RedisStore;
pub use revocations::{client_changed_key, parse_millis, Marks, Revocations};
pub use sessions::{BrowserSession, Sessions};
pub use throttle::{ClientAuthThrottle, FailureLock, LoginThrottle, RateLimiter};
pub use timed::Timed;

use super::StoreError;

#[async_trait]
pub trait Ephemeral: Send + Sync {
    /// Stores `value` under `key` for `ttl`, replacing what was there.
    async fn put(&self, key: &str, value: &[u8], ttl: Duration) -> Result<(), StoreError>;
    /// Stores `value` only if `key` is absent; true if it was stored.
    async fn put_if_absent(
        &self,
        key: &str,
        value: &[u8],
        ttl: Duration,
    ) -> Result<bool, StoreError>;
    async fn get(&self, key: &str) -> Result<Option<Vec<u8>>, StoreError>;
    /// Gets and deletes in one atomic step: of two concurrent takers only one gets the value.
    async fn take(&self, key: &str) -> Result<Option<Vec<u8>>, StoreError>;
    async fn delete(&self, key: &str) -> Result<(), StoreError>;
    /// Increments a counter, creating it with `ttl` if absent; returns the new value.
    async fn increment(&self, key: &str, ttl: Duration) -> Result<i64, StoreError>;
    /// Whether any of `keys` exists (one round trip).
    async fn exists_any(&self, keys: &[String]) -> Result<bool, StoreError>;
    /// The values of `keys`, in order (one round trip).
    async fn get_many(&self, keys: &[String]) -> Result<Vec<Option<Vec<u8>>>, StoreError>;
    async fn ping(&self) -> Result<(), StoreError>;
}

pub type SharedEphemeral = Arc<dyn Ephemeral>;

/// Serialises a value for the store.
fn encode<T: serde::Serialize>(value: &T) -> Result<Vec<u8>, StoreError> {
    serde_json::to_vec(value).map_err(|e| StoreError::Corrupt(e.to_string()))
}

fn decode<T: serde::de::DeserializeOwned>(bytes: &[u8]) -> Result<T, StoreError> {
    serde_json::from_slice(bytes).map_err(|e| StoreError::Corrupt(e.to_string()))
}
