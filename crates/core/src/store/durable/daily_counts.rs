//! Numbers kept per day for the admin console's charts (`daily_counts`): a sum several
//! instances add to, and a peak each raises.

use sqlx::Row;

use super::Durable;
use crate::store::StoreError;

/// What a day's number counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DailyMetric {
    /// Tokens answered at the token endpoint (summed over instances).
    TokensIssued,
    /// The most browser sessions live at once (the highest any instance saw).
    SessionsLive,
}

impl DailyMetric {
    fn as_str(self) -> &'static str {
        match self {
            Self::TokensIssued => "tokens_issued",
            Self::SessionsLive => "sessions_live",
        }
    }
}

impl Durable {
    /// Adds `n` to `metric` of `day`.
    pub async fn add_to_day(
        &self,
        day: i64,
        metric: DailyMetric,
        n: i64,
    ) -> Result<(), StoreError> {
        self.upsert_day(day, metric, n, "daily_counts.value + excluded.value")
            .await
    }

    /// Raises `metric` of `day` to `n` if it is lower.
    pub async fn raise_day(&self, day: i64, metric: DailyMetric, n: i64) -> Result<(), StoreError> {
        self.upsert_day(
            day,
            metric,
            n,
            "CASE WHEN excluded.value > daily_counts.value THEN excluded.value \
             ELSE daily_counts.value END",
        )
        .await
    }

    /// Writes `n` as `metric` of `day`, or, when the day has it already, `merged`.
    async fn upsert_day(
        &self,
        day: i64,
        metric: DailyMetric,
        n: i64,
        merged: &'static str,
    ) -> Result<(), StoreError> {
        let sql = format!(
            "INSERT INTO daily_counts (day, metric, value) VALUES ($1, $2, $3) \
             ON CONFLICT (day, metric) DO UPDATE SET value = {merged}"
        );
        sqlx::query(&sql)
            .bind(day)
            .bind(metric.as_str())
            .bind(n)
            .execute(self.pool())
            .await?;
        Ok(())
    }

    /// `metric` for `days` days from the day numbered `first`, 0 where nothing was kept.
    pub async fn days_of(
        &self,
        metric: DailyMetric,
        first: i64,
        days: usize,
    ) -> Result<Vec<i64>, StoreError> {
        let rows = sqlx::query(
            "SELECT day, value FROM daily_counts WHERE metric = $1 AND day >= $2 AND day < $3",
        )
        .bind(metric.as_str())
        .bind(first)
        .bind(first + days as i64)
        .fetch_all(self.pool())
        .await?;
        let mut values = vec![0; days];
        for row in &rows {
            let day: i64 = row.try_get("day")?;
            if let Some(slot) = values.get_mut((day - first) as usize) {
                *slot = row.try_get("value")?;
            }
        }
        Ok(values)
    }

    /// The browser sessions live now, every user's.
    pub async fn live_session_count(&self) -> Result<i64, StoreError> {
        let row = sqlx::query(
            "SELECT COUNT(*) AS n FROM user_sessions WHERE ended_at IS NULL AND expires_at > $1",
        )
        .bind(self.now())
        .fetch_one(self.pool())
        .await?;
        Ok(row.try_get("n")?)
    }
}
