//! Browser sessions at the identity provider. The cookie holds a random token; the store
//! keys the session by the token's hash, so a store dump cannot be replayed as cookies.
//! `sid` is a separate public id carried in tokens: knowing it never lets anyone in.

use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::{decode, encode, SharedEphemeral};
use crate::secret::{random_token, sha256_hex, Secret};
use crate::store::StoreError;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BrowserSession {
    pub sid: String,
    pub user_id: String,
    pub tenant_id: String,
    pub auth_time: i64,
}

#[derive(Clone)]
pub struct Sessions {
    store: SharedEphemeral,
    ttl: Duration,
}

/// Longest cookie value worth looking up; anything longer is not ours.
const MAX_TOKEN_LEN: usize = 128;

fn key(token: &str) -> String {
    format!("session:{}", sha256_hex(token))
}

impl Sessions {
    pub fn new(store: SharedEphemeral, ttl: Duration) -> Self {
        Self { store, ttl }
    }

    pub fn ttl(&self) -> Duration {
        self.ttl
    }

    /// Stores a new session under a fresh token and returns the token (the cookie value).
    pub async fn create(&self, session: &BrowserSession) -> Result<Secret, StoreError> {
        let token = random_token();
        self.store
            .put(&key(&token), &encode(session)?, self.ttl)
            .await?;
        Ok(Secret::new(token))
    }

    pub async fn get(&self, token: &str) -> Result<Option<BrowserSession>, StoreError> {
        if token.is_empty() || token.len() > MAX_TOKEN_LEN {
            return Ok(None);
        }
        match self.store.get(&key(token)).await? {
            Some(bytes) => Ok(Some(decode(&bytes)?)),
            None => Ok(None),
        }
    }

    /// Removes the session and returns what it was.
    pub async fn end(&self, token: &str) -> Result<Option<BrowserSession>, StoreError> {
        if token.is_empty() || token.len() > MAX_TOKEN_LEN {
            return Ok(None);
        }
        match self.store.take(&key(token)).await? {
            Some(bytes) => Ok(Some(decode(&bytes)?)),
            None => Ok(None),
        }
    }
}
