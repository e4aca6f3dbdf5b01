//! Orders. A buyer orders a spec of a product on sale; `POST` takes an `Idempotency-Key`
//! so that a retry returns the same order and creates nothing. Buyers read their own
//! orders, sellers the orders of their products, nobody else's.
//!
//! Order types: `NEW` and `TRIAL` start something; `RENEW`, `CHANGE` (another SKU of
//! the same product), `UNSUBSCRIBE` and `TRIAL_TO_FORMAL` name the buyer's earlier order
//! of the same product in `relatedOrderId`.

use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};

use super::caller::Caller;
use super::error::MarketError;
use super::order_store::{OrderLineRecord, OrderOwner, OrderRecord};
use super::product::{AccessType, ChargingMode, PeriodType, ProductContent};
use super::review::{json_body, page, query_pairs};
use super::Marketplace;
use crate::store::{now_unix, StoreError};

pub const ORDER_TYPES: [&str; 6] = [
    "NEW",
    "RENEW",
    "CHANGE",
    "UNSUBSCRIBE",
    "TRIAL",
    "TRIAL_TO_FORMAL",
];
const CURRENCY: &str = "CNY";
const MAX_QUANTITY: i64 = 10_000;
const MAX_PERIODS: i64 = 120;

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct RawOrder {
    product_id: String,
    sku_code: String,
    #[serde(default = "one")]
    quantity: i64,
    #[serde(default)]
    period_number: Option<i64>,
    #[serde(default)]
    order_type: Option<String>,
    #[serde(default)]
    related_order_id: Option<String>,
    #[serde(default)]
    shipping: Option<Shipping>,
}

