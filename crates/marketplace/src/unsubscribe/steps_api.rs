//! The unsubscribe workflow's later steps: buyers withdraw, appeal (hardware) and post
//! the return; sellers approve or reject with a comment and evidence; operators decide
//! appealed requests.

use actix_web::{web, HttpRequest, HttpResponse};

use crate::http::caller::Caller;
use crate::http::error::MarketError;
use crate::http::request::parsed;
use crate::http::request::text_field;
use crate::http::roles::Buyer;
use crate::http::schema;
use crate::ids::UnsubscribeRequestId;
use crate::state::Marketplace;
use crate::unsubscribe::api::{load, shown, Decision, RequestView, ReturnShipment, Side};
use crate::unsubscribe::machine::{Action, Actor};
use crate::unsubscribe::service::{self as unsubscribing, Extras};
use crate::unsubscribe::store::{Step, UnsubscribeRecord};
use crate::workflow::attachments::checked_ids;
use crate::workflow::side_routes::side_step;

/// A step and its answer: the request as it is now, with its history.
async fn take(
    market: &Marketplace,
    caller: &Caller,
    record: &UnsubscribeRecord,
    (action, actor): (Action, Actor),
    comment: &str,
    attachments: &[String],
    extras: Extras,
) -> Result<HttpResponse, MarketError> {
    let step = Step {
        action,
        actor,
        actor_id: &caller.claims.sub,
        comment,
        attachments,
    };
    let next = unsubscribing::step(market, record, &step, extras).await?;
    tracing::info!(request = %next.id, state = next.request.state.as_str(), "unsubscribe request changed");
    shown(market, &next).await
}

async fn decide(
    caller: Caller,
    req: &HttpRequest,
    id: UnsubscribeRequestId,
    body: &web::Bytes,
    market: &Marketplace,
    side: Side,
    approve: bool,
) -> Result<HttpResponse, MarketError> {
    let (caller, record) = load(caller, market, side, &id).await?;
    let raw: Decision = parsed(req, body, "request")?;
    let comment = text_field(&raw.comment, "comment", 500)?;
    checked_ids(&raw.attachments)?;
    let actor = if side == Side::Operator {
        Actor::Operator
    } else {
        Actor::Seller
    };
    let action = if approve {
        Action::Approve
    } else {
        Action::Reject
    };
    let extras = Extras {
        refund: raw.refund_amount,
        ..Extras::default()
    };
    take(
        market,
        &caller,
        &record,
        (action, actor),
        &comment,
        &raw.attachments,
        extras,
    )
    .await
}

async fn approve_on(
    caller: Caller,
    req: &HttpRequest,
    id: UnsubscribeRequestId,
    body: &web::Bytes,
    market: &Marketplace,
    side: Side,
) -> Result<HttpResponse, MarketError> {
    decide(caller, req, id, body, market, side, true).await
}

async fn reject_on(
    caller: Caller,
    req: &HttpRequest,
    id: UnsubscribeRequestId,
    body: &web::Bytes,
    market: &Marketplace,
    side: Side,
) -> Result<HttpResponse, MarketError> {
    decide(caller, req, id, body, market, side, false).await
}

side_step! {
    tag: "unsubscribe", id: "requestId" as UnsubscribeRequestId, body: Decision, view: RequestView,
    doc: "Approve (the seller, or an operator for an appealed request): the UNSUBSCRIBE order \
          is placed (hardware: once the buyer ships the return)",
    conflict: "conflict: not in a state for this", run: approve_on,
    Side::Seller => seller_approve
        at "/api/marketplace/v1/seller/unsubscribe-requests/{requestId}/approve"
        for "marketplace.seller",
    Side::Operator => operator_approve
        at "/api/marketplace/v1/operator/unsubscribe-requests/{requestId}/approve"
        for "marketplace.operator",
}

side_step! {
    tag: "unsubscribe", id: "requestId" as UnsubscribeRequestId, body: Decision, view: RequestView,
    doc: "Reject, with a comment and evidence (the seller, or an operator for an appealed \
          request)",
    conflict: "conflict: not in a state for this", run: reject_on,
    Side::Seller => seller_reject
        at "/api/marketplace/v1/seller/unsubscribe-requests/{requestId}/reject"
        for "marketplace.seller",
    Side::Operator => operator_reject
        at "/api/marketplace/v1/operator/unsubscribe-requests/{requestId}/reject"
        for "marketplace.operator",
}

