//! The instances' clock: a live instance past its period freezes (its registration
//! disabled, `updateInstanceStatus` FREEZE), a frozen one past its 15 days is released
//! (`releaseInstance`, the credentials' `applicationSync` delete). Each change is a
//! conditional UPDATE, so with several instances of unilogin sweeping, one makes it.
//! The sweep also sets right a registration whose enabling or disabling was cut off.

use crate::kit::machine::{Action, Actor, Effect};
use crate::kit::outbox;
use crate::kit::payloads::Calls;
use crate::kit::provisioning::{align_registration, release_calls};
use crate::kit::store as instance_store;
use crate::kit::store::{Applied, InstanceRecord};
use crate::state::Marketplace;
use unilogin_core::store::StoreError;

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
        crate::kit::machine::State::Live => (Action::Expired, "expired"),
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
    let jobs = if effects.contains(&Effect::Call(
        crate::kit::exchange::Activity::ReleaseInstance,
    )) {
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
