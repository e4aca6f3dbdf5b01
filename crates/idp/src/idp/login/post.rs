//! `POST /unified-login/portal-login`: checks CSRF and credentials, then starts a fresh
//! session (a new id every time: no session fixation) and continues the flow.

use actix_web::{web, HttpRequest, HttpResponse};

use super::{csrf_token, render_form, Flow};
use crate::domain::{Password, Username};
use crate::idp::authorize::found;
use crate::idp::cookies::{self, SESSION_COOKIE};
use crate::idp::error::PageError;
use crate::idp::i18n::Lang;
use crate::idp::i18n::LoginTexts;
use crate::idp::params::{is_form_encoded, Params};
use crate::idp::{client_ip, Idp};
use crate::secret::{constant_time_eq, random_token, Secret};
use crate::store::durable::UserRecord;
use crate::store::durable::{SessionRecord, SignInOutcome};
use crate::store::ephemeral::BrowserSession;

pub async fn submit(
    req: HttpRequest,
    body: web::Bytes,
    idp: web::Data<Idp>,
) -> Result<HttpResponse, PageError> {
    let fallback_lang = Lang::negotiate(&req, None);
    if !is_form_encoded(&req) {
        return Err(PageError::bad_request(
            fallback_lang,
            "The login form must be sent as application/x-www-form-urlencoded",
        ));
    }
    let params =
        Params::parse(&body).map_err(|e| PageError::bad_request(fallback_lang, e.to_string()))?;
    let lang = Lang::negotiate(&req, params.get("lang").ok().flatten());

    let sent_csrf = params
        .get("csrf_token")
        .map_err(|e| PageError::bad_request(lang, e.to_string()))?
        .unwrap_or_default();
    let csrf_ok = csrf_token(&req)
        .is_some_and(|cookie| constant_time_eq(cookie.as_bytes(), sent_csrf.as_bytes()));
    if !csrf_ok {
        return Err(PageError::forbidden(lang, lang.texts().csrf_failed));
    }

    let flow = Flow::resolve(&idp, &params, lang).await?;
    let raw_username = params.get("username").ok().flatten().unwrap_or_default();
    let raw_password = params.get("password").ok().flatten().unwrap_or_default();
    let username = Username::parse(raw_username).ok();
    let password = Password::parse(raw_password).ok();

    let account = username.as_ref().map(|u| u.as_str()).unwrap_or_default();
    let ip = client_ip(&req);
    let locked = idp
        .login_throttle
        .is_locked(account, &ip)
        .await
        .map_err(|e| PageError::store(lang, e))?;
    // Same page, same message whether the user exists, is disabled, mistyped, or locked.
    let refused = || {
        render_form(
            &idp,
            &req,
            lang,
            &flow,
            &params,
            Some(lang.texts().bad_credentials),
            account,
        )
    };
    if locked {
        // Refused without a password check: a flood against a locked account costs no
        // argon2.
        tracing::info!("login refused: account or address locked after failures");
        return Ok(refused());
    }

    let user = match (&username, &password) {
        (Some(username), Some(_)) => idp
            .durable
            .find_user_by_username(username.as_str())
            .await
            .map_err(|e| PageError::store(lang, e))?,
        _ => None,
    };
    let verified = check_password(&idp, lang, user.as_ref(), password.as_ref()).await?;
    let user = match (verified, user) {
        (true, Some(user)) if !user.disabled => user,
        (_, user) => {
            // Kept as a sign-in event for administrators; nothing else changes.
            tracing::info!(
                user_id = user.as_ref().map(|u| u.id.as_str()).unwrap_or_default(),
                "login failed"
            );
            crate::telemetry::registry().login(false);
            let user_id = user.map(|u| u.id).unwrap_or_default();
            idp.sign_in(SignInOutcome::Failure, &user_id, account, &ip)
                .await;
            let locked = idp
                .login_throttle
                .record_failure(account, &ip)
                .await
                .map_err(|e| PageError::store(lang, e))?;
            if locked {
                idp.locked(&user_id, account, &ip).await;
            }
            return Ok(refused());
        }
    };

    idp.login_throttle
        .record_success(account)
        .await
        .map_err(|e| PageError::store(lang, e))?;
    crate::telemetry::registry().login(true);

    // A fresh session id at every login; the old session (if any) ends.
    if let Some(old) = req.cookie(SESSION_COOKIE) {
        let ended = idp
            .sessions
            .end(old.value())
            .await
            .map_err(|e| PageError::store(lang, e))?;
        if let Some(ended) = ended {
            idp.durable
                .end_session_record(&ended.sid)
                .await
                .map_err(|e| PageError::store(lang, e))?;
        }
    }
    let session = BrowserSession {
        sid: random_token(),
        user_id: user.id.clone(),
        tenant_id: user.tenant_id.clone(),
        auth_time: idp.clock.now_unix(),
    };
    // The record first: a session the store never got is only a stale line in a list.
    idp.durable
        .record_session(&SessionRecord {
            sid: session.sid.clone(),
            user_id: session.user_id.clone(),
            created_at: session.auth_time,
            expires_at: session.auth_time + idp.sessions.ttl().as_secs() as i64,
            address: ip.clone(),
            user_agent: req
                .headers()
                .get(actix_web::http::header::USER_AGENT)
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default()
                .to_owned(),
        })
        .await
        .map_err(|e| PageError::store(lang, e))?;
    let token = idp
        .sessions
        .create(&session)
        .await
        .map_err(|e| PageError::store(lang, e))?;
    let location = flow
        .destination(&idp, &session)
        .await
        .map_err(|e| e.page(lang))?;
    idp.sign_in(SignInOutcome::Success, &user.id, account, &ip)
        .await;

    let mut response = found(&location);
    let cookie = cookies::build(
        SESSION_COOKIE,
        token.expose().to_owned(),
        idp.secure_cookies,
        idp.sessions.ttl().as_secs() as i64,
    );
    if let Err(err) = response.add_cookie(&cookie) {
        tracing::error!(error = %err, "could not set the session cookie");
    }
    Ok(response)
}

/// Verifies on the password-check threads. Unknown users cost the same time.
async fn check_password(
    idp: &Idp,
    lang: Lang,
    user: Option<&UserRecord>,
    password: Option<&Password>,
) -> Result<bool, PageError> {
    let Some(password) = password.cloned() else {
        return Ok(false);
    };
    let stored = user.map(|u| u.password_hash.clone());
    idp.password_checks
        .verify(stored, Secret::new(password.expose()))
        .await
        .map_err(|_| PageError {
            status: actix_web::http::StatusCode::SERVICE_UNAVAILABLE,
            lang,
            message: lang.texts().busy.into(),
        })
}
