//! The day's numbers the admin console charts beside its sign-ins: tokens issued, counted
//! in memory on the token endpoint's path and written every `WRITE_EVERY` (and when the
//! overview is read) as one addition per instance, and the most browser sessions live at
//! once, sampled at each write. Requests never wait on them.

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use crate::store::durable::{DailyMetric, Durable};
use crate::store::StoreError;

/// How often an instance writes what it counted.
pub const WRITE_EVERY: Duration = Duration::from_secs(30);

pub struct DailyCounts {
    durable: Durable,
    /// Tokens issued since the last write.
    tokens: AtomicI64,
}

/// The number of the day `unix` falls on, in the configured zone.
pub fn day_number(unix: i64) -> i64 {
    let offset = crate::calendar::local().offset_seconds(unix);
    (unix + offset).div_euclid(86_400)
}

impl DailyCounts {
    pub fn new(durable: Durable) -> Self {
        Self {
            durable,
            tokens: AtomicI64::new(0),
        }
    }

    pub fn token_issued(&self) {
        self.tokens.fetch_add(1, Ordering::Relaxed);
    }

    /// Adds the tokens counted since the last write to today's, and raises today's peak
    /// of live sessions. A failed write keeps its count for the next.
    pub async fn write(&self) -> Result<(), StoreError> {
        let day = day_number(self.durable.now());
        let tokens = self.tokens.swap(0, Ordering::AcqRel);
        if tokens > 0 {
            if let Err(err) = self
                .durable
                .add_to_day(day, DailyMetric::TokensIssued, tokens)
                .await
            {
                self.tokens.fetch_add(tokens, Ordering::AcqRel);
                return Err(err);
            }
        }
        let live = self.durable.live_session_count().await?;
        self.durable
            .raise_day(day, DailyMetric::SessionsLive, live)
            .await
    }

    /// Writes every `every` until the process ends.
    pub fn keep_writing(self: &Arc<Self>, every: Duration) {
        let counts = Arc::clone(self);
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(every);
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            tick.tick().await;
            loop {
                tick.tick().await;
                if let Err(err) = counts.write().await {
                    tracing::warn!(error = %err, "could not write the day's counts");
                }
            }
        });
    }
}

/// How often old sign-ins are deleted.
pub const PURGE_EVERY: Duration = Duration::from_secs(3600);

/// Deletes sign-ins older than `days` days now and every `PURGE_EVERY` (never with 0).
/// Every instance may run it: a delete repeated deletes nothing more.
pub fn keep_sign_ins_for(durable: Durable, days: u32) {
    if days == 0 {
        return;
    }
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(PURGE_EVERY);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            let before = durable.now() - i64::from(days) * 86_400;
            match durable.purge_sign_ins(before).await {
                Ok(0) => {}
                Ok(deleted) => tracing::info!(deleted, "old sign-ins deleted"),
                Err(err) => tracing::warn!(error = %err, "could not delete old sign-ins"),
            }
        }
    });
}
