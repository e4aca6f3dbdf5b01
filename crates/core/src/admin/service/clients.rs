//! Client registrations and resource servers.

use serde_json::json;

use super::{Actor, AdminService};
use crate::admin::{
    AdminError, ClientListing, CreatedClient, NewClientRequest, CONSOLE_CLIENT_ID,
    MARKET_CONSOLE_CLIENT_ID,
};
use crate::domain::resource::{
    ADMIN_READ, ADMIN_WRITE, MARKETPLACE_BUYER, MARKETPLACE_OPERATOR, MARKETPLACE_SELLER,
};
use crate::domain::RedirectUri;
use crate::secret::{random_token, sha256_hex, Secret};
use crate::store::durable::{ClientChange, ClientRecord, Versioned};

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

/// The console's own registration belongs to unilogin: changing or deleting it would lock
/// administrators out of the console.
fn guard_console_client(actor: &Actor, client_id: &str) -> Result<(), AdminError> {
    let own = client_id == CONSOLE_CLIENT_ID || client_id == MARKET_CONSOLE_CLIENT_ID;
    if own && *actor != Actor::system() {
        return Err(AdminError::Conflict(
            "this is the console's own registration; unilogin maintains it".into(),
        ));
    }
    Ok(())
}

impl AdminService {
    /// Registers the admin console as a public client (code + PKCE) of `issuer`, or brings
    /// its registration up to date when the issuer changed.
    pub async fn ensure_console_client(&self, issuer: &str) -> Result<(), AdminError> {
        let scopes = [ADMIN_READ, ADMIN_WRITE];
        self.ensure_first_party_client(
            issuer,
            CONSOLE_CLIENT_ID,
            "unilogin console",
            "/console",
            &scopes,
        )
        .await
    }

    /// Registers the marketplace console, likewise.
    pub async fn ensure_market_console_client(&self, issuer: &str) -> Result<(), AdminError> {
        let scopes = [MARKETPLACE_BUYER, MARKETPLACE_SELLER, MARKETPLACE_OPERATOR];
        let name = "unilogin marketplace console";
        self.ensure_first_party_client(issuer, MARKET_CONSOLE_CLIENT_ID, name, "/market", &scopes)
            .await
    }

    /// A console of ours as a public client whose callback is `{issuer}{base}/callback`.
    /// Several instances may start at once: whoever loses the race finds the work done.
    async fn ensure_first_party_client(
        &self,
        issuer: &str,
        client_id: &str,
        name: &str,
        base: &str,
        scopes: &[&str],
    ) -> Result<(), AdminError> {
        let system = Actor::system();
        let callback = RedirectUri::parse(&format!("{issuer}{base}/callback"))?;
        let home = RedirectUri::parse(&format!("{issuer}{base}/"))?;
        let scopes: Vec<String> = scopes.iter().map(|s| (*s).to_owned()).collect();
        let Some(current) = self.durable.find_client(client_id).await? else {
            let request = NewClientRequest {
                name: name.into(),
                redirect_uris: vec![callback],
                post_logout_uris: vec![home.clone()],
                home_url: Some(home),
                public: true,
                id_token_alg: None,
                scopes,
                client_id: Some(client_id.into()),
                app_id: Some(client_id.into()),
            };
            return match self.create_client(&system, request).await {
                Ok(_) | Err(AdminError::Conflict(_)) => Ok(()),
                Err(err) => Err(err),
            };
        };
        if current.redirect_uris == [callback.as_str()]
            && current.post_logout_uris == [home.as_str()]
            && current.is_public()
            && current.scopes == scopes
        {
            return Ok(());
        }
        let update = ClientUpdate {
            redirect_uris: Some(vec![callback]),
            post_logout_uris: Some(vec![home.clone()]),
            home_url: Some(Some(home)),
            scopes: Some(scopes),
            public: Some(true),
            ..ClientUpdate::default()
        };
        match self
            .update_client(&system, client_id, update, current.version)
            .await
        {
            Ok(_) | Err(AdminError::Stale) => Ok(()),
            Err(err) => Err(err),
        }
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
        let created = crate::admin::create_client(&self.durable, request).await?;
        changes["app_id"] = json!(created.app_id);
        self.record(actor, "client.created", &created.client_id, changes)
            .await?;
        Ok(created)
    }

    pub async fn list_clients(&self) -> Result<Vec<ClientListing>, AdminError> {
        crate::admin::list_clients(&self.durable).await
    }

