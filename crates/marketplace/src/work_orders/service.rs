//! Work orders' operations, shared by the API and the console: a buyer opens one about
//! an order of theirs or a product on sale, and every later action is one transaction
//! with its log row, its attachments and its in-site messages.

use crate::http::error::MarketError;
use crate::inbox;
use crate::inbox::{Audience, Notice};
use crate::state::Marketplace;
use crate::store::finish;
use crate::subscriptions::machine::Actor;
use crate::work_orders::machine::{transition, Action, Status, WorkOrder};
use crate::work_orders::store as work_orders_store;
use crate::work_orders::store::{WorkOrderEvent, WorkOrderRecord};
use crate::workflow::attachments;
use unilogin_core::store::durable::Tx;

/// What a buyer sends to open a work order: about one of their orders, or a product.
pub struct Opening<'a> {
    pub buyer_user_id: &'a str,
    pub buyer_tenant_id: &'a str,
    pub order_id: Option<&'a str>,
    pub product_id: Option<&'a str>,
    pub title: &'a str,
    pub description: &'a str,
    pub attachments: &'a [String],
}

/// A user of the seller's tenant taking the work order over.
#[derive(Debug, Clone)]
pub struct Handler {
    pub user_id: String,
    pub name: String,
}

/// One action as asked for.
pub struct Taken<'a> {
    pub action: Action,
    pub actor: Actor,
    pub actor_id: &'a str,
    /// The message, or the reason given with the action.
    pub body: &'a str,
    pub attachments: &'a [String],
    /// Accept (the seller taking it) and transfer: who handles it now.
    pub handler: Option<Handler>,
    /// Confirm resolved: the cause and the solution.
    pub resolution: Option<(String, String)>,
}

async fn attach(
    tx: &mut Tx,
    ids: &[String],
    owner: &str,
    work_order_id: &str,
) -> Result<(), MarketError> {
    if ids.is_empty() {
        return Ok(());
    }
    let subject = format!("work_order:{work_order_id}");
    if !attachments::attach_in(tx, ids, owner, &subject).await? {
        return Err(crate::workflow::attachments::not_attachable());
    }
    Ok(())
}

fn notice(record: &WorkOrderRecord, audience: Audience, event: &'static str) -> Notice {
    Notice::new(audience, event, "work_order", &record.id, &record.title)
}

/// Opens a work order, addressed to the seller of the order or product.
pub async fn open(
    market: &Marketplace,
    opening: &Opening<'_>,
) -> Result<WorkOrderRecord, MarketError> {
    let (order_id, product_id, product_name, seller) = match (opening.order_id, opening.product_id)
    {
        (Some(order_id), None) => {
            let order = market
                .store
                .order(order_id)
                .await?
                .filter(|o| o.buyer_user_id == opening.buyer_user_id)
                .ok_or_else(|| MarketError::NotFound("No such order of yours".into()))?;
            let line = order.lines.first().ok_or(MarketError::Internal)?;
            (
                Some(order.id.clone()),
                line.product_id.clone(),
                line.product_name.clone(),
                order.seller_tenant_id.clone(),
            )
        }
        (None, Some(product_id)) => {
            let product = crate::selling::catalogue::product(market, product_id).await?;
            (None, product.id, product.name, product.merchant)
        }
        _ => {
            return Err(MarketError::Invalid(
                "a work order is about one orderId of yours or one productId on sale".into(),
            ))
        }
    };
    let now = market.clock.now_unix();
    let record = WorkOrderRecord {
        id: crate::store::sequence_id("wo", market.clock.now_millis()),
        buyer_user_id: opening.buyer_user_id.into(),
        buyer_tenant_id: opening.buyer_tenant_id.into(),
        seller_tenant_id: seller,
        order_id,
        product_id,
        product_name,
        title: opening.title.into(),
        description: opening.description.into(),
        work_order: WorkOrder::opened(now),
        handler_user_id: None,
        handler_name: None,
        cause: None,
        solution: None,
        version: 0,
        updated_at: now,
    };
    let mut tx = market.store.begin().await?;
    let notices = vec![notice(
        &record,
        Audience::Tenant(record.seller_tenant_id.clone()),
        "work_order.opened",
    )];
    let result = async {
        work_orders_store::insert_work_order_in(&mut tx, &record, opening.attachments).await?;
        attach(
            &mut tx,
            opening.attachments,
            opening.buyer_user_id,
            &record.id,
        )
        .await?;
        inbox::notify_in(&mut tx, &notices).await?;
        Ok(())
    }
    .await;
    finish(tx, result).await?;
    market.channels.forward(&notices).await;
    Ok(record)
}

/// What an action must carry, beyond what the state machine decides.
fn check(taken: &Taken<'_>) -> Result<(), MarketError> {
    let invalid = |why: &str| Err(MarketError::Invalid(why.into()));
    let needs_body = matches!(
        taken.action,
        Action::Message
            | Action::AwaitFeedback
            | Action::Escalate
            | Action::Pause
            | Action::MarkInvalid
    );
    if needs_body && taken.body.is_empty() {
        return invalid(match taken.action {
            Action::Message => "the message is empty",
            Action::AwaitFeedback => "say what feedback is needed",
            _ => "say why",
        });
    }
    if taken.action == Action::ConfirmResolved && taken.resolution.is_none() {
        return invalid("confirming it resolved needs the cause and the solution");
    }
    if taken.action != Action::ConfirmResolved && taken.resolution.is_some() {
        return invalid("cause and solution come with confirm_resolved only");
    }
    if taken.action == Action::Transfer && taken.handler.is_none() {
        return invalid("a transfer names the user of your tenant who takes it over");
    }
    Ok(())
}

