//! A work order (工单, reference §5.2) as a state machine held as data: one
//! `transition(work_order, action, actor, now)`, a table test of every (status, action,
//! actor), and the SLA measured on the same clock with its pauses.
//!
//! ```text
//! 0 pending acceptance ─accepted→ 1 processing ─resolved (cause, solution)→ 2 pending confirmation
//!                                   │  ↑ customer replies          ↑            │ confirmed → 3 completed
//!                                   ↓  │                           │            └ customer replies → 1
//!                          17 awaiting feedback ─resolved──────────┘
//! 1 ─paused (operator)→ 5 paused ─resumed→ 1
//! 0, 1, 5, 17 ─cancelled (customer)→ 4 · ─invalid (operator)→ 12
//! 3, 4, 12 ─deleted (customer)→ 13
//! ```
//! Support is the seller's tenant; an escalated work order may also be handled by an
//! operator. Transfers, escalation, urges and messages keep the status.

use crate::subscriptions::machine::Actor;

/// The targets, in seconds of SLA time (pauses excluded).
pub const ACCEPT_WITHIN: i64 = 24 * 3600;
pub const RESOLVE_WITHIN: i64 = 72 * 3600;
/// A customer urges at most once an hour.
pub const URGE_EVERY: i64 = 3600;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    PendingAcceptance,
    Processing,
    PendingConfirmation,
    Completed,
    Cancelled,
    Paused,
    Invalid,
    Deleted,
    AwaitingFeedback,
}

impl Status {
    pub const ALL: [Self; 9] = [
        Self::PendingAcceptance,
        Self::Processing,
        Self::PendingConfirmation,
        Self::Completed,
        Self::Cancelled,
        Self::Paused,
        Self::Invalid,
        Self::Deleted,
        Self::AwaitingFeedback,
    ];

    /// The upstream status code.
    pub fn code(self) -> i64 {
        match self {
            Self::PendingAcceptance => 0,
            Self::Processing => 1,
            Self::PendingConfirmation => 2,
            Self::Completed => 3,
            Self::Cancelled => 4,
            Self::Paused => 5,
            Self::Invalid => 12,
            Self::Deleted => 13,
            Self::AwaitingFeedback => 17,
        }
    }

    pub fn from_code(code: i64) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.code() == code)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::PendingAcceptance => "pending_acceptance",
            Self::Processing => "processing",
            Self::PendingConfirmation => "pending_confirmation",
            Self::Completed => "completed",
            Self::Cancelled => "cancelled",
            Self::Paused => "paused",
            Self::Invalid => "invalid",
            Self::Deleted => "deleted",
            Self::AwaitingFeedback => "awaiting_feedback",
        }
    }

    /// The SLA clock stands still: waiting on the customer, or paused by the platform.
    fn pauses_sla(self) -> bool {
        matches!(
            self,
            Self::PendingConfirmation | Self::Paused | Self::AwaitingFeedback
        )
    }

    /// Over: the SLA is measured up to the end.
    pub fn is_closed(self) -> bool {
        matches!(
            self,
            Self::Completed | Self::Cancelled | Self::Invalid | Self::Deleted
        )
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Accept,
    /// A message: typed customer (0) or support (1) by who sends it.
    Message,
    Transfer,
    Escalate,
    AwaitFeedback,
    ConfirmResolved,
    Pause,
    Resume,
    MarkInvalid,
    Urge,
    Cancel,
    /// The customer confirms the result.
    Close,
    Delete,
}