    pub async fn client(&self, client_id: &str) -> Result<ClientRecord, AdminError> {
        self.durable
            .find_client(client_id)
            .await?
            .ok_or_else(|| AdminError::NotFound(format!("no client {client_id}")))
    }

    /// Up to `limit` clients after the id `after`, by id, matching `search` if not empty.
    pub async fn clients(
        &self,
        search: &str,
        after: &str,
        limit: i64,
    ) -> Result<Vec<ClientRecord>, AdminError> {
        Ok(self
            .durable
            .list_clients_after(search, after, limit)
            .await?)
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
        guard_console_client(actor, client_id)?;
        let current = self.client(client_id).await?;
        let mut changes = super::Changes::default();
        let name = match update.name {
            Some(name) => crate::admin::clients::client_name(&name)?,
            None => current.name.clone(),
        };
        changes.note("name", &current.name, &name);
        let redirect_uris = match update.redirect_uris {
            Some(uris) if uris.is_empty() => {
                return Err(AdminError::Invalid(
                    "at least one redirect URI is required".into(),
                ))
            }
            Some(uris) => crate::admin::clients::dedup(uris),
            None => current.redirect_uris.clone(),
        };
        changes.note("redirect_uris", &current.redirect_uris, &redirect_uris);
        let post_logout_uris = match update.post_logout_uris {
            Some(uris) => crate::admin::clients::dedup(uris),
            None => current.post_logout_uris.clone(),
        };
        changes.note(
            "post_logout_uris",
            &current.post_logout_uris,
            &post_logout_uris,
        );
        let home_url = match update.home_url {
            Some(url) => url.map(|u| u.as_str().to_owned()),
            None => current.home_url.clone(),
        };
        changes.note("home_url", &current.home_url, &home_url);
        let id_token_alg = match update.id_token_alg {
            Some(alg) => crate::admin::clients::id_token_alg(Some(&alg))?,
            None => current.id_token_alg.clone(),
        };
        changes.note("id_token_alg", &current.id_token_alg, &id_token_alg);
        let scopes = match update.scopes {
            Some(scopes) => super::super::clients::registered_scopes(&self.durable, scopes).await?,
            None => current.scopes.clone(),
        };
        changes.note("scopes", &current.scopes, &scopes);
        let was_public = current.is_public();
        let (secret_hash, secret) = match update.public {
            Some(true) => (None, None),
            Some(false) if was_public => {
                let secret = Secret::new(random_token());
                (Some(sha256_hex(secret.expose())), Some(secret))
            }
            _ => (current.secret_hash.clone(), None),
        };
        changes.note("public", &was_public, &secret_hash.is_none());
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
        self.record(actor, "client.updated", client_id, changes.into_value())
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
        let before = self.client(client_id).await?.scopes;
        let stored = crate::admin::set_client_scopes(&self.durable, client_id, scopes).await?;
        self.lifecycle.client_changed(client_id).await?;
        let mut changes = super::Changes::default();
        changes.note("scopes", &before, &stored);
        self.record(actor, "client.updated", client_id, changes.into_value())
            .await
    }

    /// A new secret, shown this once; with `revoke_tokens`, everything issued before ends;
    /// with a grace period, the old secret stays valid that long beside the new one.
    pub async fn rotate_secret(
        &self,
        actor: &Actor,
        client_id: &str,
        rotation: crate::admin::SecretRotation,
    ) -> Result<CreatedClient, AdminError> {
        let rotated =
            crate::admin::rotate_secret(&self.durable, &self.lifecycle, client_id, rotation)
                .await?;
        let changes = json!({
            "secret": "rotated",
            "tokens_revoked": rotation.revoke_tokens,
            "previous_secret_grace_seconds": rotation.grace_seconds.unwrap_or(0),
        });
        self.record(actor, "client.secret_rotated", client_id, changes)
            .await?;
        Ok(rotated)
    }

    /// Deletes a client; every code and token ever issued to it stops working at once.
    pub async fn delete_client(&self, actor: &Actor, client_id: &str) -> Result<(), AdminError> {
        guard_console_client(actor, client_id)?;
        crate::admin::delete_client(&self.durable, &self.lifecycle, client_id).await?;
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
        crate::admin::create_resource_server(&self.durable, identifier, name, scopes).await?;
        self.record(actor, "resource_server.created", identifier, changes)
            .await
    }
}
