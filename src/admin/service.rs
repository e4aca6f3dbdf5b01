//! The admin service: every administrative action, whoever asks (the command line, and the
//! admin API and console), goes through here. It holds the durable store and the
//! lifecycle together, so an action takes effect on every instance at once, and each
//! change it makes writes exactly one audit event naming the actor, the address, the
//! action, the target and the changed fields (never a secret).

use std::sync::Arc;

use serde_json::{json, Value};

use super::PasswordHasher;
use super::{AdminError, ClientListing, CreatedClient, NewClientRequest, NewUserRequest};
use crate::domain::RedirectUri;
use crate::domain::Role;
use crate::domain::{NewPassword, TenantId, Username};
use crate::lifecycle::Lifecycle;
use crate::secret::{random_token, sha256_hex, Secret};
use crate::store::durable::{
    AdminEvent, ClientChange, ClientRecord, Durable, EventFilter, GrantRecord, TenantRecord,
    UserProfile, UserRecord, Versioned,
};

/// A change to a tenant: `None` leaves a field as it is; `domain_name: Some(None)`
/// removes the domain.
#[derive(Debug, Clone, Default)]
pub struct TenantUpdate {
    pub name: Option<String>,
    pub domain_name: Option<Option<String>>,
}

/// A change to a client registration: `None` leaves a field as it is.
#[derive(Debug, Clone, Default)]
pub struct ClientUpdate {
    pub name: Option<String>,
    pub redirect_uris: Option<Vec<RedirectUri>>,
    pub post_logout_uris: Option<Vec<RedirectUri>>,
    /// `Some(None)` removes the home URL.
    pub home_url: Option<Option<RedirectUri>>,
    pub id_token_alg: Option<String>,
    pub scopes: Option<Vec<String>>,
    /// Public (no secret, PKCE) or confidential; turning confidential issues a secret.
    pub public: Option<bool>,
}

/// A change to a user's profile: `None` leaves a field as it is.
#[derive(Debug, Clone, Default)]
pub struct UserUpdate {
    pub name: Option<String>,
    pub email: Option<String>,
    pub mobile: Option<String>,
    pub role: Option<Role>,
    pub org_code: Option<String>,
    pub org_name: Option<String>,
    pub project_name: Option<String>,
}

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
}

impl AdminService {
    pub fn new(durable: Durable, lifecycle: Arc<Lifecycle>, hasher: PasswordHasher) -> Self {
        Self {
            durable,
            lifecycle,
            hasher,
        }
    }

    pub fn durable(&self) -> &Durable {
        &self.durable
    }

    async fn record(
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

    pub async fn create_tenant(
        &self,
        actor: &Actor,
        id: &TenantId,
        name: &str,
        domain_name: Option<&str>,
    ) -> Result<(), AdminError> {
        self.durable
            .admin_create_tenant(id, name, domain_name)
            .await?;
        let changes = json!({"name": name.trim(), "domain_name": domain_name});
        self.record(actor, "tenant.created", id.as_str(), changes)
            .await
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
            Some(name) => super::users::tenant_name(name)?,
            None => current.name.clone(),
        };
        let domain_name = match &update.domain_name {
            Some(domain) => domain.clone(),
            None => current.domain_name.clone(),
        };
        super::users::check_domain(domain_name.as_deref())?;
        match self
            .durable
            .update_tenant(id, &name, domain_name.as_deref(), version)
            .await?
        {
            Versioned::Updated => {}
            Versioned::Stale => return Err(AdminError::Stale),
            Versioned::Missing => return Err(AdminError::NotFound(format!("no tenant {id}"))),
        }
        let mut changes = serde_json::Map::new();
        if name != current.name {
            changes.insert("name".into(), json!(name));
        }
        if domain_name != current.domain_name {
            changes.insert("domain_name".into(), json!(domain_name));
        }
        self.record(actor, "tenant.updated", id, Value::Object(changes))
            .await?;
        self.tenant(id).await
    }

