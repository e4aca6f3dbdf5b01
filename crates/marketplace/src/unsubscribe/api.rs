//! The unsubscribe workflow's API: buyers request, and each party lists and reads its
//! own requests (others get 404). The later steps are `unsubscribe_steps_api`.

use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};

use crate::http::caller::Caller;
use crate::http::error::MarketError;
use crate::http::request::text_field;
use crate::http::request::{page, paged, parsed, query_pairs};
use crate::http::roles::{Buyer, Operator, Seller};
use crate::http::schema::{self, Page};
use crate::ids::UnsubscribeRequestId;
use crate::state::Marketplace;
use crate::unsubscribe::machine::State;
use crate::unsubscribe::rules::ReasonType;
use crate::unsubscribe::service::{self as unsubscribing, Asked};
use crate::unsubscribe::store::{RequestOwner, UnsubscribeEvent, UnsubscribeRecord};
use crate::workflow::attachments::checked_ids;
use crate::workflow::side_routes::side_show;

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[schema(example = json!({"orderId": "CS2612061530001234", "reasonType": "no_longer_needed", "reason": "项目已结束"}))]
pub struct NewUnsubscribeRequest {
    /// The order to unsubscribe: the one that started the subscription, or a renewal
    /// that has not started.
    order_id: String,
    reason_type: ReasonType,
    /// 1 to 500 characters.
    reason: String,
    /// Ids of the buyer's uploads, at most 5.
    #[serde(default)]
    attachments: Vec<String>,
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[schema(example = json!({"comment": "同意退订", "refundAmount": 0}))]
pub struct Decision {
    /// 1 to 500 characters, shown to the buyer.
    pub(crate) comment: String,
    /// Approving a negotiated request only: what is refunded, 0 to the order's amount.
    #[serde(default)]
    pub(crate) refund_amount: Option<i64>,
    /// Evidence: ids of the decider's uploads, at most 5.
    #[serde(default)]
    pub(crate) attachments: Vec<String>,
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[schema(example = json!({"carrier": "SF Express", "trackingNumber": "SF1234567890123"}))]
pub struct ReturnShipment {
    pub(crate) carrier: String,
    pub(crate) tracking_number: String,
}

#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = UnsubscribeEvent)]
pub struct EventView {
    action: String,
    actor: String,
    from_state: String,
    to_state: String,
    comment: String,
    attachments: Vec<String>,
    at: i64,
}

#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = UnsubscribeRequest)]
pub struct RequestView {
    request_id: String,
    subscription_id: String,
    order_id: String,
    product_name: String,
    /// pending, appealed, awaiting_return, completed, rejected, withdrawn or failed.
    state: String,
    /// `buyer_centre` (a request the seller decides) or `billing_centre` (the buyer
    /// unsubscribed a non-supervised SaaS or image at once).
    channel: String,
    /// no_reason, pending_renewal, negotiated, unused_remainder (billing centre) or
    /// failed_provisioning.
    rule: String,
    reason_type: String,
    reason: String,
    /// Fixed by the rule, or the seller's at approval; absent while negotiated and open.
    #[serde(skip_serializing_if = "Option::is_none")]
    refund_amount: Option<i64>,
    order_amount: i64,
    hardware: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    return_due_at: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    return_carrier: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    return_tracking_number: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    unsubscribe_order_id: Option<String>,
    created_at: i64,
    updated_at: i64,
    /// Every step, oldest first (in the single view).
    #[serde(skip_serializing_if = "Option::is_none")]
    history: Option<Vec<EventView>>,
}

impl RequestView {
    pub(crate) fn of(r: &UnsubscribeRecord, history: Option<Vec<UnsubscribeEvent>>) -> Self {
        Self {
            request_id: r.id.clone(),
            subscription_id: r.subscription_id.clone(),
            order_id: r.order_id.clone(),
            product_name: r.product_name.clone(),
            state: r.request.state.as_str().into(),
            channel: r.channel.as_str().into(),
            rule: r.rule.as_str().into(),
            reason_type: r.reason_type.as_str().into(),
            reason: r.reason.clone(),
            refund_amount: r.refund_amount,
            order_amount: r.order_amount,
            hardware: r.request.hardware,
            return_due_at: r.request.return_due_at,
            return_carrier: r.return_carrier.clone(),
            return_tracking_number: r.return_tracking.clone(),
            unsubscribe_order_id: r.unsubscribe_order_id.clone(),
            created_at: r.request.created_at,
            updated_at: r.updated_at,
            history: history.map(|events| {
                events
                    .into_iter()
                    .map(|e| EventView {
                        action: e.action,
                        actor: e.actor,
                        from_state: e.from_state,
                        to_state: e.to_state,
                        comment: e.comment,
                        attachments: e.attachments,
                        at: e.at,
                    })
                    .collect()
            }),
        }
    }
}

pub use crate::http::caller::Side;

/// The caller in `side`'s role, and the request if it is theirs to see (else 404).
pub(crate) async fn load(
    caller: Caller,
    market: &Marketplace,
    side: Side,
    id: &UnsubscribeRequestId,
) -> Result<(Caller, UnsubscribeRecord), MarketError> {
    let record = visible(market, &caller, side, id).await?;
    Ok((caller, record))
}

/// The request, if the caller may see it from `side` (else 404).
pub async fn visible(
    market: &Marketplace,
    caller: &Caller,
    side: Side,
    id: &UnsubscribeRequestId,
) -> Result<UnsubscribeRecord, MarketError> {
    caller.act_as(side)?;
    match market.store.unsubscribe_request(id).await? {
        Some(r) if caller.sees(side, &r.buyer_user_id, &r.seller_tenant_id)? => Ok(r),
        _ => Err(MarketError::NotFound("No such unsubscribe request".into())),
    }
}

pub(crate) async fn shown(
    market: &Marketplace,
    record: &UnsubscribeRecord,
) -> Result<HttpResponse, MarketError> {
    let history = market.store.unsubscribe_log(&record.id).await?;
    Ok(HttpResponse::Ok().json(RequestView::of(record, Some(history))))
}

/// Ask to unsubscribe an order (manual service, License, supervised SaaS, app
/// orchestration, data files, hardware): the rules of §5.7 decide whether, and the refund
#[utoipa::path(
    post,
    path = "/api/marketplace/v1/buyer/unsubscribe-requests",
    tag = "unsubscribe",
    request_body = NewUnsubscribeRequest,
    responses((status = 201, description = "Requested: waiting for the seller", body = RequestView), schema::Refusals, (status = 404, description = "not_found", body = schema::ErrorBody), (status = 409, description = "conflict: the rules refuse it, and say why; or the product is unsubscribed in the billing centre", body = schema::ErrorBody)),
    security(("bearer" = ["marketplace.buyer"]))
)]
pub async fn create(
    caller: Caller,
    req: HttpRequest,
    body: web::Bytes,
    market: web::Data<Marketplace>,
) -> Result<HttpResponse, MarketError> {
    let buyer = caller.buyer()?.to_owned();
    let raw: NewUnsubscribeRequest = parsed(&req, &body, "request")?;
    let reason = text_field(&raw.reason, "reason", 500)?;
    checked_ids(&raw.attachments)?;
    let record = unsubscribing::request(
        &market,
        &Asked {
            buyer_user_id: &buyer,
            order_id: &raw.order_id,
            reason_type: raw.reason_type,
            reason: &reason,
            attachments: &raw.attachments,
        },
    )
    .await?;
    tracing::info!(request = %record.id, "unsubscribe requested");
    Ok(HttpResponse::Created()
        .insert_header((
            header::LOCATION,
            format!(
                "{}/buyer/unsubscribe-requests/{}",
                crate::state::BASE_PATH,
                record.id
            ),
        ))
        .json(RequestView::of(&record, None)))
}

