//! Exclusive discounts (`/partner/discounts`, `/operator/discounts`) and the private
//! link's offer (`/buyer/discounts/{token}`); the plan itself is `plan_api`.

use actix_web::{web, HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};

use crate::discounts::machine::{Action, State};
use crate::discounts::service::{self, RawDiscount as DiscountRequest};
use crate::discounts::store::{DiscountRecord, DiscountScope};
use crate::http::caller::Caller;
use crate::http::error::MarketError;
use crate::http::request::{page, paged, parsed, query_pairs};
use crate::http::roles::Operator;
use crate::http::schema::{self, Page};
use crate::orders::pricing::{price, Basis, DiscountRate};
use crate::selling::catalogue;
use crate::state::Marketplace;

#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = Discount)]
pub struct DiscountView {
    discount_id: String,
    partner_tenant: String,
    customer_id: String,
    product_id: String,
    product_name: String,
    /// product or configuration.
    quote_type: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    sku_code: Option<String>,
    paid_basis_points: i64,
    /// What the plan authorized for the product when it was applied for.
    authorized_basis_points: i64,
    /// pending_review, effective, rejected, withdrawn, used or expired.
    state: String,
    /// yyyyMMddHHmmss (UTC): the first second it no longer applies.
    valid_until: String,
    /// The private link, while effective (for the partner only).
    #[serde(skip_serializing_if = "Option::is_none")]
    link: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    order_id: Option<String>,
    #[serde(skip_serializing_if = "String::is_empty")]
    comment: String,
    created_at: i64,
}

impl DiscountView {
    pub fn of(market: &Marketplace, d: &DiscountRecord, with_link: bool) -> Self {
        let state = d.discount().state_at(market.clock.now_unix());
        Self {
            discount_id: d.id.clone(),
            partner_tenant: d.partner_tenant_id.clone(),
            customer_id: d.customer_user_id.clone(),
            product_id: d.product_id.clone(),
            product_name: d.product_name.clone(),
            quote_type: d.quote_type.clone(),
            sku_code: d.sku_code.clone(),
            paid_basis_points: d.paid_bp,
            authorized_basis_points: d.authorized_bp,
            state: state.as_str().to_owned(),
            valid_until: unilogin_core::calendar::compact(d.valid_until),
            link: (with_link && state == State::Effective).then(|| service::link(market, d)),
            order_id: d.order_id.clone(),
            comment: d.comment.clone(),
            created_at: d.created_at,
        }
    }
}

/// A SKU at the discounted price, for the designated customer.
#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
struct OfferedSku {
    sku_code: String,
    name: String,
    list_price: i64,
    discounted_price: i64,
}

#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = DiscountOffer)]
struct OfferView {
    discount_id: String,
    product_id: String,
    product_name: String,
    paid_basis_points: i64,
    valid_until: String,
    /// Per unit and period; the order's quote applies the same rate to the whole line.
    skus: Vec<OfferedSku>,
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"comment": "符合伙伴政策"}))]
pub struct CommentBody {
    #[serde(default)]
    comment: String,
}

/// Apply for an exclusive discount for a designated customer and product
#[utoipa::path(
    post,
    path = "/api/marketplace/v1/partner/discounts",
    tag = "partners",
    request_body = DiscountRequest,
    responses((status = 201, description = "Effective (within the authorized discount, with its link) or pending_review (deeper)", body = DiscountView), schema::Refusals, (status = 404, description = "not_found", body = schema::ErrorBody)),
    security(("bearer" = ["marketplace.buyer"]))
)]
pub async fn apply(
    caller: Caller,
    req: HttpRequest,
    body: web::Bytes,
    market: web::Data<Marketplace>,
) -> Result<HttpResponse, MarketError> {
    service::member(&market, &caller).await?;
    let raw: DiscountRequest = parsed(&req, &body, "discount")?;
    let discount = service::apply(&market, &caller, raw).await?;
    Ok(HttpResponse::Created().json(DiscountView::of(&market, &discount, true)))
}

