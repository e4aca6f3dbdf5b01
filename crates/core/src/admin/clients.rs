//! Client registrations: created with a secret shown once, stored as its SHA-256.

use serde::Serialize;

use super::AdminError;
use crate::domain::resource::{is_builtin_identifier, is_builtin_scope};
use crate::domain::RedirectUri;
use crate::lifecycle::{Lifecycle, FOREVER};
use crate::secret::{random_id, random_token, sha256_hex, Secret};
use crate::store::durable::{ClientRecord, Durable, NewClient, ResourceServerRecord};

#[derive(Debug, Clone)]
pub struct NewClientRequest {
    pub name: String,
    pub redirect_uris: Vec<RedirectUri>,
    pub post_logout_uris: Vec<RedirectUri>,
    pub home_url: Option<RedirectUri>,
    pub public: bool,
    /// The ID token algorithm; RS256 when `None`.
    pub id_token_alg: Option<String>,
    /// API scopes the client may request (each defined by a resource server).
    pub scopes: Vec<String>,
    /// Fixed ids (the demo seeds its own); random when `None`.
    pub client_id: Option<String>,
    pub app_id: Option<String>,
}

/// What `client create` prints: the only time the secret is shown.
#[derive(Debug, Serialize)]
pub struct CreatedClient {
    pub client_id: String,
    #[serde(serialize_with = "expose_secret")]
    pub client_secret: Option<Secret>,
    pub app_id: String,
}

fn expose_secret<S: serde::Serializer>(secret: &Option<Secret>, s: S) -> Result<S::Ok, S::Error> {
    match secret {
        Some(secret) => s.serialize_str(secret.expose()),
        None => s.serialize_none(),
    }
}

/// What `client list` prints per client (and the admin API shows): never a secret or its
/// hash.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ClientListing {
    pub client_id: String,
    pub app_id: String,
    pub name: String,
    pub public: bool,
    pub redirect_uris: Vec<String>,
    pub post_logout_uris: Vec<String>,
    pub home_url: Option<String>,
    pub id_token_signed_response_alg: String,
    pub scopes: Vec<String>,
    pub created_at: i64,
    /// The joint-operation app and the one tenant this registration serves, if bound.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub portal_app_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tenant_id: Option<String>,
    /// Present (true) only when the registration is disabled.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub disabled: bool,
    /// After a rotation with a grace period: until then (unix seconds) the previous
    /// secret authenticates too.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub previous_secret_valid_until: Option<i64>,
}

impl From<ClientRecord> for ClientListing {
    fn from(c: ClientRecord) -> Self {
        Self {
            public: c.is_public(),
            client_id: c.client_id,
            app_id: c.app_id,
            name: c.name,
            redirect_uris: c.redirect_uris,
            post_logout_uris: c.post_logout_uris,
            home_url: c.home_url,
            previous_secret_valid_until: c
                .previous_secret_until
                .filter(|_| c.previous_secret_hash.is_some()),
            id_token_signed_response_alg: c.id_token_alg,
            scopes: c.scopes,
            created_at: c.created_at,
            portal_app_id: Some(c.portal_app_id).filter(|a| !a.is_empty()),
            tenant_id: Some(c.tenant_id).filter(|t| !t.is_empty()),
            disabled: c.disabled,
        }
    }
}

pub async fn create_client(
    durable: &Durable,
    request: NewClientRequest,
) -> Result<CreatedClient, AdminError> {
    let name = client_name(&request.name)?;
    if request.redirect_uris.is_empty() {
        return Err(AdminError::Invalid(
            "at least one --redirect-uri is required".into(),
        ));
    }
    let id_token_alg = id_token_alg(request.id_token_alg.as_deref())?;
    let scopes = registered_scopes(durable, request.scopes).await?;
    let secret = (!request.public).then(|| Secret::new(random_token()));
    let client = NewClient {
        client_id: request.client_id.unwrap_or_else(|| random_id(20)),
        app_id: request.app_id.unwrap_or_else(|| random_id(20)),
        name,
        secret_hash: secret.as_ref().map(|s| sha256_hex(s.expose())),
        redirect_uris: dedup(request.redirect_uris),
        post_logout_uris: dedup(request.post_logout_uris),
        home_url: request.home_url.map(|u| u.as_str().to_owned()),
        id_token_alg,
        scopes,
    };
    match durable.insert_client(&client).await {
        Err(crate::store::StoreError::Conflict) => {
            return Err(AdminError::Conflict(
                "a client with that id or app id exists".into(),
            ))
        }
        other => other?,
    }
    Ok(CreatedClient {
        client_id: client.client_id,
        client_secret: secret,
        app_id: client.app_id,
    })
}

pub async fn list_clients(durable: &Durable) -> Result<Vec<ClientListing>, AdminError> {
    Ok(durable
        .list_clients()
        .await?
        .into_iter()
        .map(ClientListing::from)
        .collect())
}

/// Replaces the API scopes a client may request (the stored set is returned). Tokens
/// already issued keep theirs.
pub async fn set_client_scopes(
    durable: &Durable,
    client_id: &str,
    scopes: Vec<String>,
) -> Result<Vec<String>, AdminError> {
    let scopes = registered_scopes(durable, scopes).await?;
    if !durable.set_client_scopes(client_id, &scopes).await? {
        return Err(AdminError::NotFound(format!("no client {client_id}")));
    }
    Ok(scopes)
}

