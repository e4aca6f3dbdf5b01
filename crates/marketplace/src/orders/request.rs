//! An order request, checked against the product on sale and the buyer's earlier orders.
//!
//! Order types: `NEW` and `TRIAL` start something; `RENEW`, `CHANGE` (another SKU of
//! the same product) and `TRIAL_TO_FORMAL` name the buyer's earlier order of the same
//! product in `relatedOrderId`. TRIAL costs nothing. `UNSUBSCRIBE` orders are placed only
//! by an approved unsubscribe request (`unsubscribe`). What the subscription allows is
//! `subscribing`'s to decide, in the order's transaction.

use crate::orders::pricing::{price, Basis, Breakdown};
use crate::{discounts, upgrades, vouchers};
use serde::{Deserialize, Serialize};

use crate::http::caller::Caller;
use crate::http::error::MarketError;
use crate::orders::store::{OrderLineRecord, OrderRecord};
use crate::selling::product::{AccessType, ChargingMode, ProductContent};
use crate::state::Marketplace;

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

/// An order as the buyer sends it (unknown fields are refused).
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[schema(as = OrderRequest)]
#[schema(example = json!({"productId": "P1a2b3c4d5e6f7g8h9", "skuCode": "basic", "periodNumber": 12}))]
pub struct RawOrder {
    product_id: String,
    sku_code: String,
    #[serde(default = "one")]
    #[schema(minimum = 1, maximum = 10000, default = 1)]
    quantity: i64,
    /// PERIOD billing only, and required there.
    #[serde(default)]
    #[schema(minimum = 1, maximum = 120)]
    period_number: Option<i64>,
    /// NEW (the default), RENEW, CHANGE, UNSUBSCRIBE, TRIAL or TRIAL_TO_FORMAL.
    #[serde(default)]
    order_type: Option<String>,
    /// The earlier order a RENEW, CHANGE, UNSUBSCRIBE or TRIAL_TO_FORMAL follows.
    #[serde(default)]
    related_order_id: Option<String>,
    /// Hardware only, and required there.
    #[serde(default)]
    shipping: Option<Shipping>,
    /// One of the buyer's claimed vouchers (`GET /buyer/vouchers`) to pay part of it:
    /// at most one per order.
    #[serde(default)]
    coupon_id: Option<String>,
    /// The token of a partner's private discount link (`/market/discounts/{token}`),
    /// for the customer it designates.
    #[serde(default)]
    discount_link: Option<String>,
}

fn one() -> i64 {
    1
}

#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Shipping {
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

/// A new order id in the upstream form (≤ 64 characters): `CS` + UTC yyMMddHHmm + twelve
/// random characters. Five were too few: thousands of orders in one minute drew the same
/// id now and then.
pub(crate) fn new_order_id(now: i64) -> String {
    let stamp = unilogin_core::calendar::compact(now);
    format!(
        "CS{}{}",
        &stamp[2..12],
        unilogin_core::secret::random_id(12).to_ascii_uppercase()
    )
}

/// Checks an order request against the product on sale and the buyer's earlier orders.
pub async fn build(
    market: &Marketplace,
    caller: &Caller,
    body: &[u8],
) -> Result<OrderRecord, MarketError> {
    let raw: RawOrder = serde_json::from_slice(body)
        .map_err(|e| MarketError::Invalid(format!("order body: {e}")))?;
    let order_type = raw.order_type.as_deref().unwrap_or("NEW");
    if !ORDER_TYPES.contains(&order_type) {
        return Err(MarketError::Invalid(format!(
            "orderType must be one of {}",
            ORDER_TYPES.join(", ")
        )));
    }
    if order_type == "UNSUBSCRIBE" {
        return Err(MarketError::Conflict(format!(
            "UNSUBSCRIBE orders come only from an approved unsubscribe request: POST \
             {}/buyer/unsubscribe-requests",
            crate::state::BASE_PATH
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
    // A SaaS subscription changes SKU only by an upgrade rule, priced pro rata.
    let by_rule = order_type == "CHANGE" && content.access_type == AccessType::Saas;
    let period_number = match (periodic, raw.period_number) {
        (true, Some(_)) if by_rule => {
            return Err(MarketError::Invalid(
                "a CHANGE of a SaaS subscription is priced for the rest of its period: leave \
                 periodNumber out"
                    .into(),
            ))
        }
        (true, None) if by_rule => None,
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
                line.subscription_id.clone(),
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
        _ => {}
    }

    let free = matches!(order_type, "TRIAL" | "UNSUBSCRIBE");
    let voucher = match (&raw.coupon_id, free) {
        (Some(_), true) => {
            return Err(MarketError::Invalid(format!(
                "a {order_type} order costs nothing: leave couponId out"
            )))
        }
        (Some(coupon_id), false) => {
            let line = vouchers::redeem::Line {
                seller_tenant_id: &product.tenant_id,
                product_id: &product.id,
                sku_code: &spec.sku_code,
            };
            Some(vouchers::redeem::for_order(market, caller, coupon_id, &line).await?)
        }
        (None, _) => None,
    };
    let discount = match (&raw.discount_link, free) {
        (Some(_), true) => {
            return Err(MarketError::Invalid(format!(
                "a {order_type} order costs nothing: leave discountLink out"
            )))
        }
        (Some(token), false) => Some(
            discounts::redeem::for_order(market, caller, token, &product.id, &spec.sku_code)
                .await?,
        ),
        (None, _) => None,
    };
    // A SaaS subscription moves SKU by an upgrade rule, or down at renewal.
    let upgrade = match (&related, content.access_type) {
        (Some((_, _, Some(subscription_id))), AccessType::Saas) => {
            let follow = upgrades::service::FollowUp {
                order_type,
                subscription_id,
                target: spec,
                quantity: raw.quantity,
            };
            upgrades::service::saas_follow_up(market, &content, &product.id, &follow).await?
        }
        _ => None,
    };
    let charges = if free {
        Breakdown::default()
    } else {
        let basis = upgrade.unwrap_or(Basis::Full {
            unit_price: spec.price,
            quantity: raw.quantity,
            periods: period_number.unwrap_or(1),
        });
        price(
            basis,
            discount.as_ref().map(|(_, rate)| *rate),
            voucher.as_ref().map(|(_, terms)| *terms),
        )
        .map_err(|refused| MarketError::Invalid(refused.to_string()))?
    };
    let amount = charges.amount;
    let now = market.clock.now_unix();
    let id = new_order_id(now);
    let expire_time = match (spec.period_type, period_number) {
        (Some(period), Some(n)) if order_type != "UNSUBSCRIBE" => Some(now + period.seconds() * n),
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
            list_amount: charges.list,
            discount_amount: charges.discount,
            voucher_amount: charges.voucher,
            amount,
            voucher_id: voucher.map(|(claim, _)| claim.id),
            partner_tenant_id: discount.as_ref().map(|(d, _)| d.partner_tenant_id.clone()),
            discount_id: discount.map(|(d, _)| d.id),
            expire_time,
            subscription_id: None,
            starts_at: Some(now),
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
