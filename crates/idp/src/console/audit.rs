//! The audit log: filters by actor, action, target and day range, newest first, paged,
//! and its CSV export.

use std::collections::HashMap;

use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;

use super::form::Errors;
use super::texts::ConsoleTexts;
use super::{Admin, Chrome, Console, ConsoleError, PAGE_SIZE};
use crate::store::durable::{AdminEvent, EventFilter};

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/audit", web::get().to(list))
        .route("/audit.csv", web::get().to(export));
}

/// An event as a row: its time readable, in UTC.
pub struct EventRow {
    pub at: String,
    pub actor: String,
    pub address: String,
    pub action: String,
    pub target: String,
    pub changes: Vec<super::changes::ChangeRow>,
}

/// The usernames of the people who acted in `events` (`user:<id>` → username).
pub async fn usernames(
    console: &Console,
    events: &[AdminEvent],
) -> Result<HashMap<String, String>, ConsoleError> {
    let mut names = HashMap::new();
    for actor in events.iter().map(|e| &e.actor) {
        let Some(id) = actor.strip_prefix("user:") else {
            continue;
        };
        if names.contains_key(actor) {
            continue;
        }
        if let Some(user) = console.service.durable().find_user(id).await? {
            names.insert(actor.clone(), user.username);
        }
    }
    Ok(names)
}

/// The actor a filter names: a username stands for `user:<its id>`; `user:…`,
/// `client:…` and `cli:…` are taken as they are.
async fn actor_of(console: &Console, typed: &str) -> Result<String, ConsoleError> {
    if typed.is_empty() || typed.contains(':') {
        return Ok(typed.to_owned());
    }
    Ok(
        match console
            .service
            .durable()
            .find_user_by_username(typed)
            .await?
        {
            Some(user) => format!("user:{}", user.id),
            // No such user: a filter nothing matches.
            None => format!("user:{typed}"),
        },
    )
}

impl EventRow {
    /// The event as `t`'s language reads it: who acted by username, its action and
    /// address in words.
    pub fn of(e: AdminEvent, t: &ConsoleTexts, names: &HashMap<String, String>) -> Self {
        Self {
            at: crate::calendar::local().readable(e.at),
            actor: names.get(&e.actor).cloned().unwrap_or(e.actor),
            address: super::labels::label(t, &e.address),
            action: super::labels::label(t, &e.action),
            target: e.target,
            changes: super::changes::rows(t, &e.changes),
        }
    }
}

/// The filter fields as typed, to show them back.
#[derive(Default)]
struct Typed {
    actor: String,
    action: String,
    target: String,
    from: String,
    to: String,
}

#[derive(Template)]
#[template(path = "console/audit.html")]
struct AuditPage {
    t: &'static ConsoleTexts,
    c: Chrome,
    typed: Typed,
    errors: Errors,
    events: Vec<EventRow>,
    /// The query of this filter (for the next page and the export), without `before`.
    filter_query: String,
    next: Option<String>,
}

fn read_filter(req: &HttpRequest, t: &ConsoleTexts) -> (Typed, EventFilter, Errors, String) {
    let mut typed = Typed::default();
    let mut before = String::new();
    for (k, v) in url::form_urlencoded::parse(req.query_string().as_bytes()) {
        let v: String = v.trim().chars().take(256).collect();
        match &*k {
            "actor" => typed.actor = v,
            "action" => typed.action = v,
            "target" => typed.target = v,
            "from" => typed.from = v,
            "to" => typed.to = v,
            "before" => before = v,
            _ => {}
        }
    }
    let mut errors = Errors::default();
    let mut filter = EventFilter {
        actor: typed.actor.clone(),
        action: typed.action.clone(),
        target: typed.target.clone(),
        ..EventFilter::everything()
    };
    (filter.from, filter.to) = super::day_range(&typed.from, &typed.to, t, &mut errors);
    (typed, filter, errors, before)
}

fn query_of(typed: &Typed) -> String {
    super::filter_query(&[
        ("actor", &typed.actor),
        ("action", &typed.action),
        ("target", &typed.target),
        ("from", &typed.from),
        ("to", &typed.to),
    ])
}

async fn list(
    req: HttpRequest,
    admin: Admin,
    console: web::Data<Console>,
) -> Result<HttpResponse, ConsoleError> {
    let (typed, mut filter, errors, before) = read_filter(&req, admin.t);
    filter.actor = actor_of(&console, &typed.actor).await?;
    let mut events = Vec::new();
    let mut next = None;
    if errors.is_empty() {
        let mut found = console
            .service
            .events(&filter, &before, PAGE_SIZE + 1)
            .await?;
        next = super::one_page(&mut found, |e| e.id.clone());
        let names = usernames(&console, &found).await?;
        events = found
            .into_iter()
            .map(|e| EventRow::of(e, admin.t, &names))
            .collect();
    }
    let status = if errors.is_empty() {
        actix_web::http::StatusCode::OK
    } else {
        actix_web::http::StatusCode::UNPROCESSABLE_ENTITY
    };
    let page = AuditPage {
        t: admin.t,
        c: admin.chrome("audit"),
        filter_query: query_of(&typed),
        typed,
        errors,
        events,
        next,
    };
    Ok(super::page(status, page.render()))
}

async fn export(
    req: HttpRequest,
    admin: Admin,
    console: web::Data<Console>,
) -> Result<HttpResponse, ConsoleError> {
    let (typed, mut filter, errors, _) = read_filter(&req, admin.t);
    filter.actor = actor_of(&console, &typed.actor).await?;
    if !errors.is_empty() {
        return Err(ConsoleError::Refused(admin.t.bad_day.into()));
    }
    let csv = console.service.export_events(&filter).await?;
    Ok(crate::admin::csv_attachment(csv))
}