/// My effective discounts, on the product-quote or configuration-quote tab
#[utoipa::path(
    get,
    path = "/api/marketplace/v1/partner/discounts",
    tag = "partners",
    params(("tab" = Option<String>, Query, description = "product (default) or configuration"), ("offset" = Option<i64>, Query, minimum = 0, description = "default 0"), ("limit" = Option<i64>, Query, minimum = 1, maximum = 100, description = "default 20")),
    responses((status = 200, description = "A page of effective discounts", body = Page<DiscountView>), schema::Refusals),
    security(("bearer" = ["marketplace.buyer"]))
)]
pub async fn effective(
    caller: Caller,
    req: HttpRequest,
    market: web::Data<Marketplace>,
) -> Result<HttpResponse, MarketError> {
    let partner = service::member(&market, &caller).await?;
    let pairs = query_pairs(&req, &["tab", "offset", "limit"])?;
    let (offset, limit) = page(&pairs)?;
    let tab = match pairs
        .iter()
        .find(|(k, _)| k == "tab")
        .map(|(_, v)| v.as_str())
    {
        None | Some("product") => "product",
        Some("configuration") => "configuration",
        Some(_) => {
            return Err(MarketError::Invalid(
                "tab is product or configuration".into(),
            ))
        }
    };
    let now = market.clock.now_unix();
    let scope = DiscountScope::Effective(&partner.tenant_id, tab, now);
    let (discounts, total) = market.store.discounts(scope, offset, limit).await?;
    let items: Vec<DiscountView> = discounts
        .iter()
        .map(|d| DiscountView::of(&market, d, true))
        .collect();
    Ok(paged(items, total, offset, limit))
}

fn state_filter(pairs: &[(String, String)]) -> Result<Option<State>, MarketError> {
    match pairs.iter().find(|(k, _)| k == "state") {
        None => Ok(None),
        Some((_, v)) => State::parse(v).map(Some).ok_or_else(|| {
            MarketError::Invalid(
                "state is pending_review, effective, rejected, withdrawn, used or expired".into(),
            )
        }),
    }
}

/// My discount applications, every state
#[utoipa::path(
    get,
    path = "/api/marketplace/v1/partner/discount-applications",
    tag = "partners",
    params(("state" = Option<String>, Query, description = "only this stored state"), ("offset" = Option<i64>, Query, minimum = 0, description = "default 0"), ("limit" = Option<i64>, Query, minimum = 1, maximum = 100, description = "default 20")),
    responses((status = 200, description = "A page", body = Page<DiscountView>), schema::Refusals),
    security(("bearer" = ["marketplace.buyer"]))
)]
pub async fn applications(
    caller: Caller,
    req: HttpRequest,
    market: web::Data<Marketplace>,
) -> Result<HttpResponse, MarketError> {
    let partner = service::member(&market, &caller).await?;
    let pairs = query_pairs(&req, &["state", "offset", "limit"])?;
    let (offset, limit) = page(&pairs)?;
    let scope = DiscountScope::Partner(&partner.tenant_id, state_filter(&pairs)?);
    let (discounts, total) = market.store.discounts(scope, offset, limit).await?;
    let items: Vec<DiscountView> = discounts
        .iter()
        .map(|d| DiscountView::of(&market, d, true))
        .collect();
    Ok(paged(items, total, offset, limit))
}

async fn partners_own(
    market: &Marketplace,
    caller: &Caller,
    id: &str,
) -> Result<DiscountRecord, MarketError> {
    let partner = service::member(market, caller).await?;
    market
        .store
        .discount(id)
        .await?
        .filter(|d| d.partner_tenant_id == partner.tenant_id)
        .ok_or_else(|| MarketError::NotFound("No such discount of yours".into()))
}

