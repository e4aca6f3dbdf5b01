//! A quote: what an order would cost, step by step, before it is placed, and which of the
//! buyer's vouchers could pay part of it. The order's own checks and pipeline run, and
//! nothing is stored.

use actix_web::{web, HttpRequest, HttpResponse};
use serde::Serialize;

use crate::http::caller::Caller;
use crate::http::error::MarketError;
use crate::http::request::json_body;
use crate::http::roles::Buyer;
use crate::http::schema;
use crate::orders::request::{self as order_request, RawOrder as OrderRequest};
use crate::orders::store::OrderLineRecord;
use crate::state::Marketplace;
use crate::vouchers::api::CouponView;
use crate::vouchers::claim_store::Tab;

/// How many of the buyer's vouchers a quote looks at.
const COUPONS_LOOKED_AT: i64 = 20;

#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = Quote)]
pub struct QuoteView {
    /// Minor units (fen): unit price × quantity × periods.
    pub list_amount: i64,
    /// Taken off by an exclusive discount.
    pub discount_amount: i64,
    /// Taken off by the voucher (`couponId`).
    pub voucher_amount: i64,
    /// What the order would cost.
    pub amount: i64,
    pub currency: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub coupon_id: Option<String>,
    /// The buyer's available vouchers of this seller, and what each would do here.
    pub coupons: Vec<CouponFit>,
}

#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CouponFit {
    pub coupon: CouponView,
    /// What it would take off this order (0 when it does not apply).
    pub deduction: i64,
    /// Why it does not apply, when it does not.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub refused: Option<String>,
}

/// Prices an order body as `orders::place_order` would.
pub async fn price_order(
    market: &Marketplace,
    caller: &Caller,
    body: &[u8],
) -> Result<QuoteView, MarketError> {
    let order = order_request::build(market, caller, body).await?;
    let line = order.lines.first().ok_or(MarketError::Internal)?;
    let coupons = coupon_fits(market, caller, body, &order.seller_tenant_id).await?;
    Ok(quote_of(line, &order.currency, coupons))
}

fn quote_of(line: &OrderLineRecord, currency: &str, coupons: Vec<CouponFit>) -> QuoteView {
    QuoteView {
        list_amount: line.list_amount,
        discount_amount: line.discount_amount,
        voucher_amount: line.voucher_amount,
        amount: line.amount,
        currency: currency.to_owned(),
        coupon_id: line.voucher_id.clone(),
        coupons,
    }
}

/// Each available voucher of the seller, tried on the same order body.
async fn coupon_fits(
    market: &Marketplace,
    caller: &Caller,
    body: &[u8],
    seller_tenant_id: &str,
) -> Result<Vec<CouponFit>, MarketError> {
    let now = market.clock.now_unix();
    let (claims, _) = market
        .store
        .claims_of(caller.buyer()?, Tab::Available, now, 0, COUPONS_LOOKED_AT)
        .await?;
    let mut request: serde_json::Value = serde_json::from_slice(body)
        .map_err(|e| MarketError::Invalid(format!("order body: {e}")))?;
    let mut fits = Vec::new();
    for claim in claims
        .iter()
        .filter(|c| c.voucher.seller_tenant_id == seller_tenant_id)
    {
        request["couponId"] = serde_json::Value::String(claim.id.clone());
        let tried = serde_json::to_vec(&request).map_err(|_| MarketError::Internal)?;
        let (deduction, refused) = match order_request::build(market, caller, &tried).await {
            Ok(order) => (order.lines.first().map_or(0, |l| l.voucher_amount), None),
            Err(MarketError::Internal) => return Err(MarketError::Internal),
            Err(MarketError::Unavailable) => return Err(MarketError::Unavailable),
            Err(refusal) => (0, Some(refusal.to_string())),
        };
        fits.push(CouponFit {
            coupon: CouponView::of(claim, now),
            deduction,
            refused,
        });
    }
    Ok(fits)
}

/// What an order would cost, step by step, and which of my vouchers fit it
#[utoipa::path(
    post,
    path = "/api/marketplace/v1/buyer/quotes",
    tag = "orders",
    request_body = OrderRequest,
    responses((status = 200, description = "The price breakdown; nothing is stored", body = QuoteView), schema::Refusals, (status = 404, description = "not_found", body = schema::ErrorBody), (status = 409, description = "conflict: the voucher is used or expired", body = schema::ErrorBody)),
    security(("bearer" = ["marketplace.buyer"]))
)]
pub async fn quote(
    Buyer(caller): Buyer,
    req: HttpRequest,
    body: web::Bytes,
    market: web::Data<Marketplace>,
) -> Result<HttpResponse, MarketError> {
    json_body(&req, &body)?;
    Ok(HttpResponse::Ok().json(price_order(&market, &caller, &body).await?))
}