fn one() -> i64 {
    1
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Shipping {
    recipient: String,
    phone: String,
    address: String,
}

impl Shipping {
    fn check(&self) -> Result<(), MarketError> {
        let text_ok = |v: &str, max: usize| {
            let v = v.trim();
            !v.is_empty() && v.chars().count() <= max && !v.chars().any(char::is_control)
        };
        let phone_ok = (5..=20).contains(&self.phone.len())
            && self
                .phone
                .bytes()
                .all(|b| b.is_ascii_digit() || matches!(b, b'+' | b'-' | b' '));
        if !text_ok(&self.recipient, 100) || !text_ok(&self.address, 300) || !phone_ok {
            return Err(MarketError::Invalid(
                "shipping needs a recipient, a phone number (digits, + - space) and an address"
                    .into(),
            ));
        }
        Ok(())
    }
}

/// A new order id in the upstream form: `CS` + UTC yyMMddHHmm + five random characters.
fn new_order_id(now: i64) -> String {
    let stamp = super::time::compact(now);
    format!(
        "CS{}{}",
        &stamp[2..12],
        crate::secret::random_id(5).to_ascii_uppercase()
    )
}

fn period_seconds(period: PeriodType) -> i64 {
    match period {
        PeriodType::Year => 365 * 86_400,
        PeriodType::Month => 30 * 86_400,
        PeriodType::Day => 86_400,
    }
}

fn request_hash(body: &[u8]) -> String {
    crate::secret::sha256_hex(body)
}

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

/// An earlier order's answer to a retry, or a conflict when the key came with another body.
fn replay(order: OrderRecord, hash: &str) -> Result<HttpResponse, MarketError> {
    if order.request_hash.as_deref() != Some(hash) {
        return Err(MarketError::Conflict(
            "This Idempotency-Key was used for a different order request".into(),
        ));
    }
    Ok(HttpResponse::Ok()
        .insert_header(("Idempotent-Replayed", "true"))
        .json(OrderView::from(&order)))
}

pub async fn place(
    req: HttpRequest,
    body: web::Bytes,
    market: web::Data<Marketplace>,
) -> Result<HttpResponse, MarketError> {
    let caller = Caller::identify(&req, &market).await?;
    if !caller.is_user() {
        return Err(MarketError::Forbidden(
            "Orders are placed by signed-in users".into(),
        ));
    }
    json_body(&req, &body)?;
    let key = idempotency_key(&req)?;
    let hash = request_hash(&body);
    let buyer = caller.claims.sub.clone();
    if let Some(key) = &key {
        if let Some(order) = market.store.order_by_idempotency_key(&buyer, key).await? {
            return replay(order, &hash);
        }
    }
    let raw: RawOrder = serde_json::from_slice(&body)
        .map_err(|e| MarketError::Invalid(format!("order body: {e}")))?;
    let mut order = build(&market, &caller, raw).await?;
    order.idempotency_key = key.clone();
    order.request_hash = Some(hash.clone());
    match market.store.insert_order(&order).await {
        Ok(()) => {}
        Err(StoreError::Conflict) => {
            // A concurrent retry with the same key stored it first.
            if let Some(key) = &key {
                if let Some(existing) = market.store.order_by_idempotency_key(&buyer, key).await? {
                    return replay(existing, &hash);
                }
            }
            return Err(MarketError::Internal);
        }
        Err(err) => return Err(err.into()),
    }
    tracing::info!(order_id = %order.id, "order placed");
    Ok(HttpResponse::Created()
        .insert_header((
            header::LOCATION,
            format!("{}/buyer/orders/{}", super::BASE_PATH, order.id),
        ))
        .json(OrderView::from(&order)))
}

/// Checks an order request against the product on sale and the buyer's earlier orders.
async fn build(
    market: &Marketplace,
    caller: &Caller,
    raw: RawOrder,
) -> Result<OrderRecord, MarketError> {
    let order_type = raw.order_type.as_deref().unwrap_or("NEW");
    if !ORDER_TYPES.contains(&order_type) {
        return Err(MarketError::Invalid(format!(
            "orderType must be one of {}",
            ORDER_TYPES.join(", ")
        )));
    }
    let product = market
        .store
        .product_on_sale(&raw.product_id)
        .await?
        .ok_or_else(|| MarketError::NotFound("No such product on sale".into()))?;
    let content: ProductContent =
        serde_json::from_str(&product.content).map_err(|_| MarketError::Internal)?;
    let spec = content
        .spec(&raw.sku_code)
        .ok_or_else(|| MarketError::Invalid(format!("the product has no SKU {}", raw.sku_code)))?;
    if !(1..=MAX_QUANTITY).contains(&raw.quantity) {
        return Err(MarketError::Invalid(format!(
            "quantity is 1 to {MAX_QUANTITY}"
        )));
    }
    let periodic = spec.charging_mode == ChargingMode::Period;
    let period_number = match (periodic, raw.period_number) {
        (true, Some(n)) if (1..=MAX_PERIODS).contains(&n) => Some(n),
        (true, _) => {
            return Err(MarketError::Invalid(format!(
                "period billing needs periodNumber from 1 to {MAX_PERIODS}"
            )))
        }
        (false, Some(_)) => {
            return Err(MarketError::Invalid(
                "periodNumber is only for PERIOD billing".into(),
            ))
        }
        (false, None) => None,
    };
    let hardware = content.access_type == AccessType::Hardware;
    let shipping = match (hardware, raw.shipping) {
        (true, Some(shipping)) => {
            shipping.check()?;
            Some(serde_json::to_string(&shipping).map_err(|_| MarketError::Internal)?)
        }
        (true, None) => {
            return Err(MarketError::Invalid(
                "hardware orders need a shipping address (recipient, phone, address)".into(),
            ))
        }
        (false, Some(_)) => {
            return Err(MarketError::Invalid(
                "only hardware orders are shipped".into(),
            ))
        }
        (false, None) => None,
    };

    // Follow-up orders name an earlier order of this buyer for this product.
    let follow_up = !matches!(order_type, "NEW" | "TRIAL");
    let related = match (follow_up, &raw.related_order_id) {
        (false, Some(_)) => {
            return Err(MarketError::Invalid(format!(
                "a {order_type} order has no relatedOrderId"
            )))
        }
        (false, None) => None,
        (true, None) => {
            return Err(MarketError::Invalid(format!(
                "a {order_type} order needs relatedOrderId: the order it follows"
            )))
        }
        (true, Some(id)) => {
            let related = market
                .store
                .order(id)
                .await?
                .filter(|o| o.buyer_user_id == caller.claims.sub)
                .ok_or_else(|| MarketError::NotFound("No such order of yours".into()))?;
            let line = related.lines.first().ok_or(MarketError::Internal)?;
            if line.product_id != product.id {
                return Err(MarketError::Invalid(
                    "relatedOrderId is an order of another product".into(),
                ));
            }
            Some((
                related.id.clone(),
                related.order_type.clone(),
                line.sku_code.clone(),
            ))
        }
    };
    match (order_type, &related) {
        ("TRIAL" | "RENEW" | "TRIAL_TO_FORMAL" | "CHANGE", _) if !periodic => {
            return Err(MarketError::Invalid(format!(
                "a {order_type} order needs a PERIOD spec"
            )))
        }
        ("TRIAL_TO_FORMAL", Some((_, kind, _))) if kind != "TRIAL" => {
            return Err(MarketError::Invalid(
                "TRIAL_TO_FORMAL follows a TRIAL order".into(),
            ))
        }
        ("CHANGE", Some((_, _, sku))) if *sku == raw.sku_code => {
            return Err(MarketError::Invalid(
                "a CHANGE order moves to another SKU".into(),
            ))
        }
        ("UNSUBSCRIBE", Some((_, kind, _))) if kind == "UNSUBSCRIBE" => {
            return Err(MarketError::Invalid(
                "an unsubscription cannot be unsubscribed".into(),
            ))
        }
        _ => {}
    }

    let free = matches!(order_type, "TRIAL" | "UNSUBSCRIBE");
    let amount = if free {
        Some(0)
    } else {
        spec.price
            .checked_mul(raw.quantity)
            .and_then(|a| a.checked_mul(period_number.unwrap_or(1)))
    }
    .ok_or_else(|| MarketError::Invalid("the order amount is too large".into()))?;
    let now = now_unix();
    let id = new_order_id(now);
    let expire_time = match (spec.period_type, period_number) {
        (Some(period), Some(n)) if order_type != "UNSUBSCRIBE" => {
            Some(now + period_seconds(period) * n)
        }
        _ => None,
    };
    Ok(OrderRecord {
        lines: vec![OrderLineRecord {
            id: format!("{id}-000001"),
            product_id: product.id.clone(),
            product_name: content.name.clone(),
            sku_code: spec.sku_code.clone(),
            charging_mode: serde_json::to_value(spec.charging_mode)
                .ok()
                .and_then(|v| v.as_str().map(str::to_owned))
                .unwrap_or_default(),
            period_type: spec.period_type.and_then(|p| {
                serde_json::to_value(p)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_owned))
            }),
            period_number,
            quantity: raw.quantity,
            unit_price: spec.price,
            amount,
            expire_time,
        }],
        id,
        order_type: order_type.to_owned(),
        buyer_user_id: caller.claims.sub.clone(),
        buyer_tenant_id: caller.claims.tenant.clone(),
        seller_tenant_id: product.tenant_id.clone(),
        related_order_id: related.map(|(id, _, _)| id),
        idempotency_key: None,
        request_hash: None,
        shipping,
        amount,
        currency: CURRENCY.to_owned(),
        created_at: now,
    })
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct OrderView {
    order_id: String,
    order_type: String,
    buyer: String,
    buyer_tenant: String,
    seller_tenant: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    related_order_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    shipping: Option<serde_json::Value>,
    amount: i64,
    currency: String,
    create_time: String,
    created_at: i64,
    order_lines: Vec<LineView>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
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
    amount: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    expire_time: Option<String>,
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
            create_time: super::time::compact(o.created_at),
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
                    amount: l.amount,
                    expire_time: l.expire_time.map(super::time::compact),
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
    let (offset, limit) = page(&query_pairs(req, &["offset", "limit"])?)?;
    let (orders, total) = market.store.orders_of(owner, offset, limit).await?;
    let items: Vec<OrderView> = orders.iter().map(OrderView::from).collect();
    Ok(HttpResponse::Ok().json(serde_json::json!({
        "total": total, "offset": offset, "limit": limit, "items": items,
    })))
}