/// One of my discounts
#[utoipa::path(
    get,
    path = "/api/marketplace/v1/partner/discounts/{discountId}",
    tag = "partners",
    params(("discountId" = String, Path)),
    responses((status = 200, description = "The discount", body = DiscountView), schema::Refusals, (status = 404, description = "not_found", body = schema::ErrorBody)),
    security(("bearer" = ["marketplace.buyer"]))
)]
pub async fn show(
    caller: Caller,
    path: web::Path<String>,
    market: web::Data<Marketplace>,
) -> Result<HttpResponse, MarketError> {
    let discount = partners_own(&market, &caller, &path).await?;
    Ok(HttpResponse::Ok().json(DiscountView::of(&market, &discount, true)))
}

/// The private link of an effective discount as a QR code (SVG)
#[utoipa::path(
    get,
    path = "/api/marketplace/v1/partner/discounts/{discountId}/qr.svg",
    tag = "partners",
    params(("discountId" = String, Path)),
    responses((status = 200, description = "image/svg+xml", content_type = "image/svg+xml", body = String), schema::Refusals, (status = 404, description = "not_found", body = schema::ErrorBody), (status = 409, description = "conflict: not effective", body = schema::ErrorBody)),
    security(("bearer" = ["marketplace.buyer"]))
)]
pub async fn qr_code(
    caller: Caller,
    path: web::Path<String>,
    market: web::Data<Marketplace>,
) -> Result<HttpResponse, MarketError> {
    let discount = partners_own(&market, &caller, &path).await?;
    let state = discount.discount().state_at(market.clock.now_unix());
    if state != State::Effective {
        return Err(MarketError::Conflict(format!(
            "the discount is {}: only an effective one has a link",
            state.as_str()
        )));
    }
    let svg = service::qr_svg(&service::link(&market, &discount))?;
    Ok(HttpResponse::Ok()
        .content_type("image/svg+xml")
        .insert_header(("Cache-Control", "private, no-store"))
        .body(svg))
}

/// Withdraw a discount (pending or effective): its link stops working
#[utoipa::path(
    post,
    path = "/api/marketplace/v1/partner/discounts/{discountId}/withdraw",
    tag = "partners",
    params(("discountId" = String, Path)),
    responses((status = 200, description = "Withdrawn", body = DiscountView), schema::Refusals, (status = 404, description = "not_found", body = schema::ErrorBody), (status = 409, description = "conflict", body = schema::ErrorBody)),
    security(("bearer" = ["marketplace.buyer"]))
)]
pub async fn withdraw(
    caller: Caller,
    path: web::Path<String>,
    market: web::Data<Marketplace>,
) -> Result<HttpResponse, MarketError> {
    let discount = service::step(&market, &caller, &path, Action::Withdraw, "").await?;
    Ok(HttpResponse::Ok().json(DiscountView::of(&market, &discount, true)))
}

/// Discounts deeper than authorized, waiting for manual review
#[utoipa::path(
    get,
    path = "/api/marketplace/v1/operator/discounts",
    tag = "partners",
    params(("offset" = Option<i64>, Query, minimum = 0, description = "default 0"), ("limit" = Option<i64>, Query, minimum = 1, maximum = 100, description = "default 20")),
    responses((status = 200, description = "A page", body = Page<DiscountView>), schema::Refusals),
    security(("bearer" = ["marketplace.operator"]))
)]
pub async fn review_queue(
    _: Operator,
    req: HttpRequest,
    market: web::Data<Marketplace>,
) -> Result<HttpResponse, MarketError> {
    let (offset, limit) = page(&query_pairs(&req, &["offset", "limit"])?)?;
    let scope = DiscountScope::PendingReview(market.clock.now_unix());
    let (discounts, total) = market.store.discounts(scope, offset, limit).await?;
    let items: Vec<DiscountView> = discounts
        .iter()
        .map(|d| DiscountView::of(&market, d, false))
        .collect();
    Ok(paged(items, total, offset, limit))
}

