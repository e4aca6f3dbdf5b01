//! The instances' clock: a live instance past its period freezes (its registration
//! disabled, `updateInstanceStatus` FREEZE), a frozen one past its 15 days is released
//! (`releaseInstance`, the credentials' `applicationSync` delete). Each change is a
//! conditional UPDATE, so with several instances of unilogin sweeping, one makes it.
//! The sweep also sets right a registration whose enabling or disabling was cut off.

use super::instance::{Action, Actor, Effect};
use super::instance_store::{Applied, InstanceRecord};
use super::payloads::Calls;
use super::provisioning::{align_registration, release_calls};
use crate::marketplace::kit::instance_store;
use crate::marketplace::kit::outbox;
use crate::marketplace::Marketplace;
use crate::store::StoreError;

/// One pass; returns how many instances changed.
pub async fn sweep(market: &Marketplace) -> usize {
    let now = market.clock.now_unix();
    let due = match market.store.instances_due(now, 50).await {
        Ok(due) => due,
        Err(err) => {
            tracing::warn!(error = %err, "kit: cannot read the instances due");
            return 0;
        }
    };
    let mut changed = 0;
    for current in due {
        match expire_or_release(market, &current).await {
            Ok(Some(next)) => {
                changed += 1;
                align_registration(market, &next).await;
            }
            Ok(None) => {}
            Err(err) => tracing::warn!(error = %err, instance = %current.id, "kit: sweep failed"),
        }
    }
    match market.store.instances_out_of_step().await {
        Ok(list) => {
            for record in list {
                align_registration(market, &record).await;
            }
        }
        Err(err) => tracing::warn!(error = %err, "kit: cannot check registrations"),
    }
    changed
}

async fn expire_or_release(
    market: &Marketplace,
    current: &InstanceRecord,
) -> Result<Option<InstanceRecord>, StoreError> {
    let (action, name) = match current.instance.state {
        super::instance::State::Live => (Action::Expired, "expired"),
        _ => (Action::Released, "freeze ended"),
    };
    let mut tx = market.outbox.begin().await?;
    let outcome =
        instance_store::apply_in(&mut tx, current, action, Actor::System, name, "").await?;
    let Applied::Changed {
        record: changed,
        effects,
    } = outcome
    else {
        tx.rollback().await;
        return Ok(None);
    };
    let calls = Calls {
        instance: current,
        test: false,
    };
    let jobs = if effects.contains(&Effect::Call(super::exchange::Activity::ReleaseInstance)) {
        release_calls(&calls, &effects, market.clock.now_millis())
    } else {
        vec![calls.update_status(true)]
    };
    for job in jobs {
        outbox::enqueue_in(&mut tx, &job).await?;
    }
    tx.commit().await?;
    Ok(Some(*changed))
}
