//! Work orders' API: a buyer opens one about an order of theirs or a product on sale;
//! each side lists and reads the ones it may see (others get 404) and takes its actions;
//! operators work the escalated ones. The console goes through the same `open_as` and
//! `act`.

use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;

use crate::http::caller::{Caller, Side};
use crate::http::error::MarketError;
use crate::http::request::{page, paged, parsed, query_pairs};
use crate::http::request::{prose_field, text_field};
use crate::http::roles::{Buyer, Operator, Seller};
use crate::http::schema::{self, Page};
use crate::ids::WorkOrderId;
use crate::state::Marketplace;
use crate::work_orders::machine::{Action, Status};
use crate::work_orders::service::{self as handling, status_of, Handler, Opening, Taken};
use crate::work_orders::store::{WorkOrderRecord, WorkOrderScope};
pub use crate::work_orders::view::WorkOrderView;
use crate::workflow::attachments::checked_ids;
use crate::workflow::side_routes::{side_show, side_step};

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[schema(as = NewWorkOrder)]
#[schema(example = json!({"title": "无法登录", "description": "点击登录后页面无响应", "productId": "P1a2b3c4d5e6f7g8h9"}))]
pub struct NewWorkOrder {
    /// One of my orders; or else `productId`.
    #[serde(default)]
    pub order_id: Option<String>,
    /// A product on sale.
    #[serde(default)]
    pub product_id: Option<String>,
    /// 1 to 100 characters.
    pub title: String,
    /// 1 to 2000 characters, line breaks allowed.
    pub description: String,
    /// Ids of my uploads, at most 5.
    #[serde(default)]
    pub attachments: Vec<String>,
}

/// An action on a work order, as sent.
#[derive(Deserialize, Default, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[schema(as = WorkOrderAction)]
#[schema(example = json!({"action": "message", "message": "请提供浏览器版本"}))]
pub struct ActionBody {
    /// Customer: message, urge, cancel, close (confirm the result), delete. Seller:
    /// accept, message, transfer, escalate, await_feedback, confirm_resolved. Operator
    /// (escalated ones): accept, message, await_feedback, confirm_resolved, pause,
    /// resume, mark_invalid.
    pub action: String,
    /// The message; required for message, await_feedback, escalate, pause and
    /// mark_invalid (the reason). Up to 2000 characters.
    #[serde(default)]
    pub message: String,
    /// Ids of the caller's uploads, at most 5.
    #[serde(default)]
    pub attachments: Vec<String>,
    /// transfer: the username of the user of the seller's tenant who takes it over.
    #[serde(default)]
    pub assignee: Option<String>,
    /// confirm_resolved: what caused it, and what solved it (1 to 1000 characters each).
    #[serde(default)]
    pub cause: Option<String>,
    #[serde(default)]
    pub solution: Option<String>,
}

/// Which actions each side may ask for; the state machine decides the rest.
pub fn side_of(action: Action) -> &'static [Side] {
    use Action as A;
    match action {
        A::Urge | A::Cancel | A::Close | A::Delete => &[Side::Buyer],
        A::Message => &[Side::Buyer, Side::Seller, Side::Operator],
        A::Transfer | A::Escalate => &[Side::Seller],
        A::Accept | A::AwaitFeedback | A::ConfirmResolved => &[Side::Seller, Side::Operator],
        A::Pause | A::Resume | A::MarkInvalid => &[Side::Operator],
    }
}

fn side_name(side: Side) -> &'static str {
    match side {
        Side::Buyer => "customer",
        Side::Seller => "seller",
        Side::Operator => "operator",
    }
}

/// The work order, if the caller may see it from `side` (else 404): the customer's own,
/// the seller tenant's, or for operators the escalated ones.
pub async fn visible(
    market: &Marketplace,
    caller: &Caller,
    side: Side,
    id: &WorkOrderId,
) -> Result<WorkOrderRecord, MarketError> {
    caller.act_as(side)?;
    let not_found = || MarketError::NotFound("No such work order".into());
    let record = market.store.work_order(id).await?.ok_or_else(not_found)?;
    let deleted = record.work_order.status == Status::Deleted;
    let sees = match side {
        Side::Buyer => caller.claims.sub == record.buyer_user_id && !deleted,
        Side::Seller => caller.sees(side, &record.buyer_user_id, &record.seller_tenant_id)?,
        Side::Operator => record.work_order.escalated,
    };
    if sees {
        Ok(record)
    } else {
        Err(not_found())
    }
}