fn notices_of(record: &WorkOrderRecord, taken: &Taken<'_>) -> Vec<Notice> {
    let buyer = || Audience::User(record.buyer_user_id.clone());
    let seller = || Audience::Tenant(record.seller_tenant_id.clone());
    let to = |audience: Audience, event| notice(record, audience, event);
    match taken.action {
        Action::Accept => vec![to(buyer(), "work_order.accepted")],
        Action::Message if taken.actor == Actor::Buyer => {
            vec![to(seller(), "work_order.customer_message")]
        }
        Action::Message => vec![to(buyer(), "work_order.support_message")],
        Action::Transfer => taken
            .handler
            .iter()
            .map(|h| to(Audience::User(h.user_id.clone()), "work_order.transferred"))
            .collect(),
        Action::Escalate => vec![to(Audience::Operators, "work_order.escalated")],
        Action::AwaitFeedback => vec![to(buyer(), "work_order.awaiting_feedback")],
        Action::ConfirmResolved => vec![to(buyer(), "work_order.resolved")],
        Action::Pause => vec![
            to(buyer(), "work_order.paused"),
            to(seller(), "work_order.paused"),
        ],
        Action::Resume => vec![
            to(buyer(), "work_order.resumed"),
            to(seller(), "work_order.resumed"),
        ],
        Action::MarkInvalid => vec![
            to(buyer(), "work_order.invalid"),
            to(seller(), "work_order.invalid"),
        ],
        Action::Urge => vec![to(seller(), "work_order.urged")],
        Action::Cancel => vec![to(seller(), "work_order.cancelled")],
        Action::Close => vec![to(seller(), "work_order.closed")],
        Action::Delete => Vec::new(),
    }
}

/// One action, in its own transaction.
pub async fn step(
    market: &Marketplace,
    current: &WorkOrderRecord,
    taken: &Taken<'_>,
) -> Result<WorkOrderRecord, MarketError> {
    check(taken)?;
    if let Some(handler) = &taken.handler {
        if taken.action == Action::Transfer
            && current.handler_user_id.as_deref() == Some(handler.user_id.as_str())
        {
            return Err(MarketError::Conflict(format!(
                "{} handles it already",
                handler.name
            )));
        }
    }
    let now = market.clock.now_unix();
    let work_order = transition(current.work_order, taken.action, taken.actor, now)
        .map_err(|refused| MarketError::Conflict(refused.to_string()))?;
    let mut next = WorkOrderRecord {
        work_order,
        updated_at: now,
        ..current.clone()
    };
    if let Some(handler) = &taken.handler {
        next.handler_user_id = Some(handler.user_id.clone());
        next.handler_name = Some(handler.name.clone());
    }
    let mut body = taken.body.to_owned();
    if let Some((cause, solution)) = &taken.resolution {
        next.cause = Some(cause.clone());
        next.solution = Some(solution.clone());
        body = format!("{cause}\n{solution}");
    }
    let event = WorkOrderEvent {
        action: taken.action.as_str().into(),
        actor: taken.actor.as_str().into(),
        actor_id: taken.actor_id.into(),
        from_status: current.work_order.status.code(),
        to_status: work_order.status.code(),
        message_type: message_type(taken),
        body,
        attachments: taken.attachments.to_vec(),
        at: now,
    };
    let notices = notices_of(current, taken);
    let mut tx = market.store.begin().await?;
    let result = async {
        attach(&mut tx, taken.attachments, taken.actor_id, &current.id).await?;
        if !work_orders_store::update_work_order_in(&mut tx, current, &next, &event).await? {
            return Err(MarketError::Conflict(
                "the work order changed meanwhile: look at it and try again".into(),
            ));
        }
        inbox::notify_in(&mut tx, &notices).await?;
        Ok(())
    }
    .await;
    finish(tx, result).await?;
    market.channels.forward(&notices).await;
    next.version += 1;
    Ok(next)
}

/// What the log shows as a conversation: the customer's words (0), support's (1).
fn message_type(taken: &Taken<'_>) -> Option<i64> {
    let said = matches!(
        taken.action,
        Action::Message | Action::AwaitFeedback | Action::ConfirmResolved
    ) || (!taken.body.is_empty() && taken.action != Action::Transfer);
    match (said, taken.actor) {
        (false, _) => None,
        (true, Actor::Buyer) => Some(0),
        (true, _) => Some(1),
    }
}

/// The status a listing filter names: its code, or its name.
pub fn status_of(raw: &str) -> Option<Status> {
    raw.parse::<i64>()
        .ok()
        .and_then(Status::from_code)
        .or_else(|| Status::ALL.into_iter().find(|s| s.as_str() == raw))
}
