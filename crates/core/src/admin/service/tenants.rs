//! Tenants: create, read, list, rename.

use serde_json::json;

use super::{Actor, AdminService};
use crate::admin::AdminError;
use crate::domain::TenantId;
use crate::store::durable::{TenantRecord, Versioned};

/// A change to a tenant: `None` leaves a field as it is; `domain_name: Some(None)`
/// removes the domain.
#[derive(Debug, Clone, Default)]
pub struct TenantUpdate {
    pub name: Option<String>,
    pub domain_name: Option<Option<String>>,
}

impl AdminService {
    pub async fn create_tenant(
        &self,
        actor: &Actor,
        id: &TenantId,
        name: &str,
        domain_name: Option<&str>,
    ) -> Result<(), AdminError> {
        crate::admin::create_tenant(&self.durable, id, name, domain_name).await?;
        let changes = json!({"name": name.trim(), "domain_name": domain_name});
        self.record(actor, "tenant.created", id.as_str(), changes)
            .await
    }

    pub async fn tenant(&self, id: &str) -> Result<TenantRecord, AdminError> {
        self.durable
            .find_tenant(id)
            .await?
            .ok_or_else(|| AdminError::NotFound(format!("no tenant {id}")))
    }

    /// Up to `limit` tenants after the id `after`, by id.
    pub async fn tenants(&self, after: &str, limit: i64) -> Result<Vec<TenantRecord>, AdminError> {
        Ok(self.durable.list_tenants(after, limit).await?)
    }

    /// Renames a tenant or changes its domain, if it is still at `version`.
    pub async fn update_tenant(
        &self,
        actor: &Actor,
        id: &str,
        update: TenantUpdate,
        version: i64,
    ) -> Result<TenantRecord, AdminError> {
        let current = self.tenant(id).await?;
        let name = match &update.name {
            Some(name) => crate::admin::users::tenant_name(name)?,
            None => current.name.clone(),
        };
        let domain_name = match &update.domain_name {
            Some(domain) => domain.clone(),
            None => current.domain_name.clone(),
        };
        crate::admin::users::check_domain(domain_name.as_deref())?;
        match self
            .durable
            .update_tenant(id, &name, domain_name.as_deref(), version)
            .await?
        {
            Versioned::Updated => {}
            Versioned::Stale => return Err(AdminError::Stale),
            Versioned::Missing => return Err(AdminError::NotFound(format!("no tenant {id}"))),
        }
        let mut changes = super::Changes::default();
        changes.note("name", &current.name, &name);
        changes.note("domain_name", &current.domain_name, &domain_name);
        self.record(actor, "tenant.updated", id, changes.into_value())
            .await?;
        self.tenant(id).await
    }
}
