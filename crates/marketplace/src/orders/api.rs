//! Orders. A buyer orders a spec of a product on sale; `POST` takes an `Idempotency-Key`
//! so that a retry returns the same order and creates nothing. Buyers read their own
//! orders, sellers the orders of their products, nobody else's.
//!
//! What an order request may be is `order_request`'s to decide.

use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};
use serde::Serialize;

use crate::http::caller::Caller;
use crate::http::error::MarketError;
use crate::http::request::{json_body, page, paged, query_pairs};
use crate::http::roles::{Buyer, Seller};
use crate::http::schema::{self, Page};
use crate::kit;
use crate::orders::request as order_request;
use crate::orders::request::RawOrder as OrderRequest;
use crate::orders::store as order_store;
use crate::orders::store::{OrderFilter, OrderOwner, OrderRecord};
use crate::state::Marketplace;
use crate::subscriptions::service as subscribing;
use unilogin_core::store::StoreError;

fn idempotency_key(req: &HttpRequest) -> Result<Option<String>, MarketError> {
    let Some(value) = req.headers().get("idempotency-key") else {
        return Ok(None);
    };
    let key = value
        .to_str()
        .ok()
        .filter(|k| (1..=64).contains(&k.len()) && k.bytes().all(|b| b.is_ascii_graphic()))
        .ok_or_else(|| {
            MarketError::Invalid("Idempotency-Key is 1 to 64 visible ASCII characters".into())
        })?;
    Ok(Some(key.to_owned()))
}

/// An earlier order for a retry, or a conflict when the key came with another body.
fn replay(order: OrderRecord, hash: &str) -> Result<(OrderRecord, bool), MarketError> {
    if order.request_hash.as_deref() != Some(hash) {
        return Err(MarketError::Conflict(
            "This Idempotency-Key was used for a different order request".into(),
        ));
    }
    Ok((order, true))
}

/// Order a spec. With `Idempotency-Key`, a retry returns the same order (200) and creates nothing
#[utoipa::path(
    post,
    path = "/api/marketplace/v1/buyer/orders",
    tag = "orders",
    params(("Idempotency-Key" = Option<String>, Header, max_length = 64)),
    request_body = OrderRequest,
    responses((status = 201, description = "Created", body = OrderView), (status = 200, description = "The order an earlier request with this key created", body = OrderView), schema::Refusals, (status = 404, description = "not_found", body = schema::ErrorBody), (status = 409, description = "conflict: an illegal transition (the current state is named) or a limit", body = schema::ErrorBody)),
    security(("bearer" = ["marketplace.buyer"]))
)]
pub async fn place(
    Buyer(caller): Buyer,
    req: HttpRequest,
    body: web::Bytes,
    market: web::Data<Marketplace>,
) -> Result<HttpResponse, MarketError> {
    json_body(&req, &body)?;
    let key = idempotency_key(&req)?;
    let (order, replayed) = place_order(&market, &caller, &body, key).await?;
    if replayed {
        return Ok(HttpResponse::Ok()
            .insert_header(("Idempotent-Replayed", "true"))
            .json(OrderView::from(&order)));
    }
    Ok(HttpResponse::Created()
        .insert_header((
            header::LOCATION,
            format!("{}/buyer/orders/{}", crate::state::BASE_PATH, order.id),
        ))
        .json(OrderView::from(&order)))
}

/// Places an order for the calling buyer (the API and the marketplace console both come
/// here): the order, or with `key` an earlier one placed with the same key and body
/// (`true`: replayed, nothing new).
pub async fn place_order(
    market: &Marketplace,
    caller: &Caller,
    body: &[u8],
    key: Option<String>,
) -> Result<(OrderRecord, bool), MarketError> {
    let hash = unilogin_core::secret::sha256_hex(body);
    let buyer = caller.buyer()?.to_owned();
    if let Some(key) = &key {
        if let Some(order) = market.store.order_by_idempotency_key(&buyer, key).await? {
            return replay(order, &hash);
        }
    }
    let mut order = order_request::build(market, caller, body).await?;
    order.idempotency_key = key.clone();
    order.request_hash = Some(hash.clone());
    match store_order(market, &mut order).await? {
        Stored::Placed(instance, notices) => {
            market.channels.forward(&notices).await;
            if let Some(instance) = instance {
                kit::provisioning::after_order(market, &instance).await;
            }
        }
        Stored::KeyTaken => {
            // A concurrent retry with the same key stored it first.
            if let Some(key) = &key {
                if let Some(existing) = market.store.order_by_idempotency_key(&buyer, key).await? {
                    return replay(existing, &hash);
                }
            }
            return Err(MarketError::Conflict(
                "a concurrent order got there first: look at your orders and order again".into(),
            ));
        }
    }
    tracing::info!(order_id = %order.id, "order placed");
    Ok((order, false))
}

