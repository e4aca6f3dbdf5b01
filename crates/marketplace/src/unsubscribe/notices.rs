//! Who hears of an unsubscribe request's steps, in their in-site messages.

use crate::inbox::{Audience, Notice};
use crate::unsubscribe::machine::{Action, Actor, State};
use crate::unsubscribe::store::{Step, UnsubscribeRecord};

pub fn notice(record: &UnsubscribeRecord, audience: Audience, event: &'static str) -> Notice {
    Notice::new(
        audience,
        event,
        "unsubscribe",
        &record.id,
        &record.product_name,
    )
}

/// Who hears of a step: the other party, both when the platform or an operator acted,
/// and the operators of an appeal.
pub fn notices_of(record: &UnsubscribeRecord, step: &Step<'_>, to: State) -> Vec<Notice> {
    let buyer = || Audience::User(record.buyer_user_id.clone());
    let seller = || Audience::Tenant(record.seller_tenant_id.clone());
    let both = |event| {
        vec![
            notice(record, buyer(), event),
            notice(record, seller(), event),
        ]
    };
    let by_operator = step.actor == Actor::Operator;
    match (step.action, to) {
        (Action::Approve | Action::Reject, _) if by_operator => both(match step.action {
            Action::Approve => "unsubscribe.approved",
            _ => "unsubscribe.rejected",
        }),
        (Action::Approve, _) => vec![notice(record, buyer(), "unsubscribe.approved")],
        (Action::Reject, _) => vec![notice(record, buyer(), "unsubscribe.rejected")],
        (Action::Appeal, _) => vec![
            notice(record, Audience::Operators, "unsubscribe.appealed"),
            notice(record, seller(), "unsubscribe.appealed"),
        ],
        (Action::Withdraw, _) => vec![notice(record, seller(), "unsubscribe.withdrawn")],
        (Action::InvoiceRequested, _) => both("unsubscribe.failed"),
        (Action::ReturnShipped, State::Completed) => vec![
            notice(record, seller(), "unsubscribe.return_shipped"),
            notice(record, buyer(), "unsubscribe.completed"),
        ],
        (Action::ReturnShipped, _) => vec![notice(record, seller(), "unsubscribe.return_shipped")],
        (Action::ReturnLapsed, _) => both("unsubscribe.withdrawn"),
    }
}