/// Withdraw my request (before it completes)
#[utoipa::path(
    post,
    path = "/api/marketplace/v1/buyer/unsubscribe-requests/{requestId}/withdraw",
    tag = "unsubscribe",
    params(("requestId" = String, Path)),
    responses((status = 200, description = "Withdrawn", body = RequestView), schema::Refusals, (status = 404, description = "not_found", body = schema::ErrorBody), (status = 409, description = "conflict: closed already", body = schema::ErrorBody)),
    security(("bearer" = ["marketplace.buyer"]))
)]
pub async fn withdraw(
    Buyer(caller): Buyer,
    path: web::Path<UnsubscribeRequestId>,
    market: web::Data<Marketplace>,
) -> Result<HttpResponse, MarketError> {
    let (caller, record) = load(caller, &market, Side::Buyer, &path.into_inner()).await?;
    let change = (Action::Withdraw, Actor::Buyer);
    take(
        &market,
        &caller,
        &record,
        change,
        "",
        &[],
        Extras::default(),
    )
    .await
}

/// Appeal a hardware request the seller left unanswered for 10 days: an operator decides
#[utoipa::path(
    post,
    path = "/api/marketplace/v1/buyer/unsubscribe-requests/{requestId}/appeal",
    tag = "unsubscribe",
    params(("requestId" = String, Path)),
    request_body = Decision,
    responses((status = 200, description = "Appealed", body = RequestView), schema::Refusals, (status = 404, description = "not_found", body = schema::ErrorBody), (status = 409, description = "conflict: not hardware, or too early", body = schema::ErrorBody)),
    security(("bearer" = ["marketplace.buyer"]))
)]
pub async fn appeal(
    Buyer(caller): Buyer,
    req: HttpRequest,
    path: web::Path<UnsubscribeRequestId>,
    body: web::Bytes,
    market: web::Data<Marketplace>,
) -> Result<HttpResponse, MarketError> {
    let (caller, record) = load(caller, &market, Side::Buyer, &path.into_inner()).await?;
    let raw: Decision = parsed(&req, &body, "request")?;
    if raw.refund_amount.is_some() {
        return Err(MarketError::Invalid(
            "an appeal sets no refundAmount".into(),
        ));
    }
    let comment = text_field(&raw.comment, "comment", 500)?;
    checked_ids(&raw.attachments)?;
    let change = (Action::Appeal, Actor::Buyer);
    take(
        &market,
        &caller,
        &record,
        change,
        &comment,
        &raw.attachments,
        Extras::default(),
    )
    .await
}

/// Post the return shipment of an approved hardware request (within 10 days): it completes
#[utoipa::path(
    post,
    path = "/api/marketplace/v1/buyer/unsubscribe-requests/{requestId}/return",
    tag = "unsubscribe",
    params(("requestId" = String, Path)),
    request_body = ReturnShipment,
    responses((status = 200, description = "Completed", body = RequestView), schema::Refusals, (status = 404, description = "not_found", body = schema::ErrorBody), (status = 409, description = "conflict: not awaiting a return, or too late", body = schema::ErrorBody)),
    security(("bearer" = ["marketplace.buyer"]))
)]
pub async fn post_return(
    Buyer(caller): Buyer,
    req: HttpRequest,
    path: web::Path<UnsubscribeRequestId>,
    body: web::Bytes,
    market: web::Data<Marketplace>,
) -> Result<HttpResponse, MarketError> {
    let (caller, record) = load(caller, &market, Side::Buyer, &path.into_inner()).await?;
    let raw: ReturnShipment = parsed(&req, &body, "request")?;
    let carrier = text_field(&raw.carrier, "carrier", 60)?;
    let tracking = text_field(&raw.tracking_number, "trackingNumber", 60)?;
    let comment = format!("{carrier} {tracking}");
    let extras = Extras {
        return_shipment: Some((carrier, tracking)),
        ..Extras::default()
    };
    let change = (Action::ReturnShipped, Actor::Buyer);
    take(&market, &caller, &record, change, &comment, &[], extras).await
}