/// Opens a work order for the calling buyer.
pub async fn open_as(
    market: &Marketplace,
    caller: &Caller,
    body: &NewWorkOrder,
) -> Result<WorkOrderRecord, MarketError> {
    let buyer = caller.buyer()?;
    let title = text_field(&body.title, "title", 100)?;
    let description = prose_field(&body.description, "description", 2000)?;
    checked_ids(&body.attachments)?;
    let opening = Opening {
        buyer_user_id: buyer,
        buyer_tenant_id: &caller.claims.tenant,
        order_id: body.order_id.as_deref().filter(|s| !s.is_empty()),
        product_id: body.product_id.as_deref().filter(|s| !s.is_empty()),
        title: &title,
        description: &description,
        attachments: &body.attachments,
    };
    handling::open(market, &opening).await
}

/// The user of the seller's tenant a transfer names.
async fn assignee(
    market: &Marketplace,
    tenant: &str,
    username: &str,
) -> Result<Handler, MarketError> {
    let missing = || MarketError::NotFound(format!("no user {username:?} in your tenant"));
    let user = market
        .admin
        .user_by_username(username.trim())
        .await
        .map_err(|_| missing())?;
    if user.tenant_id != tenant || user.disabled {
        return Err(missing());
    }
    Ok(Handler {
        user_id: user.id,
        name: user.username,
    })
}

/// Takes one action from `side` on a work order the caller may see.
pub async fn act(
    market: &Marketplace,
    caller: &Caller,
    side: Side,
    current: &WorkOrderRecord,
    body: &ActionBody,
) -> Result<WorkOrderRecord, MarketError> {
    let action = Action::parse(&body.action).ok_or_else(|| {
        MarketError::Invalid(format!(
            "unknown action {:?}: see the WorkOrderAction schema",
            body.action
        ))
    })?;
    if !side_of(action).contains(&side) {
        return Err(MarketError::Forbidden(format!(
            "{} is not the {}'s to take",
            body.action,
            side_name(side)
        )));
    }
    checked_ids(&body.attachments)?;
    let message = if body.message.trim().is_empty() {
        String::new()
    } else {
        prose_field(&body.message, "message", 2000)?
    };
    let resolution = match (&body.cause, &body.solution) {
        (None, None) => None,
        (Some(cause), Some(solution)) => Some((
            prose_field(cause, "cause", 1000)?,
            prose_field(solution, "solution", 1000)?,
        )),
        _ => {
            return Err(MarketError::Invalid(
                "cause and solution come together".into(),
            ))
        }
    };
    let handler = match (action, side, body.assignee.as_deref()) {
        (Action::Transfer, _, Some(username)) => {
            Some(assignee(market, &current.seller_tenant_id, username).await?)
        }
        (Action::Transfer, _, None) => None,
        (_, _, Some(_)) => {
            return Err(MarketError::Invalid(
                "assignee comes with transfer only".into(),
            ))
        }
        // The seller's user who accepts it handles it.
        (Action::Accept, Side::Seller, None) => Some(Handler {
            user_id: caller.claims.sub.clone(),
            name: market
                .admin
                .user(&caller.claims.sub)
                .await
                .map(|u| u.username)
                .unwrap_or_else(|_| caller.claims.sub.clone()),
        }),
        _ => None,
    };
    let taken = Taken {
        action,
        actor: side.actor(),
        actor_id: &caller.claims.sub,
        body: &message,
        attachments: &body.attachments,
        handler,
        resolution,
    };
    handling::step(market, current, &taken).await
}

