//! `/seller/vouchers`, `/products/{id}/vouchers` and `/buyer/vouchers`: sellers publish
//! and withdraw vouchers, buyers claim them and read theirs by tab.

use actix_web::{web, HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};

use crate::http::caller::Caller;
use crate::http::error::MarketError;
use crate::http::request::{json_body, page, paged, parsed, query_pairs};
use crate::http::roles::{Buyer, Seller};
use crate::http::schema::{self, Page};
use crate::selling::catalogue;
use crate::state::Marketplace;
use crate::vouchers::claim_store::{ClaimRecord, Tab};
use crate::vouchers::machine::Status;
use crate::vouchers::service::{self, OnOffer};
use crate::vouchers::store::VoucherRecord;
use crate::vouchers::terms::{RawVoucher as VoucherRequest, ScopeItem};

/// `yyyy-MM-dd` of a unix time, in the configured zone.
pub fn day(unix: i64) -> String {
    unilogin_core::calendar::local().day(unix)
}

#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = Voucher)]
pub struct VoucherView {
    voucher_id: String,
    seller_tenant: String,
    name: String,
    /// Minor units (fen).
    face_value: i64,
    minimum_spend: i64,
    /// yyyy-MM-dd (UTC), first and last day of use.
    valid_from: String,
    valid_until: String,
    /// all, products or skus.
    scope: String,
    items: Vec<ScopeItem>,
    total_quantity: i64,
    per_buyer_limit: i64,
    claimed: i64,
    remaining: i64,
    combinable: bool,
    /// active or withdrawn.
    state: String,
    created_at: i64,
}

impl From<&VoucherRecord> for VoucherView {
    fn from(v: &VoucherRecord) -> Self {
        let t = &v.terms;
        Self {
            voucher_id: v.id.clone(),
            seller_tenant: v.seller_tenant_id.clone(),
            name: t.name.clone(),
            face_value: t.face_value,
            minimum_spend: t.minimum_spend,
            valid_from: day(t.valid_from),
            valid_until: day(t.valid_until - 1),
            scope: t.scope.kind.as_str().to_owned(),
            items: t.scope.items.clone(),
            total_quantity: t.total_quantity,
            per_buyer_limit: t.per_buyer_limit,
            claimed: v.claimed,
            remaining: t.total_quantity - v.claimed,
            combinable: t.combinable,
            state: v.state.as_str().to_owned(),
            created_at: v.created_at,
        }
    }
}

/// A seller's voucher with how its claims stand.
#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = VoucherWithUsage)]
struct VoucherUsageView {
    #[serde(flatten)]
    voucher: VoucherView,
    unused: i64,
    used: i64,
    recycled: i64,
}

/// A buyer's voucher (coupon).
#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = Coupon)]
pub struct CouponView {
    coupon_id: String,
    /// 2 unused, 3 used, 4 expired, 5 recycled.
    status: i64,
    status_name: String,
    /// What it can still take off: its face value while usable, else 0.
    balance: i64,
    /// The order it paid part of.
    #[serde(skip_serializing_if = "Option::is_none")]
    order_id: Option<String>,
    deducted: i64,
    claimed_at: i64,
    voucher: VoucherView,
}

impl CouponView {
    pub fn of(c: &ClaimRecord, now: i64) -> Self {
        let status: Status = c.claim().status_at(now);
        Self {
            coupon_id: c.id.clone(),
            status: status.code(),
            status_name: status.as_str().to_owned(),
            balance: match status {
                Status::Unused | Status::Recycled => c.voucher.terms.face_value,
                Status::Used | Status::Expired => 0,
            },
            order_id: c.order_id.clone(),
            deducted: c.deducted,
            claimed_at: c.claimed_at,
            voucher: VoucherView::from(&c.voucher),
        }
    }
}

/// A voucher on a product page.
#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = VoucherOnOffer)]
struct OnOfferView {
    #[serde(flatten)]
    voucher: VoucherView,
    /// How many of it the caller holds.
    held: i64,
    /// Whether the caller may claim one more.
    claimable: bool,
}

