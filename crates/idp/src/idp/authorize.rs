//! `GET /api/v1/oauth2/authorize` (RFC 6749 §4.1.1). Until the client and redirect URI are
//! verified, errors are an error page; after that they go back to the client's redirect URI.

use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};

use super::error::PageError;
use super::i18n::Lang;
use super::params::{ParamError, Params};
use super::{Idp, Refused, Registry, LOGIN_PATH};
use crate::domain::{ClientId, RedirectUri, Scope};
use crate::idp::i18n::LoginTexts;
use crate::store::durable::ClientRecord;
use crate::store::ephemeral::PendingRequest;

/// Longest `state` / `nonce` we carry around.
const MAX_OPAQUE_LEN: usize = 1024;

/// An error to send back to the client's verified redirect URI (RFC 6749 §4.1.2.1).
struct RedirectError {
    redirect_uri: RedirectUri,
    state: Option<String>,
    error: &'static str,
    description: String,
}

impl RedirectError {
    /// `iss` (RFC 9207) lets a client that talks to several providers tell which one
    /// answered: the defence against mix-up attacks (RFC 9700 §4.4).
    fn into_response(self, issuer: &str) -> HttpResponse {
        let mut params = vec![
            ("error", self.error),
            ("error_description", self.description.as_str()),
        ];
        if let Some(state) = self.state.as_deref() {
            params.push(("state", state));
        }
        params.push(("iss", issuer));
        found(&self.redirect_uri.with_query(&params))
    }
}

pub fn found(location: &str) -> HttpResponse {
    HttpResponse::Found()
        .insert_header((header::LOCATION, location))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .finish()
}

