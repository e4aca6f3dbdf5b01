//! Signing in to the console through unilogin's own authorize endpoint, as the public
//! first-party client `unilogin-console` (code + PKCE), and the `Admin` every page asks
//! for: a live console session whose access token still verifies for the admin API and
//! whose user is still an enabled platform administrator, checked on every request.

use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

use actix_web::cookie::{Cookie, SameSite};
use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{web, FromRequest, HttpRequest, HttpResponse};
use base64::Engine;
use sha2::{Digest, Sha256};

use super::error::{explicit_lang, ConsoleError};
use super::form::Form;
use super::texts::{texts, ConsoleTexts};
use super::Console;
use crate::admin::{Actor, CONSOLE_CLIENT_ID};
use crate::domain::resource::{ADMIN_READ, ADMIN_WRITE};
use crate::idp::i18n::Lang;
use crate::idp::Idp;
use crate::secret::{constant_time_eq, random_token};
use crate::store::durable::UserRecord;
use crate::store::ephemeral::{ConsoleSession, ConsoleSignIn};
use crate::tokens::Refusal;

pub const COOKIE: &str = "unilogin_console";

/// How recent a sign-in must be for an action that cannot be undone.
pub const RECENT_SIGN_IN_SECS: i64 = 15 * 60;

/// A page of the console, or one of its own paths with a query: anything else is not a
/// place to send the browser back to.
fn safe_return(raw: Option<&str>) -> String {
    match raw {
        Some(path)
            if path.starts_with("/console/")
                && !path.contains("//")
                && !path.contains('\\')
                && path.len() <= 512 =>
        {
            path.to_owned()
        }
        _ => "/console/".into(),
    }
}

fn code_challenge(verifier: &str) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

/// `GET /console/login?return=…[&fresh=1]`: off to authorize. `fresh` asks for the
/// password again (`prompt=login`), for actions that need a recent sign-in.
pub async fn login(
    req: HttpRequest,
    console: web::Data<Console>,
) -> Result<HttpResponse, ConsoleError> {
    let return_to = safe_return(Some(&super::query(&req, "return")));
    let fresh = super::query(&req, "fresh") == "1";
    let code_verifier = random_token() + &random_token();
    let state = console
        .sessions
        .start_sign_in(&ConsoleSignIn {
            code_verifier: code_verifier.clone(),
            return_to,
        })
        .await?;
    let redirect_uri = console.callback_uri();
    let scope = format!("openid profile {ADMIN_READ} {ADMIN_WRITE}");
    let challenge = code_challenge(&code_verifier);
    let mut pairs = vec![
        ("response_type", "code"),
        ("client_id", CONSOLE_CLIENT_ID),
        ("redirect_uri", redirect_uri.as_str()),
        ("scope", scope.as_str()),
        ("state", state.as_str()),
        ("code_challenge", challenge.as_str()),
        ("code_challenge_method", "S256"),
    ];
    if fresh {
        pairs.push(("prompt", "login"));
    }
    let location = crate::idp::url_with_query(
        &format!("{}{}", console.issuer, crate::idp::AUTHORIZE_PATH),
        &pairs,
    );
    Ok(see_other(&location))
}

/// `GET /console/callback?code=&state=`: the code is redeemed in this process, with the
/// same checks the token endpoint makes, and the console session opens.
pub async fn callback(
    req: HttpRequest,
    console: web::Data<Console>,
    idp: web::Data<Idp>,
) -> Result<HttpResponse, ConsoleError> {
    let state = super::query(&req, "state");
    let Some(sign_in) = console.sessions.finish_sign_in(&state).await? else {
        return Err(ConsoleError::SignInFailed);
    };
    // An error from authorize (the user cancelled, or the request was refused).
    let code = super::query(&req, "code");
    if code.is_empty() {
        return Err(ConsoleError::SignInFailed);
    }
    let tokens = crate::idp::redeem_first_party_code(
        &idp,
        CONSOLE_CLIENT_ID,
        &code,
        &console.callback_uri(),
        &sign_in.code_verifier,
    )
    .await
    .map_err(|err| match err {
        crate::idp::OAuthError::TemporarilyUnavailable => ConsoleError::Unavailable,
        other => {
            tracing::info!(error = %other, "console sign-in: code refused");
            ConsoleError::SignInFailed
        }
    })?;
    let session = ConsoleSession {
        access_token: tokens.access_token,
        id_token: tokens.id_token.unwrap_or_default(),
        csrf: random_token(),
    };
    let lifetime = Duration::from_secs(tokens.expires_in);
    let token = console.sessions.open(&session, lifetime).await?;
    let cookie = Cookie::build(COOKIE, token)
        .path("/console")
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(console.secure_cookies)
        .max_age(actix_web::cookie::time::Duration::seconds(
            tokens.expires_in as i64,
        ))
        .finish();
    let mut response = see_other(&sign_in.return_to);
    let _ = response.add_cookie(&cookie);
    Ok(response)
}

