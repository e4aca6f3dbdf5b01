//! Publishing products through review applications.
//! - Seller: publish (`POST /seller/products`), modify (`PUT /seller/products/{id}`),
//!   list and read "my applications", withdraw a pending one, edit and resubmit the
//!   latest rejected one.
//! - Operator: list applications (pending by default), approve, reject with a reason.
//!
//! Illegal transitions are 409 naming the application's current state.

use actix_web::{web, HttpRequest, HttpResponse};
use serde::Serialize;

use crate::http::caller::Caller;
use crate::http::error::MarketError;
use crate::http::request::{json_body, page, paged, parsed, query_pairs};
use crate::http::roles::{Operator, Seller};
use crate::http::schema::{self, Page};
use crate::selling::machine::{Action, Actor};
use crate::selling::product::ProductContent;
use crate::selling::queries::ApplicationFilter;
use crate::selling::store::{
    ApplicationRecord, LogEntry, ReviewError, Transition, KINDS, PENDING, STATUSES,
};
use crate::state::Marketplace;

#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = Application)]
pub struct ApplicationView {
    id: String,
    product_id: String,
    #[serde(rename = "type")]
    kind: String,
    /// pending, approved, rejected or withdrawn
    status: String,
    #[schema(value_type = ProductContent)]
    content: serde_json::Value,
    #[serde(skip_serializing_if = "Option::is_none")]
    reason: Option<String>,
    created_at: i64,
    updated_at: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    log: Option<Vec<LogView>>,
}

#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = LogEntry)]
struct LogView {
    at: i64,
    actor: String,
    action: String,
    from_status: Option<String>,
    to_status: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    comment: String,
}

impl ApplicationView {
    fn new(record: ApplicationRecord, log: Option<Vec<LogEntry>>) -> Self {
        Self {
            content: serde_json::from_str(&record.content).unwrap_or(serde_json::Value::Null),
            id: record.id,
            product_id: record.product_id,
            kind: record.kind,
            status: record.status,
            reason: record.reason,
            created_at: record.created_at,
            updated_at: record.updated_at,
            log: log.map(|entries| {
                entries
                    .into_iter()
                    .map(|e| LogView {
                        at: e.at,
                        actor: e.actor,
                        action: e.action,
                        from_status: e.from_status,
                        to_status: e.to_status,
                        comment: e.comment,
                    })
                    .collect()
            }),
        }
    }
}

fn refused(err: ReviewError, what: &str) -> MarketError {
    match err {
        ReviewError::NotFound => MarketError::NotFound(format!("No such {what}")),
        ReviewError::WrongState(state) if what == "product" => MarketError::Conflict(format!(
            "The product already has an application that is {state}"
        )),
        ReviewError::WrongState(state) => {
            MarketError::Conflict(format!("The application is {state}"))
        }
        ReviewError::NotLatest => MarketError::Conflict(
            "Only the latest application of a product can be edited and resubmitted".into(),
        ),
        ReviewError::NotYours(why) => MarketError::Forbidden(why),
        ReviewError::Store(err) => err.into(),
    }
}

fn created(view: ApplicationView) -> HttpResponse {
    HttpResponse::Created().json(view)
}

/// Publish a product: creates a pending publish application
#[utoipa::path(
    post,
    path = "/api/marketplace/v1/seller/products",
    tag = "products",
    request_body = ProductContent,
    responses((status = 201, description = "Pending", body = ApplicationView), schema::Refusals),
    security(("bearer" = ["marketplace.seller"]))
)]
pub async fn publish(
    Seller { caller, .. }: Seller,
    req: HttpRequest,
    body: web::Bytes,
    market: web::Data<Marketplace>,
) -> Result<HttpResponse, MarketError> {
    submit(caller, &req, &body, &market, None).await
}

/// Modify a product: creates a pending application (modify once on sale)
#[utoipa::path(
    put,
    path = "/api/marketplace/v1/seller/products/{productId}",
    tag = "products",
    params(("productId" = String, Path)),
    request_body = ProductContent,
    responses((status = 201, description = "Pending", body = ApplicationView), schema::Refusals, (status = 404, description = "not_found", body = schema::ErrorBody), (status = 409, description = "conflict: an illegal transition (the current state is named) or a limit", body = schema::ErrorBody)),
    security(("bearer" = ["marketplace.seller"]))
)]
pub async fn modify(
    Seller { caller, .. }: Seller,
    req: HttpRequest,
    path: web::Path<String>,
    body: web::Bytes,
    market: web::Data<Marketplace>,
) -> Result<HttpResponse, MarketError> {
    submit(caller, &req, &body, &market, Some(path.into_inner())).await
}

