//! The audit log: filters by actor, action, target and day range, newest first, paged,
//! and its CSV export.

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
    pub changes: String,
}

impl From<AdminEvent> for EventRow {
    fn from(e: AdminEvent) -> Self {
        Self {
            at: crate::calendar::readable(e.at),
            actor: e.actor,
            address: e.address,
            action: e.action,
            target: e.target,
            changes: e.changes,
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
    let mut day = |field: &'static str, raw: &str| -> Option<i64> {
        if raw.is_empty() {
            return None;
        }
        let parsed = crate::calendar::parse_day(raw);
        if parsed.is_none() {
            errors.add(field, t.bad_day);
        }
        parsed
    };
    if let Some(from) = day("from", &typed.from) {
        filter.from = from;
    }
    if let Some(to) = day("to", &typed.to) {
        // The whole of the last day.
        filter.to = to + 86_399;
    }
    if filter.from > filter.to {
        errors.add("from", t.from_after_to);
    }
    (typed, filter, errors, before)
}

fn query_of(typed: &Typed) -> String {
    let mut query = url::form_urlencoded::Serializer::new(String::new());
    for (k, v) in [
        ("actor", &typed.actor),
        ("action", &typed.action),
        ("target", &typed.target),
        ("from", &typed.from),
        ("to", &typed.to),
    ] {
        if !v.is_empty() {
            query.append_pair(k, v);
        }
    }
    query.finish()
}

async fn list(
    req: HttpRequest,
    admin: Admin,
    console: web::Data<Console>,
) -> Result<HttpResponse, ConsoleError> {
    let (typed, filter, errors, before) = read_filter(&req, admin.t);
    let mut events = Vec::new();
    let mut next = None;
    if errors.is_empty() {
        let mut found = console
            .service
            .events(&filter, &before, PAGE_SIZE + 1)
            .await?;
        next = super::one_page(&mut found, |e| e.id.clone());
        events = found.into_iter().map(EventRow::from).collect();
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
    let (_, filter, errors, _) = read_filter(&req, admin.t);
    if !errors.is_empty() {
        return Err(ConsoleError::Refused(admin.t.bad_day.into()));
    }
    let csv = console.service.export_events(&filter).await?;
    Ok(crate::admin::csv_attachment(csv))
}
