//! In-process ephemeral store: sharded maps with expiry, swept in the background.

use std::collections::HashMap;
use std::hash::{BuildHasher, RandomState};
use std::sync::{Arc, Mutex, MutexGuard, Weak};
use std::time::{Duration, Instant};

use async_trait::async_trait;

use super::Ephemeral;
use crate::store::StoreError;

const SHARDS: usize = 16;

struct Entry {
    value: Vec<u8>,
    expires: Instant,
}

type Shard = Mutex<HashMap<String, Entry>>;

pub struct MemoryStore {
    shards: Vec<Shard>,
    hasher: RandomState,
}

impl MemoryStore {
    /// A new store; a background task drops expired entries every `sweep` while it lives.
    pub fn new(sweep: Duration) -> Arc<Self> {
        let store = Arc::new(Self {
            shards: (0..SHARDS).map(|_| Mutex::new(HashMap::new())).collect(),
            hasher: RandomState::new(),
        });
        if let Ok(runtime) = tokio::runtime::Handle::try_current() {
            let weak: Weak<Self> = Arc::downgrade(&store);
            runtime.spawn(async move {
                let mut tick = tokio::time::interval(sweep);
                loop {
                    tick.tick().await;
                    match weak.upgrade() {
                        Some(store) => store.sweep(),
                        None => break,
                    }
                }
            });
        }
        store
    }

    fn shard(&self, key: &str) -> MutexGuard<'_, HashMap<String, Entry>> {
        let index = (self.hasher.hash_one(key) as usize) % SHARDS;
        // A panic while holding the lock cannot leave a map half-updated: every critical
        // section is a single map operation, so a poisoned lock is still consistent.
        self.shards[index]
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn sweep(&self) {
        let now = Instant::now();
        for shard in &self.shards {
            let mut map = shard.lock().unwrap_or_else(|p| p.into_inner());
            map.retain(|_, entry| entry.expires > now);
        }
    }
}

fn live(entry: &Entry) -> bool {
    entry.expires > Instant::now()
}

#[async_trait]
impl Ephemeral for MemoryStore {
    async fn put(&self, key: &str, value: &[u8], ttl: Duration) -> Result<(), StoreError> {
        let entry = Entry {
            value: value.to_vec(),
            expires: Instant::now() + ttl,
        };
        self.shard(key).insert(key.to_owned(), entry);
        Ok(())
    }

    async fn put_if_absent(
        &self,
        key: &str,
        value: &[u8],
        ttl: Duration,
    ) -> Result<bool, StoreError> {
        let mut map = self.shard(key);
        if map.get(key).is_some_and(live) {
            return Ok(false);
        }
        map.insert(
            key.to_owned(),
            Entry {
                value: value.to_vec(),
                expires: Instant::now() + ttl,
            },
        );
        Ok(true)
    }

    async fn get(&self, key: &str) -> Result<Option<Vec<u8>>, StoreError> {
        Ok(self
            .shard(key)
            .get(key)
            .filter(|e| live(e))
            .map(|e| e.value.clone()))
    }

    async fn take(&self, key: &str) -> Result<Option<Vec<u8>>, StoreError> {
        Ok(self.shard(key).remove(key).filter(live).map(|e| e.value))
    }

    async fn delete(&self, key: &str) -> Result<(), StoreError> {
        self.shard(key).remove(key);
        Ok(())
    }

    async fn increment(&self, key: &str, ttl: Duration) -> Result<i64, StoreError> {
        let mut map = self.shard(key);
        let current = map
            .get(key)
            .filter(|e| live(e))
            .and_then(|e| std::str::from_utf8(&e.value).ok()?.parse::<i64>().ok());
        let (next, expires) = match (current, map.get(key)) {
            (Some(n), Some(entry)) => (n + 1, entry.expires),
            _ => (1, Instant::now() + ttl),
        };
        map.insert(
            key.to_owned(),
            Entry {
                value: next.to_string().into_bytes(),
                expires,
            },
        );
        Ok(next)
    }

    async fn exists_any(&self, keys: &[String]) -> Result<bool, StoreError> {
        Ok(keys
            .iter()
            .any(|key| self.shard(key).get(key).is_some_and(live)))
    }

    async fn ping(&self) -> Result<(), StoreError> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn take_is_single_use() {
        let store = MemoryStore::new(Duration::from_secs(60));
        store.put("k", b"v", Duration::from_secs(5)).await.unwrap();
        assert_eq!(store.take("k").await.unwrap().as_deref(), Some(&b"v"[..]));
        assert_eq!(store.take("k").await.unwrap(), None);
    }

    #[tokio::test]
    async fn values_expire() {
        let store = MemoryStore::new(Duration::from_secs(60));
        store
            .put("k", b"v", Duration::from_millis(20))
            .await
            .unwrap();
        tokio::time::sleep(Duration::from_millis(40)).await;
        assert_eq!(store.get("k").await.unwrap(), None);
        assert!(!store.exists_any(&["k".into()]).await.unwrap());
        assert!(store
            .put_if_absent("k", b"w", Duration::from_secs(5))
            .await
            .unwrap());
        assert!(!store
            .put_if_absent("k", b"x", Duration::from_secs(5))
            .await
            .unwrap());
    }

    #[tokio::test]
    async fn counters_keep_their_first_expiry() {
        let store = MemoryStore::new(Duration::from_secs(60));
        for expected in 1..=3 {
            let n = store.increment("c", Duration::from_secs(5)).await.unwrap();
            assert_eq!(n, expected);
        }
    }
}