async fn shown(
    market: &Marketplace,
    record: &WorkOrderRecord,
) -> Result<HttpResponse, MarketError> {
    let history = market.store.work_order_log(&record.id).await?;
    let now = market.clock.now_unix();
    Ok(HttpResponse::Ok().json(WorkOrderView::of(record, Some(history), now)))
}

/// The status filter of a listing: a code or a name.
pub fn status_filter(raw: &str) -> Result<Option<Status>, MarketError> {
    if raw.is_empty() {
        return Ok(None);
    }
    status_of(raw).map(Some).ok_or_else(|| {
        MarketError::Invalid("status is a code (0, 1, 2, 3, 4, 5, 12, 13, 17) or its name".into())
    })
}

async fn listing<'s>(
    req: &HttpRequest,
    market: &Marketplace,
    scope: impl FnOnce(&[(String, String)]) -> Result<WorkOrderScope<'s>, MarketError>,
    extra: &[&str],
) -> Result<HttpResponse, MarketError> {
    let mut allowed = vec!["status", "offset", "limit"];
    allowed.extend_from_slice(extra);
    let pairs = query_pairs(req, &allowed)?;
    let (offset, limit) = page(&pairs)?;
    let status = pairs
        .iter()
        .find(|(k, _)| k == "status")
        .map_or(Ok(None), |(_, v)| status_filter(v))?;
    let scope = scope(&pairs)?;
    let (items, total) = market
        .store
        .work_orders(scope, status, offset, limit)
        .await?;
    let now = market.clock.now_unix();
    let views: Vec<WorkOrderView> = items
        .iter()
        .map(|r| WorkOrderView::of(r, None, now))
        .collect();
    Ok(paged(views, total, offset, limit))
}

/// Open a work order about one of my orders or a product on sale; its seller is told
#[utoipa::path(
    post,
    path = "/api/marketplace/v1/buyer/work-orders",
    tag = "work orders",
    request_body = NewWorkOrder,
    responses((status = 201, description = "Opened: pending acceptance (0)", body = WorkOrderView), schema::Refusals, (status = 404, description = "not_found: no such order of mine or product on sale", body = schema::ErrorBody)),
    security(("bearer" = ["marketplace.buyer"]))
)]
pub async fn open(
    Buyer(caller): Buyer,
    req: HttpRequest,
    body: web::Bytes,
    market: web::Data<Marketplace>,
) -> Result<HttpResponse, MarketError> {
    let raw: NewWorkOrder = parsed(&req, &body, "work order")?;
    let record = open_as(&market, &caller, &raw).await?;
    tracing::info!(work_order = %record.id, "work order opened");
    let history = market.store.work_order_log(&record.id).await?;
    let now = market.clock.now_unix();
    Ok(HttpResponse::Created()
        .insert_header((
            header::LOCATION,
            format!(
                "{}/buyer/work-orders/{}",
                crate::state::BASE_PATH,
                record.id
            ),
        ))
        .json(WorkOrderView::of(&record, Some(history), now)))
}

/// My work orders, newest first (deleted ones left out)
#[utoipa::path(
    get,
    path = "/api/marketplace/v1/buyer/work-orders",
    tag = "work orders",
    params(("status" = Option<String>, Query, description = "a code or its name"), ("offset" = Option<i64>, Query, minimum = 0), ("limit" = Option<i64>, Query, minimum = 1, maximum = 100)),
    responses((status = 200, description = "A page", body = Page<WorkOrderView>), schema::Refusals),
    security(("bearer" = ["marketplace.buyer"]))
)]
pub async fn buyer_list(
    Buyer(caller): Buyer,
    req: HttpRequest,
    market: web::Data<Marketplace>,
) -> Result<HttpResponse, MarketError> {
    let buyer = caller.claims.sub.as_str();
    listing(&req, &market, |_| Ok(WorkOrderScope::Customer(buyer)), &[]).await
}

