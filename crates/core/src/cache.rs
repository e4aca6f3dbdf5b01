//! Small in-memory caches for the hot paths: verified access tokens (until they expire),
//! and client registrations and users for a short TTL, so that several instances (and the
//! CLI, which writes the database directly) stay correct within that TTL.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use sha2::{Digest, Sha256};

use crate::clock::Clock;

const SHARDS: usize = 16;

/// Entries by the SHA-256 of the key: a token of a kilobyte costs 32 bytes here, and no
/// two keys share an entry. `digest → (expiry, insertion (unix ms by the clock), value)`.
type Entries<V> = HashMap<[u8; 32], (i64, i64, Arc<V>)>;
type Shard<V> = Mutex<Entries<V>>;

pub struct Cache<V> {
    shards: Vec<Shard<V>>,
    per_shard: usize,
    clock: Clock,
}

impl<V> Cache<V> {
    /// At most about `capacity` entries; a full shard is emptied rather than scanned.
    pub fn new(capacity: usize, clock: Clock) -> Self {
        Self {
            clock,
            shards: (0..SHARDS).map(|_| Mutex::new(HashMap::new())).collect(),
            per_shard: capacity.div_ceil(SHARDS).max(1),
        }
    }

    fn locate(&self, key: &str) -> ([u8; 32], std::sync::MutexGuard<'_, Entries<V>>) {
        let digest: [u8; 32] = Sha256::digest(key.as_bytes()).into();
        let shard = self.shards[usize::from(digest[0]) % SHARDS]
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        (digest, shard)
    }

    pub fn get(&self, key: &str) -> Option<Arc<V>> {
        self.get_with_age(key).map(|(value, _)| value)
    }

    /// The value and when it was inserted (unix ms).
    fn get_with_age(&self, key: &str) -> Option<(Arc<V>, i64)> {
        let (digest, mut shard) = self.locate(key);
        match shard.get(&digest) {
            Some((until, inserted, value)) if *until > self.clock.now_millis() => {
                Some((value.clone(), *inserted))
            }
            Some(_) => {
                shard.remove(&digest);
                None
            }
            None => None,
        }
    }

    /// The value, unless what it copies changed (`changed_at`, unix ms) before it was
    /// read or less than a second after: the margin is for a read that raced the change,
    /// and for clocks.
    pub fn get_unless_changed(&self, key: &str, changed_at: Option<i64>) -> Option<Arc<V>> {
        self.get_with_age(key)
            .filter(|(_, inserted)| changed_at.is_none_or(|at| at + 1000 < *inserted))
            .map(|(value, _)| value)
    }

    pub fn insert(&self, key: &str, value: Arc<V>, ttl: Duration) {
        if ttl.is_zero() {
            return;
        }
        let (digest, mut shard) = self.locate(key);
        if shard.len() >= self.per_shard {
            shard.clear();
        }
        let now = self.clock.now_millis();
        shard.insert(digest, (now + ttl.as_millis() as i64, now, value));
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