/// Each scope checked against the resource servers; sorted, without duplicates.
pub(crate) async fn registered_scopes(
    durable: &Durable,
    scopes: Vec<String>,
) -> Result<Vec<String>, AdminError> {
    let servers = durable.list_resource_servers().await?;
    let mut out: Vec<String> = Vec::with_capacity(scopes.len());
    for scope in scopes {
        let known = is_builtin_scope(&scope) || servers.iter().any(|s| s.scopes.contains(&scope));
        if !known {
            return Err(AdminError::Invalid(format!(
                "scope {scope:?} is defined by no resource server"
            )));
        }
        if !out.contains(&scope) {
            out.push(scope);
        }
    }
    out.sort();
    Ok(out)
}

/// Registers a resource server and the API scopes it defines.
pub async fn create_resource_server(
    durable: &Durable,
    identifier: &str,
    name: &str,
    scopes: Vec<String>,
) -> Result<(), AdminError> {
    let url = url::Url::parse(identifier)
        .ok()
        .filter(|u| matches!(u.scheme(), "http" | "https") && u.fragment().is_none())
        .ok_or_else(|| AdminError::Invalid("identifier must be an absolute http(s) URI".into()))?;
    if url.as_str().len() > 512 || is_builtin_identifier(identifier) {
        return Err(AdminError::Invalid(
            "identifier is too long or names a built-in resource server".into(),
        ));
    }
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 128 || name.chars().any(char::is_control) {
        return Err(AdminError::Invalid(
            "name must be 1 to 128 printable characters".into(),
        ));
    }
    let mut parsed: Vec<String> = Vec::new();
    for scope in scopes {
        let valid = crate::domain::Scope::parse(&scope)
            .ok()
            .filter(|s| !s.has_user_values() && s.values().count() == 1);
        if valid.is_none() || is_builtin_scope(&scope) {
            return Err(AdminError::Invalid(format!(
                "{scope:?} is not a scope a resource server can define"
            )));
        }
        if !parsed.contains(&scope) {
            parsed.push(scope);
        }
    }
    if parsed.is_empty() {
        return Err(AdminError::Invalid(
            "at least one --scope is required".into(),
        ));
    }
    let record = ResourceServerRecord {
        identifier: identifier.to_owned(),
        name: name.to_owned(),
        scopes: parsed,
    };
    match durable.insert_resource_server(&record).await {
        Err(crate::store::StoreError::Conflict) => Err(AdminError::Conflict(
            "that identifier, or one of the scopes, is registered already".into(),
        )),
        other => Ok(other?),
    }?;
    Ok(())
}

/// Issues a new secret; the old one stops working at once. Tokens already issued stay
/// valid (a rotation is routine, not a compromise) unless `revoke_tokens` is set.
pub async fn rotate_secret(
    durable: &Durable,
    lifecycle: &Lifecycle,
    client_id: &str,
    rotation: SecretRotation,
) -> Result<CreatedClient, AdminError> {
    let grace = rotation.grace_seconds.unwrap_or(0);
    if grace > MAX_SECRET_GRACE_SECONDS {
        return Err(AdminError::Invalid(format!(
            "the grace period is at most {MAX_SECRET_GRACE_SECONDS} seconds (30 days)"
        )));
    }
    let client = durable
        .find_client(client_id)
        .await?
        .ok_or_else(|| AdminError::NotFound(format!("no client {client_id}")))?;
    if client.is_public() {
        return Err(AdminError::Invalid(
            "a public client has no secret to rotate".into(),
        ));
    }
    let secret = Secret::new(random_token());
    let keep_until = (grace > 0).then(|| durable.clock().now_unix() + grace as i64);
    durable
        .set_client_secret_hash(client_id, &sha256_hex(secret.expose()), keep_until)
        .await?;
    lifecycle.client_changed(client_id).await?;
    if rotation.revoke_tokens {
        lifecycle.end_client(client_id, None).await?;
    }
    Ok(CreatedClient {
        client_id: client.client_id,
        client_secret: Some(secret),
        app_id: client.app_id,
    })
}

/// The longest a rotated secret may stay valid beside its successor.
pub const MAX_SECRET_GRACE_SECONDS: u64 = 30 * 86_400;

/// How a secret is rotated: whether everything issued before ends, and how long the old
/// secret stays valid beside the new one (none: it stops at once).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SecretRotation {
    pub revoke_tokens: bool,
    pub grace_seconds: Option<u64>,
}

/// Deletes a client; every code and token ever issued to it stops working at once.
pub async fn delete_client(
    durable: &Durable,
    lifecycle: &Lifecycle,
    client_id: &str,
) -> Result<(), AdminError> {
    if !durable.delete_client(client_id).await? {
        return Err(AdminError::NotFound(format!("no client {client_id}")));
    }
    lifecycle.client_changed(client_id).await?;
    lifecycle.end_client(client_id, Some(FOREVER)).await?;
    Ok(())
}

pub(crate) fn client_name(name: &str) -> Result<String, AdminError> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 128 || name.chars().any(char::is_control) {
        return Err(AdminError::Invalid(
            "client name must be 1 to 128 printable characters".into(),
        ));
    }
    Ok(name.to_owned())
}

/// The ID token algorithm by name; RS256 when `None`.
pub(crate) fn id_token_alg(name: Option<&str>) -> Result<String, AdminError> {
    let alg = match name {
        None => crate::tokens::ID_TOKEN_DEFAULT_ALG,
        Some(name) => crate::tokens::parse_alg(name).ok_or_else(|| {
            AdminError::Invalid(format!(
                "unknown ID token algorithm {name:?}: expected RS256 or ES256"
            ))
        })?,
    };
    Ok(crate::tokens::alg_name(alg).to_owned())
}

pub(crate) fn dedup(uris: Vec<RedirectUri>) -> Vec<String> {
    let mut out: Vec<String> = Vec::with_capacity(uris.len());
    for uri in uris {
        if !out.iter().any(|u| u == uri.as_str()) {
            out.push(uri.as_str().to_owned());
        }
    }
    out
}
