//! Client registrations: created with a secret shown once, stored as its SHA-256.

use serde::Serialize;

use super::AdminError;
use crate::domain::RedirectUri;
use crate::secret::{random_id, random_token, sha256_hex, Secret};
use crate::store::durable::{ClientRecord, Durable, NewClient};

#[derive(Debug, Clone)]
pub struct NewClientRequest {
    pub name: String,
    pub redirect_uris: Vec<RedirectUri>,
    pub post_logout_uris: Vec<RedirectUri>,
    pub home_url: Option<RedirectUri>,
    pub public: bool,
    /// The ID token algorithm; RS256 when `None`.
    pub id_token_alg: Option<String>,
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

/// What `client list` prints per client: never a secret or its hash.
#[derive(Debug, Serialize)]
pub struct ClientListing {
    pub client_id: String,
    pub app_id: String,
    pub name: String,
    pub public: bool,
    pub redirect_uris: Vec<String>,
    pub post_logout_uris: Vec<String>,
    pub home_url: Option<String>,
    pub id_token_signed_response_alg: String,
    pub created_at: i64,
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
            id_token_signed_response_alg: c.id_token_alg,
            created_at: c.created_at,
        }
    }
}

impl Durable {
    pub async fn admin_create_client(
        &self,
        request: NewClientRequest,
    ) -> Result<CreatedClient, AdminError> {
        let name = request.name.trim();
        if name.is_empty() || name.chars().count() > 128 || name.chars().any(char::is_control) {
            return Err(AdminError::Invalid(
                "client name must be 1 to 128 printable characters".into(),
            ));
        }
        if request.redirect_uris.is_empty() {
            return Err(AdminError::Invalid(
                "at least one --redirect-uri is required".into(),
            ));
        }
        let id_token_alg = match request.id_token_alg.as_deref() {
            None => crate::tokens::ID_TOKEN_DEFAULT_ALG,
            Some(name) => crate::tokens::parse_alg(name).ok_or_else(|| {
                AdminError::Invalid(format!(
                    "unknown ID token algorithm {name:?}: expected RS256 or ES256"
                ))
            })?,
        };
        let secret = (!request.public).then(|| Secret::new(random_token()));
        let client = NewClient {
            client_id: request.client_id.unwrap_or_else(|| random_id(20)),
            app_id: request.app_id.unwrap_or_else(|| random_id(20)),
            name: name.to_owned(),
            secret_hash: secret.as_ref().map(|s| sha256_hex(s.expose())),
            redirect_uris: dedup(request.redirect_uris),
            post_logout_uris: dedup(request.post_logout_uris),
            home_url: request.home_url.map(|u| u.as_str().to_owned()),
            id_token_alg: crate::tokens::alg_name(id_token_alg).to_owned(),
        };
        match self.insert_client(&client).await {
            Err(crate::store::StoreError::Conflict) => {
                return Err(AdminError::Conflict(
                    "a client with that id or app id exists".into(),
                ))
            }
            other => other?,
        }
        self.audit("client.created", &client.client_id, &client.client_id, name)
            .await?;
        Ok(CreatedClient {
            client_id: client.client_id,
            client_secret: secret,
            app_id: client.app_id,
        })
    }

    pub async fn admin_list_clients(&self) -> Result<Vec<ClientListing>, AdminError> {
        Ok(self
            .list_clients()
            .await?
            .into_iter()
            .map(ClientListing::from)
            .collect())
    }

    /// Issues a new secret; the old one stops working at once.
    pub async fn admin_rotate_secret(&self, client_id: &str) -> Result<CreatedClient, AdminError> {
        let client = self
            .find_client(client_id)
            .await?
            .ok_or_else(|| AdminError::NotFound(format!("no client {client_id}")))?;
        if client.is_public() {
            return Err(AdminError::Invalid(
                "a public client has no secret to rotate".into(),
            ));
        }
        let secret = Secret::new(random_token());
        self.set_client_secret_hash(client_id, &sha256_hex(secret.expose()))
            .await?;
        self.audit("client.secret_rotated", client_id, client_id, "")
            .await?;
        Ok(CreatedClient {
            client_id: client.client_id,
            client_secret: Some(secret),
            app_id: client.app_id,
        })
    }

    pub async fn admin_delete_client(&self, client_id: &str) -> Result<(), AdminError> {
        if !self.delete_client(client_id).await? {
            return Err(AdminError::NotFound(format!("no client {client_id}")));
        }
        self.audit("client.deleted", client_id, client_id, "")
            .await?;
        Ok(())
    }
}

fn dedup(uris: Vec<RedirectUri>) -> Vec<String> {
    let mut out: Vec<String> = Vec::with_capacity(uris.len());
    for uri in uris {
        if !out.iter().any(|u| u == uri.as_str()) {
            out.push(uri.as_str().to_owned());
        }
    }
    out
}
