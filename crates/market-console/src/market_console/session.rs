//! Signing in to the marketplace console through unilogin's authorize endpoint, as the
//! public first-party client `unilogin-market` (code + PKCE) asking for the marketplace
//! scopes, and the `Member` every page asks for: a live session whose access token the
//! marketplace verifies on every request, exactly as it verifies a bearer token.

use std::future::Future;
use std::pin::Pin;

use actix_web::dev::Payload;
use actix_web::{web, FromRequest, HttpRequest, HttpResponse};
use base64::Engine;

use super::error::PageError;
use super::texts::{texts, MarketTexts};
use super::MarketConsole;
use crate::admin::MARKET_CONSOLE_CLIENT_ID;
use crate::console::chrome::{self, Visit};
use crate::console::first_party::{FirstParty, SignInError};
use crate::console::form::Form;
use crate::domain::resource::{MARKETPLACE_BUYER, MARKETPLACE_OPERATOR, MARKETPLACE_SELLER};
use crate::idp::Idp;
use crate::marketplace::{Caller, MarketError, Marketplace, Role};
use crate::web::Lang;

pub const COOKIE: &str = "unilogin_market";

fn first_party(console: &MarketConsole) -> FirstParty<'_> {
    FirstParty {
        client_id: MARKET_CONSOLE_CLIENT_ID,
        base: "/market",
        cookie: COOKIE,
        scopes: &[MARKETPLACE_BUYER, MARKETPLACE_SELLER, MARKETPLACE_OPERATOR],
        issuer: &console.issuer,
        secure_cookies: console.secure_cookies,
        sessions: &console.sessions,
    }
}

fn safe_return(raw: &str) -> String {
    FirstParty::safe_return_for("/market", raw)
}

/// `GET /market/login?return=…[&fresh=1]`: off to authorize.
pub async fn login(
    req: HttpRequest,
    console: web::Data<MarketConsole>,
) -> Result<HttpResponse, PageError> {
    Ok(chrome::login(&req, first_party(&console)).await?)
}

/// `GET /market/callback?code=&state=`: the session opens.
pub async fn callback(
    req: HttpRequest,
    console: web::Data<MarketConsole>,
    idp: web::Data<Idp>,
) -> Result<HttpResponse, PageError> {
    chrome::callback(&req, first_party(&console), &idp)
        .await
        .map_err(|err| match err {
            SignInError::Failed => PageError::SignInFailed,
            SignInError::Unavailable => PageError::Unavailable,
            SignInError::Store(err) => err.into(),
        })
}

/// `POST /market/logout`: this session ends, and the unilogin session through
/// RP-initiated logout, which comes back here.
pub async fn logout(
    member: Member,
    console: web::Data<MarketConsole>,
    form: Form,
) -> Result<HttpResponse, PageError> {
    member.check(&form)?;
    Ok(first_party(&console)
        .end(&member.cookie, &member.id_token)
        .await?)
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
    /// In-site messages not yet read, for the navigation.
    pub unread: i64,
    /// The user's tenant is an active partner of the customer service provider plan.
    pub partner: bool,
    /// The user administers the platform too.
    pub platform_admin: bool,
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

    /// The cookie naming this console session: what its one-time values are sealed for.
    pub fn cookie(&self) -> &str {
        &self.cookie
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
    let visit = Visit::of(req);
    let sign_in = || PageError::SignIn {
        return_to: safe_return(&visit.here),
    };
    let (cookie, session) = chrome::session(req, &first_party(console))
        .await?
        .ok_or_else(sign_in)?;
    let caller = match Caller::from_access_token(&session.access_token, market).await {
        Ok(caller) => caller,
        Err(MarketError::Unauthorized { .. }) => {
            // Expired, or ended at the identity provider (logout, a disabled user).
            console.sessions.close(&cookie).await?;
            return Err(sign_in());
        }
        Err(err) => return Err(err.into()),
    };
    let unread = match crate::marketplace::inbox::api::reader_of(&caller) {
        Ok(reader) => market.store.unread_count(&reader).await?,
        Err(_) => 0,
    };
    let partner = caller.is_user()
        && crate::marketplace::discounts::service::member(market, &caller)
            .await
            .is_ok();
    let platform_admin = caller.is_user()
        && console
            .admins
            .platform_admin(&caller.claims.sub)
            .await
            .map_err(|err| match err {
                crate::admin::AdminError::Store(err) => PageError::from(err),
                _ => PageError::Internal,
            })?
            .is_some();
    Ok(Member {
        roles: caller.roles(),
        caller,
        name: display_name(&session.id_token),
        csrf: session.csrf,
        lang: visit.lang,
        t: texts(visit.lang),
        switch_href: visit.switch_href,
        done: visit.done,
        unread,
        partner,
        platform_admin,
        cookie,
        id_token: session.id_token,
    })
}