/// `POST /console/logout`: the console session ends here, and the unilogin session
/// through RP-initiated logout, which comes back to the console's sign-in.
pub async fn logout(
    admin: Admin,
    console: web::Data<Console>,
    form: Form,
) -> Result<HttpResponse, ConsoleError> {
    form.check_csrf(&admin)?;
    console.sessions.close(&admin.cookie).await?;
    let home = format!("{}/console/", console.issuer);
    let location = crate::idp::url_with_query(
        &format!("{}{}", console.issuer, crate::idp::END_SESSION_PATH),
        &[
            ("id_token_hint", admin.id_token.as_str()),
            ("client_id", CONSOLE_CLIENT_ID),
            ("post_logout_redirect_uri", home.as_str()),
        ],
    );
    let mut response = see_other(&location);
    let mut removal = Cookie::build(COOKIE, "").path("/console").finish();
    removal.make_removal();
    let _ = response.add_cookie(&removal);
    Ok(response)
}

pub fn see_other(location: &str) -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header((header::LOCATION, location))
        .finish()
}

/// A signed-in platform administrator, and what every page shows of them.
pub struct Admin {
    pub user: UserRecord,
    pub actor: Actor,
    pub csrf: String,
    pub lang: Lang,
    pub t: &'static ConsoleTexts,
    auth_time: i64,
    now: i64,
    /// This request's path and query: where a sign-in comes back to.
    here: String,
    switch_href: String,
    done: Option<String>,
    cookie: String,
    id_token: String,
}

impl Admin {
    /// Actions that cannot be undone need a sign-in within `RECENT_SIGN_IN_SECS`; an older
    /// one sends the browser to sign in again and back to the confirmation page.
    pub fn require_recent_sign_in(&self, confirm_page: &str) -> Result<(), ConsoleError> {
        if self.now - self.auth_time <= RECENT_SIGN_IN_SECS {
            return Ok(());
        }
        Err(ConsoleError::Reauthenticate {
            return_to: confirm_page.to_owned(),
        })
    }

    pub fn recently_signed_in(&self) -> bool {
        self.now - self.auth_time <= RECENT_SIGN_IN_SECS
    }

    pub fn now(&self) -> i64 {
        self.now
    }

    pub fn here(&self) -> &str {
        &self.here
    }

    pub fn chrome(&self, section: &'static str) -> super::Chrome {
        super::Chrome {
            section,
            username: self.user.username.clone(),
            csrf: self.csrf.clone(),
            switch_href: self.switch_href.clone(),
            notice: self.done.as_deref().and_then(|d| super::notice(self.t, d)),
        }
    }

    pub fn csrf_matches(&self, sent: &str) -> bool {
        constant_time_eq(sent.as_bytes(), self.csrf.as_bytes())
    }
}

impl FromRequest for Admin {
    type Error = ConsoleError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move { identify(&req).await })
    }
}

async fn identify(req: &HttpRequest) -> Result<Admin, ConsoleError> {
    let console = req
        .app_data::<web::Data<Console>>()
        .ok_or(ConsoleError::Internal)?;
    let here = match req.uri().path_and_query() {
        Some(pq) if req.method() == actix_web::http::Method::GET => pq.as_str().to_owned(),
        _ => req.path().to_owned(),
    };
    let sign_in = || ConsoleError::SignIn {
        return_to: safe_return(Some(&here)),
    };
    let cookie = req.cookie(COOKIE).ok_or_else(sign_in)?.value().to_owned();
    let session = console.sessions.get(&cookie).await?.ok_or_else(sign_in)?;
    let claims = match console
        .access
        .verify(&session.access_token, Some(&console.audience))
        .await
    {
        Ok(claims) => claims,
        Err(Refusal::Unavailable(err)) => return Err(err.into()),
        Err(Refusal::Invalid | Refusal::WrongAudience) => {
            // Expired, or ended at the identity provider (logout, a disabled user).
            console.sessions.close(&cookie).await?;
            return Err(sign_in());
        }
    };
    let user = console
        .service
        .platform_admin(&claims.sub)
        .await?
        .ok_or(ConsoleError::NotAdmin)?;
    let explicit = explicit_lang(req.query_string());
    let lang = Lang::negotiate(req, explicit.map(Lang::code));
    Ok(Admin {
        actor: Actor::user(&user.id, &crate::idp::client_ip(req)),
        user,
        csrf: session.csrf,
        lang,
        t: texts(lang),
        auth_time: claims.auth_time.unwrap_or(0),
        now: console.clock.now_unix(),
        switch_href: switch_href(req, lang.other()),
        done: Some(super::query(req, "done")).filter(|d| !d.is_empty()),
        here,
        cookie,
        id_token: session.id_token,
    })
}

/// This page in the other language.
fn switch_href(req: &HttpRequest, other: Lang) -> String {
    let mut query = url::form_urlencoded::Serializer::new(String::new());
    for (k, v) in url::form_urlencoded::parse(req.query_string().as_bytes()) {
        if k != "lang" && k != "done" {
            query.append_pair(&k, &v);
        }
    }
    query.append_pair("lang", other.code());
    format!("{}?{}", req.path(), query.finish())
}
