//! Abuse limits kept in the ephemeral store, so every instance shares them:
//! - `LoginThrottle`: failed logins per account and per client IP; past the threshold the
//!   account (or IP) is locked for a backoff that doubles with each further failure;
//! - `RateLimiter`: fixed one-minute windows of requests per IP or per client.

use std::time::Duration;

use super::SharedEphemeral;
use crate::config::Limits;
use crate::secret::sha256_hex;
use crate::store::{now_unix, StoreError};

#[derive(Clone)]
pub struct LoginThrottle {
    store: SharedEphemeral,
    limits: Limits,
}

/// Who a failed login is counted against.
#[derive(Debug, Clone, Copy)]
enum Subject {
    Account,
    Ip,
}

impl Subject {
    fn name(self) -> &'static str {
        match self {
            Self::Account => "acct",
            Self::Ip => "ip",
        }
    }
}

/// Keys name accounts by hash: the store never holds a list of tried usernames.
fn key(kind: &str, subject: Subject, id: &str) -> String {
    format!("{kind}:{}:{}", subject.name(), &sha256_hex(id)[..32])
}

impl LoginThrottle {
    pub fn new(store: SharedEphemeral, limits: Limits) -> Self {
        Self { store, limits }
    }

    /// Whether attempts for `account` or from `ip` are refused right now.
    pub async fn is_locked(&self, account: &str, ip: &str) -> Result<bool, StoreError> {
        self.store
            .exists_any(&[
                key("lock", Subject::Account, account),
                key("lock", Subject::Ip, ip),
            ])
            .await
    }

    pub async fn record_failure(&self, account: &str, ip: &str) -> Result<(), StoreError> {
        if !account.is_empty() {
            self.count(Subject::Account, account, self.limits.account_failures)
                .await?;
        }
        self.count(Subject::Ip, ip, self.limits.ip_failures).await
    }

    /// A successful login clears the account's record (not the IP's).
    pub async fn record_success(&self, account: &str) -> Result<(), StoreError> {
        self.store
            .delete(&key("fail", Subject::Account, account))
            .await?;
        self.store
            .delete(&key("strikes", Subject::Account, account))
            .await
    }

    async fn count(&self, subject: Subject, id: &str, threshold: u32) -> Result<(), StoreError> {
        if threshold == 0 {
            return Ok(());
        }
        let failures = self
            .store
            .increment(&key("fail", subject, id), self.limits.failure_window)
            .await?;
        if failures < i64::from(threshold) {
            return Ok(());
        }
        // Every failure from the threshold on locks again, each time twice as long.
        let strikes = self
            .store
            .increment(
                &key("strikes", subject, id),
                self.limits.failure_window + self.limits.lockout_cap * 2,
            )
            .await?;
        let backoff = backoff(self.limits.lockout_base, self.limits.lockout_cap, strikes);
        tracing::warn!(
            subject = subject.name(),
            backoff_secs = backoff.as_secs(),
            "too many failed logins: locked"
        );
        self.store
            .put(&key("lock", subject, id), b"1", backoff)
            .await
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
}

const WINDOW_SECS: i64 = 60;

impl RateLimiter {
    pub fn new(store: SharedEphemeral) -> Self {
        Self { store }
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
        let now = now_unix();
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
        let store = MemoryStore::new(Duration::from_secs(30));
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
    async fn the_rate_limit_refuses_past_the_budget_with_a_wait() {
        let limiter = RateLimiter::new(MemoryStore::new(Duration::from_secs(30)));
        for _ in 0..3 {
            assert_eq!(limiter.hit("ip", "10.0.0.1", 3).await.unwrap(), None);
        }
        let wait = limiter.hit("ip", "10.0.0.1", 3).await.unwrap();
        assert!(matches!(wait, Some(1..=60)), "{wait:?}");
        assert_eq!(limiter.hit("ip", "10.0.0.2", 3).await.unwrap(), None);
        assert_eq!(limiter.hit("ip", "10.0.0.1", 0).await.unwrap(), None);
    }
}
