//! The admin console at `/console/`: server-rendered pages in Simplified Chinese and
//! English over the admin service (the same one the command line and the admin API use),
//! signed in through unilogin's own authorize endpoint. Works without JavaScript; the one
//! script (copy to clipboard) is served from here, so the strict CSP stays.

mod activity;
mod audit;
pub mod changes;
pub mod chrome;
mod clients;
mod error;
pub mod first_party;
pub mod form;
pub mod labels;
mod market_roles;
pub mod once;
mod overview;
mod session;
mod settings;
pub mod sign_ins;
mod tenants;
pub mod texts;
mod user_actions;
mod users;

use std::sync::Arc;

use actix_web::http::{header, StatusCode};
use actix_web::middleware::from_fn;
use actix_web::{web, HttpResponse};

pub use chrome::{explicit_lang, query};
pub use error::ConsoleError;
pub use session::{Admin, COOKIE, RECENT_SIGN_IN_SECS};

use crate::admin::AdminService;
use crate::clock::Clock;
use crate::store::ephemeral::ConsoleSessions;
use crate::tokens::AccessVerifier;
use texts::ConsoleTexts;

/// Rows per page of every list.
pub const PAGE_SIZE: i64 = 25;

pub struct Console {
    pub service: Arc<AdminService>,
    pub access: Arc<AccessVerifier>,
    pub sessions: ConsoleSessions,
    /// The admin API's identifier: the console's tokens are issued for it.
    pub audience: String,
    pub issuer: String,
    pub secure_cookies: bool,
    pub clock: Clock,
    /// The day's numbers (tokens issued, sessions live), written before the overview
    /// reads them.
    pub daily: Arc<crate::admin::daily_counts::DailyCounts>,
}

/// What the frame of every page shows: the navigation, who is signed in, the language
/// switch, and the notice left by the action that led here.
pub struct Chrome {
    pub section: &'static str,
    pub username: String,
    pub csrf: String,
    pub switch_href: String,
    pub notice: Option<&'static str>,
    /// Names this rendering of the page's forms: submitting one twice repeats nothing.
    pub form_id: String,
}

/// The notice for `?done=…` after a change (post/redirect/get).
fn notice(t: &'static ConsoleTexts, done: &str) -> Option<&'static str> {
    Some(match done {
        "client_updated" => t.done_client_updated,
        "client_deleted" => t.done_client_deleted,
        "tenant_created" => t.done_tenant_created,
        "tenant_updated" => t.done_tenant_updated,
        "user_created" => t.user_created,
        "user_updated" => t.done_user_updated,
        "user_disabled" => t.done_user_disabled,
        "user_enabled" => t.done_user_enabled,
        "password_reset" => t.done_password_reset,
        "sessions_ended" => t.done_sessions_ended,
        "grant_revoked" => t.done_grant_revoked,
        "keys_rotated" => t.done_keys_rotated,
        "resource_server_created" => t.done_resource_server_created,
        "operator_granted" => t.done_operator_granted,
        "operator_revoked" => t.done_operator_revoked,
        "merchant_registered" => t.done_merchant_registered,
        _ => return None,
    })
}

/// A time for people, in the configured zone; templates pass their values by reference.
pub fn when(unix: &i64) -> String {
    crate::calendar::local().readable(*unix)
}

/// A filter's typed day range (`from`, `to`: whole days in the configured zone) as unix
/// seconds, everything when empty; a day that does not parse, or a range that runs
/// backwards, is an error beside its field.
pub fn day_range(
    from: &str,
    to: &str,
    t: &texts::ConsoleTexts,
    errors: &mut form::Errors,
) -> (i64, i64) {
    let calendar = crate::calendar::local();
    let mut day = |field: &'static str, raw: &str, parse: &dyn Fn(&str) -> Option<i64>| {
        if raw.is_empty() {
            return None;
        }
        let parsed = parse(raw);
        if parsed.is_none() {
            errors.add(field, t.bad_day);
        }
        parsed
    };
    let first = day("from", from, &|raw| calendar.parse_day(raw)).unwrap_or(0);
    let last = day("to", to, &|raw| calendar.parse_day_last(raw)).unwrap_or(i64::MAX);
    if first > last {
        errors.add("from", t.from_after_to);
    }
    (first, last)
}

/// The query string of a filter's non-empty fields.
pub fn filter_query(fields: &[(&str, &str)]) -> String {
    let mut query = url::form_urlencoded::Serializer::new(String::new());
    for (k, v) in fields {
        if !v.is_empty() {
            query.append_pair(k, v);
        }
    }
    query.finish()
}

/// The configured zone in words and its offset now: "China Standard Time (UTC+08:00)";
/// another zone by its IANA name.
pub fn zone(t: &texts::ConsoleTexts) -> String {
    let calendar = crate::calendar::local();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64);
    let name = match calendar.zone_name() {
        crate::calendar::DEFAULT_ZONE => t.china_time,
        other => other,
    };
    format!("{name} ({})", calendar.offset_label(now))
}

/// The note under a page of times: which zone they are in.
pub fn times_note(t: &texts::ConsoleTexts) -> String {
    t.times_in.replace("{}", &zone(t))
}

/// A rendered page (never cached: pages carry CSRF tokens and once-shown secrets).
pub fn page(status: StatusCode, rendered: Result<String, askama::Error>) -> HttpResponse {
    crate::web::html(status, rendered)
}

