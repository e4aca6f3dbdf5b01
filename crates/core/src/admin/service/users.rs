//! Users: create, read, search, profile and role, disable and enable, passwords,
//! platform administration, grants.

use serde_json::json;

use super::{Actor, AdminService};
use crate::admin::{AdminError, NewUserRequest};
use crate::domain::{NewPassword, Role, TenantId, Username};
use crate::secret::{random_token, sha256_hex, Secret};
use crate::store::durable::{GrantRecord, SessionRecord, UserProfile, UserRecord, Versioned};

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

impl AdminService {
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
        self.existing_tenant(&request.tenant).await?;
        let id = crate::admin::create_user(&self.durable, &self.hasher, request).await?;
        self.record(actor, "user.created", &id, changes).await?;
        Ok(id)
    }

    /// A user joins a tenant that exists: a mistyped tenant is refused, never made on the
    /// way (creating a tenant is its own action, with its own audit event).
    async fn existing_tenant(&self, tenant: &TenantId) -> Result<(), AdminError> {
        match self.durable.find_tenant(tenant.as_str()).await? {
            Some(_) => Ok(()),
            None => Err(AdminError::Invalid(format!(
                "tenant {tenant} does not exist: create it first"
            ))),
        }
    }

    pub async fn user_by_username(&self, username: &str) -> Result<UserRecord, AdminError> {
        self.durable
            .find_user_by_username(username)
            .await?
            .ok_or_else(|| AdminError::NotFound(format!("no user {username}")))
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
        let mut changes = super::Changes::default();
        let mut field =
            |name: &str, new: Option<String>, old: &str| -> Result<String, AdminError> {
                let value = match new {
                    Some(value) => crate::admin::users::profile_field(name, Some(value))?,
                    None => old.to_owned(),
                };
                changes.note(name, &old, &value.as_str());
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
        self.record(actor, "user.updated", user_id, changes.into_value())
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
        let id = crate::admin::set_password(
            &self.durable,
            &self.lifecycle,
            &self.hasher,
            username,
            password,
        )
        .await?;
        self.record(actor, "user.password_set", &id, json!({"password": "set"}))
            .await
    }

    /// No more sign-ins, and every session and token of the user ends.
    pub async fn disable_user(&self, actor: &Actor, username: &Username) -> Result<(), AdminError> {
        let id = crate::admin::disable_user(&self.durable, &self.lifecycle, username).await?;
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

    /// The user's browser sessions that have neither ended nor expired, newest first.
    pub async fn sessions(&self, user_id: &str) -> Result<Vec<SessionRecord>, AdminError> {
        let user = self.user(user_id).await?;
        Ok(self.durable.live_sessions_of_user(&user.id).await?)
    }

    /// Ends one of the user's sessions, and every token it produced.
    pub async fn end_session(
        &self,
        actor: &Actor,
        user_id: &str,
        sid: &str,
    ) -> Result<(), AdminError> {
        let sessions = self.sessions(user_id).await?;
        if !sessions.iter().any(|s| s.sid == sid) {
            return Err(AdminError::NotFound(format!(
                "no live session {sid} of this user"
            )));
        }
        self.lifecycle.revoke_session(sid).await?;
        self.record(
            actor,
            "user.session_ended",
            user_id,
            json!({"session": sid}),
        )
        .await
    }

    /// Ends every session of the user, and every token issued to them until now.
    pub async fn end_sessions(&self, actor: &Actor, user_id: &str) -> Result<(), AdminError> {
        let user = self.user(user_id).await?;
        self.lifecycle.end_user(&user.id).await?;
        self.record(
            actor,
            "user.sessions_ended",
            user_id,
            json!({"sessions": "all"}),
        )
        .await
    }

    /// Creates a user without a password they know, and a one-time link to set one
    /// (valid `PASSWORD_LINK_HOURS`); returns the id and the link's token, shown once.
    pub async fn create_user_with_link(
        &self,
        actor: &Actor,
        mut request: NewUserRequest,
    ) -> Result<(String, Secret), AdminError> {
        // Nobody ever learns this password: the user sets theirs through the link.
        request.password = NewPassword::parse(&format!("{}-1", random_token()))?;
        let changes = json!({
            "username": request.username.as_str(),
            "tenant": request.tenant.as_str(),
            "role": request.role.as_str(),
            "password": "one-time link",
        });
        self.existing_tenant(&request.tenant).await?;
        let id = crate::admin::create_user(&self.durable, &self.hasher, request).await?;
        let token = Secret::new(random_token());
        let expires = self.durable.clock().now_unix() + PASSWORD_LINK_HOURS * 3600;
        self.durable
            .create_password_link(&sha256_hex(token.expose()), &id, expires)
            .await?;
        self.record(actor, "user.created", &id, changes).await?;
        Ok((id, token))
    }

    /// The user a set-password link is for, while it is good.
    pub async fn password_link_user(&self, token: &str) -> Result<Option<UserRecord>, AdminError> {
        let Some(user_id) = self.durable.password_link_user(&sha256_hex(token)).await? else {
            return Ok(None);
        };
        Ok(self.durable.find_user(&user_id).await?)
    }

    /// Sets the password through a one-time link, which is spent; the user is the actor.
    pub async fn complete_password_link(
        &self,
        token: &str,
        password: NewPassword,
        address: &str,
    ) -> Result<(), AdminError> {
        let user = self
            .password_link_user(token)
            .await?
            .ok_or_else(|| AdminError::NotFound("this link has expired or was used".into()))?;
        if !self.durable.spend_password_link(&sha256_hex(token)).await? {
            return Err(AdminError::NotFound(
                "this link has expired or was used".into(),
            ));
        }
        let username = Username::parse(&user.username)?;
        crate::admin::set_password(
            &self.durable,
            &self.lifecycle,
            &self.hasher,
            &username,
            password,
        )
        .await?;
        let actor = Actor::user(&user.id, address);
        self.record(
            &actor,
            "user.password_set",
            &user.id,
            json!({"password": "set through the one-time link"}),
        )
        .await
    }
}

/// How long a set-password link stays good.
pub const PASSWORD_LINK_HOURS: i64 = 72;