enum Stored {
    /// With the joint-operation instance it changed, and the in-site messages it sent.
    Placed(Option<String>, Vec<crate::inbox::Notice>),
    /// The buyer's idempotency key is taken (a concurrent retry won).
    KeyTaken,
}

/// The order and what it does to a joint-operation app's instance, in one transaction.
async fn store_order(market: &Marketplace, order: &mut OrderRecord) -> Result<Stored, MarketError> {
    let mut tx = market.store.begin().await?;
    let result = async {
        subscribing::on_order(&mut tx, order).await?;
        crate::vouchers::redeem::use_in(&mut tx, order).await?;
        crate::discounts::redeem::use_in(&mut tx, order).await?;
        let instance = kit::provisioning::on_order(&mut tx, order).await?;
        match order_store::insert_order_in(&mut tx, order).await {
            Err(StoreError::Conflict) => Ok(Stored::KeyTaken),
            Err(err) => Err(MarketError::from(err)),
            Ok(()) => {
                let notices = crate::supervision::service::open_in(&mut tx, order).await?;
                Ok(Stored::Placed(instance, notices))
            }
        }
    }
    .await;
    match result {
        Ok(Stored::Placed(instance, notices)) => {
            tx.commit().await?;
            Ok(Stored::Placed(instance, notices))
        }
        Ok(Stored::KeyTaken) => {
            tx.rollback().await;
            Ok(Stored::KeyTaken)
        }
        Err(err) => {
            tx.rollback().await;
            Err(err)
        }
    }
}

#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = Order)]
struct OrderView {
    order_id: String,
    order_type: String,
    buyer: String,
    buyer_tenant: String,
    seller_tenant: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    related_order_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    shipping: Option<serde_json::Value>,
    amount: i64,
    currency: String,
    /// yyyyMMddHHmmss (UTC)
    create_time: String,
    created_at: i64,
    order_lines: Vec<LineView>,
}

#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = OrderLine)]
struct LineView {
    order_line_id: String,
    product_id: String,
    product_name: String,
    sku_code: String,
    charging_mode: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    period_type: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    period_number: Option<i64>,
    quantity: i64,
    unit_price: i64,
    /// The pricing pipeline, in minor units: the list price (unit price × quantity ×
    /// periods), what the exclusive discount and the voucher took off, and `amount`,
    /// what is paid.
    list_amount: i64,
    discount_amount: i64,
    voucher_amount: i64,
    amount: i64,
    /// The buyer's voucher that paid part of it.
    #[serde(skip_serializing_if = "Option::is_none")]
    coupon_id: Option<String>,
    /// The exclusive discount it was bought at, and the partner bound to the order.
    #[serde(skip_serializing_if = "Option::is_none")]
    discount_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    partner_tenant: Option<String>,
    /// yyyyMMddHHmmss (UTC)
    #[serde(skip_serializing_if = "Option::is_none")]
    expire_time: Option<String>,
    /// When the line's period starts, yyyyMMddHHmmss (UTC): a renewal's where the period
    /// it extends ends.
    #[serde(skip_serializing_if = "Option::is_none")]
    start_time: Option<String>,
    /// The subscription the line starts or follows.
    #[serde(skip_serializing_if = "Option::is_none")]
    subscription_id: Option<String>,
}

impl From<&OrderRecord> for OrderView {
    fn from(o: &OrderRecord) -> Self {
        Self {
            order_id: o.id.clone(),
            order_type: o.order_type.clone(),
            buyer: o.buyer_user_id.clone(),
            buyer_tenant: o.buyer_tenant_id.clone(),
            seller_tenant: o.seller_tenant_id.clone(),
            related_order_id: o.related_order_id.clone(),
            shipping: o
                .shipping
                .as_deref()
                .and_then(|s| serde_json::from_str(s).ok()),
            amount: o.amount,
            currency: o.currency.clone(),
            create_time: unilogin_core::calendar::compact(o.created_at),
            created_at: o.created_at,
            order_lines: o
                .lines
                .iter()
                .map(|l| LineView {
                    order_line_id: l.id.clone(),
                    product_id: l.product_id.clone(),
                    product_name: l.product_name.clone(),
                    sku_code: l.sku_code.clone(),
                    charging_mode: l.charging_mode.clone(),
                    period_type: l.period_type.clone(),
                    period_number: l.period_number,
                    quantity: l.quantity,
                    unit_price: l.unit_price,
                    list_amount: l.list_amount,
                    discount_amount: l.discount_amount,
                    voucher_amount: l.voucher_amount,
                    amount: l.amount,
                    coupon_id: l.voucher_id.clone(),
                    discount_id: l.discount_id.clone(),
                    partner_tenant: l.partner_tenant_id.clone(),
                    expire_time: l.expire_time.map(unilogin_core::calendar::compact),
                    start_time: l.starts_at.map(unilogin_core::calendar::compact),
                    subscription_id: l.subscription_id.clone(),
                })
                .collect(),
        }
    }
}