fn states_filter(pairs: &[(String, String)]) -> Result<Vec<State>, MarketError> {
    match pairs.iter().find(|(k, _)| k == "state") {
        None => Ok(Vec::new()),
        Some((_, v)) => State::parse(v).map(|s| vec![s]).ok_or_else(|| {
            MarketError::Invalid(
                "state is one of pending, appealed, awaiting_return, completed, rejected, \
                 withdrawn, failed"
                    .into(),
            )
        }),
    }
}

async fn listing(
    req: &HttpRequest,
    market: &Marketplace,
    owner: RequestOwner<'_>,
    default_states: &[State],
) -> Result<HttpResponse, MarketError> {
    let pairs = query_pairs(req, &["state", "offset", "limit"])?;
    let (offset, limit) = page(&pairs)?;
    let mut states = states_filter(&pairs)?;
    if states.is_empty() {
        states = default_states.to_vec();
    }
    let (items, total) = market
        .store
        .unsubscribe_requests(owner, &states, offset, limit)
        .await?;
    let views: Vec<RequestView> = items.iter().map(|r| RequestView::of(r, None)).collect();
    Ok(paged(views, total, offset, limit))
}

/// My unsubscribe requests, newest first
#[utoipa::path(
    get,
    path = "/api/marketplace/v1/buyer/unsubscribe-requests",
    tag = "unsubscribe",
    params(("state" = Option<String>, Query), ("offset" = Option<i64>, Query, minimum = 0), ("limit" = Option<i64>, Query, minimum = 1, maximum = 100)),
    responses((status = 200, description = "A page", body = Page<RequestView>), schema::Refusals),
    security(("bearer" = ["marketplace.buyer"]))
)]
pub async fn buyer_list(
    buyer: Buyer,
    req: HttpRequest,
    market: web::Data<Marketplace>,
) -> Result<HttpResponse, MarketError> {
    listing(&req, &market, RequestOwner::Buyer(buyer.user_id()), &[]).await
}