    /// Creates a user; returns their id.
    pub async fn create_user(
        &self,
        actor: &Actor,
        request: NewUserRequest,
    ) -> Result<String, AdminError> {
        let changes = json!({
            "username": request.username.as_str(),
            "tenant": request.tenant.as_str(),
            "role": request.role.as_str(),
            "name": request.name,
            "email": request.email,
            "mobile": request.mobile,
            "org_code": request.org_code,
            "org_name": request.org_name,
            "project_name": request.project_name,
        });
        let id = self
            .durable
            .admin_create_user(&self.hasher, request)
            .await?;
        self.record(actor, "user.created", &id, changes).await?;
        Ok(id)
    }

    pub async fn user(&self, user_id: &str) -> Result<UserRecord, AdminError> {
        self.durable
            .find_user(user_id)
            .await?
            .ok_or_else(|| AdminError::NotFound(format!("no user {user_id}")))
    }

    /// Up to `limit` users after the id `after`, by id, matching `search` if not empty.
    pub async fn users(
        &self,
        search: &str,
        after: &str,
        limit: i64,
    ) -> Result<Vec<UserRecord>, AdminError> {
        Ok(self.durable.list_users(search, after, limit).await?)
    }

    /// Changes a user's profile fields and role, if the user is still at `version`.
    pub async fn update_user(
        &self,
        actor: &Actor,
        user_id: &str,
        update: UserUpdate,
        version: i64,
    ) -> Result<UserRecord, AdminError> {
        let current = self.user(user_id).await?;
        let mut changes = serde_json::Map::new();
        let mut field =
            |name: &str, new: Option<String>, old: &str| -> Result<String, AdminError> {
                let value = match new {
                    Some(value) => super::users::profile_field(name, Some(value))?,
                    None => old.to_owned(),
                };
                if value != old {
                    changes.insert(name.to_owned(), json!(value));
                }
                Ok(value)
            };
        let profile = UserProfile {
            name: field("name", update.name, &current.name)?,
            email: field("email", update.email, &current.email)?,
            mobile: field("mobile", update.mobile, &current.mobile)?,
            role: field(
                "role",
                update.role.map(|r| r.as_str().to_owned()),
                &current.role,
            )?,
            org_code: field("org_code", update.org_code, &current.org_code)?,
            org_name: field("org_name", update.org_name, &current.org_name)?,
            project_name: field("project_name", update.project_name, &current.project_name)?,
        };
        match self
            .durable
            .update_user_profile(user_id, &profile, version)
            .await?
        {
            Versioned::Updated => {}
            Versioned::Stale => return Err(AdminError::Stale),
            Versioned::Missing => return Err(AdminError::NotFound(format!("no user {user_id}"))),
        }
        self.record(actor, "user.updated", user_id, Value::Object(changes))
            .await?;
        self.user(user_id).await
    }

    /// Lets a disabled user sign in again (their old sessions and tokens stay dead).
    pub async fn enable_user(&self, actor: &Actor, user_id: &str) -> Result<(), AdminError> {
        let user = self.user(user_id).await?;
        if !self.durable.enable_user(&user.id).await? {
            return Err(AdminError::Conflict(format!(
                "{} is not disabled",
                user.username
            )));
        }
        self.record(actor, "user.enabled", user_id, json!({"disabled": false}))
            .await
    }

    /// The user's live grants (refresh-token families), newest first.
    pub async fn grants(&self, user_id: &str) -> Result<Vec<GrantRecord>, AdminError> {
        let user = self.user(user_id).await?;
        Ok(self.durable.grants_of_user(&user.id).await?)
    }

    /// Revokes one of the user's grants: its refresh tokens and access tokens end.
    pub async fn revoke_grant(
        &self,
        actor: &Actor,
        user_id: &str,
        grant_id: &str,
    ) -> Result<(), AdminError> {
        let grants = self.grants(user_id).await?;
        let Some(grant) = grants.iter().find(|g| g.id == grant_id) else {
            return Err(AdminError::NotFound(format!(
                "no live grant {grant_id} of this user"
            )));
        };
        self.lifecycle.revoke_grant(&grant.id).await?;
        let changes = json!({"grant": grant.id, "client_id": grant.client_id});
        self.record(actor, "user.grant_revoked", user_id, changes)
            .await
    }

