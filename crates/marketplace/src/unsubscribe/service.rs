//! The unsubscribe workflow's operations, shared by the API and the console: a buyer's
//! request (the rules decide whether and on what terms), and each later step, written in
//! one transaction with its log row and what it does to the subscription. A completed
//! request places the UNSUBSCRIBE order, which releases a joint-operation instance (or,
//! for a renewal refunded before it started, shortens its period).

use crate::http::error::MarketError;
use crate::inbox;
use crate::inbox::{Audience, Notice};
use crate::orders::request::new_order_id;
use crate::orders::store as order_store;
use crate::orders::store::{OrderLineRecord, OrderRecord};
use crate::selling::product::ProductContent;
use crate::state::Marketplace;
use crate::store::finish;
use crate::subscriptions::machine::{Action as SubAction, Actor};
use crate::subscriptions::service::changed;
use crate::subscriptions::store as subscription_store;
use crate::subscriptions::store::SubscriptionRecord;
use crate::unsubscribe::machine::{transition, Action, Request, State};
use crate::unsubscribe::notices::{notice, notices_of};
use crate::unsubscribe::rules::{
    assess, assess_self_service, Channel, Facts, ReasonType, Rule, Terms,
};
use crate::unsubscribe::store as unsubscribe_store;
use crate::unsubscribe::store::{Step, UnsubscribeRecord};
use crate::workflow::attachments;
use unilogin_core::store::durable::Tx;
use unilogin_core::store::StoreError;

/// What a buyer sends to ask for an unsubscription.
pub struct Asked<'a> {
    pub buyer_user_id: &'a str,
    pub order_id: &'a str,
    pub reason_type: ReasonType,
    pub reason: &'a str,
    pub attachments: &'a [String],
}

/// What unsubscribing an order would be: where (by its product), and on what terms.
pub struct Prospect {
    pub order: OrderRecord,
    pub subscription: SubscriptionRecord,
    pub channel: Channel,
    pub terms: Terms,
    pub hardware: bool,
}

/// The buyer's order, where and on what terms it is unsubscribed for `reason`, or why
/// it is not.
pub async fn prospect(
    market: &Marketplace,
    buyer_user_id: &str,
    order_id: &str,
    reason: ReasonType,
) -> Result<Prospect, MarketError> {
    let order = market
        .store
        .order(order_id)
        .await?
        .filter(|o| o.buyer_user_id == buyer_user_id)
        .ok_or_else(|| MarketError::NotFound("No such order of yours".into()))?;
    let subscription = market
        .store
        .subscription_of_order(&order.id)
        .await?
        .ok_or_else(|| {
            MarketError::Conflict("this order has no subscription to unsubscribe".into())
        })?;
    if market.store.refunded(&order.id).await? {
        return Err(MarketError::Conflict(
            "this order was unsubscribed already".into(),
        ));
    }
    let now = market.clock.now_unix();
    let invoiced = market.store.invoice_requested(&order.id).await?;
    let hardware = order.shipping.is_some();
    let in_transit = match market.store.shipment(&subscription.order_id).await? {
        Some(shipment) => shipment.received_at.is_none(),
        None => false,
    };
    let pending = market.store.pending_renewal(&subscription.id, now).await?;
    let line = order.lines.first().ok_or(MarketError::Internal)?;
    let channel = channel_of(market, &order).await?;
    let supervision_completed = crate::supervision::service::completed(market, &order.id).await?;
    let facts = Facts {
        order_type: &order.order_type,
        order_amount: order.amount,
        ordered_at: order.created_at,
        starts_at: line.starts_at,
        expire_time: line.expire_time,
        state: subscription.subscription.state,
        billing: subscription.subscription.billing,
        subscription_expires_at: subscription.subscription.expires_at,
        pending_renewal: pending.as_deref().filter(|p| *p != order.id),
        invoice_requested: invoiced,
        hardware,
        in_transit,
        reason,
        supervision_completed,
        now,
    };
    let terms = match channel {
        Channel::BuyerCentre => assess(&facts),
        Channel::BillingCentre => assess_self_service(&facts),
    }
    .map_err(MarketError::Conflict)?;
    Ok(Prospect {
        order,
        subscription,
        channel,
        terms,
        hardware,
    })
}