/// Unsubscribe requests of my products, newest first
#[utoipa::path(
    get,
    path = "/api/marketplace/v1/seller/unsubscribe-requests",
    tag = "unsubscribe",
    params(("state" = Option<String>, Query), ("offset" = Option<i64>, Query, minimum = 0), ("limit" = Option<i64>, Query, minimum = 1, maximum = 100)),
    responses((status = 200, description = "A page", body = Page<RequestView>), schema::Refusals),
    security(("bearer" = ["marketplace.seller"]))
)]
pub async fn seller_list(
    Seller { merchant, .. }: Seller,
    req: HttpRequest,
    market: web::Data<Marketplace>,
) -> Result<HttpResponse, MarketError> {
    let tenant = merchant.tenant_id;
    listing(&req, &market, RequestOwner::Seller(&tenant), &[]).await
}

/// Appealed requests waiting for an operator (or, with `state`, any)
#[utoipa::path(
    get,
    path = "/api/marketplace/v1/operator/unsubscribe-requests",
    tag = "unsubscribe",
    params(("state" = Option<String>, Query, description = "default appealed"), ("offset" = Option<i64>, Query, minimum = 0), ("limit" = Option<i64>, Query, minimum = 1, maximum = 100)),
    responses((status = 200, description = "A page", body = Page<RequestView>), schema::Refusals),
    security(("bearer" = ["marketplace.operator"]))
)]
pub async fn operator_list(
    _: Operator,
    req: HttpRequest,
    market: web::Data<Marketplace>,
) -> Result<HttpResponse, MarketError> {
    listing(&req, &market, RequestOwner::Everyone, &[State::Appealed]).await
}

async fn show_on(
    caller: Caller,
    id: UnsubscribeRequestId,
    market: &Marketplace,
    side: Side,
) -> Result<HttpResponse, MarketError> {
    let (_, record) = load(caller, market, side, &id).await?;
    shown(market, &record).await
}

side_show! {
    tag: "unsubscribe", id: "requestId" as UnsubscribeRequestId, view: RequestView,
    doc: "One unsubscribe request with its history", run: show_on,
    Side::Buyer => buyer_show at "/api/marketplace/v1/buyer/unsubscribe-requests/{requestId}"
        for "marketplace.buyer",
    Side::Seller => seller_show at "/api/marketplace/v1/seller/unsubscribe-requests/{requestId}"
        for "marketplace.seller",
    Side::Operator => operator_show
        at "/api/marketplace/v1/operator/unsubscribe-requests/{requestId}"
        for "marketplace.operator",
}
