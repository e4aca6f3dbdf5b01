//! Audit trail of security-relevant events (logins, logouts, token abuse, admin changes).

use sqlx::Row;

use super::Durable;
use crate::secret::random_id;
use crate::store::StoreError;

/// One administrative change: who (`actor`), from where (`address`), what (`action`) on
/// which `target`, and the changed fields (`changes`, JSON, never a secret).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AdminEvent {
    /// Time-ordered: a later event has a greater id.
    pub id: String,
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

    pub(super) async fn insert_audit(
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
            "SELECT id, at, actor, address, kind, subject, detail FROM audit_events \
             WHERE actor <> '' AND ($1 = '' OR subject = $1) ORDER BY id",
        )
        .bind(target)
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(event_of).collect()
    }

    /// Administrative events matching `filter`, newest first, up to `limit`, older than
    /// the id `before` when it is not empty.
    pub async fn search_admin_events(
        &self,
        filter: &EventFilter,
        before: &str,
        limit: i64,
    ) -> Result<Vec<AdminEvent>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, at, actor, address, kind, subject, detail FROM audit_events \
             WHERE actor <> '' AND ($1 = '' OR id < $1) AND ($2 = '' OR actor = $2) \
             AND ($3 = '' OR kind = $3) AND ($4 = '' OR subject = $4) \
             AND at >= $5 AND at <= $6 ORDER BY id DESC LIMIT $7",
        )
        .bind(before)
        .bind(&filter.actor)
        .bind(&filter.action)
        .bind(&filter.target)
        .bind(filter.from)
        .bind(filter.to)
        .bind(limit)
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(event_of).collect()
    }
}

/// What to look for in the audit trail; empty strings match everything.
#[derive(Debug, Clone, Default)]
pub struct EventFilter {
    pub actor: String,
    pub action: String,
    pub target: String,
    /// Unix seconds, inclusive.
    pub from: i64,
    pub to: i64,
}

impl EventFilter {
    /// Every event, at any time.
    pub fn everything() -> Self {
        Self {
            to: i64::MAX,
            ..Self::default()
        }
    }
}

fn event_of(row: &sqlx::any::AnyRow) -> Result<AdminEvent, StoreError> {
    let field = |name: &str| row.try_get::<String, _>(name).map_err(StoreError::from);
    Ok(AdminEvent {
        id: field("id")?,
        at: row.try_get("at").map_err(StoreError::from)?,
        actor: field("actor")?,
        address: field("address")?,
        action: field("kind")?,
        target: field("subject")?,
        changes: field("detail")?,
    })
}
