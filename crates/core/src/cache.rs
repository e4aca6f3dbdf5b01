//! Small in-memory caches for the hot paths: verified access tokens (until they expire),
//! and client registrations and users for a short TTL, so that several instances (and the
//! CLI, which writes the database directly) stay correct within that TTL.

use std::collections::HashMap;
use std::hash::{BuildHasher, DefaultHasher, Hasher, RandomState};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::clock::Clock;

const SHARDS: usize = 16;

/// Entries by their whole key, compared whole, so no two keys share an entry.
/// `key → (expiry, insertion (unix ms by the clock), value)`.
type Entries<V> = HashMap<Box<str>, (i64, i64, Arc<V>), TailHashing>;
type Shard<V> = Mutex<Entries<V>>;

/// How much of a key's end is hashed. A signed token ends in its signature, so its last
/// bytes already tell tokens apart; hashing a kilobyte-long token whole cost more than
/// the rest of a lookup.
const HASHED_TAIL: usize = 32;

/// Hashes a key by its length and its last `HASHED_TAIL` bytes, keyed at random per
/// process (SipHash), so nobody can aim keys at one bucket.
#[derive(Clone, Default)]
struct TailHashing(RandomState);

impl BuildHasher for TailHashing {
    type Hasher = TailHasher;

    fn build_hasher(&self) -> TailHasher {
        TailHasher(self.0.build_hasher())
    }
}

struct TailHasher(DefaultHasher);

impl Hasher for TailHasher {
    fn finish(&self) -> u64 {
        self.0.finish()
    }

    fn write(&mut self, bytes: &[u8]) {
        self.0.write_usize(bytes.len());
        self.0
            .write(&bytes[bytes.len().saturating_sub(HASHED_TAIL)..]);
    }
}

pub struct Cache<V> {
    shards: Vec<Shard<V>>,
    /// Picks a key's shard; keyed apart from the shards' own hashers, so that the keys
    /// of one shard still spread over its buckets.
    spread: TailHashing,
    per_shard: usize,
    clock: Clock,
}

impl<V> Cache<V> {
    /// At most about `capacity` entries; a full shard is emptied rather than scanned.
    pub fn new(capacity: usize, clock: Clock) -> Self {
        Self {
            clock,
            spread: TailHashing::default(),
            shards: (0..SHARDS)
                .map(|_| Mutex::new(HashMap::with_hasher(TailHashing::default())))
                .collect(),
            per_shard: capacity.div_ceil(SHARDS).max(1),
        }
    }

    fn shard(&self, key: &str) -> std::sync::MutexGuard<'_, Entries<V>> {
        let spread = self.spread.hash_one(key) as usize;
        self.shards[spread % SHARDS]
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    pub fn get(&self, key: &str) -> Option<Arc<V>> {
        self.get_with_age(key).map(|(value, _)| value)
    }

    /// The value and when it was inserted (unix ms).
    fn get_with_age(&self, key: &str) -> Option<(Arc<V>, i64)> {
        let mut shard = self.shard(key);
        match shard.get(key) {
            Some((until, inserted, value)) if *until > self.clock.now_millis() => {
                Some((value.clone(), *inserted))
            }
            Some(_) => {
                shard.remove(key);
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
        let mut shard = self.shard(key);
        if shard.len() >= self.per_shard {
            shard.clear();
        }
        let now = self.clock.now_millis();
        shard.insert(key.into(), (now + ttl.as_millis() as i64, now, value));
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

    #[test]
    fn keys_with_the_same_end_are_told_apart() {
        let cache = Cache::new(32, Clock::system());
        let tail = "x".repeat(HASHED_TAIL);
        let (one, other) = (format!("a.{tail}"), format!("b.{tail}"));
        cache.insert(&one, Arc::new(1), Duration::from_secs(60));
        assert_eq!(cache.get(&other), None);
        cache.insert(&other, Arc::new(2), Duration::from_secs(60));
        assert_eq!(cache.get(&one).as_deref(), Some(&1));
        assert_eq!(cache.get(&other).as_deref(), Some(&2));
    }
}