/// Where `order` is unsubscribed: by its product's type (a product gone: the buyer
/// centre, where a person decides).
pub async fn channel_of(market: &Marketplace, order: &OrderRecord) -> Result<Channel, MarketError> {
    let Some(line) = order.lines.first() else {
        return Ok(Channel::BuyerCentre);
    };
    Ok(
        match market.store.product_any_status(&line.product_id).await? {
            Some(product) => serde_json::from_str::<ProductContent>(&product.content)
                .map_err(|_| MarketError::Internal)?
                .unsubscribe_channel(),
            None => Channel::BuyerCentre,
        },
    )
}

/// A buyer's request: checked against the rules, stored with the subscription's change.
pub async fn request(
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
    if channel == Channel::BillingCentre {
        return Err(MarketError::Conflict(
            "this product is unsubscribed in the billing centre, at once and without the \
             seller's decision: POST /api/marketplace/v1/buyer/billing/unsubscriptions"
                .into(),
        ));
    }
    let now = market.clock.now_unix();
    let record = new_record(asked, &order, &subscription, channel, terms, hardware, now);
    let requested = [notice(
        &record,
        Audience::Tenant(record.seller_tenant_id.clone()),
        "unsubscribe.requested",
    )];
    let mut tx = market.store.begin().await?;
    let result = async {
        match unsubscribe_store::insert_unsubscribe_in(&mut tx, &record, asked.attachments).await {
            Err(StoreError::Conflict) => {
                return Err(MarketError::Conflict(
                    "an unsubscribe request of this subscription is waiting already".into(),
                ))
            }
            other => other?,
        }
        attach(&mut tx, asked.attachments, asked.buyer_user_id, &record.id).await?;
        inbox::notify_in(&mut tx, &requested).await?;
        let change = (SubAction::RequestUnsubscribe, Actor::Buyer);
        changed(
            subscription_store::apply_subscription_in(
                &mut tx,
                &subscription,
                change,
                &subscription.sku_code,
                &order.id,
            )
            .await?,
        )?;
        Ok(())
    }
    .await;
    finish(tx, result).await?;
    market.channels.forward(&requested).await;
    Ok(record)
}

/// The record of `asked` on `terms`: open in the buyer centre, completed in the billing
/// centre (its UNSUBSCRIBE order set when it is placed).
pub(crate) fn new_record(
    asked: &Asked<'_>,
    order: &OrderRecord,
    subscription: &SubscriptionRecord,
    channel: Channel,
    terms: Terms,
    hardware: bool,
    now: i64,
) -> UnsubscribeRecord {
    let state = match channel {
        Channel::BuyerCentre => State::Pending,
        Channel::BillingCentre => State::Completed,
    };
    UnsubscribeRecord {
        id: format!("uns-{}", unilogin_core::secret::random_id(16)),
        subscription_id: subscription.id.clone(),
        order_id: order.id.clone(),
        buyer_user_id: order.buyer_user_id.clone(),
        buyer_tenant_id: order.buyer_tenant_id.clone(),
        seller_tenant_id: order.seller_tenant_id.clone(),
        product_name: subscription.product_name.clone(),
        request: Request {
            state,
            hardware,
            created_at: now,
            return_due_at: None,
        },
        channel,
        rule: terms.rule,
        reason_type: asked.reason_type,
        reason: asked.reason.to_owned(),
        refund_amount: terms.refund,
        order_amount: order.amount,
        return_carrier: None,
        return_tracking: None,
        unsubscribe_order_id: None,
        version: 0,
        updated_at: now,
    }
}