pub async fn buyer_orders(
    req: HttpRequest,
    market: web::Data<Marketplace>,
) -> Result<HttpResponse, MarketError> {
    let caller = Caller::identify(&req, &market).await?;
    if !caller.is_user() {
        return Err(MarketError::Forbidden(
            "Orders belong to signed-in users".into(),
        ));
    }
    listing(&req, &market, OrderOwner::Buyer(&caller.claims.sub)).await
}

pub async fn seller_orders(
    req: HttpRequest,
    market: web::Data<Marketplace>,
) -> Result<HttpResponse, MarketError> {
    let caller = Caller::identify(&req, &market).await?;
    let merchant = caller.seller()?;
    listing(&req, &market, OrderOwner::Seller(&merchant.tenant_id)).await
}

/// One order, for its buyer or its seller; anyone else gets the same 404 as for an
/// order that does not exist.
async fn show_order(
    req: &HttpRequest,
    id: &str,
    market: &Marketplace,
    as_seller: bool,
) -> Result<HttpResponse, MarketError> {
    let caller = Caller::identify(req, market).await?;
    let seller_tenant = if as_seller {
        Some(caller.seller()?.tenant_id.clone())
    } else {
        None
    };
    let order = market
        .store
        .order(id)
        .await?
        .filter(|o| match &seller_tenant {
            Some(tenant) => o.seller_tenant_id == *tenant,
            None => caller.is_user() && o.buyer_user_id == caller.claims.sub,
        })
        .ok_or_else(|| MarketError::NotFound("No such order".into()))?;
    Ok(HttpResponse::Ok().json(OrderView::from(&order)))
}

pub async fn buyer_order(
    req: HttpRequest,
    path: web::Path<String>,
    market: web::Data<Marketplace>,
) -> Result<HttpResponse, MarketError> {
    show_order(&req, &path.into_inner(), &market, false).await
}

pub async fn seller_order(
    req: HttpRequest,
    path: web::Path<String>,
    market: web::Data<Marketplace>,
) -> Result<HttpResponse, MarketError> {
    show_order(&req, &path.into_inner(), &market, true).await
}