pub fn ok(rendered: Result<String, askama::Error>) -> HttpResponse {
    page(StatusCode::OK, rendered)
}

/// After a change: back to a page, with the notice of what was done.
pub fn done(path: &str, what: &str) -> HttpResponse {
    let separator = if path.contains('?') { '&' } else { '?' };
    session::see_other(&format!("{path}{separator}done={what}"))
}

/// What a confirmation page asks before an action that cannot be undone.
pub struct Question<'a> {
    /// The page's heading and its button.
    pub heading: &'a str,
    pub text: &'a str,
    pub target: String,
    /// Where the form posts; also where a fresh sign-in comes back to.
    pub action: String,
    pub cancel: String,
    /// An optional checkbox (name, label).
    pub option: Option<(&'a str, &'a str)>,
    /// A form that asks for a new password (twice) instead of a bare button.
    pub password: bool,
    /// A secret rotation: how long the old secret stays valid (`GRACE_CHOICES`).
    pub grace: bool,
}

/// The language a page of `t` is in.
pub fn lang_of(t: &ConsoleTexts) -> crate::web::Lang {
    if t.html_lang == "en" {
        crate::web::Lang::En
    } else {
        crate::web::Lang::Zh
    }
}

/// The grace periods a rotation offers, in seconds: none, an hour, a day, a week, 30 days.
pub const GRACE_CHOICES: [u64; 5] = [0, 3600, 86_400, 7 * 86_400, 30 * 86_400];

#[derive(askama::Template)]
#[template(path = "console/confirm.html")]
struct Confirm<'a> {
    t: &'static ConsoleTexts,
    c: Chrome,
    q: &'a Question<'a>,
    error: Option<&'a str>,
}

/// The confirmation page of `question`, after the recent sign-in its action needs.
/// Post/redirect/get for a value shown once (a secret, a set-password link): the page
/// at `path` shows it the one time it is asked for.
pub async fn show_once(
    admin: &Admin,
    console: &Console,
    path: &str,
    value: &impl serde::Serialize,
) -> Result<HttpResponse, ConsoleError> {
    Ok(once::show_once(&console.sessions, admin.cookie(), path, value).await?)
}

/// The value `show_once` kept for this page, if this is the one time.
pub async fn shown<T: serde::de::DeserializeOwned>(
    admin: &Admin,
    console: &Console,
    req: &actix_web::HttpRequest,
) -> Result<Option<T>, ConsoleError> {
    Ok(once::shown(&console.sessions, admin.cookie(), req).await?)
}

/// Acts on a submitted form once (see `once::act_once`).
pub async fn once(
    admin: &Admin,
    console: &Console,
    form: &form::Form,
    fallback: &str,
    act: impl std::future::Future<Output = Result<HttpResponse, ConsoleError>>,
) -> Result<HttpResponse, ConsoleError> {
    let form_id = form.get("form_id");
    once::act_once(&console.sessions, admin.cookie(), form_id, fallback, act).await
}

pub fn confirm(
    admin: &Admin,
    section: &'static str,
    question: &Question<'_>,
    status: StatusCode,
    error: Option<&str>,
) -> Result<HttpResponse, ConsoleError> {
    admin.require_recent_sign_in(&question.action)?;
    let page = Confirm {
        t: admin.t,
        c: admin.chrome(section),
        q: question,
        error,
    };
    Ok(self::page(status, askama::Template::render(&page)))
}

/// Keeps the first `PAGE_SIZE` of a list read with one extra, and returns the id to
/// continue after when there was more.
pub fn one_page<T>(items: &mut Vec<T>, id: impl Fn(&T) -> String) -> Option<String> {
    if items.len() as i64 <= PAGE_SIZE {
        return None;
    }
    items.truncate(PAGE_SIZE as usize);
    items.last().map(id)
}

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/console", web::get().to(to_home)).service(
        web::scope("/console")
            .wrap(from_fn(|req, next| {
                crate::web::refuse_control_characters(req, next, || ConsoleError::NotFound)
            }))
            .wrap(from_fn(chrome::localize::<ConsoleError>))
            .wrap(from_fn(chrome::remember_language))
            .route("/", web::get().to(overview::show))
            .route("/login", web::get().to(session::login))
            .route("/callback", web::get().to(session::callback))
            .route("/logout", web::post().to(session::logout))
            .route("/static/console.css", web::get().to(stylesheet))
            .route("/static/console.js", web::get().to(script))
            .configure(clients::routes)
            .configure(tenants::routes)
            .configure(users::routes)
            .configure(settings::routes)
            .configure(audit::routes)
            .configure(sign_ins::routes)
            .default_service(web::to(not_found)),
    );
}

async fn to_home() -> HttpResponse {
    session::see_other("/console/")
}

async fn not_found() -> Result<HttpResponse, ConsoleError> {
    Err(ConsoleError::NotFound)
}

async fn stylesheet() -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, "text/css; charset=utf-8"))
        .insert_header((header::CACHE_CONTROL, "public, max-age=3600"))
        .body(include_str!("../../templates/console/console.css"))
}

async fn script() -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, "text/javascript; charset=utf-8"))
        .insert_header((header::CACHE_CONTROL, "public, max-age=3600"))
        .body(include_str!("../../templates/console/console.js"))
}
