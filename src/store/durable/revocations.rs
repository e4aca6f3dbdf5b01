//! Durable record of revoked sessions and grants, so a restart of the ephemeral store
//! cannot bring a revoked access token back to life.

use sqlx::Row;

use super::Durable;
use crate::store::{now_unix, StoreError};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RevocationKind {
    Session,
    Grant,
}

impl RevocationKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Session => "session",
            Self::Grant => "grant",
        }
    }

    fn parse(raw: &str) -> Option<Self> {
        match raw {
            "session" => Some(Self::Session),
            "grant" => Some(Self::Grant),
            _ => None,
        }
    }
}

impl Durable {
    pub async fn record_revocation(
        &self,
        kind: RevocationKind,
        id: &str,
        expires_at: i64,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO revocations (kind, id, expires_at) VALUES ($1, $2, $3) \
             ON CONFLICT (kind, id) DO UPDATE SET expires_at = excluded.expires_at",
        )
        .bind(kind.as_str())
        .bind(id)
        .bind(expires_at)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// Revocations that still matter, after dropping the expired ones.
    pub async fn live_revocations(&self) -> Result<Vec<(RevocationKind, String, i64)>, StoreError> {
        let now = now_unix();
        sqlx::query("DELETE FROM revocations WHERE expires_at <= $1")
            .bind(now)
            .execute(self.pool())
            .await?;
        let rows = sqlx::query("SELECT kind, id, expires_at FROM revocations")
            .fetch_all(self.pool())
            .await?;
        let mut out = Vec::with_capacity(rows.len());
        for row in rows {
            let kind: String = row.try_get("kind")?;
            let kind = RevocationKind::parse(&kind)
                .ok_or_else(|| StoreError::Corrupt(format!("revocation kind {kind}")))?;
            out.push((kind, row.try_get("id")?, row.try_get("expires_at")?));
        }
        Ok(out)
    }
}
