//! The unified login page: `GET` shows the form, `POST` checks the credentials.

pub mod get;
pub mod post;

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse};
use askama::Template;

use super::cookies::{self, CSRF_COOKIE, LANG_COOKIE};
use super::error::PageError;
use super::i18n::Lang;
use super::pages::{html, LoginPage};
use super::params::Params;
use super::Idp;
use super::NoCode;
use crate::domain::{AppId, RedirectUri};
use crate::idp::i18n::LoginTexts;
use crate::secret::random_token;
use crate::store::durable::{ClientRecord, PortalAppRecord};
use crate::store::ephemeral::{BrowserSession, PendingRequest};

/// What a successful login continues.
pub enum Flow {
    /// An authorize request waiting under `reference`.
    Authorize {
        reference: String,
        client_name: String,
    },
    /// The portal URL of an app (`ind=UNOP&appId=…`): the code goes to the app's home.
    Portal { client: Box<ClientRecord> },
    /// The portal URL of a joint-operation app: the code goes to its home, for the
    /// registration of the signed-in user's tenant.
    PortalApp { app: PortalAppRecord },
    /// Signing in at the login page itself.
    Plain,
}

impl Flow {
    /// Reads `req`, or `ind` + `appId`, and checks they name something live.
    pub async fn resolve(idp: &Idp, params: &Params, lang: Lang) -> Result<Self, PageError> {
        let bad = |m: String| PageError::bad_request(lang, m);
        if let Some(reference) = params.get("req").map_err(|e| bad(e.to_string()))? {
            let pending = idp
                .pending
                .get(reference)
                .await
                .map_err(|e| PageError::store(lang, e))?
                .ok_or_else(|| bad(lang.texts().expired_request.into()))?;
            let client = idp
                .durable
                .find_client(&pending.client_id)
                .await
                .map_err(|e| PageError::store(lang, e))?
                .ok_or_else(|| bad(lang.texts().expired_request.into()))?;
            return Ok(Self::Authorize {
                reference: reference.to_owned(),
                client_name: client.name,
            });
        }
        let ind = params.get("ind").map_err(|e| bad(e.to_string()))?;
        if let Some(app_id) = params.get("appId").map_err(|e| bad(e.to_string()))? {
            if ind != Some("UNOP") {
                return Err(bad(lang.texts().bad_ind.into()));
            }
            let app_id = AppId::parse(app_id).map_err(|_| bad(lang.texts().unknown_app.into()))?;
            let app_id = app_id.as_str();
            let client = idp
                .durable
                .find_client_by_app_id(app_id)
                .await
                .map_err(|e| PageError::store(lang, e))?;
            let Some(client) = client else {
                let app = idp
                    .durable
                    .portal_app(app_id)
                    .await
                    .map_err(|e| PageError::store(lang, e))?
                    .ok_or_else(|| bad(lang.texts().unknown_app.into()))?;
                return Ok(Self::PortalApp { app });
            };
            // The portal's code carries no PKCE challenge (upstream's portal has none), and
            // a public client has nothing else to prove it is the one redeeming it.
            if client.is_public() {
                return Err(bad(lang.texts().public_app_portal.into()));
            }
            return Ok(Self::Portal {
                client: Box::new(client),
            });
        }
        if ind.is_some_and(|ind| ind != "UNOP") {
            return Err(bad(lang.texts().bad_ind.into()));
        }
        Ok(Self::Plain)
    }

    fn client_name(&self) -> Option<&str> {
        match self {
            Self::Authorize { client_name, .. } => Some(client_name),
            Self::Portal { client } => Some(&client.name),
            Self::PortalApp { app } => Some(&app.name),
            Self::Plain => None,
        }
    }