async fn decide(
    Operator(caller): Operator,
    req: HttpRequest,
    path: web::Path<String>,
    body: web::Bytes,
    market: web::Data<Marketplace>,
    action: Action,
) -> Result<HttpResponse, MarketError> {
    let CommentBody { comment } = if body.is_empty() {
        CommentBody {
            comment: String::new(),
        }
    } else {
        parsed(&req, &body, "decision")?
    };
    let discount = service::step(&market, &caller, &path, action, comment.trim()).await?;
    Ok(HttpResponse::Ok().json(DiscountView::of(&market, &discount, false)))
}

/// Approve a deeper discount: it becomes effective
#[utoipa::path(
    post,
    path = "/api/marketplace/v1/operator/discounts/{discountId}/approve",
    tag = "partners",
    params(("discountId" = String, Path)),
    request_body(content = CommentBody, description = "optional"),
    responses((status = 200, description = "Effective", body = DiscountView), schema::Refusals, (status = 404, description = "not_found", body = schema::ErrorBody), (status = 409, description = "conflict", body = schema::ErrorBody)),
    security(("bearer" = ["marketplace.operator"]))
)]
pub async fn approve(
    operator: Operator,
    req: HttpRequest,
    path: web::Path<String>,
    body: web::Bytes,
    market: web::Data<Marketplace>,
) -> Result<HttpResponse, MarketError> {
    decide(operator, req, path, body, market, Action::Approve).await
}

/// Reject a deeper discount
#[utoipa::path(
    post,
    path = "/api/marketplace/v1/operator/discounts/{discountId}/reject",
    tag = "partners",
    params(("discountId" = String, Path)),
    request_body(content = CommentBody, description = "optional"),
    responses((status = 200, description = "Rejected", body = DiscountView), schema::Refusals, (status = 404, description = "not_found", body = schema::ErrorBody), (status = 409, description = "conflict", body = schema::ErrorBody)),
    security(("bearer" = ["marketplace.operator"]))
)]
pub async fn reject(
    operator: Operator,
    req: HttpRequest,
    path: web::Path<String>,
    body: web::Bytes,
    market: web::Data<Marketplace>,
) -> Result<HttpResponse, MarketError> {
    decide(operator, req, path, body, market, Action::Reject).await
}

/// The offer behind a private discount link, for its designated customer
#[utoipa::path(
    get,
    path = "/api/marketplace/v1/buyer/discounts/{token}",
    tag = "partners",
    params(("token" = String, Path, description = "the link's token")),
    responses((status = 200, description = "The discounted prices", body = OfferView), schema::Refusals, (status = 404, description = "not_found", body = schema::ErrorBody), (status = 409, description = "conflict: no longer effective", body = schema::ErrorBody)),
    security(("bearer" = ["marketplace.buyer"]))
)]
pub async fn offer(
    caller: Caller,
    path: web::Path<String>,
    market: web::Data<Marketplace>,
) -> Result<HttpResponse, MarketError> {
    let discount = service::offer(&market, &caller, &path).await?;
    let product = catalogue::product(&market, &discount.product_id).await?;
    let rate = DiscountRate {
        paid_bp: discount.paid_bp,
    };
    let mut skus = Vec::new();
    for spec in product
        .specs
        .iter()
        .filter(|s| discount.sku_code.as_ref().is_none_or(|q| *q == s.sku_code))
    {
        let basis = Basis::Full {
            unit_price: spec.price,
            quantity: 1,
            periods: 1,
        };
        let priced = price(basis, Some(rate), None)
            .map_err(|refused| MarketError::Invalid(refused.to_string()))?;
        skus.push(OfferedSku {
            sku_code: spec.sku_code.clone(),
            name: spec.name.clone(),
            list_price: priced.list,
            discounted_price: priced.amount,
        });
    }
    Ok(HttpResponse::Ok().json(OfferView {
        discount_id: discount.id.clone(),
        product_id: product.id.clone(),
        product_name: product.name.clone(),
        paid_basis_points: discount.paid_bp,
        valid_until: unilogin_core::calendar::compact(discount.valid_until),
        skus,
    }))
}
