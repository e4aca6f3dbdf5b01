//! Client registrations: partner apps allowed to use the login.

use sqlx::any::AnyRow;
use sqlx::Row;

use super::Durable;
use crate::store::durable::Tx;
use crate::store::StoreError;

#[derive(Debug, Clone)]
pub struct NewClient {
    pub client_id: String,
    pub app_id: String,
    pub name: String,
    /// SHA-256 hex of the secret; `None` for a public client.
    pub secret_hash: Option<String>,
    pub redirect_uris: Vec<String>,
    pub post_logout_uris: Vec<String>,
    pub home_url: Option<String>,
    pub id_token_alg: String,
    /// API scopes the client may request.
    pub scopes: Vec<String>,
}

#[derive(Clone)]
pub struct ClientRecord {
    pub client_id: String,
    pub app_id: String,
    pub name: String,
    pub secret_hash: Option<String>,
    pub redirect_uris: Vec<String>,
    pub post_logout_uris: Vec<String>,
    pub home_url: Option<String>,
    /// `RS256` or `ES256`.
    pub id_token_alg: String,
    /// API scopes (of registered resource servers) the client may request; OpenID
    /// Connect scopes are open to every client.
    pub scopes: Vec<String>,
    pub created_at: i64,
    /// Bumped by every change: the admin API's ETag.
    pub version: i64,
    /// The joint-operation app this registration serves for one tenant (empty: none).
    pub portal_app_id: String,
    /// The only tenant whose users sign in through it (empty: any tenant).
    pub tenant_id: String,
    /// A disabled registration signs nobody in and authenticates nowhere.
    pub disabled: bool,
    /// The secret a rotation replaced, still valid until `previous_secret_until` (the
    /// grace period the administrator chose).
    pub previous_secret_hash: Option<String>,
    pub previous_secret_until: Option<i64>,
}

/// A client's registration as an update leaves it (everything but ids and creation).
#[derive(Clone)]
pub struct ClientChange {
    pub name: String,
    pub secret_hash: Option<String>,
    pub redirect_uris: Vec<String>,
    pub post_logout_uris: Vec<String>,
    pub home_url: Option<String>,
    pub id_token_alg: String,
    pub scopes: Vec<String>,
}

impl ClientRecord {
    pub fn is_public(&self) -> bool {
        self.secret_hash.is_none()
    }

    /// Until when the secret a rotation replaced still authenticates, if it does at `now`.
    pub fn previous_secret_valid_until(&self, now: i64) -> Option<i64> {
        self.previous_secret_hash
            .as_ref()
            .and(self.previous_secret_until)
            .filter(|until| now < *until)
    }
}

impl std::fmt::Debug for ClientRecord {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientRecord")
            .field("client_id", &self.client_id)
            .field("app_id", &self.app_id)
            .field("name", &self.name)
            .field("public", &self.is_public())
            .finish_non_exhaustive()
    }
}

const COLUMNS: &str =
    "client_id, app_id, name, secret_hash, home_url, id_token_alg, created_at, version, \
     portal_app_id, tenant_id, disabled, previous_secret_hash, previous_secret_until";

fn from_row(row: &AnyRow) -> Result<ClientRecord, sqlx::Error> {
    Ok(ClientRecord {
        client_id: row.try_get("client_id")?,
        app_id: row.try_get("app_id")?,
        name: row.try_get("name")?,
        secret_hash: row.try_get("secret_hash")?,
        home_url: row.try_get("home_url")?,
        id_token_alg: row.try_get("id_token_alg")?,
        created_at: row.try_get("created_at")?,
        version: row.try_get("version")?,
        portal_app_id: row.try_get("portal_app_id")?,
        tenant_id: row.try_get("tenant_id")?,
        disabled: row.try_get::<i64, _>("disabled")? != 0,
        previous_secret_hash: row.try_get("previous_secret_hash")?,
        previous_secret_until: row.try_get("previous_secret_until")?,
        redirect_uris: Vec::new(),
        post_logout_uris: Vec::new(),
        scopes: Vec::new(),
    })
}

