//! An ephemeral store that times every operation into the metrics registry.

use std::time::Duration;

use async_trait::async_trait;

use super::{Ephemeral, SharedEphemeral};
use crate::store::StoreError;
use crate::telemetry::registry;

pub struct Timed {
    inner: SharedEphemeral,
    /// `redis` or `memory`.
    store: &'static str,
}

impl Timed {
    pub fn wrap(inner: SharedEphemeral, store: &'static str) -> SharedEphemeral {
        std::sync::Arc::new(Self { inner, store })
    }
}

#[async_trait]
impl Ephemeral for Timed {
    async fn put(&self, key: &str, value: &[u8], ttl: Duration) -> Result<(), StoreError> {
        let _timer = registry().round_trip(self.store, "put");
        self.inner.put(key, value, ttl).await
    }

    async fn put_if_absent(
        &self,
        key: &str,
        value: &[u8],
        ttl: Duration,
    ) -> Result<bool, StoreError> {
        let _timer = registry().round_trip(self.store, "put_if_absent");
        self.inner.put_if_absent(key, value, ttl).await
    }

    async fn get(&self, key: &str) -> Result<Option<Vec<u8>>, StoreError> {
        let _timer = registry().round_trip(self.store, "get");
        self.inner.get(key).await
    }

    async fn take(&self, key: &str) -> Result<Option<Vec<u8>>, StoreError> {
        let _timer = registry().round_trip(self.store, "take");
        self.inner.take(key).await
    }

    async fn delete(&self, key: &str) -> Result<(), StoreError> {
        let _timer = registry().round_trip(self.store, "delete");
        self.inner.delete(key).await
    }

    async fn increment(&self, key: &str, ttl: Duration) -> Result<i64, StoreError> {
        let _timer = registry().round_trip(self.store, "increment");
        self.inner.increment(key, ttl).await
    }

    async fn exists_any(&self, keys: &[String]) -> Result<bool, StoreError> {
        let _timer = registry().round_trip(self.store, "exists_any");
        self.inner.exists_any(keys).await
    }

    async fn get_many(&self, keys: &[String]) -> Result<Vec<Option<Vec<u8>>>, StoreError> {
        let _timer = registry().round_trip(self.store, "get_many");
        self.inner.get_many(keys).await
    }

    async fn ping(&self) -> Result<(), StoreError> {
        let _timer = registry().round_trip(self.store, "ping");
        self.inner.ping().await
    }
}
