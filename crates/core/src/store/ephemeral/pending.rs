//! Authorize requests waiting for the user to sign in. The login page carries only an
//! opaque reference; the validated request itself stays here.

use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::{decode, encode, SharedEphemeral};
use crate::secret::random_token;
use crate::store::StoreError;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PendingRequest {
    pub client_id: String,
    pub redirect_uri: String,
    pub redirect_uri_sent: bool,
    pub scope: String,
    pub state: Option<String>,
    pub code_challenge: Option<String>,
    pub nonce: Option<String>,
    /// Set by `prompt=login` (or a `max_age` the session is older than): the session that
    /// was present then may not answer it.
    #[serde(default)]
    pub reauthenticate: Option<String>,
    /// Space-separated audiences of the tokens the code will buy.
    #[serde(default)]
    pub audience: String,
}

#[derive(Clone)]
pub struct PendingRequests {
    store: SharedEphemeral,
    ttl: Duration,
}

const MAX_REF_LEN: usize = 128;

fn key(reference: &str) -> String {
    format!("authreq:{reference}")
}

impl PendingRequests {
    pub fn new(store: SharedEphemeral, ttl: Duration) -> Self {
        Self { store, ttl }
    }

    /// Stores the request and returns its reference.
    pub async fn put(&self, request: &PendingRequest) -> Result<String, StoreError> {
        let reference = random_token();
        self.store
            .put(&key(&reference), &encode(request)?, self.ttl)
            .await?;
        Ok(reference)
    }

    pub async fn get(&self, reference: &str) -> Result<Option<PendingRequest>, StoreError> {
        if !is_well_formed(reference) {
            return Ok(None);
        }
        match self.store.get(&key(reference)).await? {
            Some(bytes) => Ok(Some(decode(&bytes)?)),
            None => Ok(None),
        }
    }

    /// Removes the request once it has produced a code.
    pub async fn complete(&self, reference: &str) -> Result<(), StoreError> {
        if is_well_formed(reference) {
            self.store.delete(&key(reference)).await?;
        }
        Ok(())
    }
}

/// References are our own URL-safe tokens; anything else is refused before the store.
pub fn is_well_formed(reference: &str) -> bool {
    !reference.is_empty()
        && reference.len() <= MAX_REF_LEN
        && reference
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}
