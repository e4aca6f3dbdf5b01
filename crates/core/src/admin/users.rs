//! Tenants and users.

use super::{new_uuid, AdminError, PasswordHasher};
use crate::domain::{NewPassword, Role, TenantId, Username};
use crate::lifecycle::Lifecycle;
use crate::store::durable::{Durable, NewUser};
use crate::store::StoreError;

#[derive(Debug, Clone)]
pub struct NewUserRequest {
    pub username: Username,
    pub tenant: TenantId,
    pub password: NewPassword,
    pub name: Option<String>,
    pub email: Option<String>,
    pub mobile: Option<String>,
    pub role: Role,
    pub org_code: Option<String>,
    pub org_name: Option<String>,
    pub project_name: Option<String>,
}

/// Profile fields are free text but bounded, and never carry control characters.
pub(crate) fn profile_field(what: &str, value: Option<String>) -> Result<String, AdminError> {
    let value = value.unwrap_or_default();
    if value.chars().count() > 256 {
        return Err(AdminError::Invalid(format!(
            "{what} must be at most 256 characters"
        )));
    }
    if value.chars().any(char::is_control) {
        return Err(AdminError::Invalid(format!(
            "{what} must not contain control characters"
        )));
    }
    Ok(value)
}

pub fn tenant_name(name: &str) -> Result<String, AdminError> {
    let name = profile_field("name", Some(name.to_owned()))?;
    if name.trim().is_empty() {
        return Err(AdminError::Invalid("tenant name must not be empty".into()));
    }
    Ok(name)
}

pub fn check_domain(domain_name: Option<&str>) -> Result<(), AdminError> {
    if let Some(domain) = domain_name {
        url::Url::parse(domain)
            .ok()
            .filter(|u| matches!(u.scheme(), "http" | "https"))
            .ok_or_else(|| AdminError::Invalid("domain name must be an http(s) URL".into()))?;
    }
    Ok(())
}

pub async fn create_tenant(
    durable: &Durable,
    id: &TenantId,
    name: &str,
    domain_name: Option<&str>,
) -> Result<(), AdminError> {
    let name = tenant_name(name)?;
    check_domain(domain_name)?;
    match durable.create_tenant(id, &name, domain_name).await {
        Err(StoreError::Conflict) => {
            Err(AdminError::Conflict(format!("tenant {id} already exists")))
        }
        other => Ok(other?),
    }
}

/// Creates a user in `request.tenant`, which the caller has made sure exists; returns the
/// user id.
pub async fn create_user(
    durable: &Durable,
    hasher: &PasswordHasher,
    request: NewUserRequest,
) -> Result<String, AdminError> {
    let user = NewUser {
        id: new_uuid(),
        username: request.username.as_str().to_owned(),
        tenant_id: request.tenant.as_str().to_owned(),
        password_hash: String::new(),
        name: profile_field("name", request.name)?,
        email: profile_field("email", request.email)?,
        mobile: profile_field("mobile", request.mobile)?,
        role: request.role.as_str().to_owned(),
        org_code: profile_field("org code", request.org_code)?,
        org_name: profile_field("org name", request.org_name)?,
        project_name: profile_field("project name", request.project_name)?,
    };
    if durable
        .find_user_by_username(&user.username)
        .await?
        .is_some()
    {
        return Err(AdminError::Conflict(format!(
            "username {} is taken",
            user.username
        )));
    }
    let password_hash = hash_off_thread(hasher, request.password).await?;
    let user = NewUser {
        password_hash,
        ..user
    };
    match durable.insert_user(&user).await {
        Err(StoreError::Conflict) => Err(AdminError::Conflict(format!(
            "username {} is taken",
            user.username
        ))),
        other => other.map(|_| user.id).map_err(AdminError::from),
    }
}

/// Sets a new password (returns the user's id) and ends every session and token of the user issued before it
/// (through `lifecycle`, so every instance refuses them at once).
pub async fn set_password(
    durable: &Durable,
    lifecycle: &Lifecycle,
    hasher: &PasswordHasher,
    username: &Username,
    password: NewPassword,
) -> Result<String, AdminError> {
    let user = durable
        .find_user_by_username(username.as_str())
        .await?
        .ok_or_else(|| AdminError::NotFound(format!("no user {username}")))?;
    let hash = hash_off_thread(hasher, password).await?;
    durable.set_password_hash(username.as_str(), &hash).await?;
    lifecycle.end_user(&user.id).await?;
    Ok(user.id)
}

/// Disables a user: no more logins, and every session and token of theirs ends.
pub async fn disable_user(
    durable: &Durable,
    lifecycle: &Lifecycle,
    username: &Username,
) -> Result<String, AdminError> {
    let user = durable
        .find_user_by_username(username.as_str())
        .await?
        .ok_or_else(|| AdminError::NotFound(format!("no user {username}")))?;
    durable.disable_user(username.as_str()).await?;
    lifecycle.end_user(&user.id).await?;
    Ok(user.id)
}

async fn hash_off_thread(
    hasher: &PasswordHasher,
    password: NewPassword,
) -> Result<String, AdminError> {
    let hasher = hasher.clone();
    tokio::task::spawn_blocking(move || hasher.hash(password.expose()))
        .await
        .map_err(|e| AdminError::Invalid(format!("hashing failed: {e}")))?
        .map_err(AdminError::Invalid)
}
