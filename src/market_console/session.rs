//! Signing in to the marketplace console through unilogin's authorize endpoint, as the
//! public first-party client `unilogin-market` (code + PKCE) asking for the marketplace
//! scopes, and the `Member` every page asks for: a live session whose access token the
//! marketplace verifies on every request, exactly as it verifies a bearer token.

use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

use actix_web::cookie::{Cookie, SameSite};
use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{web, FromRequest, HttpRequest, HttpResponse};
use base64::Engine;
use sha2::{Digest, Sha256};

use super::error::PageError;
use super::texts::{texts, MarketTexts};
use super::MarketConsole;
use crate::admin::MARKET_CONSOLE_CLIENT_ID;
use crate::console::form::Form;
use crate::domain::resource::{MARKETPLACE_BUYER, MARKETPLACE_OPERATOR, MARKETPLACE_SELLER};
use crate::idp::i18n::Lang;
use crate::idp::Idp;
use crate::marketplace::{Caller, MarketError, Marketplace, Role};
use crate::secret::random_token;
use crate::store::ephemeral::{ConsoleSession, ConsoleSignIn};

pub const COOKIE: &str = "unilogin_market";

fn safe_return(raw: &str) -> String {
    if raw.starts_with("/market/") && !raw.contains("//") && !raw.contains('\\') && raw.len() <= 512
    {
        raw.to_owned()
    } else {
        "/market/".into()
    }
}

/// `GET /market/login?return=…[&fresh=1]`: off to authorize; `fresh` asks for the
/// password again.
pub async fn login(
    req: HttpRequest,
    console: web::Data<MarketConsole>,
) -> Result<HttpResponse, PageError> {
    let return_to = safe_return(&crate::console::query(&req, "return"));
    let code_verifier = random_token() + &random_token();
    let state = console
        .sessions
        .start_sign_in(&ConsoleSignIn {
            code_verifier: code_verifier.clone(),
            return_to,
        })
        .await?;
    let redirect_uri = console.callback_uri();
    let scope =
        format!("openid profile {MARKETPLACE_BUYER} {MARKETPLACE_SELLER} {MARKETPLACE_OPERATOR}");
    let challenge = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .encode(Sha256::digest(code_verifier.as_bytes()));
    let mut pairs = vec![
        ("response_type", "code"),
        ("client_id", MARKET_CONSOLE_CLIENT_ID),
        ("redirect_uri", redirect_uri.as_str()),
        ("scope", scope.as_str()),
        ("state", state.as_str()),
        ("code_challenge", challenge.as_str()),
        ("code_challenge_method", "S256"),
    ];
    // `fresh`: an action needs a recent sign-in (minting an access key).
    if crate::console::query(&req, "fresh") == "1" {
        pairs.push(("prompt", "login"));
    }
    let location = crate::idp::url_with_query(
        &format!("{}{}", console.issuer, crate::idp::AUTHORIZE_PATH),
        &pairs,
    );
    Ok(see_other(&location))
}

