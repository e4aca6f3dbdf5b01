//! Audit trail of security-relevant events (logins, logouts, token abuse, admin changes).

use super::Durable;
use crate::secret::random_id;
use crate::store::StoreError;

impl Durable {
    /// Appends one event. `detail` must never contain a secret.
    pub async fn audit(
        &self,
        kind: &str,
        subject: &str,
        client_id: &str,
        detail: &str,
    ) -> Result<(), StoreError> {
        let _timer = crate::telemetry::registry().round_trip("durable", "audit");
        sqlx::query(
            "INSERT INTO audit_events (id, at, kind, subject, client_id, detail) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(random_id(24))
        .bind(self.now())
        .bind(kind)
        .bind(subject)
        .bind(client_id)
        .bind(detail)
        .execute(self.pool())
        .await?;
        Ok(())
    }
}
