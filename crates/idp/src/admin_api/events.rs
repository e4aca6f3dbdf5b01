//! `/api/admin/v1/audit-events`: the administrative audit trail, newest first, filtered
//! by actor, action, target and time range (unix seconds, inclusive), paged with a
//! cursor; `/api/admin/v1/audit-events.csv` exports the same selection as CSV.

use actix_web::{web, HttpRequest, HttpResponse};
use serde::Serialize;

use super::caller::Reader;
use super::problem::{ApiError, Problem, Refusals};
use super::request::{page, paged};
use super::AdminApi;
use crate::store::durable::{AdminEvent, EventFilter};

/// The most rows one CSV export holds.

#[derive(Serialize, utoipa::ToSchema)]
struct EventView {
    id: String,
    at: i64,
    actor: String,
    address: String,
    action: String,
    target: String,
    changes: serde_json::Value,
}

impl From<AdminEvent> for EventView {
    fn from(e: AdminEvent) -> Self {
        Self {
            changes: serde_json::from_str(&e.changes).unwrap_or(serde_json::Value::Null),
            id: e.id,
            at: e.at,
            actor: e.actor,
            address: e.address,
            action: e.action,
            target: e.target,
        }
    }
}

fn filter(req: &HttpRequest) -> Result<EventFilter, ApiError> {
    let mut filter = EventFilter::everything();
    for (name, value) in url::form_urlencoded::parse(req.query_string().as_bytes()) {
        let text = || -> Result<String, ApiError> {
            if value.chars().count() > 256 {
                return Err(ApiError::field(&name, "must be at most 256 characters"));
            }
            Ok(value.clone().into_owned())
        };
        let seconds = || -> Result<i64, ApiError> {
            value
                .parse::<i64>()
                .ok()
                .filter(|s| *s >= 0)
                .ok_or_else(|| ApiError::field(&name, "must be a time in unix seconds"))
        };
        match &*name {
            "actor" => filter.actor = text()?,
            "action" => filter.action = text()?,
            "target" => filter.target = text()?,
            "from" => filter.from = seconds()?,
            "to" => filter.to = seconds()?,
            "limit" | "cursor" => {}
            other => {
                return Err(ApiError::field(
                    other,
                    "is not a filter (actor, action, target, from, to)",
                ))
            }
        }
    }
    if filter.from > filter.to {
        return Err(ApiError::field("from", "must not be after to"));
    }
    Ok(filter)
}

#[utoipa::path(
    get,
    path = "/api/admin/v1/audit-events",
    tag = "audit",
    params(("actor" = Option<String>, Query, description = "user:<id>, client:<id> or cli:<os user>"), ("action" = Option<String>, Query, description = "For example client.created"), ("target" = Option<String>, Query, description = "The id acted on"), ("from" = Option<i64>, Query, description = "Unix seconds, inclusive"), ("to" = Option<i64>, Query, description = "Unix seconds, inclusive"), ("limit" = Option<i64>, Query, description = "1 to 200, default 50"), ("cursor" = Option<String>, Query, description = "next_cursor of the previous page")),
    responses((status = 200, description = "A page of events, newest first", body = EventPage), Refusals, (status = 422, description = "A bad filter, limit or cursor", body = Problem, content_type = "application/problem+json")),
    security(("bearer" = ["admin.read"]))
)]
pub async fn list(
    _: Reader,
    req: HttpRequest,
    api: web::Data<AdminApi>,
) -> Result<HttpResponse, ApiError> {
    let filter = filter(&req)?;
    let page = page(&req)?;
    let found = api
        .service
        .events(&filter, &page.after, page.limit + 1)
        .await?;
    let (items, next) = paged(found, page.limit, |e| e.id.clone());
    Ok(HttpResponse::Ok().json(EventPage {
        items: items.into_iter().map(EventView::from).collect(),
        next_cursor: next,
    }))
}

#[utoipa::path(
    get,
    path = "/api/admin/v1/audit-events.csv",
    tag = "audit",
    params(("actor" = Option<String>, Query, description = "user:<id>, client:<id> or cli:<os user>"), ("action" = Option<String>, Query, description = "For example client.created"), ("target" = Option<String>, Query, description = "The id acted on"), ("from" = Option<i64>, Query, description = "Unix seconds, inclusive"), ("to" = Option<i64>, Query, description = "Unix seconds, inclusive")),
    responses((status = 200, description = "The selected events as CSV (id,at,actor,address,action,target,changes), at most 10,000", body = String), Refusals, (status = 422, description = "A bad filter", body = Problem, content_type = "application/problem+json")),
    security(("bearer" = ["admin.read"]))
)]
pub async fn export(
    _: Reader,
    req: HttpRequest,
    api: web::Data<AdminApi>,
) -> Result<HttpResponse, ApiError> {
    let filter = filter(&req)?;
    let csv = api.service.export_events(&filter).await?;
    Ok(crate::admin::csv_attachment(csv))
}

/// A page of audit events.
#[derive(Serialize, utoipa::ToSchema)]
struct EventPage {
    items: Vec<EventView>,
    /// Pass as `cursor` for the next page; `null` on the last.
    next_cursor: Option<String>,
}