/// `GET /market/callback?code=&state=`: the code is redeemed with the same checks the
/// token endpoint makes, and the session opens.
pub async fn callback(
    req: HttpRequest,
    console: web::Data<MarketConsole>,
    idp: web::Data<Idp>,
) -> Result<HttpResponse, PageError> {
    let state = crate::console::query(&req, "state");
    let Some(sign_in) = console.sessions.finish_sign_in(&state).await? else {
        return Err(PageError::SignInFailed);
    };
    let code = crate::console::query(&req, "code");
    if code.is_empty() {
        return Err(PageError::SignInFailed);
    }
    let tokens = crate::idp::redeem_first_party_code(
        &idp,
        MARKET_CONSOLE_CLIENT_ID,
        &code,
        &console.callback_uri(),
        &sign_in.code_verifier,
    )
    .await
    .map_err(|err| match err {
        crate::idp::OAuthError::TemporarilyUnavailable => PageError::Unavailable,
        other => {
            tracing::info!(error = %other, "marketplace console sign-in: code refused");
            PageError::SignInFailed
        }
    })?;
    let session = ConsoleSession {
        access_token: tokens.access_token,
        id_token: tokens.id_token.unwrap_or_default(),
        csrf: random_token(),
    };
    let token = console
        .sessions
        .open(&session, Duration::from_secs(tokens.expires_in))
        .await?;
    let cookie = Cookie::build(COOKIE, token)
        .path("/market")
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

/// `POST /market/logout`: this session ends, and the unilogin session through
/// RP-initiated logout, which comes back here.
pub async fn logout(
    member: Member,
    console: web::Data<MarketConsole>,
    form: Form,
) -> Result<HttpResponse, PageError> {
    member.check(&form)?;
    console.sessions.close(&member.cookie).await?;
    let home = format!("{}/market/", console.issuer);
    let location = crate::idp::url_with_query(
        &format!("{}{}", console.issuer, crate::idp::END_SESSION_PATH),
        &[
            ("id_token_hint", member.id_token.as_str()),
            ("client_id", MARKET_CONSOLE_CLIENT_ID),
            ("post_logout_redirect_uri", home.as_str()),
        ],
    );
    let mut response = see_other(&location);
    let mut removal = Cookie::build(COOKIE, "").path("/market").finish();
    removal.make_removal();
    let _ = response.add_cookie(&removal);
    Ok(response)
}

pub fn see_other(location: &str) -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header((header::LOCATION, location))
        .finish()
}

/// A signed-in user of the marketplace, as the marketplace sees them (its `Caller`), and
/// what every page shows of them.
pub struct Member {
    pub caller: Caller,
    pub roles: Vec<Role>,
    pub name: String,
    pub csrf: String,
    pub lang: Lang,
    pub t: &'static MarketTexts,
    pub switch_href: String,
    pub done: Option<String>,
    cookie: String,
    id_token: String,
}

impl Member {
    /// The form's CSRF token is this session's.
    pub fn check(&self, form: &Form) -> Result<(), PageError> {
        if form.csrf_is(&self.csrf) {
            Ok(())
        } else {
            Err(PageError::Csrf)
        }
    }

    pub fn has(&self, role: Role) -> bool {
        self.roles.contains(&role)
    }
}

impl FromRequest for Member {
    type Error = PageError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move { identify(&req).await })
    }
}

/// The name the ID token gives (it came from our own token endpoint in this process).
fn display_name(id_token: &str) -> String {
    let payload = id_token.split('.').nth(1).unwrap_or_default();
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload)
        .ok()
        .and_then(|bytes| serde_json::from_slice::<serde_json::Value>(&bytes).ok())
        .and_then(|claims| {
            ["preferred_username", "name", "sub"]
                .iter()
                .find_map(|k| claims[*k].as_str().map(str::to_owned))
        })
        .unwrap_or_default()
}

async fn identify(req: &HttpRequest) -> Result<Member, PageError> {
    let console = req
        .app_data::<web::Data<MarketConsole>>()
        .ok_or(PageError::Internal)?;
    let market = req
        .app_data::<web::Data<Marketplace>>()
        .ok_or(PageError::Internal)?;
    let here = match req.uri().path_and_query() {
        Some(pq) if req.method() == actix_web::http::Method::GET => pq.as_str().to_owned(),
        _ => req.path().to_owned(),
    };
    let sign_in = || PageError::SignIn {
        return_to: safe_return(&here),
    };
    let cookie = req.cookie(COOKIE).ok_or_else(sign_in)?.value().to_owned();
    let session = console.sessions.get(&cookie).await?.ok_or_else(sign_in)?;
    let caller = match Caller::from_access_token(&session.access_token, market).await {
        Ok(caller) => caller,
        Err(MarketError::Unauthorized { .. }) => {
            // Expired, or ended at the identity provider (logout, a disabled user).
            console.sessions.close(&cookie).await?;
            return Err(sign_in());
        }
        Err(err) => return Err(err.into()),
    };
    let explicit = crate::console::explicit_lang(req.query_string());
    let lang = Lang::negotiate(req, explicit.map(Lang::code));
    Ok(Member {
        roles: caller.roles(),
        caller,
        name: display_name(&session.id_token),
        csrf: session.csrf,
        lang,
        t: texts(lang),
        switch_href: switch_href(req, lang.other()),
        done: Some(crate::console::query(req, "done")).filter(|d| !d.is_empty()),
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