/// Adds one `client_uris` row to its client (rows come in position order).
fn attach_uri(client: &mut ClientRecord, row: &AnyRow) -> Result<(), StoreError> {
    let kind: String = row.try_get("kind")?;
    let uri: String = row.try_get("uri")?;
    match kind.as_str() {
        REDIRECT => client.redirect_uris.push(uri),
        POST_LOGOUT => client.post_logout_uris.push(uri),
        other => return Err(StoreError::Corrupt(format!("client uri kind {other}"))),
    }
    Ok(())
}

const REDIRECT: &str = "redirect";
const POST_LOGOUT: &str = "post_logout";

impl Durable {
    pub async fn insert_client(&self, client: &NewClient) -> Result<(), StoreError> {
        let _timer = crate::telemetry::registry().round_trip("durable", "insert_client");
        let mut tx = self.begin().await?;
        sqlx::query(
            "INSERT INTO clients (client_id, app_id, name, secret_hash, home_url, id_token_alg, \
             created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(&client.client_id)
        .bind(&client.app_id)
        .bind(&client.name)
        .bind(&client.secret_hash)
        .bind(&client.home_url)
        .bind(&client.id_token_alg)
        .bind(self.now())
        .execute(&mut *tx)
        .await?;
        insert_uris(
            &mut tx,
            &client.client_id,
            &client.redirect_uris,
            &client.post_logout_uris,
        )
        .await?;
        insert_scopes(&mut tx, &client.client_id, &client.scopes).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Replaces the API scopes a client may request; false when no such client.
    pub async fn set_client_scopes(
        &self,
        client_id: &str,
        scopes: &[String],
    ) -> Result<bool, StoreError> {
        let _timer = crate::telemetry::registry().round_trip("durable", "set_client_scopes");
        let mut tx = self.begin().await?;
        let exists = sqlx::query("SELECT 1 AS found FROM clients WHERE client_id = $1")
            .bind(client_id)
            .fetch_optional(&mut *tx)
            .await?
            .is_some();
        if !exists {
            return Ok(false);
        }
        sqlx::query("DELETE FROM client_scopes WHERE client_id = $1")
            .bind(client_id)
            .execute(&mut *tx)
            .await?;
        insert_scopes(&mut tx, client_id, scopes).await?;
        sqlx::query("UPDATE clients SET version = version + 1 WHERE client_id = $1")
            .bind(client_id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(true)
    }

    /// Replaces a client's registration if it is still at `version`, in one transaction.
    pub async fn update_client(
        &self,
        client_id: &str,
        change: &ClientChange,
        version: i64,
    ) -> Result<super::Versioned, StoreError> {
        let mut tx = self.begin().await?;
        let done = sqlx::query(
            "UPDATE clients SET name = $1, secret_hash = $2, home_url = $3, id_token_alg = $4, \
             previous_secret_hash = CASE WHEN secret_hash = $2 THEN previous_secret_hash \
             ELSE NULL END, previous_secret_until = CASE WHEN secret_hash = $2 \
             THEN previous_secret_until ELSE NULL END, \
             version = version + 1 WHERE client_id = $5 AND version = $6",
        )
        .bind(&change.name)
        .bind(&change.secret_hash)
        .bind(&change.home_url)
        .bind(&change.id_token_alg)
        .bind(client_id)
        .bind(version)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() != 1 {
            drop(tx);
            return Ok(match self.find_client(client_id).await? {
                Some(_) => super::Versioned::Stale,
                None => super::Versioned::Missing,
            });
        }
        for table in ["client_uris", "client_scopes"] {
            sqlx::query(&format!("DELETE FROM {table} WHERE client_id = $1"))
                .bind(client_id)
                .execute(&mut *tx)
                .await?;
        }
        insert_uris(
            &mut tx,
            client_id,
            &change.redirect_uris,
            &change.post_logout_uris,
        )
        .await?;
        insert_scopes(&mut tx, client_id, &change.scopes).await?;
        tx.commit().await?;
        Ok(super::Versioned::Updated)
    }

    /// Up to `limit` clients with ids after `after`, by id, each with its URIs and scopes;
    /// `search` (when not empty) must appear in the id, the app id or the name.
    pub async fn list_clients_after(
        &self,
        search: &str,
        after: &str,
        limit: i64,
    ) -> Result<Vec<ClientRecord>, StoreError> {
        let sql = format!(
            "SELECT {COLUMNS} FROM clients WHERE client_id > $1 AND ($2 = '' OR \
             LOWER(client_id) LIKE $3 ESCAPE '\\' OR LOWER(app_id) LIKE $3 ESCAPE '\\' \
             OR LOWER(name) LIKE $3 ESCAPE '\\') ORDER BY client_id LIMIT $4"
        );
        let rows = sqlx::query(&sql)
            .bind(after)
            .bind(search)
            .bind(super::contains_pattern(search))
            .bind(limit)
            .fetch_all(self.pool())
            .await?;
        let mut clients = rows.iter().map(from_row).collect::<Result<Vec<_>, _>>()?;
        let Some(last) = clients.last().map(|c| c.client_id.clone()) else {
            return Ok(clients);
        };
        // The page's ids are exactly those in (after, last].
        let uris = sqlx::query(
            "SELECT client_id, kind, uri FROM client_uris WHERE client_id > $1 \
             AND client_id <= $2 ORDER BY client_id, kind, position",
        )
        .bind(after)
        .bind(&last)
        .fetch_all(self.pool())
        .await?;
        let scopes = sqlx::query(
            "SELECT client_id, scope FROM client_scopes WHERE client_id > $1 \
             AND client_id <= $2 ORDER BY scope",
        )
        .bind(after)
        .bind(&last)
        .fetch_all(self.pool())
        .await?;
        attach_all(&mut clients, &uris, &scopes)?;
        Ok(clients)
    }

    pub async fn find_client(&self, client_id: &str) -> Result<Option<ClientRecord>, StoreError> {
        let _timer = crate::telemetry::registry().round_trip("durable", "find_client");
        self.find_client_where("client_id", client_id).await
    }

    pub async fn find_client_by_app_id(
        &self,
        app_id: &str,
    ) -> Result<Option<ClientRecord>, StoreError> {
        let _timer = crate::telemetry::registry().round_trip("durable", "find_client_by_app_id");
        self.find_client_where("app_id", app_id).await
    }

    async fn find_client_where(
        &self,
        column: &'static str,
        value: &str,
    ) -> Result<Option<ClientRecord>, StoreError> {
        let sql = format!("SELECT {COLUMNS} FROM clients WHERE {column} = $1");
        let Some(row) = sqlx::query(&sql)
            .bind(value)
            .fetch_optional(self.pool())
            .await?
        else {
            return Ok(None);
        };
        let mut client = from_row(&row)?;
        let uris = sqlx::query(
            "SELECT kind, uri FROM client_uris WHERE client_id = $1 ORDER BY kind, position",
        )
        .bind(&client.client_id)
        .fetch_all(self.pool())
        .await?;
        for row in &uris {
            attach_uri(&mut client, row)?;
        }
        let scopes =
            sqlx::query("SELECT scope FROM client_scopes WHERE client_id = $1 ORDER BY scope")
                .bind(&client.client_id)
                .fetch_all(self.pool())
                .await?;
        for row in &scopes {
            client.scopes.push(row.try_get("scope")?);
        }
        Ok(Some(client))
    }

    /// Every client, oldest first: two queries, whatever the number of clients.
    pub async fn list_clients(&self) -> Result<Vec<ClientRecord>, StoreError> {
        let _timer = crate::telemetry::registry().round_trip("durable", "list_clients");
        let sql = format!("SELECT {COLUMNS} FROM clients ORDER BY created_at, client_id");
        let rows = sqlx::query(&sql).fetch_all(self.pool()).await?;
        let mut clients = rows.iter().map(from_row).collect::<Result<Vec<_>, _>>()?;
        let uris = sqlx::query(
            "SELECT client_id, kind, uri FROM client_uris ORDER BY client_id, kind, position",
        )
        .fetch_all(self.pool())
        .await?;
        let scopes = sqlx::query("SELECT client_id, scope FROM client_scopes ORDER BY scope")
            .fetch_all(self.pool())
            .await?;
        attach_all(&mut clients, &uris, &scopes)?;
        Ok(clients)
    }

    /// Whether `uri` is a post-logout redirect registered by `client_id`, or by a client
    /// that signed someone in under the browser session `sid` (empty: neither).
    pub async fn is_post_logout_uri_for(
        &self,
        uri: &str,
        client_id: &str,
        sid: &str,
    ) -> Result<bool, StoreError> {
        let _timer = crate::telemetry::registry().round_trip("durable", "is_post_logout_uri_for");
        let row = sqlx::query(
            "SELECT 1 AS found FROM client_uris WHERE kind = $1 AND uri = $2 \
             AND ((client_id = $3 AND $3 <> '') \
               OR (client_id IN (SELECT client_id FROM grant_families WHERE sid = $4) \
                   AND $4 <> ''))",
        )
        .bind(POST_LOGOUT)
        .bind(uri)
        .bind(client_id)
        .bind(sid)
        .fetch_optional(self.pool())
        .await?;
        Ok(row.is_some())
    }

    /// Replaces the stored secret hash, keeping the one it replaces valid until
    /// `keep_previous_until` (or not at all); false when no such client.
    pub async fn set_client_secret_hash(
        &self,
        client_id: &str,
        secret_hash: &str,
        keep_previous_until: Option<i64>,
    ) -> Result<bool, StoreError> {
        let _timer = crate::telemetry::registry().round_trip("durable", "set_client_secret_hash");
        // SET reads the row as it was: the previous hash is the one being replaced.
        let done = sqlx::query(
            "UPDATE clients SET previous_secret_hash = CASE WHEN $3 = 1 THEN secret_hash \
             ELSE NULL END, previous_secret_until = $4, secret_hash = $1, \
             version = version + 1 WHERE client_id = $2",
        )
        .bind(secret_hash)
        .bind(client_id)
        .bind(i64::from(keep_previous_until.is_some()))
        .bind(keep_previous_until)
        .execute(self.pool())
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Deletes a client and revokes every grant it holds; false when no such client.
    pub async fn delete_client(&self, client_id: &str) -> Result<bool, StoreError> {
        let _timer = crate::telemetry::registry().round_trip("durable", "delete_client");
        let mut tx = self.begin().await?;
        sqlx::query(
            "UPDATE grant_families SET revoked_at = $1 \
             WHERE client_id = $2 AND revoked_at IS NULL",
        )
        .bind(self.now())
        .bind(client_id)
        .execute(&mut *tx)
        .await?;
        sqlx::query("DELETE FROM client_scopes WHERE client_id = $1")
            .bind(client_id)
            .execute(&mut *tx)
            .await?;
        sqlx::query("DELETE FROM client_uris WHERE client_id = $1")
            .bind(client_id)
            .execute(&mut *tx)
            .await?;
        let done = sqlx::query("DELETE FROM clients WHERE client_id = $1")
            .bind(client_id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(done.rows_affected() == 1)
    }
}

/// Hands each `client_uris` and `client_scopes` row to its client.
fn attach_all(
    clients: &mut [ClientRecord],
    uris: &[AnyRow],
    scopes: &[AnyRow],
) -> Result<(), StoreError> {
    let index: std::collections::HashMap<String, usize> = clients
        .iter()
        .enumerate()
        .map(|(i, c)| (c.client_id.clone(), i))
        .collect();
    for row in uris {
        let client_id: String = row.try_get("client_id")?;
        if let Some(&i) = index.get(&client_id) {
            attach_uri(&mut clients[i], row)?;
        }
    }
    for row in scopes {
        let client_id: String = row.try_get("client_id")?;
        if let Some(&i) = index.get(&client_id) {
            clients[i].scopes.push(row.try_get("scope")?);
        }
    }
    Ok(())
}

async fn insert_uris(
    tx: &mut Tx,
    client_id: &str,
    redirect_uris: &[String],
    post_logout_uris: &[String],
) -> Result<(), StoreError> {
    for (kind, uris) in [(REDIRECT, redirect_uris), (POST_LOGOUT, post_logout_uris)] {
        for (position, uri) in uris.iter().enumerate() {
            sqlx::query(
                "INSERT INTO client_uris (client_id, kind, position, uri) VALUES ($1, $2, $3, $4)",
            )
            .bind(client_id)
            .bind(kind)
            .bind(position as i64)
            .bind(uri)
            .execute(&mut **tx)
            .await?;
        }
    }
    Ok(())
}

async fn insert_scopes(tx: &mut Tx, client_id: &str, scopes: &[String]) -> Result<(), StoreError> {
    for scope in scopes {
        sqlx::query("INSERT INTO client_scopes (client_id, scope) VALUES ($1, $2)")
            .bind(client_id)
            .bind(scope)
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}
