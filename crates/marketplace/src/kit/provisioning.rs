//! What orders of a joint-operation app's product do to its instances: each change
//! decided by `instance::transition`, written with its log row and the calls it makes in
//! the order's transaction. The registration's part (enable, disable) follows the commit
//! and is set right by the sweep if it was cut off.

use crate::http::error::MarketError;
use crate::kit::app_store::{self, KitApp};
use crate::kit::debug_cases;
use crate::kit::machine::{Action, Actor, Effect, Instance, State};
use crate::kit::outbox;
use crate::kit::payloads::{Calls, Renewal, SyncFlag};
use crate::kit::store as instance_store;
use crate::kit::store::{Applied, InstanceRecord};
use crate::orders::store::OrderRecord;
use crate::state::Marketplace;
use unilogin_core::store::durable::Tx;
use unilogin_core::store::StoreError;

/// The registration an instance owns: its id is derived from the instance's, so that
/// opening twice finds it.
pub fn client_id_of(instance_id: &str) -> String {
    format!("kit-{instance_id}")
}

/// A buyer's change as the order sees it: its effects, or why it cannot be made.
fn applied(outcome: Applied) -> Result<Vec<Effect>, MarketError> {
    match outcome {
        Applied::Changed { effects, .. } => Ok(effects),
        Applied::Refused(err) => Err(MarketError::Conflict(format!("the app's instance: {err}"))),
        Applied::Stale => Err(MarketError::Conflict(
            "the app's instance changed meanwhile: order again".into(),
        )),
    }
}

/// What an order changes, decided before it is stored (a renewal moves the line's
/// expiry to the end of the instance's new period).
pub async fn on_order(tx: &mut Tx, order: &mut OrderRecord) -> Result<Option<String>, MarketError> {
    let Some(line) = order.lines.first() else {
        return Ok(None);
    };
    let Some(app) = app_store::kit_app_of_product_in(tx, &line.product_id).await? else {
        return Ok(None);
    };
    if order.buyer_tenant_id.is_empty() {
        return Err(MarketError::Invalid(
            "a joint-operation app is bought for a tenant: sign in as a user of one".into(),
        ));
    }
    let open = instance_store::open_instance_in(tx, &app.id, &order.buyer_tenant_id).await?;
    let instance = match (order.order_type.as_str(), open) {
        ("NEW" | "TRIAL", Some(existing)) => {
            return Err(MarketError::Conflict(format!(
                "your tenant has an instance of this app already ({}, {}): renew it instead",
                existing.id,
                existing.instance.state.as_str()
            )))
        }
        ("NEW" | "TRIAL", None) => {
            let period = order.lines[0].charging_mode == "PERIOD";
            let missing = debug_cases::missing_debug_cases_in(tx, &app.id, period).await?;
            if !missing.is_empty() {
                let names: Vec<&str> = missing.iter().map(|a| a.as_str()).collect();
                return Err(MarketError::Conflict(format!(
                    "the seller has not finished debugging this app (missing: {}); it cannot \
                     be opened yet",
                    names.join(", ")
                )));
            }
            open_instance(tx, &app, order).await?
        }
        ("RENEW" | "TRIAL_TO_FORMAL", Some(existing)) => renew(tx, existing, order).await?,
        // A renewal refunded before it took effect: the period ends where it did before.
        ("UNSUBSCRIBE", Some(existing)) if order.lines[0].expire_time.is_some() => {
            renew(tx, existing, order).await?
        }
        ("UNSUBSCRIBE", Some(existing)) => release(tx, existing, order).await?,
        ("CHANGE", Some(existing)) if existing.instance.state == State::Live => {
            let calls = Calls {
                instance: &existing,
                test: false,
            };
            let line = &order.lines[0];
            let upgrade = calls.upgrade(&order.id, &line.id, &line.sku_code, &line.product_id);
            outbox::enqueue_in(tx, &upgrade).await?;
            existing
        }
        (kind, None) if kind != "UNSUBSCRIBE" => {
            return Err(MarketError::Conflict(format!(
                "your tenant has no open instance of this app to {}",
                kind.to_ascii_lowercase().replace('_', " ")
            )))
        }
        (_, Some(existing)) => {
            return Err(MarketError::Conflict(format!(
                "the app's instance is {}",
                existing.instance.state.as_str()
            )))
        }
        (_, None) => return Ok(None),
    };
    let calls = Calls {
        instance: &instance,
        test: false,
    };
    let notify = calls.order_notify(&order.id, &order.lines[0].id);
    outbox::enqueue_in(tx, &notify).await?;
    Ok(Some(instance.id))
}

