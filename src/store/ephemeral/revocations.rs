//! Revoked session ids and grant ids. An access token fails everywhere once its `sid` or
//! its grant is here; callers keep entries as long as the longest access token could live.

use std::time::Duration;

use super::SharedEphemeral;
use crate::store::StoreError;

#[derive(Clone)]
pub struct Revocations {
    store: SharedEphemeral,
}

fn session_key(sid: &str) -> String {
    format!("revoked-sid:{sid}")
}

fn grant_key(grant_id: &str) -> String {
    format!("revoked-grant:{grant_id}")
}

impl Revocations {
    pub fn new(store: SharedEphemeral) -> Self {
        Self { store }
    }

    pub async fn revoke_session(&self, sid: &str, ttl: Duration) -> Result<(), StoreError> {
        self.store.put(&session_key(sid), b"1", ttl).await
    }

    pub async fn revoke_grant(&self, grant_id: &str, ttl: Duration) -> Result<(), StoreError> {
        self.store.put(&grant_key(grant_id), b"1", ttl).await
    }

    /// Whether the session or the grant behind a token has been revoked.
    pub async fn is_revoked(&self, sid: &str, grant_id: Option<&str>) -> Result<bool, StoreError> {
        let mut keys = Vec::with_capacity(2);
        if !sid.is_empty() {
            keys.push(session_key(sid));
        }
        if let Some(grant_id) = grant_id.filter(|g| !g.is_empty()) {
            keys.push(grant_key(grant_id));
        }
        self.store.exists_any(&keys).await
    }
}