/// A new application: for a new product, or for `product_id`.
async fn submit(
    caller: Caller,
    req: &HttpRequest,
    body: &[u8],
    market: &Marketplace,
    product_id: Option<String>,
) -> Result<HttpResponse, MarketError> {
    json_body(req, body)?;
    let record = submit_product(market, &caller, body, product_id.as_deref()).await?;
    Ok(created(ApplicationView::new(record, None)))
}

/// Publishes (or, with `product_id`, modifies) a product as the calling seller: the
/// content checked as `ProductContent` checks it, a pending application created. The API
/// and the marketplace console both come here.
pub async fn submit_product(
    market: &Marketplace,
    caller: &Caller,
    content: &[u8],
    product_id: Option<&str>,
) -> Result<ApplicationRecord, MarketError> {
    let merchant = caller.seller()?;
    let content = ProductContent::parse(content)?;
    let content = serde_json::to_string(&content).map_err(|_| MarketError::Internal)?;
    let decided = market
        .store
        .submit_application(
            &merchant.tenant_id,
            product_id,
            &content,
            &caller.claims.sub,
        )
        .await
        .map_err(|e| refused(e, "product"));
    told(market, decided).await
}

/// An application's change, its in-site messages handed on to the other channels.
async fn told(
    market: &Marketplace,
    decided: Result<ApplicationRecord, MarketError>,
) -> Result<ApplicationRecord, MarketError> {
    if let Ok(record) = &decided {
        market
            .channels
            .forward(&crate::selling::store::notices_of(record))
            .await;
    }
    decided
}

/// A seller edits and resubmits its latest rejected application.
pub async fn resubmit_product(
    market: &Marketplace,
    caller: &Caller,
    application_id: &str,
    content: &[u8],
) -> Result<ApplicationRecord, MarketError> {
    let merchant = caller.seller()?;
    let content = ProductContent::parse(content)?;
    let content = serde_json::to_string(&content).map_err(|_| MarketError::Internal)?;
    let decided = market
        .store
        .resubmit(
            application_id,
            &merchant.tenant_id,
            &content,
            &caller.claims.sub,
        )
        .await
        .map_err(|e| refused(e, "application"));
    told(market, decided).await
}

/// A seller withdraws one of its pending applications.
pub async fn withdraw_application(
    market: &Marketplace,
    caller: &Caller,
    id: &str,
) -> Result<ApplicationRecord, MarketError> {
    let merchant = caller.seller()?;
    let current = market
        .store
        .application(id)
        .await?
        .filter(|record| record.tenant_id == merchant.tenant_id)
        .ok_or_else(|| MarketError::NotFound("No such application".into()))?;
    // A pending application's content cannot change, so its type is read once here.
    let access_type = serde_json::from_str::<ProductContent>(&current.content)
        .map(|content| content.access_type)
        .map_err(|_| MarketError::Internal)?;
    if !access_type.application_withdrawable() {
        return Err(MarketError::Conflict(format!(
            "a {} application cannot be withdrawn: of joint-operation products only \
             License, manual-service and SaaS applications can be",
            access_type.as_str()
        )));
    }
    let transition = Transition {
        application_id: id,
        tenant_id: Some(&merchant.tenant_id),
        action: Action::Withdraw,
        role: Actor::Seller,
        actor: &caller.claims.sub,
        comment: "",
    };
    let decided = market
        .store
        .transition(&transition)
        .await
        .map_err(|e| refused(e, "application"));
    told(market, decided).await
}

/// An operator's decision on a pending application: approval (once the kit's debug cases
/// it needs are saved), or rejection with a reason of 1 to 1000 characters.
pub async fn decide_application(
    market: &Marketplace,
    caller: &Caller,
    id: &str,
    rejection: Option<&str>,
) -> Result<ApplicationRecord, MarketError> {
    caller.operator()?;
    let (action, comment) = match rejection {
        None => {
            if let Some(application) = market.store.application(id).await? {
                crate::kit::debug_api::debugged_for_sale(market, &application).await?;
            }
            (Action::Approve, "")
        }
        Some(reason) => {
            let reason = reason.trim();
            if reason.is_empty() || reason.chars().count() > 1000 {
                return Err(MarketError::Invalid(
                    "a rejection needs a reason of 1 to 1000 characters".into(),
                ));
            }
            (Action::Reject, reason)
        }
    };
    let transition = Transition {
        application_id: id,
        tenant_id: None,
        action,
        role: Actor::Operator,
        actor: &caller.claims.sub,
        comment,
    };
    let decided = market
        .store
        .transition(&transition)
        .await
        .map_err(|e| refused(e, "application"));
    told(market, decided).await
}