impl From<&OnOffer> for OnOfferView {
    fn from(o: &OnOffer) -> Self {
        Self {
            voucher: VoucherView::from(&o.voucher),
            held: o.held,
            claimable: o.claimable,
        }
    }
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[schema(as = ClaimRequest)]
#[schema(example = json!({"voucherId": "V1a2b3c4d5e6f7g8h9"}))]
pub struct ClaimBody {
    voucher_id: String,
}

/// Publish a voucher for my products
#[utoipa::path(
    post,
    path = "/api/marketplace/v1/seller/vouchers",
    tag = "vouchers",
    request_body = VoucherRequest,
    responses((status = 201, description = "Published", body = VoucherView), schema::Refusals),
    security(("bearer" = ["marketplace.seller"]))
)]
pub async fn publish(
    Seller { caller, .. }: Seller,
    req: HttpRequest,
    body: web::Bytes,
    market: web::Data<Marketplace>,
) -> Result<HttpResponse, MarketError> {
    json_body(&req, &body)?;
    let voucher = service::publish(&market, &caller, &body).await?;
    Ok(HttpResponse::Created()
        .insert_header((
            actix_web::http::header::LOCATION,
            format!("{}/seller/vouchers/{}", crate::state::BASE_PATH, voucher.id),
        ))
        .json(VoucherView::from(&voucher)))
}

/// My vouchers, newest first
#[utoipa::path(
    get,
    path = "/api/marketplace/v1/seller/vouchers",
    tag = "vouchers",
    params(("offset" = Option<i64>, Query, minimum = 0, description = "default 0"), ("limit" = Option<i64>, Query, minimum = 1, maximum = 100, description = "default 20")),
    responses((status = 200, description = "A page", body = Page<VoucherView>), schema::Refusals),
    security(("bearer" = ["marketplace.seller"]))
)]
pub async fn seller_list(
    Seller { merchant, .. }: Seller,
    req: HttpRequest,
    market: web::Data<Marketplace>,
) -> Result<HttpResponse, MarketError> {
    let (offset, limit) = page(&query_pairs(&req, &["offset", "limit"])?)?;
    let (vouchers, total) = market
        .store
        .vouchers_of_seller(&merchant.tenant_id, offset, limit)
        .await?;
    let items: Vec<VoucherView> = vouchers.iter().map(VoucherView::from).collect();
    Ok(paged(items, total, offset, limit))
}

/// One of my vouchers, with how its claims stand
#[utoipa::path(
    get,
    path = "/api/marketplace/v1/seller/vouchers/{voucherId}",
    tag = "vouchers",
    params(("voucherId" = String, Path)),
    responses((status = 200, description = "The voucher", body = VoucherUsageView), schema::Refusals, (status = 404, description = "not_found", body = schema::ErrorBody)),
    security(("bearer" = ["marketplace.seller"]))
)]
pub async fn seller_show(
    caller: Caller,
    path: web::Path<String>,
    market: web::Data<Marketplace>,
) -> Result<HttpResponse, MarketError> {
    let voucher = service::own(&market, &caller, &path.into_inner()).await?;
    let (unused, used, recycled) = market.store.voucher_usage(&voucher.id).await?;
    Ok(HttpResponse::Ok().json(VoucherUsageView {
        voucher: VoucherView::from(&voucher),
        unused,
        used,
        recycled,
    }))
}

/// Stop handing a voucher out (what buyers claimed stays theirs)
#[utoipa::path(
    post,
    path = "/api/marketplace/v1/seller/vouchers/{voucherId}/withdraw",
    tag = "vouchers",
    params(("voucherId" = String, Path)),
    responses((status = 200, description = "Withdrawn", body = VoucherView), schema::Refusals, (status = 404, description = "not_found", body = schema::ErrorBody), (status = 409, description = "conflict: already withdrawn", body = schema::ErrorBody)),
    security(("bearer" = ["marketplace.seller"]))
)]
pub async fn withdraw(
    caller: Caller,
    path: web::Path<String>,
    market: web::Data<Marketplace>,
) -> Result<HttpResponse, MarketError> {
    let voucher = service::withdraw(&market, &caller, &path.into_inner()).await?;
    Ok(HttpResponse::Ok().json(VoucherView::from(&voucher)))
}