    /// Where the browser goes once `session` exists.
    pub async fn destination(&self, idp: &Idp, session: &BrowserSession) -> Result<String, NoCode> {
        match self {
            Self::Authorize { reference, .. } => Ok(super::url_with_query(
                super::AUTHORIZE_PATH,
                &[("req", reference)],
            )),
            Self::Portal { client } => {
                let home = client
                    .home_url
                    .clone()
                    .or_else(|| client.redirect_uris.first().cloned())
                    .unwrap_or_default();
                portal_code(idp, &client.client_id, &home, session).await
            }
            Self::PortalApp { app } => {
                let client = idp
                    .durable
                    .tenant_client(&app.app_id, &session.tenant_id)
                    .await?
                    .ok_or(NoCode::NoInstance)?;
                portal_code(idp, &client.client_id, &app.home_url, session).await
            }
            Self::Plain => Ok(super::LOGIN_PATH.to_owned()),
        }
    }
}

/// A code for `client_id`, sent to the app's `home` with `tenant`, never `state`
/// (upstream's portal redirect).
async fn portal_code(
    idp: &Idp,
    client_id: &str,
    home: &str,
    session: &BrowserSession,
) -> Result<String, NoCode> {
    let home = RedirectUri::parse(home)
        .map_err(|e| crate::store::StoreError::Corrupt(format!("app home URL: {e}")))?;
    let request = PendingRequest {
        client_id: client_id.to_owned(),
        redirect_uri: home.as_str().to_owned(),
        redirect_uri_sent: false,
        scope: crate::domain::Scope::default_scope().to_string(),
        state: None,
        code_challenge: None,
        nonce: None,
        reauthenticate: None,
        // The default scope reads userinfo: the identity provider's own.
        audience: idp.issuer.clone(),
    };
    idp.code_redirect(&request, session).await
}

/// The CSRF token of this browser (double-submit: cookie and form field must match).
pub fn csrf_token(req: &HttpRequest) -> Option<String> {
    req.cookie(CSRF_COOKIE)
        .map(|c| c.value().to_owned())
        .filter(|v| v.len() == 43)
}

/// The login form, with a CSRF cookie and the language remembered.
pub fn render_form(
    idp: &Idp,
    req: &HttpRequest,
    lang: Lang,
    flow: &Flow,
    params: &Params,
    error: Option<&'static str>,
    username: &str,
) -> HttpResponse {
    let csrf = csrf_token(req).unwrap_or_else(random_token);
    let (reference, app_id) = match flow {
        Flow::Authorize { reference, .. } => (Some(reference.as_str()), None),
        Flow::Portal { client } => (None, Some(client.app_id.as_str())),
        Flow::PortalApp { app } => (None, Some(app.app_id.as_str())),
        Flow::Plain => (None, None),
    };
    let page = LoginPage {
        t: lang.texts(),
        lang_code: lang.code(),
        switch_href: switch_href(lang, params),
        app_name: flow.client_name(),
        error,
        csrf_token: &csrf,
        req: reference,
        app_id,
        username,
    };
    let mut response = html(StatusCode::OK, page.render());
    remember(idp, &mut response, &csrf, lang);
    response
}

fn remember(idp: &Idp, response: &mut HttpResponse, csrf: &str, lang: Lang) {
    let max_age = idp.lifetimes.pending_request.as_secs() as i64 * 4;
    for cookie in [
        cookies::build(CSRF_COOKIE, csrf.to_owned(), idp.secure_cookies, max_age),
        cookies::build(
            LANG_COOKIE,
            lang.code().to_owned(),
            idp.secure_cookies,
            365 * 86400,
        ),
    ] {
        if let Err(err) = response.add_cookie(&cookie) {
            tracing::error!(error = %err, "could not set a cookie");
        }
    }
}

/// The same page in the other language: the current flow parameters with `lang` switched.
pub fn switch_href(lang: Lang, params: &Params) -> String {
    let mut pairs: Vec<(&str, &str)> = Vec::new();
    for name in ["req", "ind", "appId"] {
        if let Ok(Some(value)) = params.get(name) {
            pairs.push((name, value));
        }
    }
    pairs.push(("lang", lang.other().code()));
    super::url_with_query(super::LOGIN_PATH, &pairs)
}
