//! Durable record of revoked sessions and grants and of user and client cutoffs, so a
//! restart (or a flush) of the ephemeral store cannot bring a dead credential back, and
//! so instances that do not share an ephemeral store still learn of them.

use sqlx::Row;

use super::Durable;
use crate::store::StoreError;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RevocationKind {
    Session,
    Grant,
    /// Every session and token of a user from before a second.
    User,
    /// Every code and token issued to a client up to a second.
    Client,
}

impl RevocationKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Session => "session",
            Self::Grant => "grant",
            Self::User => "user",
            Self::Client => "client",
        }
    }

    fn parse(raw: &str) -> Option<Self> {
        [Self::Session, Self::Grant, Self::User, Self::Client]
            .into_iter()
            .find(|k| k.as_str() == raw)
    }
}

/// One durable revocation or cutoff.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RevocationRecord {
    pub kind: RevocationKind,
    pub id: String,
    /// The cutoff second (users, clients); 0 for sessions and grants.
    pub not_before: i64,
    pub expires_at: i64,
    /// Unix milliseconds when it was written, for the watchers on other instances.
    pub recorded_ms: i64,
}

impl Durable {
    pub async fn record_revocation(&self, record: &RevocationRecord) -> Result<(), StoreError> {
        let _timer = crate::telemetry::registry().round_trip("durable", "record_revocation");
        sqlx::query(
            "INSERT INTO revocations (kind, id, expires_at, not_before, recorded_at) \
             VALUES ($1, $2, $3, $4, $5) \
             ON CONFLICT (kind, id) DO UPDATE SET expires_at = excluded.expires_at, \
             not_before = excluded.not_before, recorded_at = excluded.recorded_at",
        )
        .bind(record.kind.as_str())
        .bind(&record.id)
        .bind(record.expires_at)
        .bind(record.not_before)
        .bind(record.recorded_ms)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// Revocations that still matter and were written at or after `since_ms`; the
    /// expired ones are dropped first.
    pub async fn live_revocations(
        &self,
        since_ms: i64,
    ) -> Result<Vec<RevocationRecord>, StoreError> {
        let _timer = crate::telemetry::registry().round_trip("durable", "live_revocations");
        let now = self.now();
        sqlx::query("DELETE FROM revocations WHERE expires_at <= $1")
            .bind(now)
            .execute(self.pool())
            .await?;
        let rows = sqlx::query(
            "SELECT kind, id, expires_at, not_before, recorded_at FROM revocations \
             WHERE recorded_at >= $1",
        )
        .bind(since_ms)
        .fetch_all(self.pool())
        .await?;
        let mut out = Vec::with_capacity(rows.len());
        for row in rows {
            let kind: String = row.try_get("kind")?;
            let kind = RevocationKind::parse(&kind)
                .ok_or_else(|| StoreError::Corrupt(format!("revocation kind {kind}")))?;
            out.push(RevocationRecord {
                kind,
                id: row.try_get("id")?,
                not_before: row.try_get("not_before")?,
                expires_at: row.try_get("expires_at")?,
                recorded_ms: row.try_get("recorded_at")?,
            });
        }
        Ok(out)
    }
}
