//! Audit trail of security-relevant events (logins, logouts, token abuse, admin changes).

use sqlx::Row;

use super::Durable;
use crate::secret::random_id;
use crate::store::StoreError;

/// One administrative change: who (`actor`), from where (`address`), what (`action`) on
/// which `target`, and the changed fields (`changes`, JSON, never a secret).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AdminEvent {
    pub at: i64,
    pub actor: String,
    pub address: String,
    pub action: String,
    pub target: String,
    pub changes: String,
}

impl Durable {
    /// Appends one event. `detail` must never contain a secret.
    pub async fn audit(
        &self,
        kind: &str,
        subject: &str,
        client_id: &str,
        detail: &str,
    ) -> Result<(), StoreError> {
        self.insert_audit("", "", kind, subject, client_id, detail)
            .await
    }

    /// Appends one administrative event (its `at` is now).
    pub async fn audit_admin(&self, event: &AdminEvent) -> Result<(), StoreError> {
        self.insert_audit(
            &event.actor,
            &event.address,
            &event.action,
            &event.target,
            "",
            &event.changes,
        )
        .await
    }

    async fn insert_audit(
        &self,
        actor: &str,
        address: &str,
        kind: &str,
        subject: &str,
        client_id: &str,
        detail: &str,
    ) -> Result<(), StoreError> {
        let _timer = crate::telemetry::registry().round_trip("durable", "audit");
        sqlx::query(
            "INSERT INTO audit_events (id, at, kind, subject, client_id, detail, actor, address) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        // Time-ordered ids: events of one second list in the order they happened.
        .bind(format!(
            "{:012x}{}",
            self.clock().now_millis(),
            random_id(12)
        ))
        .bind(self.now())
        .bind(kind)
        .bind(subject)
        .bind(client_id)
        .bind(detail)
        .bind(actor)
        .bind(address)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// The administrative events about `target` (every target when empty), oldest first.
    pub async fn admin_events(&self, target: &str) -> Result<Vec<AdminEvent>, StoreError> {
        let rows = sqlx::query(
            "SELECT at, actor, address, kind, subject, detail FROM audit_events \
             WHERE actor <> '' AND ($1 = '' OR subject = $1) ORDER BY at, id",
        )
        .bind(target)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|row| {
                Ok(AdminEvent {
                    at: row.try_get("at")?,
                    actor: row.try_get("actor")?,
                    address: row.try_get("address")?,
                    action: row.try_get("kind")?,
                    target: row.try_get("subject")?,
                    changes: row.try_get("detail")?,
                })
            })
            .collect::<Result<_, sqlx::Error>>()
            .map_err(StoreError::from)
    }
}
