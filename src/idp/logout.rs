//! `GET|POST /api/v1/logout?redirect_url=…`: ends the browser session, revokes its tokens,
//! and redirects only to a registered post-logout URI (else to the login page).

use actix_web::{web, HttpRequest, HttpResponse};

use super::authorize::found;
use super::cookies::{self, SESSION_COOKIE};
use super::error::PageError;
use super::i18n::Lang;
use super::params::Params;
use super::{Idp, LOGIN_PATH};
use crate::domain::RedirectUri;

pub async fn logout(req: HttpRequest, idp: web::Data<Idp>) -> Result<HttpResponse, PageError> {
    let lang = Lang::negotiate(&req, None);
    let params = Params::parse(req.query_string().as_bytes()).unwrap_or_default();

    if let Some(cookie) = req.cookie(SESSION_COOKIE) {
        let ended = idp
            .sessions
            .end(cookie.value())
            .await
            .map_err(|e| PageError::store(lang, e))?;
        if let Some(session) = ended {
            idp.revoke_session(&session.sid)
                .await
                .map_err(|e| PageError::store(lang, e))?;
            idp.audit("logout", &session.user_id, "").await;
        }
    }

    let target = match params.get("redirect_url").ok().flatten() {
        Some(raw) if RedirectUri::parse(raw).is_ok() => {
            let registered = idp
                .durable
                .is_post_logout_uri(raw)
                .await
                .map_err(|e| PageError::store(lang, e))?;
            if registered {
                raw.to_owned()
            } else {
                tracing::info!("logout redirect_url is not a registered post-logout URI");
                LOGIN_PATH.to_owned()
            }
        }
        _ => LOGIN_PATH.to_owned(),
    };
    let mut response = found(&target);
    if let Err(err) = response.add_cookie(&cookies::removal(SESSION_COOKIE, idp.secure_cookies)) {
        tracing::error!(error = %err, "could not clear the session cookie");
    }
    Ok(response)
}
