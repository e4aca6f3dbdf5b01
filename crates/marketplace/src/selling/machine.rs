//! A review application (a product's publication or modification) as data: pending
//! until an operator approves or rejects it or its seller withdraws it; a rejected one may
//! be edited and resubmitted, which makes it pending again. One
//! `transition(state, action, actor)` decides every change; the store applies it as a
//! conditional UPDATE on the state it read, with one log entry.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum State {
    Pending,
    Approved,
    Rejected,
    Withdrawn,
}

impl State {
    pub const ALL: [State; 4] = [
        State::Pending,
        State::Approved,
        State::Rejected,
        State::Withdrawn,
    ];

    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Approved => "approved",
            Self::Rejected => "rejected",
            Self::Withdrawn => "withdrawn",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == raw)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Approve,
    Reject,
    Withdraw,
    Resubmit,
}

impl Action {
    pub const ALL: [Action; 4] = [
        Action::Approve,
        Action::Reject,
        Action::Withdraw,
        Action::Resubmit,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Approve => "approve",
            Self::Reject => "reject",
            Self::Withdraw => "withdraw",
            Self::Resubmit => "resubmit",
        }
    }

    /// What the application's log says happened.
    pub fn logged(self) -> &'static str {
        match self {
            Self::Approve => "approved",
            Self::Reject => "rejected",
            Self::Withdraw => "withdrawn",
            Self::Resubmit => "resubmitted",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Actor {
    Seller,
    Operator,
}

/// Why a change is refused: the action is not possible in this state, or not this
/// actor's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refused {
    WrongState(State),
    NotYours(Actor),
}

impl std::fmt::Display for Refused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::WrongState(state) => write!(f, "the application is {}", state.as_str()),
            Self::NotYours(Actor::Seller) => f.write_str("this is an operator's decision"),
            Self::NotYours(Actor::Operator) => f.write_str("this is the seller's to do"),
        }
    }
}

/// The state `action` by `actor` leads to from `state`.
pub fn transition(state: State, action: Action, actor: Actor) -> Result<State, Refused> {
    use Action as A;
    use State as S;
    let (from, to, by) = match action {
        A::Approve => (S::Pending, S::Approved, Actor::Operator),
        A::Reject => (S::Pending, S::Rejected, Actor::Operator),
        A::Withdraw => (S::Pending, S::Withdrawn, Actor::Seller),
        A::Resubmit => (S::Rejected, S::Pending, Actor::Seller),
    };
    if actor != by {
        return Err(Refused::NotYours(actor));
    }
    if state != from {
        return Err(Refused::WrongState(state));
    }
    Ok(to)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every allowed (state, action, actor) and where it leads; all others are refused.
    const ALLOWED: &[(State, Action, Actor, State)] = &[
        (
            State::Pending,
            Action::Approve,
            Actor::Operator,
            State::Approved,
        ),
        (
            State::Pending,
            Action::Reject,
            Actor::Operator,
            State::Rejected,
        ),
        (
            State::Pending,
            Action::Withdraw,
            Actor::Seller,
            State::Withdrawn,
        ),
        (
            State::Rejected,
            Action::Resubmit,
            Actor::Seller,
            State::Pending,
        ),
    ];

    #[test]
    fn every_pair_is_allowed_or_refused_as_the_table_says() {
        for state in State::ALL {
            for action in Action::ALL {
                for actor in [Actor::Seller, Actor::Operator] {
                    let allowed = ALLOWED
                        .iter()
                        .find(|(s, a, by, _)| (*s, *a, *by) == (state, action, actor));
                    match (transition(state, action, actor), allowed) {
                        (Ok(to), Some(&(_, _, _, want))) => assert_eq!(to, want),
                        (Err(_), None) => {}
                        (got, want) => panic!("{state:?} {action:?} {actor:?}: {got:?}, {want:?}"),
                    }
                }
            }
        }
    }

    #[test]
    fn a_refusal_names_the_state_or_whose_it_is() {
        assert_eq!(
            transition(State::Approved, Action::Withdraw, Actor::Seller),
            Err(Refused::WrongState(State::Approved))
        );
        assert_eq!(
            transition(State::Pending, Action::Approve, Actor::Seller),
            Err(Refused::NotYours(Actor::Seller))
        );
        for state in State::ALL {
            assert_eq!(State::parse(state.as_str()), Some(state));
        }
    }
}
