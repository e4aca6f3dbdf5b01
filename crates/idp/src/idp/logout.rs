//! Ending sessions from the browser:
//! - `GET|POST /api/v1/logout?redirect_url=…[&client_id=…]` (the joint-operation kit's
//!   logout), which redirects only to a post-logout URI registered by a client this
//!   browser session signed in to (or by the client the request names), else to the login
//!   page;
//! - `GET|POST /api/v1/oauth2/end_session` (OpenID Connect RP-Initiated Logout 1.0), whose
//!   `post_logout_redirect_uri` must be registered by the client the `id_token_hint` names.
//!
//! Both end the browser session, revoke its session id (its access tokens stop working)
//! and its refresh tokens, and clear the cookie.

use actix_web::{web, HttpRequest, HttpResponse};

use super::authorize::found;
use super::cookies::{self, SESSION_COOKIE};
use super::error::PageError;
use super::i18n::Lang;
use super::params::Params;
use super::{url_with_query, Idp, LOGIN_PATH};
use crate::domain::{ClientId, RedirectUri};
use crate::idp::i18n::LoginTexts;

pub async fn logout(req: HttpRequest, idp: web::Data<Idp>) -> Result<HttpResponse, PageError> {
    let lang = Lang::negotiate(&req, None);
    let params = Params::parse(req.query_string().as_bytes()).unwrap_or_default();
    // Read before it ends: the clients this browser session signed in to.
    let sid = match req.cookie(SESSION_COOKIE) {
        Some(cookie) => idp
            .sessions
            .get(cookie.value())
            .await
            .map_err(|e| PageError::store(lang, e))?
            .map(|session| session.sid)
            .unwrap_or_default(),
        None => String::new(),
    };
    // Our extension: the app may name itself, for a browser whose session has ended.
    let client_id = params
        .get("client_id")
        .ok()
        .flatten()
        .filter(|id| ClientId::parse(id).is_ok())
        .unwrap_or_default();
    let target = match params.get("redirect_url").ok().flatten() {
        Some(raw) if RedirectUri::parse(raw).is_ok() => {
            let registered = idp
                .durable
                .is_post_logout_uri_for(raw, client_id, &sid)
                .await
                .map_err(|e| PageError::store(lang, e))?;
            if registered {
                raw.to_owned()
            } else {
                tracing::info!(
                    "logout redirect_url is not a post-logout URI of this session's clients"
                );
                LOGIN_PATH.to_owned()
            }
        }
        _ => LOGIN_PATH.to_owned(),
    };
    end_browser_session(&req, &idp, lang, None).await?;
    Ok(clear_cookie(found(&target), &idp))
}

/// Longest `state` echoed back.
const MAX_STATE_LEN: usize = 2048;

pub async fn end_session(
    req: HttpRequest,
    body: web::Bytes,
    idp: web::Data<Idp>,
) -> Result<HttpResponse, PageError> {
    let lang = Lang::negotiate(&req, None);
    let raw = if req.method() == actix_web::http::Method::POST {
        if !super::params::is_form_encoded(&req) {
            return Err(PageError::bad_request(
                lang,
                "Content-Type must be application/x-www-form-urlencoded",
            ));
        }
        &body[..]
    } else {
        req.query_string().as_bytes()
    };
    let params = Params::parse(raw).map_err(|e| PageError::bad_request(lang, e.to_string()))?;
    let field = |name: &'static str| {
        params
            .get(name)
            .map_err(|e| PageError::bad_request(lang, e.to_string()))
    };
    let hint = field("id_token_hint")?;
    let client_id = field("client_id")?;
    let redirect = field("post_logout_redirect_uri")?;
    let state = field("state")?;
    if state.is_some_and(|s| s.len() > MAX_STATE_LEN) {
        return Err(PageError::bad_request(lang, "state is too long"));
    }

    // Everything is checked before anything is ended: a bad request changes nothing.
    let hint = match hint {
        Some(token) => Some(
            idp.keys
                .verify_id_token_hint(token, &idp.issuer)
                .await
                .map_err(|err| {
                    tracing::info!(error = %err, "id_token_hint refused");
                    PageError::bad_request(lang, lang.texts().bad_id_token_hint)
                })?,
        ),
        None => None,
    };
    let client_id = match (hint.as_ref().map(|h| h.aud.as_str()), client_id) {
        (Some(aud), Some(sent)) if aud != sent => {
            return Err(PageError::bad_request(
                lang,
                "client_id does not match the id_token_hint",
            ))
        }
        (Some(aud), _) => Some(aud),
        (None, sent) => sent,
    };
    let target = match redirect {
        None => None,
        Some(uri) => {
            let client = match client_id.filter(|id| ClientId::parse(id).is_ok()) {
                Some(id) => idp
                    .durable
                    .find_client(id)
                    .await
                    .map_err(|e| PageError::store(lang, e))?,
                None => None,
            };
            let registered = client.is_some_and(|c| c.post_logout_uris.iter().any(|u| u == uri));
            if !registered {
                return Err(PageError::bad_request(
                    lang,
                    lang.texts().unregistered_post_logout_uri,
                ));
            }
            Some(match state {
                Some(state) => url_with_query(uri, &[("state", state)]),
                None => uri.to_owned(),
            })
        }
    };

    end_browser_session(&req, &idp, lang, hint.as_ref().map(|h| h.sid.as_str())).await?;
    Ok(clear_cookie(
        found(target.as_deref().unwrap_or(LOGIN_PATH)),
        &idp,
    ))
}

/// Ends the cookie's session, or else the session the RP named (its ID token's `sid`):
/// an RP may log its user out from a context that lacks our cookie.
async fn end_browser_session(
    req: &HttpRequest,
    idp: &Idp,
    lang: Lang,
    hinted_sid: Option<&str>,
) -> Result<(), PageError> {
    let ended = match req.cookie(SESSION_COOKIE) {
        Some(cookie) => idp
            .sessions
            .end(cookie.value())
            .await
            .map_err(|e| PageError::store(lang, e))?,
        None => None,
    };
    let (sid, user) = match (&ended, hinted_sid) {
        (Some(session), _) => (session.sid.as_str(), session.user_id.as_str()),
        (None, Some(sid)) if !sid.is_empty() => (sid, ""),
        (None, _) => return Ok(()),
    };
    idp.lifecycle
        .revoke_session(sid)
        .await
        .map_err(|e| PageError::store(lang, e))?;
    idp.audit("logout", user, "").await;
    Ok(())
}

fn clear_cookie(mut response: HttpResponse, idp: &Idp) -> HttpResponse {
    if let Err(err) = response.add_cookie(&cookies::removal(SESSION_COOKIE, idp.secure_cookies)) {
        tracing::error!(error = %err, "could not clear the session cookie");
    }
    response
}
