//! The one clock. Every expiry, window and timer reads it, so tests move time forward
//! instead of sleeping. In production it is the system clock; a test advances its app's
//! clock (each app has its own) with `advance`.

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// The system clock, plus an offset that only tests move. Cheap to clone; clones share
/// the offset.
#[derive(Clone, Default)]
pub struct Clock {
    offset_ms: Arc<AtomicI64>,
}

impl std::fmt::Debug for Clock {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Clock(+{} ms)", self.offset_ms.load(Ordering::Relaxed))
    }
}

impl Clock {
    pub fn system() -> Self {
        Self::default()
    }

    /// Milliseconds since the unix epoch.
    pub fn now_millis(&self) -> i64 {
        let system = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_millis() as i64)
            .unwrap_or(0);
        system + self.offset_ms.load(Ordering::Relaxed)
    }

    /// Seconds since the unix epoch.
    pub fn now_unix(&self) -> i64 {
        self.now_millis().div_euclid(1000)
    }

    /// Moves this clock (and every clone of it) forward.
    pub fn advance(&self, by: Duration) {
        self.offset_ms
            .fetch_add(by.as_millis() as i64, Ordering::Relaxed);
    }

    /// Returns once the clock reads a later second than `second`: whatever is issued
    /// after this returns carries a greater `iat` than `second`.
    pub async fn wait_past(&self, second: i64) {
        loop {
            let now = self.now_millis();
            if now.div_euclid(1000) > second {
                return;
            }
            let left = (second + 1) * 1000 - now;
            tokio::time::sleep(Duration::from_millis(left.clamp(1, 1000) as u64)).await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clones_share_the_offset() {
        let clock = Clock::system();
        let clone = clock.clone();
        let before = clone.now_unix();
        clock.advance(Duration::from_secs(7200));
        assert!(clone.now_unix() >= before + 7200);
    }

    #[tokio::test]
    async fn wait_past_ends_in_a_later_second() {
        let clock = Clock::system();
        let now = clock.now_unix();
        clock.wait_past(now).await;
        assert!(clock.now_unix() > now);
    }
}