pub async fn authorize(req: HttpRequest, idp: web::Data<Idp>) -> Result<HttpResponse, PageError> {
    let lang = Lang::negotiate(&req, None);
    let params = Params::parse(req.query_string().as_bytes())
        .map_err(|e| PageError::bad_request(lang, e.to_string()))?;

    // Resuming after the login page: the request was validated when it was stored.
    if params.contains("req") {
        let reference = params
            .get("req")
            .map_err(|e| PageError::bad_request(lang, e.to_string()))?
            .unwrap_or_default();
        let pending = idp
            .pending
            .get(reference)
            .await
            .map_err(|e| PageError::store(lang, e))?
            .ok_or_else(|| PageError::bad_request(lang, lang.texts().expired_request))?;
        return continue_with_session(&req, &idp, lang, pending, Some(reference), None).await;
    }

    let (client, redirect_uri, redirect_uri_sent) = verify_client(&idp, &params, lang).await?;
    crate::telemetry::record_client(&client.client_id);
    let registry = idp
        .registry()
        .await
        .map_err(|e| PageError::store(lang, e))?;
    let request = match parse_request(&params, &client, &registry, redirect_uri, redirect_uri_sent)
    {
        Ok(request) => request,
        Err(err) => return Ok(err.into_response(&idp.issuer)),
    };
    let options = parse_prompt(&params).and_then(|p| Ok((p, parse_max_age(&params)?)));
    let (prompt, max_age) = match options {
        Ok(options) => options,
        Err(description) => {
            return Ok(RedirectError {
                redirect_uri: RedirectUri::parse(&request.redirect_uri)
                    .map_err(|e| PageError::bad_request(lang, e.0))?,
                state: request.state.clone(),
                error: "invalid_request",
                description,
            }
            .into_response(&idp.issuer))
        }
    };
    let current = idp
        .current_session(&req)
        .await
        .map_err(|e| PageError::store(lang, e))?;
    // `prompt=login`, or a sign-in older than `max_age` (OIDC Core §3.1.2.1: how a
    // resource server's step-up is met): the session present now must not answer.
    let too_old =
        |auth_time: i64| max_age.is_some_and(|max| idp.clock.now_unix() - auth_time > max);
    let request = match current {
        Some(s) if prompt == Prompt::Login || too_old(s.auth_time) => PendingRequest {
            reauthenticate: Some(s.sid),
            ..request
        },
        None if prompt == Prompt::Login => PendingRequest {
            reauthenticate: Some(String::new()),
            ..request
        },
        _ => request,
    };
    continue_with_session(&req, &idp, lang, request, None, Some(prompt)).await
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Prompt {
    Default,
    Login,
    None,
}

/// With a live session: a code. Without: the login page (or `login_required`).
async fn continue_with_session(
    req: &HttpRequest,
    idp: &Idp,
    lang: Lang,
    request: PendingRequest,
    reference: Option<&str>,
    prompt: Option<Prompt>,
) -> Result<HttpResponse, PageError> {
    let session = idp
        .current_session(req)
        .await
        .map_err(|e| PageError::store(lang, e))?;
    let session = session.filter(|s| request.reauthenticate.as_deref() != Some(s.sid.as_str()));
    if let Some(session) = session {
        let location = idp
            .code_redirect(&request, &session)
            .await
            .map_err(|e| e.page(lang))?;
        if let Some(reference) = reference {
            idp.pending
                .complete(reference)
                .await
                .map_err(|e| PageError::store(lang, e))?;
        }
        return Ok(found(&location));
    }
    if prompt == Some(Prompt::None) {
        return Ok(RedirectError {
            redirect_uri: RedirectUri::parse(&request.redirect_uri)
                .map_err(|e| PageError::bad_request(lang, e.0))?,
            state: request.state,
            error: "login_required",
            description: "The user is not signed in".into(),
        }
        .into_response(&idp.issuer));
    }
    let reference = match reference {
        Some(reference) => reference.to_owned(),
        None => idp
            .pending
            .put(&request)
            .await
            .map_err(|e| PageError::store(lang, e))?,
    };
    Ok(found(&super::url_with_query(
        LOGIN_PATH,
        &[("req", &reference)],
    )))
}

/// Client and redirect URI: any failure here is an error page, never a redirect.
async fn verify_client(
    idp: &Idp,
    params: &Params,
    lang: Lang,
) -> Result<(ClientRecord, RedirectUri, bool), PageError> {
    let bad = |message: String| PageError::bad_request(lang, message);
    let texts = lang.texts();
    let client_id = params
        .get("client_id")
        .map_err(|e| bad(e.to_string()))?
        .ok_or_else(|| bad(texts.missing_client.into()))?;
    let client_id = ClientId::parse(client_id).map_err(|_| bad(texts.unknown_client.into()))?;
    let client = idp
        .durable
        .find_client(client_id.as_str())
        .await
        .map_err(|e| PageError::store(lang, e))?
        .ok_or_else(|| bad(texts.unknown_client.into()))?;
    let (redirect_uri, sent) = match params.get("redirect_uri").map_err(|e| bad(e.to_string()))? {
        Some(raw) => {
            let registered = client.redirect_uris.iter().any(|u| u == raw);
            let uri = RedirectUri::parse(raw)
                .ok()
                .filter(|_| registered)
                .ok_or_else(|| bad(texts.redirect_mismatch.into()))?;
            (uri, true)
        }
        None => match client.redirect_uris.as_slice() {
            [only] => (RedirectUri::parse(only).map_err(|e| bad(e.0))?, false),
            _ => return Err(bad(texts.redirect_required.into())),
        },
    };
    Ok((client, redirect_uri, sent))
}

/// The rest of the request; errors from here on are redirected to the client.
fn parse_request(
    params: &Params,
    client: &ClientRecord,
    registry: &Registry,
    redirect_uri: RedirectUri,
    redirect_uri_sent: bool,
) -> Result<PendingRequest, RedirectError> {
    // `state` first, so every later error can carry it back.
    let state = match params.get("state") {
        Ok(state) => state.map(str::to_owned),
        Err(ParamError::Duplicated(_)) | Err(ParamError::Malformed) => {
            return Err(RedirectError {
                redirect_uri,
                state: None,
                error: "invalid_request",
                description: "state is included more than once".into(),
            })
        }
    };
    let fail = |error: &'static str, description: String| RedirectError {
        redirect_uri: redirect_uri.clone(),
        state: state.clone(),
        error,
        description,
    };
    if state.as_ref().is_some_and(|s| s.len() > MAX_OPAQUE_LEN) {
        return Err(fail("invalid_request", "state is too long".into()));
    }
    match params.get("response_type") {
        Err(e) => return Err(fail("invalid_request", e.to_string())),
        Ok(None) => return Err(fail("invalid_request", "Missing response_type".into())),
        Ok(Some("code")) => {}
        Ok(Some(_)) => {
            return Err(fail(
                "unsupported_response_type",
                "Only response_type=code is supported".into(),
            ))
        }
    }
    let scope = match params.get("scope") {
        Err(e) => return Err(fail("invalid_request", e.to_string())),
        Ok(None) => Scope::default_scope(),
        Ok(Some(raw)) => Scope::parse(raw).map_err(|e| fail("invalid_scope", e.0))?,
    };
    let refused = |r: Refused| match r {
        Refused::Scope(d) => fail("invalid_scope", d),
        Refused::Target(d) => fail("invalid_target", d),
    };
    registry.check_scope(&scope, client).map_err(refused)?;
    let audience = registry
        .audience(Some(&scope), &params.get_all("resource"))
        .map_err(refused)?;
    let nonce = params
        .get("nonce")
        .map_err(|e| fail("invalid_request", e.to_string()))?
        .map(str::to_owned);
    if nonce.as_ref().is_some_and(|n| n.len() > MAX_OPAQUE_LEN) {
        return Err(fail("invalid_request", "nonce is too long".into()));
    }
    let code_challenge = parse_pkce(params, client).map_err(|d| fail("invalid_request", d))?;
    Ok(PendingRequest {
        client_id: client.client_id.clone(),
        redirect_uri: redirect_uri.as_str().to_owned(),
        redirect_uri_sent,
        scope: scope.to_string(),
        state,
        code_challenge,
        nonce,
        reauthenticate: None,
        audience: audience.joined(),
    })
}

