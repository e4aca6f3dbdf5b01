//! Signing in to the console through unilogin's own authorize endpoint, as the public
//! first-party client `unilogin-console` (code + PKCE), and the `Admin` every page asks
//! for: a live console session whose access token still verifies for the admin API and
//! whose user is still an enabled platform administrator, checked on every request.

use std::future::Future;
use std::pin::Pin;

use actix_web::dev::Payload;
use actix_web::{web, FromRequest, HttpRequest, HttpResponse};

use super::chrome::{self, Visit};
use super::error::ConsoleError;
use super::first_party::{FirstParty, SignInError};
use super::form::Form;
use super::texts::{texts, ConsoleTexts};
use super::Console;
use crate::admin::{Actor, CONSOLE_CLIENT_ID};
use crate::domain::resource::{ADMIN_READ, ADMIN_WRITE};
use crate::idp::Idp;
use crate::secret::constant_time_eq;
use crate::store::durable::UserRecord;
use crate::tokens::Refusal;
use crate::web::Lang;

pub const COOKIE: &str = "unilogin_console";

/// How recent a sign-in must be for an action that cannot be undone.
pub const RECENT_SIGN_IN_SECS: i64 = 15 * 60;

fn first_party(console: &Console) -> FirstParty<'_> {
    FirstParty {
        client_id: CONSOLE_CLIENT_ID,
        base: "/console",
        cookie: COOKIE,
        scopes: &[ADMIN_READ, ADMIN_WRITE],
        issuer: &console.issuer,
        secure_cookies: console.secure_cookies,
        sessions: &console.sessions,
    }
}

fn safe_return(raw: &str) -> String {
    FirstParty::safe_return_for("/console", raw)
}

/// `GET /console/login?return=…[&fresh=1]`: off to authorize.
pub async fn login(
    req: HttpRequest,
    console: web::Data<Console>,
) -> Result<HttpResponse, ConsoleError> {
    Ok(chrome::login(&req, first_party(&console)).await?)
}

/// `GET /console/callback?code=&state=`: the console session opens.
pub async fn callback(
    req: HttpRequest,
    console: web::Data<Console>,
    idp: web::Data<Idp>,
) -> Result<HttpResponse, ConsoleError> {
    chrome::callback(&req, first_party(&console), &idp)
        .await
        .map_err(|err| match err {
            SignInError::Failed => ConsoleError::SignInFailed,
            SignInError::Unavailable => ConsoleError::Unavailable,
            SignInError::Store(err) => err.into(),
        })
}

/// `POST /console/logout`: the console session ends here, and the unilogin session
/// through RP-initiated logout, which comes back to the console's sign-in.
pub async fn logout(
    admin: Admin,
    console: web::Data<Console>,
    form: Form,
) -> Result<HttpResponse, ConsoleError> {
    admin.check_csrf(&form)?;
    Ok(first_party(&console)
        .end(&admin.cookie, &admin.id_token)
        .await?)
}

pub use super::first_party::see_other;

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
            form_id: crate::secret::random_token(),
        }
    }

    /// The cookie naming this console session: what its one-time values are sealed for.
    pub(crate) fn cookie(&self) -> &str {
        &self.cookie
    }

    pub fn csrf_matches(&self, sent: &str) -> bool {
        constant_time_eq(sent.as_bytes(), self.csrf.as_bytes())
    }

    /// A change's form must carry this session's CSRF token.
    pub fn check_csrf(&self, form: &Form) -> Result<(), ConsoleError> {
        if self.csrf_matches(form.get("csrf_token")) {
            Ok(())
        } else {
            Err(ConsoleError::Csrf)
        }
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
    let visit = Visit::of(req);
    let sign_in = || ConsoleError::SignIn {
        return_to: safe_return(&visit.here),
    };
    let (cookie, session) = chrome::session(req, &first_party(console))
        .await?
        .ok_or_else(sign_in)?;
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
    Ok(Admin {
        actor: Actor::user(&user.id, &crate::web::client_ip(req)),
        user,
        csrf: session.csrf,
        lang: visit.lang,
        t: texts(visit.lang),
        auth_time: claims.auth_time.unwrap_or(0),
        now: console.clock.now_unix(),
        switch_href: visit.switch_href,
        done: visit.done,
        here: visit.here,
        cookie,
        id_token: session.id_token,
    })
}
