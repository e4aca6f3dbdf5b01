//! Exclusive discounts at ordering: the private link's offer checked against the order
//! line, and used (binding the partner) in the order's transaction.

use crate::discounts::machine::{transition, Action, Actor};
use crate::discounts::service;
use crate::discounts::store as discounts_store;
use crate::discounts::store::{DiscountEvent, DiscountRecord};
use crate::http::caller::Caller;
use crate::http::error::MarketError;
use crate::orders::pricing::DiscountRate;
use crate::orders::store::OrderRecord;
use crate::state::Marketplace;
use unilogin_core::store::durable::Tx;

/// The link's discount for an order of `product_id` / `sku_code` by the caller.
pub async fn for_order(
    market: &Marketplace,
    caller: &Caller,
    token: &str,
    product_id: &str,
    sku_code: &str,
) -> Result<(DiscountRecord, DiscountRate), MarketError> {
    let discount = service::offer(market, caller, token).await?;
    if discount.product_id != product_id {
        return Err(MarketError::Invalid(
            "this exclusive discount is for another product".into(),
        ));
    }
    if discount
        .sku_code
        .as_deref()
        .is_some_and(|quoted| quoted != sku_code)
    {
        return Err(MarketError::Invalid(format!(
            "this configuration quote is for SKU {}",
            discount.sku_code.as_deref().unwrap_or_default()
        )));
    }
    let rate = DiscountRate {
        paid_bp: discount.paid_bp,
    };
    Ok((discount, rate))
}

/// Marks the discounts of `order`'s lines used by it, inside the order's transaction:
/// one order per discount, so a second order racing through the same link is refused.
pub async fn use_in(tx: &mut Tx, order: &OrderRecord) -> Result<(), MarketError> {
    let now = tx.now();
    for line in &order.lines {
        let Some(id) = &line.discount_id else {
            continue;
        };
        let current = discounts_store::discount_in(tx, id)
            .await?
            .ok_or(MarketError::Internal)?;
        let to = transition(current.discount(), Action::Use, Actor::Customer, now)
            .map_err(|refused| MarketError::Conflict(refused.to_string()))?;
        let event = DiscountEvent {
            action: Action::Use.as_str(),
            actor: Actor::Customer.as_str(),
            actor_id: &order.buyer_user_id,
            from: current.stored.as_str(),
            to,
            comment: "",
            at: now,
        };
        if !discounts_store::update_discount_in(tx, &current, &event, Some(&order.id)).await? {
            return Err(MarketError::Conflict(
                "this exclusive discount was used meanwhile: one order per discount".into(),
            ));
        }
    }
    Ok(())
}
