//! Supervision's operations, shared by the API and the console: a NEW order of a
//! supervised product opens one per line (in the order's transaction), and each step is
//! one transaction with its log row, its attachments and its in-site messages. Completion
//! marks the seller's settlement due and starts the validity period.

use crate::http::error::MarketError;
use crate::inbox;
use crate::inbox::{Audience, Notice};
use crate::kit::app_store;
use crate::orders::fulfilment_store as fulfilment;
use crate::orders::store as order_store;
use crate::orders::store::OrderRecord;
use crate::selling::product::ProductContent;
use crate::selling::products as product_store;
use crate::state::Marketplace;
use crate::store::finish;
use crate::subscriptions::machine::{
    Action as SubAction, Actor as SubActor, Billing, State as SubState,
};
use crate::subscriptions::service::changed;
use crate::subscriptions::store as subscription_store;
use crate::supervision::machine::{transition, Action, Actor, State, Supervision};
use crate::supervision::store as supervision_store;
use crate::supervision::store::{SupervisionEvent, SupervisionRecord};
use crate::workflow::attachments;
use unilogin_core::store::durable::Tx;
use unilogin_core::store::StoreError;

const DAY: i64 = 86_400;

/// A hardware delivery's logistics.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Logistics {
    pub carrier: String,
    pub tracking_number: String,
}

/// One step as asked for: the action, who, and what comes with it.
pub struct Step<'a> {
    pub action: Action,
    pub actor: Actor,
    pub actor_id: &'a str,
    pub comment: &'a str,
    pub attachments: &'a [String],
    /// Delivery only: hardware's logistics.
    pub logistics: Option<Logistics>,
    /// Delivery only: the actual start (a day's first second, UTC).
    pub actual_start: Option<i64>,
}

/// Opens the supervision of each line of a NEW order of a supervised product, in the
/// order's transaction; the notices to forward once it commits.
pub async fn open_in(tx: &mut Tx, order: &OrderRecord) -> Result<Vec<Notice>, MarketError> {
    // Renewals, changes and the rest continue the supervision of the order they follow
    // (if any); a renewal of a completed one opens none.
    if order.order_type != "NEW" {
        return Ok(Vec::new());
    }
    let mut notices = Vec::new();
    for line in &order.lines {
        let Some(product) = product_store::product_on_sale_in(tx, &line.product_id).await? else {
            continue;
        };
        let content: ProductContent =
            serde_json::from_str(&product.content).map_err(|_| MarketError::Internal)?;
        let Some(flow) = content.supervision_for(&line.sku_code) else {
            continue;
        };
        let record = SupervisionRecord {
            id: format!("sup-{}", line.id),
            order_id: order.id.clone(),
            order_line_id: line.id.clone(),
            subscription_id: line.subscription_id.clone(),
            product_id: line.product_id.clone(),
            product_name: line.product_name.clone(),
            access_type: content.access_type.as_str().into(),
            buyer_user_id: order.buyer_user_id.clone(),
            buyer_tenant_id: order.buyer_tenant_id.clone(),
            seller_tenant_id: order.seller_tenant_id.clone(),
            supervision: Supervision {
                state: flow.first_node(),
                flow,
                since: order.created_at,
                rejections: 0,
                delivered: false,
                appeal: None,
            },
            carrier: None,
            tracking_number: None,
            actual_start: None,
            valid_from: None,
            completed_at: None,
            settlement: "held".into(),
            version: 0,
            created_at: order.created_at,
            updated_at: order.created_at,
        };
        supervision_store::insert_supervision_in(tx, &record).await?;
        notices.push(match flow.first_node() {
            State::AwaitingRequirement => notice(
                &record,
                Audience::User(record.buyer_user_id.clone()),
                "supervision.opened",
            ),
            _ => notice(
                &record,
                Audience::Tenant(record.seller_tenant_id.clone()),
                "supervision.opened_for_delivery",
            ),
        });
    }
    inbox::notify_in(tx, &notices).await?;
    Ok(notices)
}

fn notice(record: &SupervisionRecord, audience: Audience, event: &'static str) -> Notice {
    Notice::new(
        audience,
        event,
        "supervision",
        &record.id,
        &record.product_name,
    )
}

