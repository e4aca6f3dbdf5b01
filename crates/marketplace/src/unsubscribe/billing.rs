//! The billing centre's unsubscription (§5.7): a non-supervised SaaS or an image is
//! unsubscribed by its buyer at once, on the rules' terms, with no seller's decision. One
//! transaction holds the completed record, its UNSUBSCRIBE order (which releases a kit
//! instance) and the subscription's change; the seller hears of it in-site.

use crate::http::error::MarketError;
use crate::inbox;
use crate::inbox::Audience;
use crate::state::Marketplace;
use crate::store::finish;
use crate::subscriptions::machine::{Action as SubAction, Actor};
use crate::subscriptions::service::changed;
use crate::subscriptions::store as subscription_store;
use crate::unsubscribe::notices::notice;
use crate::unsubscribe::rules::Channel;
use crate::unsubscribe::service::{complete_in, new_record, prospect, Asked, Prospect};
use crate::unsubscribe::store as unsubscribe_store;
use crate::unsubscribe::store::UnsubscribeRecord;
use unilogin_core::store::StoreError;

/// The buyer unsubscribes `asked.order_id` in the billing centre, at once.
pub async fn unsubscribe_now(
    market: &Marketplace,
    asked: &Asked<'_>,
) -> Result<UnsubscribeRecord, MarketError> {
    let Prospect {
        order,
        subscription,
        channel,
        terms,
        hardware,
    } = prospect(
        market,
        asked.buyer_user_id,
        asked.order_id,
        asked.reason_type,
    )
    .await?;
    if channel != Channel::BillingCentre {
        return Err(MarketError::Conflict(
            "this product is unsubscribed through a request the seller decides: POST \
             /api/marketplace/v1/buyer/unsubscribe-requests"
                .into(),
        ));
    }
    let now = market.clock.now_unix();
    let mut record = new_record(asked, &order, &subscription, channel, terms, hardware, now);
    let mut tx = market.store.begin().await?;
    let result = async {
        let completion = complete_in(&mut tx, &record, &subscription).await?;
        record.unsubscribe_order_id = Some(completion.order_id.clone());
        match unsubscribe_store::insert_unsubscribe_in(&mut tx, &record, &[]).await {
            Err(StoreError::Conflict) => {
                return Err(MarketError::Conflict(
                    "an unsubscribe request of this subscription is waiting already".into(),
                ))
            }
            other => other?,
        }
        let change = (
            SubAction::Unsubscribe {
                restore: completion.restore,
            },
            Actor::Buyer,
        );
        changed(
            subscription_store::apply_subscription_in(
                &mut tx,
                &subscription,
                change,
                &subscription.sku_code,
                &completion.order_id,
            )
            .await?,
        )?;
        let told = vec![notice(
            &record,
            Audience::Tenant(record.seller_tenant_id.clone()),
            "unsubscribe.self_service",
        )];
        inbox::notify_in(&mut tx, &told).await?;
        Ok((completion, told))
    }
    .await;
    let (completion, mut notices) = finish(tx, result).await?;
    notices.extend(completion.closed);
    market.channels.forward(&notices).await;
    if let Some(instance) = completion.instance {
        crate::kit::provisioning::after_order(market, &instance).await;
    }
    Ok(record)
}
