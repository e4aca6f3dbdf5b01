//! Abuse limits kept in the ephemeral store, so every instance shares them:
//! - `FailureLock`: failures counted per subject; past a threshold the subject is locked
//!   for a backoff that doubles with each further failure. `LoginThrottle` holds one for
//!   accounts and one for client IPs; the marketplace one for access keys;
//!   `ClientAuthThrottle` one for (address, client id) pairs and one for addresses;
//! - `RateLimiter`: fixed one-minute windows of requests per authenticated client.

use std::time::Duration;

use super::SharedEphemeral;
use crate::clock::Clock;
use crate::config::Limits;
use crate::secret::sha256_hex;
use crate::store::StoreError;

/// Counts failures against one kind of subject (an account, an address, an access key)
/// and, from `threshold` failures within `window` on, locks it for a backoff that starts
/// at `base` and doubles with every further failure, up to `cap`. A success clears the
/// count. Subjects are named by hash: the store never holds a list of tried names.
#[derive(Clone)]
pub struct FailureLock {
    store: SharedEphemeral,
    kind: &'static str,
    /// 0: never locks.
    pub threshold: u32,
    pub window: Duration,
    pub base: Duration,
    pub cap: Duration,
}

impl FailureLock {
    pub fn new(
        store: SharedEphemeral,
        kind: &'static str,
        threshold: u32,
        window: Duration,
    ) -> Self {
        Self {
            store,
            kind,
            threshold,
            window,
            base: window,
            cap: window,
        }
    }

    /// The backoff: `base` for the first lock, doubling up to `cap`.
    pub fn backoff(self, base: Duration, cap: Duration) -> Self {
        Self { base, cap, ..self }
    }

    fn key(&self, part: &str, id: &str) -> String {
        [part, ":", self.kind, ":", &sha256_hex(id)[..32]].concat()
    }

    pub async fn is_locked(&self, id: &str) -> Result<bool, StoreError> {
        self.store.exists_any(&[self.key("lock", id)]).await
    }

    /// Whether `id` is locked, and the value under `other` (a key the caller needs too),
    /// in one round trip.
    pub async fn is_locked_reading(
        &self,
        id: &str,
        other: &str,
    ) -> Result<(bool, Option<Vec<u8>>), StoreError> {
        let mut values = self
            .store
            .get_many(&[self.key("lock", id), other.to_owned()])
            .await?;
        let other = values.pop().flatten();
        Ok((values.pop().flatten().is_some(), other))
    }

    /// Counts a failure; true when it locked the subject.
    pub async fn failed(&self, id: &str) -> Result<bool, StoreError> {
        if self.threshold == 0 {
            return Ok(false);
        }
        let failures = self
            .store
            .increment(&self.key("fail", id), self.window)
            .await?;
        if failures < i64::from(self.threshold) {
            return Ok(false);
        }
        // Every failure from the threshold on locks again, each time twice as long.
        let strikes = self
            .store
            .increment(&self.key("strikes", id), self.window + self.cap * 2)
            .await?;
        let backoff = backoff(self.base, self.cap, strikes);
        crate::telemetry::registry().lockout(self.kind);
        tracing::warn!(
            subject = self.kind,
            backoff_secs = backoff.as_secs(),
            "too many failures: locked"
        );
        self.store.put(&self.key("lock", id), b"1", backoff).await?;
        Ok(true)
    }

    pub async fn succeeded(&self, id: &str) -> Result<(), StoreError> {
        self.store.delete(&self.key("fail", id)).await?;
        self.store.delete(&self.key("strikes", id)).await
    }
}

/// Failed logins, per account and per client IP.
#[derive(Clone)]
pub struct LoginThrottle {
    account: FailureLock,
    ip: FailureLock,
}

impl LoginThrottle {
    pub fn new(store: SharedEphemeral, limits: Limits) -> Self {
        let lock = |kind, threshold| {
            FailureLock::new(store.clone(), kind, threshold, limits.failure_window)
                .backoff(limits.lockout_base, limits.lockout_cap)
        };
        Self {
            account: lock("acct", limits.account_failures),
            ip: lock("ip", limits.ip_failures),
        }
    }

    /// Whether attempts for `account` or from `ip` are refused right now.
    pub async fn is_locked(&self, account: &str, ip: &str) -> Result<bool, StoreError> {
        self.account
            .store
            .exists_any(&[self.account.key("lock", account), self.ip.key("lock", ip)])
            .await
    }

    /// Counts a failed login; true when it locked the account.
    pub async fn record_failure(&self, account: &str, ip: &str) -> Result<bool, StoreError> {
        let locked = !account.is_empty() && self.account.failed(account).await?;
        self.ip.failed(ip).await?;
        Ok(locked)
    }

    /// A successful login clears the account's record (not the IP's).
    pub async fn record_success(&self, account: &str) -> Result<(), StoreError> {
        self.account.succeeded(account).await
    }
}

/// Failed client authentications at the back channel, per (address, client id) and per
/// address: an outsider who fails against a client id locks only themselves.
#[derive(Clone)]
pub struct ClientAuthThrottle {
    pair: FailureLock,
    ip: FailureLock,
}

impl ClientAuthThrottle {
    pub fn new(store: SharedEphemeral, limits: Limits) -> Self {
        let lock = |kind, threshold| {
            FailureLock::new(store.clone(), kind, threshold, limits.failure_window)
                .backoff(limits.lockout_base, limits.lockout_cap)
        };
        Self {
            pair: lock("cauth", limits.client_auth_failures),
            ip: lock("cauth-ip", limits.client_auth_failures_per_ip),
        }
    }

    fn pair_id(ip: &str, client_id: &str) -> String {
        [ip, "|", client_id].concat()
    }