fn filter_from(pairs: &[(String, String)]) -> Result<ApplicationFilter, MarketError> {
    let get = |name: &str| {
        pairs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
    };
    let one_of = |name: &str, allowed: &[&str]| -> Result<Option<String>, MarketError> {
        match get(name) {
            Some(v) if !allowed.contains(&v.as_str()) => Err(MarketError::Invalid(format!(
                "{name} must be one of {}",
                allowed.join(", ")
            ))),
            other => Ok(other),
        }
    };
    let time = |name: &str| -> Result<Option<i64>, MarketError> {
        get(name)
            .map(|v| {
                v.parse::<i64>()
                    .map_err(|_| MarketError::Invalid(format!("{name} is a time in unix seconds")))
            })
            .transpose()
    };
    let (offset, limit) = page(pairs)?;
    Ok(ApplicationFilter {
        tenant_id: None,
        status: one_of("status", &STATUSES)?,
        kind: one_of("type", &KINDS)?,
        product_id: get("productId"),
        from: time("from")?,
        to: time("to")?,
        offset,
        limit,
    })
}

const FILTERS: &[&str] = &[
    "status",
    "type",
    "productId",
    "from",
    "to",
    "offset",
    "limit",
];

async fn listing(
    market: &Marketplace,
    filter: ApplicationFilter,
) -> Result<HttpResponse, MarketError> {
    let (offset, limit) = (filter.offset, filter.limit);
    let (records, total) = market.store.list_applications(&filter).await?;
    let items: Vec<ApplicationView> = records
        .into_iter()
        .map(|r| ApplicationView::new(r, None))
        .collect();
    Ok(paged(items, total, offset, limit))
}

/// My applications, filtered
#[utoipa::path(
    get,
    path = "/api/marketplace/v1/seller/applications",
    tag = "applications",
    params(("status" = Option<String>, Query, description = "pending, approved, rejected or withdrawn"), ("type" = Option<String>, Query, description = "publish or modify"), ("productId" = Option<String>, Query), ("from" = Option<i64>, Query, description = "created at or after (unix seconds)"), ("to" = Option<i64>, Query, description = "created at or before (unix seconds)"), ("offset" = Option<i64>, Query, minimum = 0, description = "default 0"), ("limit" = Option<i64>, Query, minimum = 1, maximum = 100, description = "default 20")),
    responses((status = 200, description = "A page", body = Page<ApplicationView>), schema::Refusals),
    security(("bearer" = ["marketplace.seller"]))
)]
pub async fn my_applications(
    Seller { merchant, .. }: Seller,
    req: HttpRequest,
    market: web::Data<Marketplace>,
) -> Result<HttpResponse, MarketError> {
    let mut filter = filter_from(&query_pairs(&req, FILTERS)?)?;
    filter.tenant_id = Some(merchant.tenant_id.clone());
    listing(&market, filter).await
}

/// One of my applications, with its operation log
#[utoipa::path(
    get,
    path = "/api/marketplace/v1/seller/applications/{applicationId}",
    tag = "applications",
    params(("applicationId" = String, Path)),
    responses((status = 200, description = "The application", body = ApplicationView), schema::Refusals, (status = 404, description = "not_found", body = schema::ErrorBody)),
    security(("bearer" = ["marketplace.seller"]))
)]
pub async fn my_application(
    Seller { merchant, .. }: Seller,
    path: web::Path<String>,
    market: web::Data<Marketplace>,
) -> Result<HttpResponse, MarketError> {
    let id = path.into_inner();
    let record = market
        .store
        .application(&id)
        .await?
        .filter(|r| r.tenant_id == merchant.tenant_id)
        .ok_or_else(|| MarketError::NotFound("No such application".into()))?;
    let log = market.store.application_log(&id).await?;
    Ok(HttpResponse::Ok().json(ApplicationView::new(record, Some(log))))
}

/// Withdraw a pending application (final)
#[utoipa::path(
    post,
    path = "/api/marketplace/v1/seller/applications/{applicationId}/withdraw",
    tag = "applications",
    params(("applicationId" = String, Path)),
    responses((status = 200, description = "Withdrawn", body = ApplicationView), schema::Refusals, (status = 404, description = "not_found", body = schema::ErrorBody), (status = 409, description = "conflict: an illegal transition (the current state is named) or a limit", body = schema::ErrorBody)),
    security(("bearer" = ["marketplace.seller"]))
)]
pub async fn withdraw(
    caller: Caller,
    path: web::Path<String>,
    market: web::Data<Marketplace>,
) -> Result<HttpResponse, MarketError> {
    let record = withdraw_application(&market, &caller, &path.into_inner()).await?;
    Ok(HttpResponse::Ok().json(ApplicationView::new(record, None)))
}