    /// A new password; every session and token of the user issued before it ends.
    pub async fn set_password(
        &self,
        actor: &Actor,
        username: &Username,
        password: NewPassword,
    ) -> Result<(), AdminError> {
        let id = self
            .durable
            .admin_set_password(&self.lifecycle, &self.hasher, username, password)
            .await?;
        self.record(actor, "user.password_set", &id, json!({"password": "set"}))
            .await
    }

    /// No more sign-ins, and every session and token of the user ends.
    pub async fn disable_user(&self, actor: &Actor, username: &Username) -> Result<(), AdminError> {
        let id = self
            .durable
            .admin_disable_user(&self.lifecycle, username)
            .await?;
        self.record(actor, "user.disabled", &id, json!({"disabled": true}))
            .await
    }

    /// Grants (or revokes) platform administration: the admin API and the console.
    pub async fn set_platform_admin(
        &self,
        actor: &Actor,
        username: &Username,
        admin: bool,
    ) -> Result<(), AdminError> {
        let user = self
            .durable
            .find_user_by_username(username.as_str())
            .await?
            .ok_or_else(|| AdminError::NotFound(format!("no user {username}")))?;
        if !self.durable.set_platform_admin(&user.id, admin).await? {
            return Err(AdminError::Conflict(if admin {
                format!("{username} is already a platform administrator")
            } else {
                format!("{username} is not a platform administrator")
            }));
        }
        let action = if admin {
            "user.admin_granted"
        } else {
            "user.admin_revoked"
        };
        self.record(actor, action, &user.id, json!({"platform_admin": admin}))
            .await
    }

    /// Registers a client; the secret in the answer is shown this once.
    pub async fn create_client(
        &self,
        actor: &Actor,
        request: NewClientRequest,
    ) -> Result<CreatedClient, AdminError> {
        let mut changes = json!({
            "name": request.name.trim(),
            "redirect_uris": request.redirect_uris.iter().map(|u| u.as_str()).collect::<Vec<_>>(),
            "post_logout_uris": request.post_logout_uris.iter().map(|u| u.as_str()).collect::<Vec<_>>(),
            "home_url": request.home_url.as_ref().map(|u| u.as_str()),
            "public": request.public,
            "id_token_alg": request.id_token_alg,
            "scopes": request.scopes,
        });
        let created = self.durable.admin_create_client(request).await?;
        changes["app_id"] = json!(created.app_id);
        self.record(actor, "client.created", &created.client_id, changes)
            .await?;
        Ok(created)
    }

    pub async fn list_clients(&self) -> Result<Vec<ClientListing>, AdminError> {
        self.durable.admin_list_clients().await
    }

    pub async fn client(&self, client_id: &str) -> Result<ClientRecord, AdminError> {
        self.durable
            .find_client(client_id)
            .await?
            .ok_or_else(|| AdminError::NotFound(format!("no client {client_id}")))
    }

    /// Up to `limit` clients after the id `after`, by id.
    pub async fn clients(&self, after: &str, limit: i64) -> Result<Vec<ClientRecord>, AdminError> {
        Ok(self.durable.list_clients_after(after, limit).await?)
    }