pub(crate) async fn attach(
    tx: &mut Tx,
    ids: &[String],
    owner: &str,
    request_id: &str,
) -> Result<(), MarketError> {
    if ids.is_empty() {
        return Ok(());
    }
    let subject = format!("unsubscribe:{request_id}");
    if !attachments::attach_in(tx, ids, owner, &subject).await? {
        return Err(crate::workflow::attachments::not_attachable());
    }
    Ok(())
}

/// What else a step carries: the refund a seller sets for a negotiated request, the
/// buyer's return shipment.
#[derive(Default)]
pub struct Extras {
    pub refund: Option<i64>,
    pub return_shipment: Option<(String, String)>,
}

/// One step of a request, in its own transaction; afterwards the instance's registration
/// follows (a released instance signs nobody in).
pub async fn step(
    market: &Marketplace,
    current: &UnsubscribeRecord,
    step: &Step<'_>,
    extras: Extras,
) -> Result<UnsubscribeRecord, MarketError> {
    let mut tx = market.store.begin().await?;
    let result = async {
        attach(&mut tx, step.attachments, step.actor_id, &current.id).await?;
        apply_in(&mut tx, current, step, Some(extras)).await
    }
    .await;
    let stepped = finish(tx, result).await?;
    market.channels.forward(&stepped.notices).await;
    if let Some(instance) = stepped.instance {
        crate::kit::provisioning::after_order(market, &instance).await;
    }
    Ok(stepped.record)
}

/// What a step did: the request as it is now, the joint-operation instance its
/// UNSUBSCRIBE order changed, and the in-site messages to forward once it commits.
pub struct Stepped {
    pub record: UnsubscribeRecord,
    pub instance: Option<String>,
    pub notices: Vec<Notice>,
}

/// Applies a step inside `tx`: the request's transition, the subscription's, on
/// completion the UNSUBSCRIBE order (which closes the order's open supervisions), and
/// the in-site messages.
pub async fn apply_in(
    tx: &mut Tx,
    current: &UnsubscribeRecord,
    step: &Step<'_>,
    extras: Option<Extras>,
) -> Result<Stepped, MarketError> {
    let now = tx.now();
    let request = transition(current.request, step.action, step.actor, now)
        .map_err(|refused| MarketError::Conflict(refused.to_string()))?;
    let extras = extras.unwrap_or_default();
    let mut next = UnsubscribeRecord {
        request,
        ..current.clone()
    };
    if step.action == Action::Approve {
        next.refund_amount = Some(refund_of(current, extras.refund)?);
    } else if extras.refund.is_some() {
        return Err(MarketError::Invalid(
            "refundAmount is set only when approving".into(),
        ));
    }
    if let Some((carrier, tracking)) = extras.return_shipment {
        next.return_carrier = Some(carrier);
        next.return_tracking = Some(tracking);
    }
    let subscription = subscription_store::subscription_in(tx, &current.subscription_id)
        .await?
        .ok_or(MarketError::Internal)?;
    let mut instance = None;
    let mut closed = Vec::new();
    let sub_change = match next.request.state {
        State::Completed => {
            let completion = complete_in(tx, current, &subscription).await?;
            instance = completion.instance;
            closed = completion.closed;
            next.unsubscribe_order_id = Some(completion.order_id.clone());
            let actor = if step.actor == Actor::Buyer {
                Actor::System
            } else {
                step.actor
            };
            let restore = completion.restore;
            Some((
                SubAction::ApproveUnsubscribe { restore },
                actor,
                completion.order_id,
            ))
        }
        State::Rejected => Some((SubAction::RejectUnsubscribe, step.actor, String::new())),
        State::Withdrawn | State::Failed => {
            Some((SubAction::WithdrawUnsubscribe, step.actor, String::new()))
        }
        State::Pending | State::Appealed | State::AwaitingReturn => None,
    };
    if !unsubscribe_store::update_unsubscribe_in(tx, current, &next, step).await? {
        return Err(MarketError::Conflict(
            "the request changed meanwhile: look at it and try again".into(),
        ));
    }
    if let Some((action, actor, order_id)) = sub_change {
        changed(
            subscription_store::apply_subscription_in(
                tx,
                &subscription,
                (action, actor),
                &subscription.sku_code,
                &order_id,
            )
            .await?,
        )?;
    }
    let mut notices = notices_of(current, step, next.request.state);
    inbox::notify_in(tx, &notices).await?;
    notices.extend(closed);
    next.version += 1;
    Ok(Stepped {
        record: next,
        instance,
        notices,
    })
}