async fn listing(
    req: &HttpRequest,
    market: &Marketplace,
    owner: OrderOwner<'_>,
) -> Result<HttpResponse, MarketError> {
    let pairs = query_pairs(req, &["orderType", "offset", "limit"])?;
    let (offset, limit) = page(&pairs)?;
    let order_type = match pairs.iter().find(|(k, _)| k == "orderType") {
        Some((_, v)) if order_request::ORDER_TYPES.contains(&v.as_str()) => v.as_str(),
        Some(_) => {
            return Err(MarketError::Invalid(format!(
                "orderType is one of {}",
                order_request::ORDER_TYPES.join(", ")
            )))
        }
        None => "",
    };
    let (orders, total) = market
        .store
        .orders_of(
            owner,
            &OrderFilter {
                order_type,
                ..OrderFilter::default()
            },
            offset,
            limit,
        )
        .await?;
    let items: Vec<OrderView> = orders.iter().map(OrderView::from).collect();
    Ok(paged(items, total, offset, limit))
}

/// My orders, newest first
#[utoipa::path(
    get,
    path = "/api/marketplace/v1/buyer/orders",
    tag = "orders",
    params(("orderType" = Option<String>, Query, description = "only orders of this type"), ("offset" = Option<i64>, Query, minimum = 0, description = "default 0"), ("limit" = Option<i64>, Query, minimum = 1, maximum = 100, description = "default 20")),
    responses((status = 200, description = "A page", body = Page<OrderView>), schema::Refusals),
    security(("bearer" = ["marketplace.buyer"]))
)]
pub async fn buyer_orders(
    buyer: Buyer,
    req: HttpRequest,
    market: web::Data<Marketplace>,
) -> Result<HttpResponse, MarketError> {
    listing(&req, &market, OrderOwner::Buyer(buyer.user_id())).await
}

/// Orders of my products, newest first
#[utoipa::path(
    get,
    path = "/api/marketplace/v1/seller/orders",
    tag = "orders",
    params(("orderType" = Option<String>, Query, description = "only orders of this type"), ("offset" = Option<i64>, Query, minimum = 0, description = "default 0"), ("limit" = Option<i64>, Query, minimum = 1, maximum = 100, description = "default 20")),
    responses((status = 200, description = "A page", body = Page<OrderView>), schema::Refusals),
    security(("bearer" = ["marketplace.seller"]))
)]
pub async fn seller_orders(
    Seller { merchant, .. }: Seller,
    req: HttpRequest,
    market: web::Data<Marketplace>,
) -> Result<HttpResponse, MarketError> {
    listing(&req, &market, OrderOwner::Seller(&merchant.tenant_id)).await
}

/// One order, for its buyer or its seller; anyone else gets the same 404 as for an
/// order that does not exist.
async fn show_order(
    id: &str,
    market: &Marketplace,
    owner: OrderOwner<'_>,
) -> Result<HttpResponse, MarketError> {
    let order = market
        .store
        .order(id)
        .await?
        .filter(|o| match owner {
            OrderOwner::Seller(tenant) => o.seller_tenant_id == tenant,
            OrderOwner::Buyer(user) => o.buyer_user_id == user,
        })
        .ok_or_else(|| MarketError::NotFound("No such order".into()))?;
    Ok(HttpResponse::Ok().json(OrderView::from(&order)))
}

/// One of my orders
#[utoipa::path(
    get,
    path = "/api/marketplace/v1/buyer/orders/{orderId}",
    tag = "orders",
    params(("orderId" = String, Path)),
    responses((status = 200, description = "The order", body = OrderView), schema::Refusals, (status = 404, description = "not_found", body = schema::ErrorBody)),
    security(("bearer" = ["marketplace.buyer"]))
)]
pub async fn buyer_order(
    buyer: Buyer,
    path: web::Path<String>,
    market: web::Data<Marketplace>,
) -> Result<HttpResponse, MarketError> {
    let owner = OrderOwner::Buyer(buyer.user_id());
    show_order(&path.into_inner(), &market, owner).await
}

/// An order of my products
#[utoipa::path(
    get,
    path = "/api/marketplace/v1/seller/orders/{orderId}",
    tag = "orders",
    params(("orderId" = String, Path)),
    responses((status = 200, description = "The order", body = OrderView), schema::Refusals, (status = 404, description = "not_found", body = schema::ErrorBody)),
    security(("bearer" = ["marketplace.seller"]))
)]
pub async fn seller_order(
    Seller { merchant, .. }: Seller,
    path: web::Path<String>,
    market: web::Data<Marketplace>,
) -> Result<HttpResponse, MarketError> {
    let owner = OrderOwner::Seller(&merchant.tenant_id);
    show_order(&path.into_inner(), &market, owner).await
}
