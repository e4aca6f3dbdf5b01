//! Small in-memory caches for the hot paths: verified access tokens (until they expire),
//! and client registrations and users for a short TTL, so that several instances (and the
//! CLI, which writes the database directly) stay correct within that TTL.

use std::collections::HashMap;
use std::hash::{BuildHasher, RandomState};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::clock::Clock;

const SHARDS: usize = 16;

/// Entries by a hash of the key's tail (tokens differ most in their last bytes, the
/// signature); the whole key is kept and compared.
/// `(key, expiry in unix ms by the clock, value)`.
type Entries<V> = HashMap<u64, (Box<str>, i64, Arc<V>)>;
type Shard<V> = Mutex<Entries<V>>;

pub struct Cache<V> {
    shards: Vec<Shard<V>>,
    per_shard: usize,
    hasher: RandomState,
    clock: Clock,
}

impl<V> Cache<V> {
    /// At most about `capacity` entries; a full shard is emptied rather than scanned.
    pub fn new(capacity: usize, clock: Clock) -> Self {
        Self {
            clock,
            shards: (0..SHARDS).map(|_| Mutex::new(HashMap::new())).collect(),
            per_shard: capacity.div_ceil(SHARDS).max(1),
            hasher: RandomState::new(),
        }
    }

    fn locate(&self, key: &str) -> (u64, std::sync::MutexGuard<'_, Entries<V>>) {
        let tail = &key.as_bytes()[key.len().saturating_sub(48)..];
        let hash = self.hasher.hash_one(tail);
        let shard = self.shards[hash as usize % SHARDS]
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        (hash, shard)
    }

    pub fn get(&self, key: &str) -> Option<Arc<V>> {
        let (hash, mut shard) = self.locate(key);
        match shard.get(&hash) {
            Some((stored, until, value))
                if &**stored == key && *until > self.clock.now_millis() =>
            {
                Some(value.clone())
            }
            Some((stored, _, _)) if &**stored == key => {
                shard.remove(&hash);
                None
            }
            _ => None,
        }
    }

    pub fn insert(&self, key: &str, value: Arc<V>, ttl: Duration) {
        if ttl.is_zero() {
            return;
        }
        let (hash, mut shard) = self.locate(key);
        if shard.len() >= self.per_shard {
            shard.clear();
        }
        let until = self.clock.now_millis() + ttl.as_millis() as i64;
        shard.insert(hash, (key.into(), until, value));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_expire_and_capacity_is_bounded() {
        let clock = Clock::system();
        let cache = Cache::new(32, clock.clone());
        cache.insert("a", Arc::new(1), Duration::from_secs(60));
        cache.insert("b", Arc::new(2), Duration::from_secs(1));
        cache.insert("c", Arc::new(3), Duration::ZERO);
        clock.advance(Duration::from_secs(2));
        assert_eq!(cache.get("a").as_deref(), Some(&1));
        assert_eq!(cache.get("b"), None, "expired");
        assert_eq!(cache.get("c"), None, "a zero TTL caches nothing");
        for i in 0..10_000 {
            cache.insert(&i.to_string(), Arc::new(i), Duration::from_secs(60));
        }
        let held: usize = cache.shards.iter().map(|s| s.lock().unwrap().len()).sum();
        assert!(held <= 32, "{held}");
    }
}
