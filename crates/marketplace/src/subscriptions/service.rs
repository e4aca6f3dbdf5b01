//! What an order does to its subscription, in the order's transaction: NEW and TRIAL
//! start one (a TRIAL only once per buyer tenant and product), RENEW, CHANGE and
//! TRIAL_TO_FORMAL apply their action to the subscription of the order they follow, as
//! `subscription::transition` allows. The line learns its subscription and its period.

use crate::http::error::MarketError;
use crate::orders::store::OrderRecord;
use crate::subscriptions::machine::{Action, Actor, Billing, State, Subscription};
use crate::subscriptions::store as subscription_store;
use crate::subscriptions::store::{Applied, SubscriptionRecord};
use unilogin_core::store::durable::Tx;

/// Whose trial it is: the buyer's tenant, or the buyer without one.
pub fn trial_key(order: &OrderRecord) -> String {
    if order.buyer_tenant_id.is_empty() {
        format!("user:{}", order.buyer_user_id)
    } else {
        format!("tenant:{}", order.buyer_tenant_id)
    }
}

/// A change's outcome as the order sees it.
pub fn changed(outcome: Applied) -> Result<SubscriptionRecord, MarketError> {
    match outcome {
        Applied::Changed(record) => Ok(*record),
        Applied::Refused(refused) => Err(MarketError::Conflict(refused.to_string())),
        Applied::Stale => Err(MarketError::Conflict(
            "the subscription changed meanwhile: look at it and try again".into(),
        )),
    }
}

pub async fn on_order(tx: &mut Tx, order: &mut OrderRecord) -> Result<(), MarketError> {
    let now = tx.now();
    match order.order_type.as_str() {
        "NEW" | "TRIAL" => start(tx, order, now).await,
        "RENEW" | "CHANGE" | "TRIAL_TO_FORMAL" => follow(tx, order, now).await,
        other => Err(MarketError::Invalid(format!(
            "a {other} order is not placed by buyers"
        ))),
    }
}

async fn start(tx: &mut Tx, order: &mut OrderRecord, now: i64) -> Result<(), MarketError> {
    let trial = order.order_type == "TRIAL";
    let line = order.lines.first().ok_or(MarketError::Internal)?;
    if trial
        && !subscription_store::claim_trial_in(tx, &trial_key(order), &line.product_id, &order.id)
            .await?
    {
        return Err(MarketError::Conflict(
            "this product's free trial was taken already (one per tenant and product): order \
             it instead"
                .into(),
        ));
    }
    let record = SubscriptionRecord {
        id: format!("sub-{}", line.id),
        order_id: order.id.clone(),
        order_line_id: line.id.clone(),
        product_id: line.product_id.clone(),
        product_name: line.product_name.clone(),
        sku_code: line.sku_code.clone(),
        buyer_user_id: order.buyer_user_id.clone(),
        buyer_tenant_id: order.buyer_tenant_id.clone(),
        seller_tenant_id: order.seller_tenant_id.clone(),
        subscription: Subscription {
            state: if trial { State::Trial } else { State::Live },
            billing: if line.charging_mode == "PERIOD" {
                Billing::Period
            } else {
                Billing::Once
            },
            expires_at: line.expire_time,
            frozen_until: None,
        },
        version: 0,
        created_at: now,
        updated_at: now,
    };
    subscription_store::insert_subscription_in(tx, &record).await?;
    order.lines[0].subscription_id = Some(record.id);
    Ok(())
}

async fn follow(tx: &mut Tx, order: &mut OrderRecord, now: i64) -> Result<(), MarketError> {
    let related = order.related_order_id.as_deref().unwrap_or_default();
    let current = subscription_store::subscription_of_order_in(tx, related)
        .await?
        .ok_or_else(|| MarketError::Conflict("the related order has no subscription".into()))?;
    let line = &mut order.lines[0];
    // What the line pays for: a renewal adds its periods to the end of the current one;
    // a trial made formal starts now; a change holds for the rest of the period.
    let paid = line.expire_time.unwrap_or(now) - now;
    let (action, starts_at, expires_at) = match order.order_type.as_str() {
        "RENEW" => {
            let start = current.subscription.expires_at.unwrap_or(now).max(now);
            (
                Action::Renew {
                    until: start + paid,
                },
                start,
                Some(start + paid),
            )
        }
        "TRIAL_TO_FORMAL" => (
            Action::ToFormal { until: now + paid },
            now,
            Some(now + paid),
        ),
        _ => {
            if line.sku_code == current.sku_code {
                return Err(MarketError::Invalid(format!(
                    "a CHANGE order moves to another SKU: the subscription is on {} already",
                    current.sku_code
                )));
            }
            (Action::Change, now, current.subscription.expires_at)
        }
    };
    line.starts_at = Some(starts_at);
    line.expire_time = expires_at;
    line.subscription_id = Some(current.id.clone());
    let sku = line.sku_code.clone();
    subscription_store::apply_subscription_in(
        tx,
        &current,
        (action, Actor::Buyer),
        &sku,
        &order.id,
    )
    .await
    .map(changed)??;
    Ok(())
}