/// The vouchers a product's seller hands out for it
#[utoipa::path(
    get,
    path = "/api/marketplace/v1/products/{productId}/vouchers",
    tag = "vouchers",
    params(("productId" = String, Path)),
    responses((status = 200, description = "Vouchers still handed out that apply to a SKU of the product", body = Vec<OnOfferView>), schema::Refusals, (status = 404, description = "not_found", body = schema::ErrorBody)),
    security(("bearer" = ["marketplace.buyer"]))
)]
pub async fn product_vouchers(
    Buyer(caller): Buyer,
    path: web::Path<String>,
    market: web::Data<Marketplace>,
) -> Result<HttpResponse, MarketError> {
    let product = catalogue::product(&market, &path.into_inner()).await?;
    let offers = service::on_offer(&market, &caller, &product.id, &product.merchant).await?;
    let views: Vec<OnOfferView> = offers.iter().map(OnOfferView::from).collect();
    Ok(HttpResponse::Ok().json(views))
}

/// Claim a voucher
#[utoipa::path(
    post,
    path = "/api/marketplace/v1/buyer/vouchers",
    tag = "vouchers",
    request_body = ClaimBody,
    responses((status = 201, description = "Claimed: the buyer's coupon", body = CouponView), schema::Refusals, (status = 404, description = "not_found", body = schema::ErrorBody), (status = 409, description = "conflict: sold out, the per-buyer limit, withdrawn or over", body = schema::ErrorBody)),
    security(("bearer" = ["marketplace.buyer"]))
)]
pub async fn claim(
    Buyer(caller): Buyer,
    req: HttpRequest,
    body: web::Bytes,
    market: web::Data<Marketplace>,
) -> Result<HttpResponse, MarketError> {
    let ClaimBody { voucher_id } = parsed(&req, &body, "claim")?;
    let claim = service::claim(&market, &caller, &voucher_id).await?;
    Ok(HttpResponse::Created().json(CouponView::of(&claim, market.clock.now_unix())))
}

/// My vouchers on one tab: available, used (up) or expired
#[utoipa::path(
    get,
    path = "/api/marketplace/v1/buyer/vouchers",
    tag = "vouchers",
    params(("tab" = Option<String>, Query, description = "available (default), used or expired"), ("offset" = Option<i64>, Query, minimum = 0, description = "default 0"), ("limit" = Option<i64>, Query, minimum = 1, maximum = 100, description = "default 20")),
    responses((status = 200, description = "A page", body = Page<CouponView>), schema::Refusals),
    security(("bearer" = ["marketplace.buyer"]))
)]
pub async fn buyer_list(
    Buyer(caller): Buyer,
    req: HttpRequest,
    market: web::Data<Marketplace>,
) -> Result<HttpResponse, MarketError> {
    let buyer = caller.claims.sub.as_str();
    let pairs = query_pairs(&req, &["tab", "offset", "limit"])?;
    let (offset, limit) = page(&pairs)?;
    let tab = match pairs.iter().find(|(k, _)| k == "tab") {
        None => Tab::Available,
        Some((_, v)) => Tab::parse(v)
            .ok_or_else(|| MarketError::Invalid("tab is available, used or expired".into()))?,
    };
    let now = market.clock.now_unix();
    let (claims, total) = market
        .store
        .claims_of(buyer, tab, now, offset, limit)
        .await?;
    let items: Vec<CouponView> = claims.iter().map(|c| CouponView::of(c, now)).collect();
    Ok(paged(items, total, offset, limit))
}