/// Who hears of a step: the other side, and for appeals the operators too.
fn notices_of(record: &SupervisionRecord, action: Action, actor: Actor) -> Vec<Notice> {
    let buyer = || Audience::User(record.buyer_user_id.clone());
    let seller = || Audience::Tenant(record.seller_tenant_id.clone());
    let to = |audience: Audience, event| notice(record, audience, event);
    match action {
        Action::SubmitRequirement => vec![to(seller(), "supervision.requirement_submitted")],
        Action::ConfirmRequirement => vec![to(buyer(), "supervision.requirement_confirmed")],
        Action::RejectRequirement => vec![to(buyer(), "supervision.requirement_rejected")],
        Action::Deliver => vec![to(buyer(), "supervision.delivered")],
        Action::Accept => vec![to(seller(), "supervision.accepted")],
        Action::RejectDelivery => vec![to(seller(), "supervision.delivery_rejected")],
        Action::Appeal => vec![
            to(Audience::Operators, "supervision.appealed"),
            to(
                if actor == Actor::Buyer {
                    seller()
                } else {
                    buyer()
                },
                "supervision.appealed",
            ),
        ],
        Action::ResumeAt(_) => vec![
            to(buyer(), "supervision.resumed"),
            to(seller(), "supervision.resumed"),
        ],
        Action::CompleteByOperator => vec![
            to(buyer(), "supervision.completed"),
            to(seller(), "supervision.completed"),
        ],
        Action::Close => vec![
            to(buyer(), "supervision.closed"),
            to(seller(), "supervision.closed"),
        ],
    }
}

/// What a step must carry, beyond what the state machine decides.
fn check(current: &SupervisionRecord, step: &Step<'_>) -> Result<(), MarketError> {
    let invalid = |why: &str| Err(MarketError::Invalid(why.into()));
    let hardware = current.access_type == "hardware";
    // A License's or manual service's delivery is a service's result: said, not only
    // attached.
    let service = matches!(current.access_type.as_str(), "license" | "manual_service");
    if step.action != Action::Deliver && (step.logistics.is_some() || step.actual_start.is_some()) {
        return invalid("carrier, trackingNumber and actualStartDate come with a delivery only");
    }
    match step.action {
        Action::SubmitRequirement if step.attachments.is_empty() => {
            invalid("attach the requirement (following the product's requirement template)")
        }
        Action::Deliver if step.attachments.is_empty() => {
            invalid("attach the acceptance report or the delivery proof")
        }
        Action::Deliver if hardware && step.logistics.is_none() => {
            invalid("a hardware delivery names its carrier and trackingNumber")
        }
        Action::Deliver if !hardware && step.logistics.is_some() => {
            invalid("carrier and trackingNumber are for hardware deliveries")
        }
        Action::Deliver if service && step.comment.trim().is_empty() => {
            invalid("describe the result of the service in the comment")
        }
        Action::Deliver
            if step.actual_start.is_some_and(|start| {
                start < current.created_at - current.created_at.rem_euclid(DAY)
            }) =>
        {
            invalid("the actual start is not before the day the order was placed")
        }
        Action::RejectRequirement
        | Action::RejectDelivery
        | Action::Appeal
        | Action::ResumeAt(_)
        | Action::CompleteByOperator
            if step.comment.is_empty() =>
        {
            invalid("say why in the comment")
        }
        Action::Appeal if step.actor == Actor::Seller && step.attachments.is_empty() => {
            invalid("a seller's appeal attaches the delivery proof")
        }
        _ => Ok(()),
    }
}

/// One step, in its own transaction, with its in-site messages.
pub async fn step(
    market: &Marketplace,
    current: &SupervisionRecord,
    step: &Step<'_>,
) -> Result<SupervisionRecord, MarketError> {
    check(current, step)?;
    let mut tx = market.store.begin().await?;
    let result = async {
        if !step.attachments.is_empty() {
            let subject = format!("supervision:{}", current.id);
            if !attachments::attach_in(&mut tx, step.attachments, step.actor_id, &subject).await? {
                return Err(crate::workflow::attachments::not_attachable());
            }
        }
        apply_in(&mut tx, current, step).await
    }
    .await;
    let (next, notices) = finish(tx, result).await?;
    market.channels.forward(&notices).await;
    Ok(next)
}

