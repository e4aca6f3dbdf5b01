//! The billing centre's unsubscription in the API: the terms an order would be
//! unsubscribed on, and unsubscribing it at once (non-supervised SaaS and images).

use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};

use crate::http::caller::Caller;
use crate::http::error::MarketError;
use crate::http::request::{parsed, query_pairs, text_field};
use crate::http::schema;
use crate::state::Marketplace;
use crate::unsubscribe::api::RequestView;
use crate::unsubscribe::billing::unsubscribe_now;
use crate::unsubscribe::rules::ReasonType;
use crate::unsubscribe::service::{prospect, Asked};

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[schema(example = json!({"orderId": "CS2612061530001234", "reasonType": "no_longer_needed", "reason": "不再使用"}))]
pub struct BillingUnsubscription {
    /// The order to unsubscribe: the one that started the subscription, or a renewal
    /// that has not started.
    order_id: String,
    reason_type: ReasonType,
    /// 1 to 500 characters.
    reason: String,
}

#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = UnsubscribeTerms)]
pub struct TermsView {
    order_id: String,
    /// `billing_centre` (unsubscribed here, at once) or `buyer_centre` (a request the
    /// seller decides, `POST /buyer/unsubscribe-requests`).
    channel: &'static str,
    /// no_reason, pending_renewal, unused_remainder (billing centre), or negotiated
    /// (buyer centre: the seller sets the refund).
    rule: &'static str,
    /// What is refunded, in fen; absent when the seller decides.
    #[serde(skip_serializing_if = "Option::is_none")]
    refund_amount: Option<i64>,
    order_amount: i64,
}

/// Where and on what terms an order of mine would be unsubscribed now
#[utoipa::path(
    get,
    path = "/api/marketplace/v1/buyer/billing/unsubscriptions/terms",
    tag = "unsubscribe",
    params(("orderId" = String, Query)),
    responses((status = 200, description = "The terms", body = TermsView), schema::Refusals, (status = 404, description = "not_found", body = schema::ErrorBody), (status = 409, description = "conflict: the rules refuse it, and say why", body = schema::ErrorBody)),
    security(("bearer" = ["marketplace.buyer"]))
)]
pub async fn terms(
    caller: Caller,
    req: HttpRequest,
    market: web::Data<Marketplace>,
) -> Result<HttpResponse, MarketError> {
    let buyer = caller.buyer()?.to_owned();
    let pairs = query_pairs(&req, &["orderId"])?;
    let order_id = pairs
        .iter()
        .find(|(k, _)| k == "orderId")
        .map(|(_, v)| v.as_str())
        .ok_or_else(|| MarketError::Invalid("orderId is required".into()))?;
    let found = prospect(&market, &buyer, order_id, ReasonType::NoLongerNeeded).await?;
    Ok(HttpResponse::Ok().json(TermsView {
        order_id: found.order.id.clone(),
        channel: found.channel.as_str(),
        rule: found.terms.rule.as_str(),
        refund_amount: found.terms.refund,
        order_amount: found.order.amount,
    }))
}

/// Unsubscribe a non-supervised SaaS or image order now, on the rules' terms (§5.7)
#[utoipa::path(
    post,
    path = "/api/marketplace/v1/buyer/billing/unsubscriptions",
    tag = "unsubscribe",
    request_body = BillingUnsubscription,
    responses((status = 201, description = "Unsubscribed: completed, refunded as its rule says", body = RequestView), schema::Refusals, (status = 404, description = "not_found", body = schema::ErrorBody), (status = 409, description = "conflict: the rules refuse it, or the product is unsubscribed through a request in the buyer centre", body = schema::ErrorBody)),
    security(("bearer" = ["marketplace.buyer"]))
)]
pub async fn create(
    caller: Caller,
    req: HttpRequest,
    body: web::Bytes,
    market: web::Data<Marketplace>,
) -> Result<HttpResponse, MarketError> {
    let buyer = caller.buyer()?.to_owned();
    let raw: BillingUnsubscription = parsed(&req, &body, "unsubscription")?;
    let reason = text_field(&raw.reason, "reason", 500)?;
    let record = unsubscribe_now(
        &market,
        &Asked {
            buyer_user_id: &buyer,
            order_id: &raw.order_id,
            reason_type: raw.reason_type,
            reason: &reason,
            attachments: &[],
        },
    )
    .await?;
    tracing::info!(request = %record.id, "unsubscribed in the billing centre");
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