/// My tenant's work orders, newest first; `view=handled_by_me` for the ones I handle or acted on
#[utoipa::path(
    get,
    path = "/api/marketplace/v1/seller/work-orders",
    tag = "work orders",
    params(("view" = Option<String>, Query, description = "all (default) or handled_by_me"), ("status" = Option<String>, Query, description = "a code or its name"), ("offset" = Option<i64>, Query, minimum = 0), ("limit" = Option<i64>, Query, minimum = 1, maximum = 100)),
    responses((status = 200, description = "A page", body = Page<WorkOrderView>), schema::Refusals),
    security(("bearer" = ["marketplace.seller"]))
)]
pub async fn seller_list(
    Seller { caller, merchant }: Seller,
    req: HttpRequest,
    market: web::Data<Marketplace>,
) -> Result<HttpResponse, MarketError> {
    let tenant = merchant.tenant_id.as_str();
    let user = caller.claims.sub.as_str();
    let scope = |pairs: &[(String, String)]| match pairs
        .iter()
        .find(|(k, _)| k == "view")
        .map(|(_, v)| v.as_str())
    {
        None | Some("all") => Ok(WorkOrderScope::Seller(tenant)),
        Some("handled_by_me") => Ok(WorkOrderScope::HandledBy(tenant, user)),
        Some(_) => Err(MarketError::Invalid("view is all or handled_by_me".into())),
    };
    listing(&req, &market, scope, &["view"]).await
}

/// Work orders escalated to operations, newest first
#[utoipa::path(
    get,
    path = "/api/marketplace/v1/operator/work-orders",
    tag = "work orders",
    params(("status" = Option<String>, Query, description = "a code or its name"), ("offset" = Option<i64>, Query, minimum = 0), ("limit" = Option<i64>, Query, minimum = 1, maximum = 100)),
    responses((status = 200, description = "A page", body = Page<WorkOrderView>), schema::Refusals),
    security(("bearer" = ["marketplace.operator"]))
)]
pub async fn operator_list(
    _: Operator,
    req: HttpRequest,
    market: web::Data<Marketplace>,
) -> Result<HttpResponse, MarketError> {
    listing(&req, &market, |_| Ok(WorkOrderScope::Escalated), &[]).await
}

async fn show_on(
    caller: Caller,
    id: WorkOrderId,
    market: &Marketplace,
    side: Side,
) -> Result<HttpResponse, MarketError> {
    let record = visible(market, &caller, side, &id).await?;
    shown(market, &record).await
}

async fn act_on(
    caller: Caller,
    req: &HttpRequest,
    id: WorkOrderId,
    body: &web::Bytes,
    market: &Marketplace,
    side: Side,
) -> Result<HttpResponse, MarketError> {
    let current = visible(market, &caller, side, &id).await?;
    let raw: ActionBody = parsed(req, body, "action")?;
    let next = act(market, &caller, side, &current, &raw).await?;
    tracing::info!(work_order = %next.id, action = %raw.action, "work order action");
    shown(market, &next).await
}

side_show! {
    tag: "work orders", id: "workOrderId" as WorkOrderId, view: WorkOrderView,
    doc: "One work order with its messages and actions", run: show_on,
    Side::Buyer => buyer_show at "/api/marketplace/v1/buyer/work-orders/{workOrderId}"
        for "marketplace.buyer",
    Side::Seller => seller_show at "/api/marketplace/v1/seller/work-orders/{workOrderId}"
        for "marketplace.seller",
    Side::Operator => operator_show at "/api/marketplace/v1/operator/work-orders/{workOrderId}"
        for "marketplace.operator",
}

side_step! {
    tag: "work orders", id: "workOrderId" as WorkOrderId, body: ActionBody, view: WorkOrderView,
    doc: "Take an action: the state machine decides whether it is allowed now, and says why not",
    conflict: "conflict: not allowed in this status, and why", run: act_on,
    Side::Buyer => buyer_act at "/api/marketplace/v1/buyer/work-orders/{workOrderId}/actions"
        for "marketplace.buyer",
    Side::Seller => seller_act at "/api/marketplace/v1/seller/work-orders/{workOrderId}/actions"
        for "marketplace.seller",
    Side::Operator => operator_act
        at "/api/marketplace/v1/operator/work-orders/{workOrderId}/actions"
        for "marketplace.operator",
}
