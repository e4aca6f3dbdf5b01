//! In-process ephemeral store: sharded maps with expiry, swept in the background.

use std::collections::HashMap;
use std::hash::{BuildHasher, RandomState};
use std::sync::{Arc, Mutex, MutexGuard, Weak};
use std::time::Duration;

use async_trait::async_trait;

use super::Ephemeral;
use crate::clock::Clock;
use crate::store::StoreError;

const SHARDS: usize = 16;

struct Entry {
    value: Vec<u8>,
    /// Unix milliseconds by the store's clock.
    expires: i64,
}

type Shard = Mutex<HashMap<String, Entry>>;

pub struct MemoryStore {
    shards: Vec<Shard>,
    hasher: RandomState,
    clock: Clock,
}

impl MemoryStore {
    /// A new store; a background task drops expired entries every `sweep` while it lives.
    /// Expiry follows `clock`, so a test that moves it expires entries as time would.
    pub fn new(sweep: Duration, clock: Clock) -> Arc<Self> {
        let store = Arc::new(Self {
            shards: (0..SHARDS).map(|_| Mutex::new(HashMap::new())).collect(),
            hasher: RandomState::new(),
            clock,
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
        let now = self.clock.now_millis();
        for shard in &self.shards {
            let mut map = shard.lock().unwrap_or_else(|p| p.into_inner());
            map.retain(|_, entry| entry.expires > now);
        }
    }
}

impl MemoryStore {
    fn expiry(&self, ttl: Duration) -> i64 {
        self.clock.now_millis() + ttl.as_millis() as i64
    }
}

fn live_at(now: i64) -> impl Fn(&Entry) -> bool {
    move |entry| entry.expires > now
}

#[async_trait]
impl Ephemeral for MemoryStore {
    async fn put(&self, key: &str, value: &[u8], ttl: Duration) -> Result<(), StoreError> {
        let entry = Entry {
            value: value.to_vec(),
            expires: self.expiry(ttl),
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
        if map.get(key).is_some_and(live_at(self.clock.now_millis())) {
            return Ok(false);
        }
        map.insert(
            key.to_owned(),
            Entry {
                value: value.to_vec(),
                expires: self.expiry(ttl),
            },
        );
        Ok(true)
    }

    async fn get(&self, key: &str) -> Result<Option<Vec<u8>>, StoreError> {
        Ok(self
            .shard(key)
            .get(key)
            .filter(|e| live_at(self.clock.now_millis())(e))
            .map(|e| e.value.clone()))
    }

    async fn take(&self, key: &str) -> Result<Option<Vec<u8>>, StoreError> {
        let live = live_at(self.clock.now_millis());
        Ok(self
            .shard(key)
            .remove(key)
            .filter(|e| live(e))
            .map(|e| e.value))
    }

    async fn delete(&self, key: &str) -> Result<(), StoreError> {
        self.shard(key).remove(key);
        Ok(())
    }

    async fn increment(&self, key: &str, ttl: Duration) -> Result<i64, StoreError> {
        let live = live_at(self.clock.now_millis());
        let mut map = self.shard(key);
        let current = map
            .get(key)
            .filter(|e| live(e))
            .and_then(|e| std::str::from_utf8(&e.value).ok()?.parse::<i64>().ok());
        let (next, expires) = match (current, map.get(key)) {
            (Some(n), Some(entry)) => (n + 1, entry.expires),
            _ => (1, self.expiry(ttl)),
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
        let live = live_at(self.clock.now_millis());
        Ok(keys
            .iter()
            .any(|key| self.shard(key).get(key).is_some_and(&live)))
    }

    async fn get_many(&self, keys: &[String]) -> Result<Vec<Option<Vec<u8>>>, StoreError> {
        let live = live_at(self.clock.now_millis());
        Ok(keys
            .iter()
            .map(|key| {
                self.shard(key)
                    .get(key)
                    .filter(|e| live(e))
                    .map(|e| e.value.clone())
            })
            .collect())
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
        let store = MemoryStore::new(Duration::from_secs(60), Clock::system());
        store.put("k", b"v", Duration::from_secs(5)).await.unwrap();
        assert_eq!(store.take("k").await.unwrap().as_deref(), Some(&b"v"[..]));
        assert_eq!(store.take("k").await.unwrap(), None);
    }

    #[tokio::test]
    async fn values_expire_when_the_clock_passes_their_ttl() {
        let clock = Clock::system();
        let store = MemoryStore::new(Duration::from_secs(60), clock.clone());
        store.put("k", b"v", Duration::from_secs(20)).await.unwrap();
        clock.advance(Duration::from_secs(19));
        assert!(store.exists_any(&["k".into()]).await.unwrap());
        clock.advance(Duration::from_secs(2));
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
        let store = MemoryStore::new(Duration::from_secs(60), Clock::system());
        for expected in 1..=3 {
            let n = store.increment("c", Duration::from_secs(5)).await.unwrap();
            assert_eq!(n, expected);
        }
    }
}