/// The transition, what it carries, what completion does, the log row and the messages,
/// inside `tx`.
async fn apply_in(
    tx: &mut Tx,
    current: &SupervisionRecord,
    step: &Step<'_>,
) -> Result<(SupervisionRecord, Vec<Notice>), MarketError> {
    let now = tx.now();
    let supervision = transition(current.supervision, step.action, step.actor, now)
        .map_err(|refused| MarketError::Conflict(refused.to_string()))?;
    let mut next = SupervisionRecord {
        supervision,
        updated_at: now,
        ..current.clone()
    };
    if step.action == Action::Deliver {
        next.carrier = step.logistics.as_ref().map(|l| l.carrier.clone());
        next.tracking_number = step.logistics.as_ref().map(|l| l.tracking_number.clone());
        next.actual_start = step.actual_start.or(current.actual_start);
        // Hardware ships once: the buyer's receipt and the unsubscribe rules see it.
        if let Some(l) = &step.logistics {
            fulfilment::ship_with_delivery_in(
                tx,
                &current.order_id,
                &l.carrier,
                &l.tracking_number,
            )
            .await?;
        }
    }
    if supervision.state == State::Completed {
        let valid_from = next.actual_start.unwrap_or(now);
        next.valid_from = Some(valid_from);
        next.completed_at = Some(now);
        next.settlement = "due".into();
        start_validity(tx, current, valid_from).await?;
    }
    let event = SupervisionEvent {
        action: step.action.as_str().into(),
        actor: step.actor.as_str().into(),
        actor_id: step.actor_id.into(),
        from_state: current.supervision.state.as_str().into(),
        to_state: supervision.state.as_str().into(),
        comment: step.comment.into(),
        attachments: step.attachments.to_vec(),
        at: now,
    };
    if !supervision_store::update_supervision_in(tx, current, &next, &event).await? {
        return Err(MarketError::Conflict(
            "the supervision changed meanwhile: look at it and try again".into(),
        ));
    }
    let notices = notices_of(current, step.action, step.actor);
    inbox::notify_in(tx, &notices).await?;
    next.version += 1;
    Ok((next, notices))
}

/// The subscription's period runs from `valid_from` rather than from the order: its
/// lines and its end move by the difference.
async fn start_validity(
    tx: &mut Tx,
    current: &SupervisionRecord,
    valid_from: i64,
) -> Result<(), MarketError> {
    let Some(subscription_id) = &current.subscription_id else {
        return Ok(());
    };
    let Some(subscription) = subscription_store::subscription_in(tx, subscription_id).await? else {
        return Ok(());
    };
    // A joint-operation app's instance runs from its opening, and the seller was told its
    // expiry then: its subscription keeps the same period.
    if app_store::kit_app_of_product_in(tx, &current.product_id)
        .await?
        .is_some()
    {
        return Ok(());
    }
    let shift = valid_from - current.created_at;
    let Some(end) = subscription.subscription.expires_at else {
        return Ok(());
    };
    // Only a period still held moves; one released or unsubscribed meanwhile stays ended.
    let held = matches!(
        subscription.subscription.state,
        SubState::Live | SubState::Frozen
    );
    if subscription.subscription.billing != Billing::Period || shift <= 0 || !held {
        return Ok(());
    }
    changed(
        subscription_store::apply_subscription_in(
            tx,
            &subscription,
            (
                SubAction::StartPeriod { until: end + shift },
                SubActor::System,
            ),
            &subscription.sku_code,
            &current.order_id,
        )
        .await?,
    )?;
    order_store::shift_periods_in(tx, subscription_id, shift).await?;
    Ok(())
}

/// The order was unsubscribed: its open supervisions close, inside the unsubscription's
/// transaction. Returns the notices to forward once it commits; `StoreError::Conflict`
/// when a supervision changed meanwhile.
pub async fn close_in(tx: &mut Tx, order_id: &str) -> Result<Vec<Notice>, StoreError> {
    let now = tx.now();
    let mut notices = Vec::new();
    for current in supervision_store::supervisions_of_order_in(tx, order_id).await? {
        let Ok(supervision) = transition(current.supervision, Action::Close, Actor::System, now)
        else {
            continue;
        };
        let next = SupervisionRecord {
            supervision,
            updated_at: now,
            ..current.clone()
        };
        let event = SupervisionEvent {
            action: Action::Close.as_str().into(),
            actor: Actor::System.as_str().into(),
            actor_id: String::new(),
            from_state: current.supervision.state.as_str().into(),
            to_state: supervision.state.as_str().into(),
            comment: String::new(),
            attachments: Vec::new(),
            at: now,
        };
        if !supervision_store::update_supervision_in(tx, &current, &next, &event).await? {
            return Err(StoreError::Conflict);
        }
        notices.extend(notices_of(&current, Action::Close, Actor::System));
    }
    inbox::notify_in(tx, &notices).await?;
    Ok(notices)
}

/// Whether an order's supervision completed (such an order is not unsubscribed).
pub async fn completed(market: &Marketplace, order_id: &str) -> Result<bool, MarketError> {
    let all = market.store.supervisions_of_order(order_id).await?;
    Ok(all.iter().any(|s| s.supervision.state == State::Completed))
}