/// Edit and resubmit the latest rejected application
#[utoipa::path(
    put,
    path = "/api/marketplace/v1/seller/applications/{applicationId}",
    tag = "applications",
    params(("applicationId" = String, Path)),
    request_body = ProductContent,
    responses((status = 200, description = "Pending again", body = ApplicationView), schema::Refusals, (status = 404, description = "not_found", body = schema::ErrorBody), (status = 409, description = "conflict: an illegal transition (the current state is named) or a limit", body = schema::ErrorBody)),
    security(("bearer" = ["marketplace.seller"]))
)]
pub async fn resubmit(
    caller: Caller,
    req: HttpRequest,
    path: web::Path<String>,
    body: web::Bytes,
    market: web::Data<Marketplace>,
) -> Result<HttpResponse, MarketError> {
    json_body(&req, &body)?;
    let record = resubmit_product(&market, &caller, &path.into_inner(), &body).await?;
    Ok(HttpResponse::Ok().json(ApplicationView::new(record, None)))
}

/// Applications to review (status defaults to pending)
#[utoipa::path(
    get,
    path = "/api/marketplace/v1/operator/applications",
    tag = "review",
    params(("status" = Option<String>, Query, description = "pending, approved, rejected or withdrawn"), ("type" = Option<String>, Query, description = "publish or modify"), ("productId" = Option<String>, Query), ("from" = Option<i64>, Query, description = "created at or after (unix seconds)"), ("to" = Option<i64>, Query, description = "created at or before (unix seconds)"), ("offset" = Option<i64>, Query, minimum = 0, description = "default 0"), ("limit" = Option<i64>, Query, minimum = 1, maximum = 100, description = "default 20")),
    responses((status = 200, description = "A page", body = Page<ApplicationView>), schema::Refusals),
    security(("bearer" = ["marketplace.operator"]))
)]
pub async fn review_queue(
    _: Operator,
    req: HttpRequest,
    market: web::Data<Marketplace>,
) -> Result<HttpResponse, MarketError> {
    let mut filter = filter_from(&query_pairs(&req, FILTERS)?)?;
    filter.status.get_or_insert_with(|| PENDING.to_owned());
    listing(&market, filter).await
}

/// Approve: the product goes on sale with this content
#[utoipa::path(
    post,
    path = "/api/marketplace/v1/operator/applications/{applicationId}/approve",
    tag = "review",
    params(("applicationId" = String, Path)),
    responses((status = 200, description = "Approved", body = ApplicationView), schema::Refusals, (status = 404, description = "not_found", body = schema::ErrorBody), (status = 409, description = "conflict: an illegal transition (the current state is named) or a limit", body = schema::ErrorBody)),
    security(("bearer" = ["marketplace.operator"]))
)]
pub async fn approve(
    caller: Caller,
    path: web::Path<String>,
    market: web::Data<Marketplace>,
) -> Result<HttpResponse, MarketError> {
    let record = decide_application(&market, &caller, &path.into_inner(), None).await?;
    Ok(HttpResponse::Ok().json(ApplicationView::new(record, None)))
}

#[derive(serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"reason": "商品描述与截图不一致"}))]
struct Rejection {
    #[schema(min_length = 1, max_length = 1000)]
    reason: String,
}

/// Reject with a reason
#[utoipa::path(
    post,
    path = "/api/marketplace/v1/operator/applications/{applicationId}/reject",
    tag = "review",
    params(("applicationId" = String, Path)),
    request_body = Rejection,
    responses((status = 200, description = "Rejected", body = ApplicationView), schema::Refusals, (status = 404, description = "not_found", body = schema::ErrorBody), (status = 409, description = "conflict: an illegal transition (the current state is named) or a limit", body = schema::ErrorBody)),
    security(("bearer" = ["marketplace.operator"]))
)]
pub async fn reject(
    Operator(caller): Operator,
    req: HttpRequest,
    path: web::Path<String>,
    body: web::Bytes,
    market: web::Data<Marketplace>,
) -> Result<HttpResponse, MarketError> {
    let rejection: Rejection = parsed(&req, &body, "rejection")?;
    let id = path.into_inner();
    let record = decide_application(&market, &caller, &id, Some(&rejection.reason)).await?;
    Ok(HttpResponse::Ok().json(ApplicationView::new(record, None)))
}
