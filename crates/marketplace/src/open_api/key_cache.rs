//! Access keys as the signed open API reads them: kept for the cache TTL, and dropped on
//! every instance the moment one is deleted. The deletion leaves a marker in the shared
//! ephemeral store, which each signed request reads in the same round trip as its
//! signature lockout.

use std::sync::Arc;
use std::time::Duration;

use unilogin_core::cache::Cache;
use unilogin_core::clock::Clock;
use unilogin_core::store::ephemeral::SharedEphemeral;
use unilogin_core::store::StoreError;

use crate::store::{AccessKeyRecord, MarketStore};

/// Longer than any cached copy lives.
const MARKER_MEMORY: Duration = Duration::from_secs(3600);

/// The key holding when an access key was deleted (unix ms).
pub fn deleted_marker(access_key: &str) -> String {
    format!("access-key-deleted:{access_key}")
}

pub struct AccessKeyCache {
    keys: Cache<AccessKeyRecord>,
    ttl: Duration,
    clock: Clock,
}

impl AccessKeyCache {
    pub fn new(ttl: Duration, clock: Clock) -> Self {
        Self {
            keys: Cache::new(10_000, clock.clone()),
            ttl,
            clock,
        }
    }

    /// The access key, from memory when read within the TTL and after its deletion
    /// marker (`deleted_at`, unix ms).
    pub async fn get(
        &self,
        store: &MarketStore,
        access_key: &str,
        deleted_at: Option<i64>,
    ) -> Result<Option<AccessKeyRecord>, StoreError> {
        if let Some(key) = self.keys.get_unless_changed(access_key, deleted_at) {
            return Ok(Some((*key).clone()));
        }
        let Some(key) = store.access_key(access_key).await? else {
            return Ok(None);
        };
        self.keys
            .insert(access_key, Arc::new(key.clone()), self.ttl);
        Ok(Some(key))
    }

    /// Deletes a merchant's access key, marking it deleted before and after: a copy read
    /// in between is read again by the next request. False when there was none.
    pub async fn delete(
        &self,
        store: &MarketStore,
        ephemeral: &SharedEphemeral,
        tenant_id: &str,
        access_key: &str,
    ) -> Result<bool, StoreError> {
        self.mark_deleted(ephemeral, access_key).await?;
        let deleted = store.delete_access_key(tenant_id, access_key).await?;
        self.mark_deleted(ephemeral, access_key).await?;
        Ok(deleted)
    }

    async fn mark_deleted(
        &self,
        ephemeral: &SharedEphemeral,
        access_key: &str,
    ) -> Result<(), StoreError> {
        let now = self.clock.now_millis().to_string();
        ephemeral
            .put(&deleted_marker(access_key), now.as_bytes(), MARKER_MEMORY)
            .await
    }
}
