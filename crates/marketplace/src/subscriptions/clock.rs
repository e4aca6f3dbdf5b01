//! The subscriptions' clock: a trial or live subscription past its period freezes, a
//! frozen one past its 15 days is released; an approved hardware unsubscription whose
//! return was not shipped in 10 days counts as withdrawn. Each change is a conditional UPDATE with its
//! log row, so with several unilogin instances sweeping, one makes it. (A joint-operation
//! app's instance follows the same times on its own sweep, `kit::sweep`.)

use crate::state::Marketplace;
use crate::subscriptions::machine::{Action, Actor, State};
use crate::subscriptions::store as subscription_store;
use crate::subscriptions::store::{Applied, SubscriptionRecord};
use unilogin_core::store::StoreError;

/// One pass; returns how many subscriptions changed.
pub async fn sweep(market: &Marketplace) -> usize {
    let now = market.clock.now_unix();
    let due = match market.store.subscriptions_due(now, 100).await {
        Ok(due) => due,
        Err(err) => {
            tracing::warn!(error = %err, "marketplace: cannot read the subscriptions due");
            return 0;
        }
    };
    let mut changed = 0;
    for current in due {
        match expire_or_release(market, &current).await {
            Ok(true) => changed += 1,
            Ok(false) => {}
            Err(err) => {
                tracing::warn!(error = %err, subscription = %current.id, "marketplace: sweep failed")
            }
        }
    }
    changed + crate::unsubscribe::service::lapse_returns(market).await
}

async fn expire_or_release(
    market: &Marketplace,
    current: &SubscriptionRecord,
) -> Result<bool, StoreError> {
    let action = match current.subscription.state {
        State::Frozen => Action::Release,
        _ => Action::Expire,
    };
    let mut tx = market.store.begin().await?;
    let outcome = subscription_store::apply_subscription_in(
        &mut tx,
        current,
        (action, Actor::System),
        &current.sku_code,
        "",
    )
    .await?;
    if let Applied::Changed(_) = outcome {
        tx.commit().await?;
        Ok(true)
    } else {
        tx.rollback().await;
        Ok(false)
    }
}