/// What completing an unsubscription did.
pub(crate) struct Completion {
    /// The UNSUBSCRIBE order it placed.
    pub order_id: String,
    /// A renewal refunded before it started: where the period ends again.
    pub restore: Option<i64>,
    /// The joint-operation instance the order released.
    pub instance: Option<String>,
    /// The in-site messages of the supervisions it closed.
    pub closed: Vec<Notice>,
}

/// Completes `request` inside `tx`: the UNSUBSCRIBE order (which releases a kit
/// instance), the order's open supervisions closed, and a no-reason refund's voucher
/// given back.
pub(crate) async fn complete_in(
    tx: &mut Tx,
    request: &UnsubscribeRecord,
    subscription: &SubscriptionRecord,
) -> Result<Completion, MarketError> {
    let (mut order, restore) = unsubscribe_order(tx, request, subscription).await?;
    let instance = crate::kit::provisioning::on_order(tx, &mut order).await?;
    order_store::insert_order_in(tx, &order).await?;
    let closed = crate::supervision::service::close_in(tx, &request.order_id)
        .await
        .map_err(|err| match err {
            StoreError::Conflict => MarketError::Conflict(
                "the order's supervision changed meanwhile: look at it and try again".into(),
            ),
            other => other.into(),
        })?;
    if request.rule == Rule::NoReason {
        crate::vouchers::redeem::recycle_in(tx, &request.order_id).await?;
    }
    Ok(Completion {
        order_id: order.id,
        restore,
        instance,
        closed,
    })
}

/// The refund an approval grants: fixed by the rule, or the seller's within the amount.
fn refund_of(current: &UnsubscribeRecord, offered: Option<i64>) -> Result<i64, MarketError> {
    match (current.rule, current.refund_amount, offered) {
        (Rule::Negotiated, _, Some(amount)) if (0..=current.order_amount).contains(&amount) => {
            Ok(amount)
        }
        (Rule::Negotiated, _, _) => Err(MarketError::Invalid(format!(
            "a negotiated unsubscription needs refundAmount from 0 to {} (the order's amount)",
            current.order_amount
        ))),
        (_, Some(fixed), None) => Ok(fixed),
        (_, Some(fixed), Some(amount)) if amount == fixed => Ok(fixed),
        (rule, _, _) => Err(MarketError::Invalid(format!(
            "the refund of a {} unsubscription is fixed: leave refundAmount out",
            rule.as_str()
        ))),
    }
}

/// The UNSUBSCRIBE order a completed request places (it costs nothing; the refund is the
/// request's), and for a renewal refunded before it started, where the period ends now.
async fn unsubscribe_order(
    tx: &mut Tx,
    request: &UnsubscribeRecord,
    subscription: &SubscriptionRecord,
) -> Result<(OrderRecord, Option<i64>), MarketError> {
    let refunded = order_store::order_in(tx, &request.order_id)
        .await?
        .ok_or(MarketError::Internal)?;
    let now = tx.now();
    let line = refunded.lines.first().ok_or(MarketError::Internal)?;
    let restore = (refunded.order_type == "RENEW")
        .then_some(line.starts_at)
        .flatten();
    let id = new_order_id(now);
    let order = OrderRecord {
        lines: vec![OrderLineRecord {
            id: format!("{id}-000001"),
            sku_code: subscription.sku_code.clone(),
            amount: 0,
            list_amount: 0,
            discount_amount: 0,
            voucher_amount: 0,
            voucher_id: None,
            discount_id: None,
            partner_tenant_id: None,
            expire_time: restore,
            subscription_id: Some(subscription.id.clone()),
            starts_at: Some(now),
            ..line.clone()
        }],
        id,
        order_type: "UNSUBSCRIBE".into(),
        related_order_id: Some(refunded.id.clone()),
        idempotency_key: None,
        request_hash: None,
        shipping: None,
        amount: 0,
        created_at: now,
        ..refunded
    };
    Ok((order, restore))
}