impl Action {
    pub const ALL: [Self; 13] = [
        Self::Accept,
        Self::Message,
        Self::Transfer,
        Self::Escalate,
        Self::AwaitFeedback,
        Self::ConfirmResolved,
        Self::Pause,
        Self::Resume,
        Self::MarkInvalid,
        Self::Urge,
        Self::Cancel,
        Self::Close,
        Self::Delete,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Accept => "accept",
            Self::Message => "message",
            Self::Transfer => "transfer",
            Self::Escalate => "escalate",
            Self::AwaitFeedback => "await_feedback",
            Self::ConfirmResolved => "confirm_resolved",
            Self::Pause => "pause",
            Self::Resume => "resume",
            Self::MarkInvalid => "mark_invalid",
            Self::Urge => "urge",
            Self::Cancel => "cancel",
            Self::Close => "close",
            Self::Delete => "delete",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|a| a.as_str() == raw)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WorkOrder {
    pub status: Status,
    pub opened_at: i64,
    pub accepted_at: Option<i64>,
    /// When it last went to pending confirmation.
    pub resolved_at: Option<i64>,
    /// When it was completed, cancelled or made invalid.
    pub ended_at: Option<i64>,
    /// The SLA's pause in progress, and the pauses before it.
    pub paused_since: Option<i64>,
    pub paused_total: i64,
    pub last_urged_at: Option<i64>,
    pub escalated: bool,
}

impl WorkOrder {
    pub fn opened(now: i64) -> Self {
        Self {
            status: Status::PendingAcceptance,
            opened_at: now,
            accepted_at: None,
            resolved_at: None,
            ended_at: None,
            paused_since: None,
            paused_total: 0,
            last_urged_at: None,
            escalated: false,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("a work order that is {state} cannot take {action}{why}")]
pub struct Refused {
    pub state: &'static str,
    pub action: &'static str,
    pub why: &'static str,
}

/// Support's side: the seller, or an operator once escalated.
fn is_support(current: &WorkOrder, actor: Actor) -> bool {
    actor == Actor::Seller || (actor == Actor::Operator && current.escalated)
}

pub fn transition(
    current: WorkOrder,
    action: Action,
    actor: Actor,
    now: i64,
) -> Result<WorkOrder, Refused> {
    use Action as A;
    use Status::*;
    let refuse = |why: &'static str| Refused {
        state: current.status.as_str(),
        action: action.as_str(),
        why,
    };
    let support = is_support(&current, actor);
    let customer = actor == Actor::Buyer;
    let open = !current.status.is_closed();
    let mut next = current;
    let status = match (current.status, action) {
        (PendingAcceptance, A::Accept) if support => {
            next.accepted_at = Some(now);
            Processing
        }
        (PendingAcceptance, A::Message) if support => {
            return Err(refuse(": accept it before answering"))
        }
        (Processing | PendingConfirmation | Paused | AwaitingFeedback, A::Message) if support => {
            current.status
        }
        (AwaitingFeedback | PendingConfirmation, A::Message) if customer => {
            next.resolved_at = None;
            Processing
        }
        (PendingAcceptance | Processing | Paused, A::Message) if customer => current.status,
        (PendingAcceptance | Processing | Paused | AwaitingFeedback, A::Transfer)
            if actor == Actor::Seller =>
        {
            current.status
        }
        (PendingAcceptance | Processing | AwaitingFeedback, A::Escalate)
            if actor == Actor::Seller =>
        {
            if current.escalated {
                return Err(refuse(": it is with an operator already"));
            }
            next.escalated = true;
            current.status
        }
        (Processing, A::AwaitFeedback) if support => AwaitingFeedback,
        (Processing | AwaitingFeedback, A::ConfirmResolved) if support => {
            next.resolved_at = Some(now);
            PendingConfirmation
        }
        (_, A::Pause | A::Resume | A::MarkInvalid)
            if actor == Actor::Operator && !current.escalated && open =>
        {
            return Err(refuse(": an operator acts once the seller escalates it"))
        }
        (Processing, A::Pause) if actor == Actor::Operator => Paused,
        (Paused, A::Resume) if actor == Actor::Operator => Processing,
        (PendingAcceptance | Processing | Paused | AwaitingFeedback, A::MarkInvalid)
            if actor == Actor::Operator =>
        {
            Invalid
        }
        (PendingAcceptance | Processing, A::Urge) if customer => {
            if current
                .last_urged_at
                .is_some_and(|last| now - last < URGE_EVERY)
            {
                return Err(refuse(": it was urged less than an hour ago"));
            }
            next.last_urged_at = Some(now);
            current.status
        }
        (PendingAcceptance | Processing | Paused | AwaitingFeedback, A::Cancel) if customer => {
            Cancelled
        }
        (PendingConfirmation, A::Close) if customer => Completed,
        (Completed | Cancelled | Invalid, A::Delete) if customer => Deleted,
        (_, A::Delete) if customer && open => {
            return Err(refuse(
                ": only a completed, cancelled or invalid one is deleted",
            ))
        }
        _ => return Err(refuse("")),
    };
    // The SLA's pauses follow the status.
    match (
        current.status.pauses_sla(),
        status.pauses_sla() && !status.is_closed(),
    ) {
        (false, true) => next.paused_since = Some(now),
        (true, false) => {
            if let Some(since) = current.paused_since {
                next.paused_total += now - since;
            }
            next.paused_since = None;
        }
        _ => {}
    }
    if status.is_closed() && !current.status.is_closed() {
        next.ended_at = Some(now);
    }
    next.status = status;
    Ok(next)
}

/// One target of the SLA as it stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Measure {
    pub target: i64,
    /// SLA time used so far (pauses excluded).
    pub used: i64,
    /// Reached (or the work order ended): the clock has stopped.
    pub done: bool,
    /// Standing still now, waiting on the customer or the platform.
    pub paused: bool,
}

impl Measure {
    pub fn breached(&self) -> bool {
        self.used > self.target
    }

    /// When it falls due, if it is running.
    pub fn due_at(&self, now: i64) -> Option<i64> {
        (!self.done && !self.paused).then_some(now + self.target - self.used)
    }
}

/// The acceptance and resolution targets at `now`.
pub fn sla(w: &WorkOrder, now: i64) -> (Measure, Measure) {
    let end = w.ended_at.unwrap_or(now);
    let accepted_by = w.accepted_at.unwrap_or(end);
    let acceptance = Measure {
        target: ACCEPT_WITHIN,
        used: accepted_by - w.opened_at,
        done: w.accepted_at.is_some() || w.status.is_closed(),
        paused: false,
    };
    let open_pause = w.paused_since.map_or(0, |since| end - since);
    let resolution = Measure {
        target: RESOLVE_WITHIN,
        used: end - w.opened_at - w.paused_total - open_pause,
        done: w.status.is_closed() || w.status == Status::PendingConfirmation,
        paused: w.paused_since.is_some(),
    };
    (acceptance, resolution)
}

#[cfg(test)]
#[path = "machine_tests.rs"]
mod tests;
