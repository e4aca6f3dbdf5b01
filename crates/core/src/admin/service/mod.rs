//! The admin service: every administrative action, whoever asks (the command line, and the
//! admin API and console), goes through here. It holds the durable store and the
//! lifecycle together, so an action takes effect on every instance at once, and each
//! change it makes writes exactly one audit event naming the actor, the address, the
//! action, the target and the changed fields (never a secret).

use std::sync::Arc;

mod clients;
mod keys;
mod market_roles;
mod portal;
mod tenants;
mod users;

pub use clients::ClientUpdate;
pub use market_roles::{MarketRoles, MarketStanding};
pub use portal::AppRole;
pub use tenants::TenantUpdate;
pub use users::UserUpdate;

use serde_json::Value;

use super::{AdminError, PasswordHasher};
use crate::lifecycle::Lifecycle;
use crate::store::durable::{AdminEvent, Counts, Durable, EventFilter, UserRecord};

/// Who asks, and from where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    /// `cli:<os user>`, `user:<id>` or `client:<id>`.
    pub id: String,
    /// The peer address; `local` for the command line.
    pub address: String,
}

impl Actor {
    /// The command line on this machine, named by the operating-system user running it.
    pub fn command_line() -> Self {
        let user = std::env::var("USER")
            .or_else(|_| std::env::var("LOGNAME"))
            .unwrap_or_else(|_| "unknown".into());
        Self {
            id: format!("cli:{user}"),
            address: "local".into(),
        }
    }

    /// unilogin itself (the console's own registration at start).
    pub fn system() -> Self {
        Self {
            id: "system".into(),
            address: "local".into(),
        }
    }

    pub fn user(user_id: &str, address: &str) -> Self {
        Self {
            id: format!("user:{user_id}"),
            address: address.to_owned(),
        }
    }

    pub fn client(client_id: &str, address: &str) -> Self {
        Self {
            id: format!("client:{client_id}"),
            address: address.to_owned(),
        }
    }
}

pub struct AdminService {
    durable: Durable,
    lifecycle: Arc<Lifecycle>,
    hasher: PasswordHasher,
    pub(super) keys: Option<super::keys::KeyAdmin>,
    market: Option<Arc<dyn MarketRoles>>,
}

impl AdminService {
    pub fn new(durable: Durable, lifecycle: Arc<Lifecycle>, hasher: PasswordHasher) -> Self {
        Self {
            durable,
            lifecycle,
            hasher,
            keys: None,
            market: None,
        }
    }

    /// With signing-key management (list, rotate).
    pub fn with_keys(mut self, keys: super::keys::KeyAdmin) -> Self {
        self.keys = Some(keys);
        self
    }

    pub fn durable(&self) -> &Durable {
        &self.durable
    }

    /// The user, if they are an enabled platform administrator (checked on every request
    /// of the admin API and the console, so that a revoked administrator stops at once).
    pub async fn platform_admin(&self, user_id: &str) -> Result<Option<UserRecord>, AdminError> {
        Ok(self
            .durable
            .find_user(user_id)
            .await?
            .filter(|u| u.platform_admin && !u.disabled))
    }

    /// How many tenants, users and clients there are.
    pub async fn counts(&self) -> Result<Counts, AdminError> {
        Ok(self.durable.counts().await?)
    }

    pub(super) async fn record(
        &self,
        actor: &Actor,
        action: &str,
        target: &str,
        changes: Value,
    ) -> Result<(), AdminError> {
        let event = AdminEvent {
            id: String::new(),
            at: 0,
            actor: actor.id.clone(),
            address: actor.address.clone(),
            action: action.to_owned(),
            target: target.to_owned(),
            changes: changes.to_string(),
        };
        self.durable.audit_admin(&event).await?;
        Ok(())
    }

    /// The audit trail's administrative events matching `filter`, newest first.
    pub async fn events(
        &self,
        filter: &EventFilter,
        before: &str,
        limit: i64,
    ) -> Result<Vec<AdminEvent>, AdminError> {
        Ok(self
            .durable
            .search_admin_events(filter, before, limit)
            .await?)
    }

    /// Up to `EXPORT_LIMIT` events matching `filter`, newest first, as CSV.
    pub async fn export_events(&self, filter: &EventFilter) -> Result<String, AdminError> {
        let events = self
            .durable
            .search_admin_events(filter, "", super::audit_csv::EXPORT_LIMIT)
            .await?;
        Ok(super::events_csv(&events))
    }
}

/// The fields an update changed, as the audit trail keeps them: each with what it was
/// and what it became (`{"field": {"from": …, "to": …}}`), so the trail reads as a
/// before/after table.
#[derive(Default)]
pub(super) struct Changes(serde_json::Map<String, Value>);

impl Changes {
    /// Notes `field` if `to` differs from `from`.
    pub(super) fn note<T: serde::Serialize + PartialEq>(&mut self, field: &str, from: &T, to: &T) {
        if from != to {
            self.0.insert(
                field.to_owned(),
                serde_json::json!({"from": from, "to": to}),
            );
        }
    }

    pub(super) fn into_value(self) -> Value {
        Value::Object(self.0)
    }
}
