//! An unsubscribe request (reference §5.7) as a state machine held as data: one
//! `transition(request, action, actor, now)`, and a table test of every (state, action,
//! actor) for goods and for hardware.
//!
//! ```text
//! pending ─approved→ completed                    (hardware: → awaiting return)
//!    │  └─rejected→ rejected   └─withdrawn→ withdrawn   └─invoice requested→ failed
//!    └─appealed (hardware, 10 days unanswered)→ appealed ─operator approves / rejects→ …
//! awaiting return ─return shipped (10 days)→ completed
//!        └─return not shipped in 10 days, or withdrawn→ withdrawn
//! ```

/// How long a hardware seller has to answer before the buyer may appeal, and how long the
/// buyer has to ship the return after approval.
pub const HARDWARE_DAYS: i64 = 10;
const DAY: i64 = 86_400;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum State {
    Pending,
    /// A hardware request the seller left unanswered, now with an operator.
    Appealed,
    /// Hardware, approved: waiting for the buyer's return shipment.
    AwaitingReturn,
    Completed,
    Rejected,
    Withdrawn,
    /// An invoice was requested while it was pending.
    Failed,
}

impl State {
    pub const ALL: [Self; 7] = [
        Self::Pending,
        Self::Appealed,
        Self::AwaitingReturn,
        Self::Completed,
        Self::Rejected,
        Self::Withdrawn,
        Self::Failed,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Appealed => "appealed",
            Self::AwaitingReturn => "awaiting_return",
            Self::Completed => "completed",
            Self::Rejected => "rejected",
            Self::Withdrawn => "withdrawn",
            Self::Failed => "failed",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == raw)
    }

    /// Still open: it holds the subscription.
    pub fn is_open(self) -> bool {
        matches!(self, Self::Pending | Self::Appealed | Self::AwaitingReturn)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Approve,
    Reject,
    Withdraw,
    Appeal,
    InvoiceRequested,
    ReturnShipped,
    ReturnLapsed,
}

impl Action {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Approve => "approved",
            Self::Reject => "rejected",
            Self::Withdraw => "withdrawn",
            Self::Appeal => "appealed",
            Self::InvoiceRequested => "failed: invoice requested",
            Self::ReturnShipped => "return shipped",
            Self::ReturnLapsed => "withdrawn: return not shipped in time",
        }
    }
}

pub use crate::subscriptions::machine::Actor;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Request {
    pub state: State,
    pub hardware: bool,
    pub created_at: i64,
    /// Hardware approved: the return must be shipped by then.
    pub return_due_at: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("an unsubscribe request that is {state} cannot be {action}{why}")]
pub struct Refused {
    pub state: &'static str,
    pub action: &'static str,
    pub why: &'static str,
}