async fn open_instance(
    tx: &mut Tx,
    app: &KitApp,
    order: &OrderRecord,
) -> Result<InstanceRecord, MarketError> {
    let line = &order.lines[0];
    let id = format!("kin-{}", unilogin_core::secret::random_id(16));
    let now = tx.now();
    let record = InstanceRecord {
        client_id: client_id_of(&id),
        id,
        app_id: app.id.clone(),
        seller_tenant_id: app.seller_tenant_id.clone(),
        buyer_tenant_id: order.buyer_tenant_id.clone(),
        buyer_user_id: order.buyer_user_id.clone(),
        order_id: order.id.clone(),
        order_line_id: line.id.clone(),
        instance: Instance {
            state: State::Opening,
            expires_at: line.expire_time,
            frozen_until: None,
        },
        seller_instance_id: String::new(),
        version: 0,
        created_at: now,
        updated_at: now,
    };
    match instance_store::insert_instance_in(tx, &record, &order.id).await {
        Err(StoreError::Conflict) => {
            return Err(MarketError::Conflict(
                "your tenant has an instance of this app already: renew it instead".into(),
            ))
        }
        other => other?,
    }
    let calls = Calls {
        instance: &record,
        test: false,
    };
    outbox::enqueue_in(tx, &calls.new_instance()).await?;
    Ok(record)
}

async fn renew(
    tx: &mut Tx,
    current: InstanceRecord,
    order: &OrderRecord,
) -> Result<InstanceRecord, MarketError> {
    // The subscription decided where the period now ends.
    let line = &order.lines[0];
    let expires_at = line.expire_time.unwrap_or_else(|| tx.now());
    let renewed = Action::Renewed { expires_at };
    let effects = applied(
        instance_store::apply_in(tx, &current, renewed, Actor::Buyer, "renewed", &order.id).await?,
    )?;
    let calls = Calls {
        instance: &current,
        test: false,
    };
    let renewal = Renewal {
        order_id: &order.id,
        order_line_id: &line.id,
        expires_at,
        trial_to_formal: order.order_type == "TRIAL_TO_FORMAL",
        period_type: line.period_type.as_deref().unwrap_or(""),
        period_number: line.period_number.unwrap_or(1),
        order_amount: line.amount,
    };
    for effect in effects {
        let job = match effect {
            Effect::Call(crate::kit::exchange::Activity::RefreshInstance) => {
                calls.refresh_instance(&renewal)
            }
            Effect::Call(crate::kit::exchange::Activity::UpdateInstanceStatus) => {
                calls.update_status(false)
            }
            _ => continue,
        };
        outbox::enqueue_in(tx, &job).await?;
    }
    Ok(current)
}

async fn release(
    tx: &mut Tx,
    current: InstanceRecord,
    order: &OrderRecord,
) -> Result<InstanceRecord, MarketError> {
    let effects = applied(
        instance_store::apply_in(
            tx,
            &current,
            Action::Released,
            Actor::Buyer,
            "unsubscribed",
            &order.id,
        )
        .await?,
    )?;
    let calls = Calls {
        instance: &current,
        test: false,
    };
    for job in release_calls(&calls, &effects, tx.now_millis()) {
        outbox::enqueue_in(tx, &job).await?;
    }
    Ok(current)
}

/// The calls of a release (by unsubscription or at the end of the freeze). Releasing an
/// opening still calls: its `newInstance` goes first and the release undoes it.
pub fn release_calls(
    calls: &Calls<'_>,
    effects: &[Effect],
    now_ms: i64,
) -> Vec<crate::kit::outbox::NewJob> {
    effects
        .iter()
        .filter_map(|effect| match effect {
            Effect::Call(crate::kit::exchange::Activity::ReleaseInstance) => {
                Some(calls.release_instance())
            }
            Effect::Call(crate::kit::exchange::Activity::ApplicationSync) => {
                Some(calls.application_sync(None, SyncFlag::Delete, now_ms))
            }
            _ => None,
        })
        .collect()
}

/// Brings the instance's registration in step with its state: only a live instance
/// signs anyone in. Called after each change's commit and by the sweep.
pub async fn align_registration(market: &Marketplace, record: &InstanceRecord) {
    let wanted = record.instance.state == State::Live;
    let client = match market.admin.client(&record.client_id).await {
        Ok(client) => client,
        // Not registered yet (still opening, or failed): nothing to align.
        Err(unilogin_core::admin::AdminError::NotFound(_)) => return,
        Err(err) => {
            tracing::warn!(error = %err, instance = %record.id, "kit: registration unreadable");
            return;
        }
    };
    // Already as wanted: disabled exactly when not wanted.
    if client.disabled != wanted {
        return;
    }
    let actor = unilogin_core::admin::Actor::system();
    if let Err(err) = market
        .admin
        .set_client_enabled(&actor, &record.client_id, wanted)
        .await
    {
        tracing::warn!(error = %err, instance = %record.id, "kit: cannot align the registration");
    }
}

/// After an order's commit: the registration of the instance it changed follows.
pub async fn after_order(market: &Marketplace, instance_id: &str) {
    match market.store.instance(instance_id).await {
        Ok(Some(record)) => align_registration(market, &record).await,
        Ok(None) => {}
        Err(err) => {
            tracing::warn!(error = %err, instance = instance_id, "kit: instance unreadable")
        }
    }
}
