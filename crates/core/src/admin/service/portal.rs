//! Joint-operation apps at the portal and their per-tenant registrations (the kit's
//! instances): registering an app, a registration bound to one buyer tenant (its secret
//! returned once, for delivery to the seller), enabling and disabling it, and the users
//! of that tenant it signs in.

use serde_json::json;

use super::{Actor, AdminService};
use crate::admin::{AdminError, CreatedClient, NewClientRequest};
use crate::domain::{RedirectUri, TenantId};
use crate::store::durable::{ClientRecord, PortalAppRecord};

/// A user's role in a joint-operation app (the kit's user-authorization sync).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AppRole {
    Admin,
    User,
}

impl AppRole {
    pub fn parse(raw: &str) -> Option<Self> {
        match raw {
            "admin" => Some(Self::Admin),
            "user" => Some(Self::User),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Admin => "admin",
            Self::User => "user",
        }
    }
}

impl AdminService {
    /// Registers a joint-operation app at the portal, or renames it and moves its home.
    pub async fn register_portal_app(
        &self,
        actor: &Actor,
        app_id: &str,
        name: &str,
        home_url: &RedirectUri,
    ) -> Result<(), AdminError> {
        let name = crate::admin::clients::client_name(name)?;
        if app_id.is_empty()
            || app_id.len() > 64
            || !app_id
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_'))
        {
            return Err(AdminError::Invalid(
                "an app id is 1 to 64 letters, digits, - or _".into(),
            ));
        }
        if self.durable.find_client_by_app_id(app_id).await?.is_some() {
            return Err(AdminError::Conflict(format!(
                "app id {app_id} belongs to a client registration"
            )));
        }
        let app = PortalAppRecord {
            app_id: app_id.to_owned(),
            name: name.clone(),
            home_url: home_url.as_str().to_owned(),
        };
        self.durable.upsert_portal_app(&app).await?;
        let changes = json!({"name": name, "home_url": home_url.as_str()});
        self.record(actor, "portal_app.registered", app_id, changes)
            .await
    }

    /// A confidential registration that signs in only `tenant`'s authorized users to the
    /// portal app `app_id`; the secret is in the answer only.
    pub async fn create_tenant_client(
        &self,
        actor: &Actor,
        app_id: &str,
        tenant: &TenantId,
        request: NewClientRequest,
    ) -> Result<CreatedClient, AdminError> {
        if self.durable.portal_app(app_id).await?.is_none() {
            return Err(AdminError::NotFound(format!("no portal app {app_id}")));
        }
        if request.public {
            return Err(AdminError::Invalid(
                "a tenant's registration is confidential: its secret goes to the seller".into(),
            ));
        }
        let created = crate::admin::create_client(&self.durable, request).await?;
        self.durable
            .bind_client(&created.client_id, app_id, tenant.as_str())
            .await?;
        let changes = json!({"portal_app_id": app_id, "tenant": tenant.as_str()});
        self.record(actor, "client.created", &created.client_id, changes)
            .await?;
        Ok(created)
    }

    /// `create_tenant_client` under a fixed id, safe to repeat: when the registration
    /// exists (an earlier attempt was cut off before its secret was delivered), it is
    /// bound, enabled and given a new secret, everything issued before ending.
    pub async fn open_tenant_client(
        &self,
        actor: &Actor,
        app_id: &str,
        tenant: &TenantId,
        request: NewClientRequest,
    ) -> Result<CreatedClient, AdminError> {
        let client_id = request
            .client_id
            .clone()
            .ok_or_else(|| AdminError::Invalid("a fixed client id is needed".into()))?;
        let Some(existing) = self.durable.find_client(&client_id).await? else {
            return self
                .create_tenant_client(actor, app_id, tenant, request)
                .await;
        };
        if existing.tenant_id.is_empty() {
            self.durable
                .bind_client(&client_id, app_id, tenant.as_str())
                .await?;
        } else if existing.tenant_id != tenant.as_str() || existing.portal_app_id != app_id {
            return Err(AdminError::Conflict(format!(
                "client {client_id} belongs to another app or tenant"
            )));
        }
        self.set_client_enabled(actor, &client_id, true).await?;
        let rotation = crate::admin::SecretRotation {
            revoke_tokens: true,
            grace_seconds: None,
        };
        self.rotate_secret(actor, &client_id, rotation).await
    }

    fn tenant_bound(client: &ClientRecord) -> Result<(), AdminError> {
        if client.tenant_id.is_empty() {
            return Err(AdminError::Invalid(format!(
                "client {} is not bound to a tenant",
                client.client_id
            )));
        }
        Ok(())
    }

    /// Disabling signs nobody in through the registration and ends every code and token
    /// it issued, on every instance at once; enabling lets new sign-ins through again.
    pub async fn set_client_enabled(
        &self,
        actor: &Actor,
        client_id: &str,
        enabled: bool,
    ) -> Result<(), AdminError> {
        let client = self.client(client_id).await?;
        if client.disabled != enabled {
            return Ok(());
        }
        self.durable
            .set_client_disabled(client_id, !enabled)
            .await?;
        if !enabled {
            self.lifecycle.end_client(client_id, None).await?;
        }
        self.lifecycle.client_changed(client_id).await?;
        let action = if enabled {
            "client.enabled"
        } else {
            "client.disabled"
        };
        self.record(actor, action, client_id, json!({"disabled": !enabled}))
            .await
    }

    /// The users authorized for a registration and their roles (`admin`, `user`).
    pub async fn client_users(&self, client_id: &str) -> Result<Vec<(String, String)>, AdminError> {
        Ok(self.durable.client_users(client_id).await?)
    }

    /// Authorizes a user of the registration's tenant for it (or changes their role).
    pub async fn authorize_client_user(
        &self,
        actor: &Actor,
        client_id: &str,
        user_id: &str,
        role: AppRole,
    ) -> Result<(), AdminError> {
        let client = self.client(client_id).await?;
        Self::tenant_bound(&client)?;
        let user = self.user(user_id).await?;
        if user.tenant_id != client.tenant_id {
            return Err(AdminError::Invalid(format!(
                "user {user_id} is not of tenant {}",
                client.tenant_id
            )));
        }
        self.durable
            .grant_client_user(client_id, user_id, role.as_str())
            .await?;
        let changes = json!({"user": user_id, "role": role.as_str()});
        self.record(actor, "client.user_authorized", client_id, changes)
            .await
    }

    /// Takes a user's authorization away; their grants for the registration end at once.
    pub async fn revoke_client_user(
        &self,
        actor: &Actor,
        client_id: &str,
        user_id: &str,
    ) -> Result<(), AdminError> {
        let client = self.client(client_id).await?;
        Self::tenant_bound(&client)?;
        if !self.durable.revoke_client_user(client_id, user_id).await? {
            return Err(AdminError::NotFound(format!(
                "user {user_id} is not authorized for {client_id}"
            )));
        }
        for grant in self.durable.grants_of_user(user_id).await? {
            if grant.client_id == client_id {
                self.lifecycle.revoke_grant(&grant.id).await?;
            }
        }
        self.record(
            actor,
            "client.user_revoked",
            client_id,
            json!({"user": user_id}),
        )
        .await
    }
}
