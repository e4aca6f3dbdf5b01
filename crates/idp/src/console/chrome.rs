//! What both consoles (the admin console at `/console/` and the marketplace console at
//! `/market/`) share, written once: the sign-in routes of a first-party console, reading
//! the request a page is for (where it is, its language and the other language's link,
//! the notice a change left), the console session behind the cookie, the error pages
//! rendered in the request's language, and remembering an explicit language choice.

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header;
use actix_web::middleware::Next;
use actix_web::{HttpRequest, HttpResponse, ResponseError};

use super::first_party::{FirstParty, SignInError};
use crate::idp::Idp;
use crate::store::ephemeral::ConsoleSession;
use crate::store::StoreError;
use crate::telemetry::Https;
use crate::web::Lang;

/// What a page knows of its request before it knows who is signed in.
pub struct Visit {
    /// This request's path (and query, for a GET): where a sign-in comes back to.
    pub here: String,
    pub lang: Lang,
    /// This page in the other language.
    pub switch_href: String,
    /// The change that led here (post/redirect/get), from `?done=`.
    pub done: Option<String>,
}

impl Visit {
    pub fn of(req: &HttpRequest) -> Self {
        let here = match req.uri().path_and_query() {
            Some(pq) if req.method() == actix_web::http::Method::GET => pq.as_str().to_owned(),
            _ => req.path().to_owned(),
        };
        let lang = lang_of(req);
        Self {
            here,
            lang,
            switch_href: switch_href(req, lang.other()),
            done: Some(query(req, "done")).filter(|d| !d.is_empty()),
        }
    }
}

/// One query parameter, trimmed and capped ("" when absent).
pub fn query(req: &HttpRequest, name: &str) -> String {
    url::form_urlencoded::parse(req.query_string().as_bytes())
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.trim().chars().take(512).collect())
        .unwrap_or_default()
}

/// The `lang` of the query, when it names one of our languages.
pub fn explicit_lang(query: &str) -> Option<Lang> {
    url::form_urlencoded::parse(query.as_bytes())
        .find(|(k, _)| k == "lang")
        .and_then(|(_, v)| Lang::parse(&v))
}

/// The page's language: an explicit `?lang=`, else the remembered choice, else the
/// browser's.
pub fn lang_of(req: &HttpRequest) -> Lang {
    let explicit = explicit_lang(req.query_string());
    Lang::negotiate(req, explicit.map(Lang::code))
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

/// The console session the request's `cookie` names: the cookie's value and the session,
/// or `None` when there is none (sign in).
pub async fn session(
    req: &HttpRequest,
    console: &FirstParty<'_>,
) -> Result<Option<(String, ConsoleSession)>, StoreError> {
    let Some(cookie) = req.cookie(console.cookie) else {
        return Ok(None);
    };
    let cookie = cookie.value().to_owned();
    Ok(console
        .sessions
        .get(&cookie)
        .await?
        .map(|session| (cookie, session)))
}

/// Where a console's sign-in starts, to come back to `return_to`; `fresh` asks for the
/// password again.
pub fn sign_in_redirect(base: &str, return_to: &str, fresh: bool) -> HttpResponse {
    let mut pairs = vec![("return", return_to)];
    if fresh {
        pairs.push(("fresh", "1"));
    }
    let location = crate::web::url_with_query(&format!("{base}/login"), &pairs);
    HttpResponse::SeeOther()
        .insert_header((header::LOCATION, location))
        .finish()
}

/// `GET {base}/login?return=…[&fresh=1]`: off to authorize; `fresh` asks for the password
/// again (`prompt=login`), for actions that need a recent sign-in.
pub async fn login(req: &HttpRequest, console: FirstParty<'_>) -> Result<HttpResponse, StoreError> {
    let return_to = FirstParty::safe_return_for(console.base, &query(req, "return"));
    let fresh = query(req, "fresh") == "1";
    console.begin(return_to, fresh).await
}

/// `GET {base}/callback?code=&state=`: the code is redeemed in this process, with the
/// same checks the token endpoint makes, and the console session opens.
pub async fn callback(
    req: &HttpRequest,
    console: FirstParty<'_>,
    idp: &Idp,
) -> Result<HttpResponse, SignInError> {
    console.finish(req, idp).await
}

/// A console's error as a page in a language: its own texts, or a sign-in redirect.
pub trait ErrorPage: ResponseError + 'static {
    fn render(&self, lang: Lang) -> HttpResponse;
}

/// Renders a console's errors (`E`) in the request's language.
pub async fn localize<E: ErrorPage>(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let lang = lang_of(req.request());
    let response = next.call(req).await?;
    let localized = response
        .response()
        .error()
        .and_then(|e| e.as_error::<E>())
        .map(|e| e.render(lang));
    Ok(match localized {
        Some(page) => response.into_response(page),
        None => response.map_into_boxed_body(),
    })
}

/// Remembers an explicit language choice (`?lang=`) in the cookie every page reads.
pub async fn remember_language(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let explicit = explicit_lang(req.query_string());
    let secure = req
        .app_data::<actix_web::web::Data<Https>>()
        .is_some_and(|https| https.0);
    let mut response = next.call(req).await?;
    if let Some(lang) = explicit {
        let cookie = crate::idp::cookies::build(
            crate::idp::cookies::LANG_COOKIE,
            lang.code().to_owned(),
            secure,
            365 * 86_400,
        );
        let _ = response.response_mut().add_cookie(&cookie);
    }
    Ok(response)
}