    /// The lock's first backoff: what a refused caller is told to wait.
    pub fn retry_after(&self) -> Duration {
        self.pair.base
    }

    pub async fn is_locked(&self, ip: &str, client_id: &str) -> Result<bool, StoreError> {
        self.pair
            .store
            .exists_any(&self.lock_keys(ip, client_id))
            .await
    }

    /// The keys whose presence locks `client_id` from `ip`: for a caller reading them
    /// together with others, in one round trip.
    pub fn lock_keys(&self, ip: &str, client_id: &str) -> [String; 2] {
        [
            self.pair.key("lock", &Self::pair_id(ip, client_id)),
            self.ip.key("lock", ip),
        ]
    }

    pub async fn record_failure(&self, ip: &str, client_id: &str) -> Result<(), StoreError> {
        self.pair.failed(&Self::pair_id(ip, client_id)).await?;
        self.ip.failed(ip).await?;
        Ok(())
    }
}

/// `base · 2^(strikes-1)`, at most `cap`.
fn backoff(base: Duration, cap: Duration, strikes: i64) -> Duration {
    let doublings = u32::try_from(strikes.saturating_sub(1))
        .unwrap_or(u32::MAX)
        .min(20);
    base.saturating_mul(1 << doublings).min(cap)
}

#[derive(Clone)]
pub struct RateLimiter {
    store: SharedEphemeral,
    clock: Clock,
}

const WINDOW_SECS: i64 = 60;

impl RateLimiter {
    pub fn new(store: SharedEphemeral, clock: Clock) -> Self {
        Self { store, clock }
    }

    /// Counts one request of `id` (in `scope`) against `per_minute`; `Some(seconds)` to
    /// wait when it is over. A limit of 0 is no limit.
    pub async fn hit(
        &self,
        scope: &str,
        id: &str,
        per_minute: u32,
    ) -> Result<Option<u64>, StoreError> {
        if per_minute == 0 {
            return Ok(None);
        }
        let now = self.clock.now_unix();
        let window = now / WINDOW_SECS;
        let count = self
            .store
            .increment(
                &format!("rate:{scope}:{id}:{window}"),
                Duration::from_secs(WINDOW_SECS as u64 + 1),
            )
            .await?;
        if count <= i64::from(per_minute) {
            return Ok(None);
        }
        Ok(Some(((window + 1) * WINDOW_SECS - now).max(1) as u64))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::ephemeral::MemoryStore;

    #[test]
    fn backoff_doubles_up_to_the_cap() {
        let base = Duration::from_secs(60);
        let cap = Duration::from_secs(3600);
        let seen: Vec<u64> = (1..=8).map(|s| backoff(base, cap, s).as_secs()).collect();
        assert_eq!(seen, [60, 120, 240, 480, 960, 1920, 3600, 3600]);
        assert_eq!(backoff(base, cap, i64::MAX), cap);
    }

    #[tokio::test]
    async fn the_threshold_locks_the_account_and_success_clears_the_count() {
        let store = MemoryStore::new(Duration::from_secs(30), Clock::system());
        let limits = Limits {
            account_failures: 3,
            ip_failures: 100,
            ..Limits::default()
        };
        let throttle = LoginThrottle::new(store, limits);
        for _ in 0..2 {
            throttle.record_failure("alice", "10.0.0.1").await.unwrap();
        }
        assert!(!throttle.is_locked("alice", "10.0.0.1").await.unwrap());
        throttle.record_success("alice").await.unwrap();
        for _ in 0..2 {
            throttle.record_failure("alice", "10.0.0.1").await.unwrap();
        }
        assert!(!throttle.is_locked("alice", "10.0.0.2").await.unwrap());
        throttle.record_failure("alice", "10.0.0.1").await.unwrap();
        assert!(throttle.is_locked("alice", "10.0.0.2").await.unwrap());
        assert!(!throttle.is_locked("bob", "10.0.0.2").await.unwrap());
    }

    #[tokio::test]
    async fn client_auth_failures_lock_the_address_not_the_client() {
        let store = MemoryStore::new(Duration::from_secs(30), Clock::system());
        let limits = Limits {
            client_auth_failures: 3,
            client_auth_failures_per_ip: 5,
            ..Limits::default()
        };
        let throttle = ClientAuthThrottle::new(store, limits);
        for _ in 0..3 {
            throttle.record_failure("10.0.0.9", "app").await.unwrap();
        }
        assert!(throttle.is_locked("10.0.0.9", "app").await.unwrap());
        assert!(!throttle.is_locked("10.0.0.1", "app").await.unwrap());
        assert!(!throttle.is_locked("10.0.0.9", "other").await.unwrap());
        for _ in 0..2 {
            throttle.record_failure("10.0.0.9", "other").await.unwrap();
        }
        assert!(throttle.is_locked("10.0.0.9", "third").await.unwrap());
        assert!(!throttle.is_locked("10.0.0.1", "third").await.unwrap());
    }

    #[tokio::test]
    async fn the_rate_limit_refuses_past_the_budget_with_a_wait() {
        let limiter = RateLimiter::new(
            MemoryStore::new(Duration::from_secs(30), Clock::system()),
            Clock::system(),
        );
        for _ in 0..3 {
            assert_eq!(limiter.hit("ip", "10.0.0.1", 3).await.unwrap(), None);
        }
        let wait = limiter.hit("ip", "10.0.0.1", 3).await.unwrap();
        assert!(matches!(wait, Some(1..=60)), "{wait:?}");
        assert_eq!(limiter.hit("ip", "10.0.0.2", 3).await.unwrap(), None);
        assert_eq!(limiter.hit("ip", "10.0.0.1", 0).await.unwrap(), None);
    }
}
