//! Audit trail of security-relevant events (logins, logouts, token abuse, admin changes).

use super::Durable;
use crate::secret::random_id;
use crate::store::{now_unix, StoreError};

impl Durable {
    /// Appends one event. `detail` must never contain a secret.
    pub async fn audit(
        &self,
        kind: &str,
        subject: &str,
        client_id: &str,
        detail: &str,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO audit_events (id, at, kind, subject, client_id, detail) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(random_id(24))
        .bind(now_unix())
        .bind(kind)
        .bind(subject)
        .bind(client_id)
        .bind(detail)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// The newest `limit` event kinds with their subjects, newest first (for operators and tests).
    pub async fn recent_audit(&self, limit: i64) -> Result<Vec<(String, String)>, StoreError> {
        use sqlx::Row;
        let rows =
            sqlx::query("SELECT kind, subject FROM audit_events ORDER BY at DESC, id LIMIT $1")
                .bind(limit)
                .fetch_all(self.pool())
                .await?;
        rows.iter()
            .map(|r| Ok((r.try_get("kind")?, r.try_get("subject")?)))
            .collect::<Result<_, sqlx::Error>>()
            .map_err(StoreError::from)
    }
}