pub fn transition(
    current: Request,
    action: Action,
    actor: Actor,
    now: i64,
) -> Result<Request, Refused> {
    use Action as A;
    use State::*;
    let refuse = |why: &'static str| Refused {
        state: current.state.as_str(),
        action: action.as_str(),
        why,
    };
    let to = |state: State| Request { state, ..current };
    let decider = match current.state {
        Pending => Actor::Seller,
        _ => Actor::Operator,
    };
    match (current.state, action, actor) {
        (Pending | Appealed, A::Approve, who) if who == decider => Ok(if current.hardware {
            Request {
                state: AwaitingReturn,
                return_due_at: Some(now + HARDWARE_DAYS * DAY),
                ..current
            }
        } else {
            to(Completed)
        }),
        (Pending | Appealed, A::Reject, who) if who == decider => Ok(to(Rejected)),
        (Pending | Appealed | AwaitingReturn, A::Withdraw, Actor::Buyer) => Ok(to(Withdrawn)),
        (Pending | Appealed, A::InvoiceRequested, Actor::System) => Ok(to(Failed)),
        (Pending, A::Appeal, Actor::Buyer) if !current.hardware => {
            Err(refuse(": only hardware requests are appealed"))
        }
        (Pending, A::Appeal, Actor::Buyer) if now < current.created_at + HARDWARE_DAYS * DAY => {
            Err(refuse(": the seller has 10 days to answer first"))
        }
        (Pending, A::Appeal, Actor::Buyer) => Ok(to(Appealed)),
        (AwaitingReturn, A::ReturnShipped, Actor::Buyer)
            if current.return_due_at.is_some_and(|due| now <= due) =>
        {
            Ok(to(Completed))
        }
        (AwaitingReturn, A::ReturnShipped, Actor::Buyer) => {
            Err(refuse(": the 10 days to ship the return have passed"))
        }
        (AwaitingReturn, A::ReturnLapsed, Actor::System)
            if current.return_due_at.is_some_and(|due| now > due) =>
        {
            Ok(to(Withdrawn))
        }
        (AwaitingReturn, A::ReturnLapsed, Actor::System) => {
            Err(refuse(": the 10 days to ship the return have not passed"))
        }
        _ => Err(refuse("")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const T0: i64 = 1_800_000_000;

    fn at(state: State, hardware: bool) -> Request {
        Request {
            state,
            hardware,
            created_at: T0,
            return_due_at: (state == State::AwaitingReturn).then_some(T0 + HARDWARE_DAYS * DAY),
        }
    }

    /// Every (state, hardware, action, actor) at a time past both 10-day windows: the
    /// state it leads to, or `None`.
    #[test]
    fn every_pair_is_allowed_or_refused_as_the_table_says() {
        use Action as A;
        use State::*;
        let now = T0 + 11 * DAY;
        let actions = [
            A::Approve,
            A::Reject,
            A::Withdraw,
            A::Appeal,
            A::InvoiceRequested,
            A::ReturnShipped,
            A::ReturnLapsed,
        ];
        let actors = [Actor::Buyer, Actor::Seller, Actor::Operator, Actor::System];
        let expected = |state: State, hardware: bool, action: Action, actor: Actor| match (
            state, action, actor,
        ) {
            (Pending, A::Approve, Actor::Seller) | (Appealed, A::Approve, Actor::Operator) => {
                Some(if hardware { AwaitingReturn } else { Completed })
            }
            (Pending, A::Reject, Actor::Seller) | (Appealed, A::Reject, Actor::Operator) => {
                Some(Rejected)
            }
            (Pending | Appealed | AwaitingReturn, A::Withdraw, Actor::Buyer) => Some(Withdrawn),
            (Pending | Appealed, A::InvoiceRequested, Actor::System) => Some(Failed),
            (Pending, A::Appeal, Actor::Buyer) if hardware => Some(Appealed),
            (AwaitingReturn, A::ReturnLapsed, Actor::System) => Some(Withdrawn),
            _ => None,
        };
        let mut allowed = 0;
        for state in State::ALL {
            for hardware in [false, true] {
                for action in actions {
                    for actor in actors {
                        let got = transition(at(state, hardware), action, actor, now)
                            .ok()
                            .map(|r| r.state);
                        let want = expected(state, hardware, action, actor);
                        assert_eq!(got, want, "{state:?} hw={hardware} {action:?} by {actor:?}");
                        allowed += usize::from(want.is_some());
                    }
                }
            }
        }
        assert_eq!(allowed, 21, "the table's allowed pairs");
    }

    #[test]
    fn the_ten_day_windows_follow_the_clock() {
        let pending = at(State::Pending, true);
        let early = transition(pending, Action::Appeal, Actor::Buyer, T0 + 10 * DAY - 1);
        assert_eq!(
            early.unwrap_err().to_string(),
            "an unsubscribe request that is pending cannot be appealed: the seller has 10 days \
             to answer first"
        );
        let appealed = transition(pending, Action::Appeal, Actor::Buyer, T0 + 10 * DAY).unwrap();
        assert_eq!(appealed.state, State::Appealed);
        let goods = transition(
            at(State::Pending, false),
            Action::Appeal,
            Actor::Buyer,
            T0 + 99 * DAY,
        );
        assert!(goods
            .unwrap_err()
            .to_string()
            .ends_with("only hardware requests are appealed"));

        let approved = transition(pending, Action::Approve, Actor::Seller, T0 + DAY).unwrap();
        let due = T0 + DAY + HARDWARE_DAYS * DAY;
        assert_eq!(
            (approved.state, approved.return_due_at),
            (State::AwaitingReturn, Some(due))
        );
        assert!(transition(approved, Action::ReturnLapsed, Actor::System, due).is_err());
        let shipped = transition(approved, Action::ReturnShipped, Actor::Buyer, due).unwrap();
        assert_eq!(shipped.state, State::Completed);
        let late = transition(approved, Action::ReturnShipped, Actor::Buyer, due + 1);
        assert!(late.unwrap_err().to_string().ends_with("have passed"));
        let lapsed = transition(approved, Action::ReturnLapsed, Actor::System, due + 1).unwrap();
        assert_eq!(lapsed.state, State::Withdrawn);
    }
}
