//! Client authentication for the back-channel endpoints: `client_secret_basic`,
//! `client_secret_post`, or `none` for public clients (which must then prove PKCE).

use std::sync::Arc;

use actix_web::http::header;
use actix_web::HttpRequest;
use base64::Engine;

use crate::domain::ClientId;
use crate::idp::error::OAuthError;
use crate::idp::params::{self, Params};
use crate::idp::Idp;
use crate::secret::{constant_time_eq, sha256_hex};
use crate::store::durable::ClientRecord;

pub struct AuthenticatedClient {
    pub record: Arc<ClientRecord>,
}

struct Credentials {
    client_id: String,
    secret: Option<String>,
    basic: bool,
}

pub async fn authenticate_client(
    idp: &Idp,
    req: &HttpRequest,
    params: &Params,
) -> Result<AuthenticatedClient, OAuthError> {
    let credentials = credentials(req, params)?;
    let basic = credentials.basic;
    let ip = crate::idp::client_ip(req);
    let throttle = &idp.client_auth_throttle;
    // Failures lock the address (for this client id, and past a higher bar for any):
    // never the client itself, which keeps working from its own servers.
    let (locked, changed_at) = idp
        .client_auth_preflight(&ip, &credentials.client_id)
        .await?;
    if locked {
        tracing::info!(%ip, "client authentication refused: too many failures");
        return Err(OAuthError::RateLimited {
            retry_after: throttle.retry_after().as_secs(),
        });
    }
    match verify(idp, &credentials, changed_at).await? {
        Some(client) => Ok(AuthenticatedClient { record: client }),
        None => {
            tracing::info!(client_id = %credentials.client_id, "client authentication failed");
            throttle.record_failure(&ip, &credentials.client_id).await?;
            Err(OAuthError::InvalidClient { basic })
        }
    }
}

async fn verify(
    idp: &Idp,
    credentials: &Credentials,
    changed_at: Option<i64>,
) -> Result<Option<Arc<ClientRecord>>, OAuthError> {
    // A disabled registration (a frozen or released instance) authenticates nowhere.
    let Some(client) = idp
        .client_as_of(&credentials.client_id, changed_at)
        .await?
        .filter(|c| !c.disabled)
    else {
        return Ok(None);
    };
    let now = idp.clock.now_unix();
    if credentials.matches(&client, now) {
        return Ok(Some(client));
    }
    // The cached registration may predate a secret rotation: ask the store once.
    Ok(idp
        .reload_client(&credentials.client_id)
        .await?
        .filter(|client| credentials.matches(client, now)))
}

impl Credentials {
    fn matches(&self, client: &ClientRecord, now: i64) -> bool {
        match (&client.secret_hash, &self.secret) {
            (Some(stored), Some(sent)) => {
                let sent = sha256_hex(sent);
                let current = constant_time_eq(stored.as_bytes(), sent.as_bytes());
                // A rotation's grace period: the replaced secret until its end.
                let previous = client.previous_secret_valid_until(now).is_some()
                    && client
                        .previous_secret_hash
                        .as_ref()
                        .is_some_and(|old| constant_time_eq(old.as_bytes(), sent.as_bytes()));
                current | previous
            }
            // A public client identifies itself and proves possession through PKCE.
            (None, None) => true,
            _ => false,
        }
    }
}

fn credentials(req: &HttpRequest, params: &Params) -> Result<Credentials, OAuthError> {
    let invalid = |e: crate::idp::params::ParamError| OAuthError::InvalidRequest(e.to_string());
    let form_id = params.get("client_id").map_err(invalid)?;
    let form_secret = params.get("client_secret").map_err(invalid)?;
    let authorization = req
        .headers()
        .get(header::AUTHORIZATION)
        .map(|v| v.to_str().unwrap_or_default());
    match authorization {
        Some(value) if value.len() > 6 && value[..6].eq_ignore_ascii_case("basic ") => {
            if form_secret.is_some() {
                return Err(OAuthError::InvalidRequest(
                    "Use one client authentication method, not several".into(),
                ));
            }
            let (id, secret) = decode_basic(&value[6..])
                .filter(|(id, _)| ClientId::parse(id).is_ok())
                .ok_or(OAuthError::InvalidClient { basic: true })?;
            if form_id.is_some_and(|f| f != id) {
                return Err(OAuthError::InvalidRequest(
                    "client_id does not match the authenticated client".into(),
                ));
            }
            Ok(Credentials {
                client_id: id,
                secret: Some(secret),
                basic: true,
            })
        }
        Some(_) => Err(OAuthError::InvalidClient { basic: true }),
        None => {
            // No client is named by what is not a client id (a NUL, a space…).
            let client_id = form_id
                .filter(|id| ClientId::parse(id).is_ok())
                .ok_or(OAuthError::InvalidClient { basic: false })?;
            Ok(Credentials {
                client_id: client_id.to_owned(),
                secret: form_secret.map(str::to_owned),
                basic: false,
            })
        }
    }
}

/// `base64(urlencode(id) ":" urlencode(secret))`, as RFC 6749 §2.3.1 specifies.
fn decode_basic(encoded: &str) -> Option<(String, String)> {
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(encoded.trim())
        .ok()?;
    let text = String::from_utf8(bytes).ok()?;
    let (id, secret) = text.split_once(':')?;
    let id = params::decode(id.as_bytes()).ok()?;
    let secret = params::decode(secret.as_bytes()).ok()?;
    (!id.is_empty()).then_some((id, secret))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn basic_credentials_are_form_decoded() {
        let encoded = base64::engine::general_purpose::STANDARD.encode("my%20app:s%3Acret+x");
        assert_eq!(
            decode_basic(&encoded),
            Some(("my app".to_owned(), "s:cret x".to_owned()))
        );
        assert_eq!(decode_basic("!!!"), None);
        let no_colon = base64::engine::general_purpose::STANDARD.encode("abc");
        assert_eq!(decode_basic(&no_colon), None);
    }
}