/// A failed opening's automatic unsubscription (§5.7: refunded in full without a
/// request), recorded as a completed request so that both sides see it with the rest;
/// the order's supervision closes. Returns the in-site messages it sent.
pub async fn record_failed_provisioning(
    tx: &mut Tx,
    order: &OrderRecord,
    unsubscribe_order_id: &str,
) -> Result<Vec<Notice>, StoreError> {
    let Some(subscription) = subscription_store::subscription_of_order_in(tx, &order.id).await?
    else {
        return Ok(Vec::new());
    };
    let change = (SubAction::ProvisioningFailed, Actor::System);
    let outcome = subscription_store::apply_subscription_in(
        tx,
        &subscription,
        change,
        &subscription.sku_code,
        unsubscribe_order_id,
    )
    .await?;
    if !matches!(outcome, crate::subscriptions::store::Applied::Changed(_)) {
        return Ok(Vec::new());
    }
    let now = tx.now();
    let record = UnsubscribeRecord {
        id: format!("uns-{}", unilogin_core::secret::random_id(16)),
        subscription_id: subscription.id.clone(),
        order_id: order.id.clone(),
        buyer_user_id: order.buyer_user_id.clone(),
        buyer_tenant_id: order.buyer_tenant_id.clone(),
        seller_tenant_id: order.seller_tenant_id.clone(),
        product_name: subscription.product_name.clone(),
        request: Request {
            state: State::Completed,
            hardware: false,
            created_at: now,
            return_due_at: None,
        },
        channel: Channel::BuyerCentre,
        rule: Rule::FailedProvisioning,
        reason_type: ReasonType::Other,
        reason: "the seller did not open what was bought".into(),
        refund_amount: Some(order.amount),
        order_amount: order.amount,
        return_carrier: None,
        return_tracking: None,
        unsubscribe_order_id: Some(unsubscribe_order_id.to_owned()),
        version: 0,
        updated_at: now,
    };
    unsubscribe_store::insert_unsubscribe_in(tx, &record, &[]).await?;
    let event = "unsubscribe.failed_provisioning";
    let mut notices = vec![
        notice(&record, Audience::User(record.buyer_user_id.clone()), event),
        notice(
            &record,
            Audience::Tenant(record.seller_tenant_id.clone()),
            event,
        ),
    ];
    inbox::notify_in(tx, &notices).await?;
    notices.extend(crate::supervision::service::close_in(tx, &order.id).await?);
    Ok(notices)
}

/// The clock's part: an approved hardware request whose return was not shipped in 10
/// days counts as withdrawn. Returns how many lapsed.
pub async fn lapse_returns(market: &Marketplace) -> usize {
    let now = market.clock.now_unix();
    let due = match market.store.returns_lapsed(now).await {
        Ok(due) => due,
        Err(err) => {
            tracing::warn!(error = %err, "marketplace: cannot read the lapsed returns");
            return 0;
        }
    };
    let mut lapsed = 0;
    for request in due {
        let step = Step {
            action: Action::ReturnLapsed,
            actor: Actor::System,
            actor_id: "",
            comment: "the return was not shipped within 10 days of approval",
            attachments: &[],
        };
        match self::step(market, &request, &step, Extras::default()).await {
            Ok(_) => lapsed += 1,
            // Another instance of unilogin got there first, or the buyer just shipped.
            Err(MarketError::Conflict(_)) => {}
            Err(err) => {
                tracing::warn!(error = %err, request = %request.id, "marketplace: return lapse failed")
            }
        }
    }
    lapsed
}