/// PKCE (RFC 7636): `S256` only; required for public clients.
fn parse_pkce(params: &Params, client: &ClientRecord) -> Result<Option<String>, String> {
    let challenge = params.get("code_challenge").map_err(|e| e.to_string())?;
    let method = params
        .get("code_challenge_method")
        .map_err(|e| e.to_string())?;
    match (challenge, method) {
        (None, None) if client.is_public() => {
            Err("code_challenge is required for public clients".into())
        }
        (None, None) => Ok(None),
        (None, Some(_)) => Err("code_challenge_method without code_challenge".into()),
        (Some(_), None) | (Some(_), Some("plain")) => {
            Err("code_challenge_method must be S256".into())
        }
        (Some(challenge), Some("S256")) => {
            let well_formed = challenge.len() == 43
                && challenge
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
            if well_formed {
                Ok(Some(challenge.to_owned()))
            } else {
                Err("code_challenge must be a base64url SHA-256 (43 characters)".into())
            }
        }
        (Some(_), Some(_)) => Err("code_challenge_method must be S256".into()),
    }
}

/// `max_age` (OIDC Core §3.1.2.1): seconds since the last sign-in beyond which the user
/// must sign in again.
fn parse_max_age(params: &Params) -> Result<Option<i64>, String> {
    match params.get("max_age").map_err(|e| e.to_string())? {
        None => Ok(None),
        Some(raw) => raw
            .parse::<u32>()
            .map(|v| Some(i64::from(v)))
            .map_err(|_| "max_age must be a non-negative integer".into()),
    }
}

fn parse_prompt(params: &Params) -> Result<Prompt, String> {
    let Some(raw) = params.get("prompt").map_err(|e| e.to_string())? else {
        return Ok(Prompt::Default);
    };
    let values: Vec<&str> = raw.split(' ').filter(|v| !v.is_empty()).collect();
    if values.contains(&"none") && values.len() > 1 {
        return Err("prompt=none cannot be combined with other values".into());
    }
    if values.contains(&"none") {
        return Ok(Prompt::None);
    }
    if values.contains(&"login") {
        return Ok(Prompt::Login);
    }
    if values
        .iter()
        .all(|v| matches!(*v, "consent" | "select_account"))
    {
        Ok(Prompt::Default)
    } else {
        Err("unsupported prompt value".into())
    }
}