    /// Changes a registration if it is still at `version`; a client made confidential
    /// gets a secret, returned this once.
    pub async fn update_client(
        &self,
        actor: &Actor,
        client_id: &str,
        update: ClientUpdate,
        version: i64,
    ) -> Result<(ClientRecord, Option<Secret>), AdminError> {
        let current = self.client(client_id).await?;
        let mut changes = serde_json::Map::new();
        let mut note = |field: &str, value: Value| {
            changes.insert(field.to_owned(), value);
        };
        let name = match update.name {
            Some(name) => super::clients::client_name(&name)?,
            None => current.name.clone(),
        };
        if name != current.name {
            note("name", json!(name));
        }
        let redirect_uris = match update.redirect_uris {
            Some(uris) if uris.is_empty() => {
                return Err(AdminError::Invalid(
                    "at least one redirect URI is required".into(),
                ))
            }
            Some(uris) => super::clients::dedup(uris),
            None => current.redirect_uris.clone(),
        };
        if redirect_uris != current.redirect_uris {
            note("redirect_uris", json!(redirect_uris));
        }
        let post_logout_uris = match update.post_logout_uris {
            Some(uris) => super::clients::dedup(uris),
            None => current.post_logout_uris.clone(),
        };
        if post_logout_uris != current.post_logout_uris {
            note("post_logout_uris", json!(post_logout_uris));
        }
        let home_url = match update.home_url {
            Some(url) => url.map(|u| u.as_str().to_owned()),
            None => current.home_url.clone(),
        };
        if home_url != current.home_url {
            note("home_url", json!(home_url));
        }
        let id_token_alg = match update.id_token_alg {
            Some(alg) => super::clients::id_token_alg(Some(&alg))?,
            None => current.id_token_alg.clone(),
        };
        if id_token_alg != current.id_token_alg {
            note("id_token_alg", json!(id_token_alg));
        }
        let scopes = match update.scopes {
            Some(scopes) => self.durable.registered_scopes(scopes).await?,
            None => current.scopes.clone(),
        };
        if scopes != current.scopes {
            note("scopes", json!(scopes));
        }
        let (secret_hash, secret) = match update.public {
            Some(true) if !current.is_public() => {
                note("public", json!(true));
                (None, None)
            }
            Some(false) if current.is_public() => {
                note("public", json!(false));
                let secret = Secret::new(random_token());
                (Some(sha256_hex(secret.expose())), Some(secret))
            }
            _ => (current.secret_hash.clone(), None),
        };
        let change = ClientChange {
            name,
            secret_hash,
            redirect_uris,
            post_logout_uris,
            home_url,
            id_token_alg,
            scopes,
        };
        match self
            .durable
            .update_client(client_id, &change, version)
            .await?
        {
            Versioned::Updated => {}
            Versioned::Stale => return Err(AdminError::Stale),
            Versioned::Missing => {
                return Err(AdminError::NotFound(format!("no client {client_id}")))
            }
        }
        self.lifecycle.client_changed(client_id).await?;
        self.record(actor, "client.updated", client_id, Value::Object(changes))
            .await?;
        Ok((self.client(client_id).await?, secret))
    }

    /// Replaces the API scopes a client may request.
    pub async fn set_client_scopes(
        &self,
        actor: &Actor,
        client_id: &str,
        scopes: Vec<String>,
    ) -> Result<(), AdminError> {
        let stored = self
            .durable
            .admin_set_client_scopes(client_id, scopes)
            .await?;
        self.lifecycle.client_changed(client_id).await?;
        self.record(
            actor,
            "client.updated",
            client_id,
            json!({"scopes": stored}),
        )
        .await
    }

    /// A new secret, shown this once; with `revoke_tokens`, everything issued before ends.
    pub async fn rotate_secret(
        &self,
        actor: &Actor,
        client_id: &str,
        revoke_tokens: bool,
    ) -> Result<CreatedClient, AdminError> {
        let rotated = self
            .durable
            .admin_rotate_secret(&self.lifecycle, client_id, revoke_tokens)
            .await?;
        let changes = json!({"secret": "rotated", "tokens_revoked": revoke_tokens});
        self.record(actor, "client.secret_rotated", client_id, changes)
            .await?;
        Ok(rotated)
    }

    /// Deletes a client; every code and token ever issued to it stops working at once.
    pub async fn delete_client(&self, actor: &Actor, client_id: &str) -> Result<(), AdminError> {
        self.durable
            .admin_delete_client(&self.lifecycle, client_id)
            .await?;
        self.record(actor, "client.deleted", client_id, json!({}))
            .await
    }

    /// Registers a resource server and the API scopes it defines.
    pub async fn create_resource_server(
        &self,
        actor: &Actor,
        identifier: &str,
        name: &str,
        scopes: Vec<String>,
    ) -> Result<(), AdminError> {
        let changes = json!({"name": name.trim(), "scopes": scopes});
        self.durable
            .admin_create_resource_server(identifier, name, scopes)
            .await?;
        self.record(actor, "resource_server.created", identifier, changes)
            .await
    }
}
