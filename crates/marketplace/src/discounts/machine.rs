//! An exclusive discount (专属优惠, reference §5.8) as data: one `transition(discount,
//! action, actor, now)` and a table test of every (state, action, actor).
//!
//! ```text
//! applied within the authorized discount → effective ─used (the designated customer's order)→ used
//! applied deeper                          → pending_review ─approved (operator)→ effective
//!                                                          └ rejected (operator)→ rejected
//! pending_review, effective ─withdrawn (partner)→ withdrawn
//! pending_review, effective past their validity read expired (never extended)
//! ```

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum State {
    PendingReview,
    Effective,
    Rejected,
    Withdrawn,
    Used,
    Expired,
}

impl State {
    pub const ALL: [Self; 6] = [
        Self::PendingReview,
        Self::Effective,
        Self::Rejected,
        Self::Withdrawn,
        Self::Used,
        Self::Expired,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::PendingReview => "pending_review",
            Self::Effective => "effective",
            Self::Rejected => "rejected",
            Self::Withdrawn => "withdrawn",
            Self::Used => "used",
            Self::Expired => "expired",
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
    /// An order through the private link pays the discounted price.
    Use,
}

impl Action {
    pub const ALL: [Self; 4] = [Self::Approve, Self::Reject, Self::Withdraw, Self::Use];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Approve => "approve",
            Self::Reject => "reject",
            Self::Withdraw => "withdraw",
            Self::Use => "use",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Actor {
    Partner,
    /// The designated customer.
    Customer,
    Operator,
}

impl Actor {
    pub const ALL: [Self; 3] = [Self::Partner, Self::Customer, Self::Operator];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Partner => "partner",
            Self::Customer => "customer",
            Self::Operator => "operator",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Discount {
    pub stored: State,
    /// The first second it no longer applies.
    pub valid_until: i64,
}

impl Discount {
    pub fn state_at(self, now: i64) -> State {
        match self.stored {
            State::PendingReview | State::Effective if now >= self.valid_until => State::Expired,
            other => other,
        }
    }
}

/// Where an application starts: effective within the authorized discount (`paid_bp` at
/// least the authorized basis points paid), else with an operator.
pub fn applied(paid_bp: i64, authorized_bp: i64) -> State {
    if paid_bp >= authorized_bp {
        State::Effective
    } else {
        State::PendingReview
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refused {
    #[error("{action} is not possible for a discount that is {state}")]
    NotNow {
        action: &'static str,
        state: &'static str,
    },
    #[error("only the {0} can do this")]
    NotYours(&'static str),
}

pub fn transition(
    discount: Discount,
    action: Action,
    actor: Actor,
    now: i64,
) -> Result<State, Refused> {
    use State as S;
    let current = discount.state_at(now);
    match (current, action, actor) {
        (S::PendingReview, Action::Approve, Actor::Operator) => Ok(S::Effective),
        (S::PendingReview, Action::Reject, Actor::Operator) => Ok(S::Rejected),
        (S::PendingReview | S::Effective, Action::Withdraw, Actor::Partner) => Ok(S::Withdrawn),
        (S::Effective, Action::Use, Actor::Customer) => Ok(S::Used),
        (_, Action::Approve | Action::Reject, who) if who != Actor::Operator => {
            Err(Refused::NotYours("operator"))
        }
        (_, Action::Withdraw, who) if who != Actor::Partner => Err(Refused::NotYours("partner")),
        (_, Action::Use, who) if who != Actor::Customer => {
            Err(Refused::NotYours("designated customer"))
        }
        _ => Err(Refused::NotNow {
            action: action.as_str(),
            state: current.as_str(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 1_800_000_000;

    fn reading(state: State) -> Discount {
        match state {
            State::Expired => Discount {
                stored: State::Effective,
                valid_until: NOW,
            },
            stored => Discount {
                stored,
                valid_until: NOW + 10,
            },
        }
    }

    #[test]
    fn every_pair_is_allowed_or_refused_as_the_table_says() {
        use State as S;
        let allowed: &[(State, Action, Actor, State)] = &[
            (
                S::PendingReview,
                Action::Approve,
                Actor::Operator,
                S::Effective,
            ),
            (
                S::PendingReview,
                Action::Reject,
                Actor::Operator,
                S::Rejected,
            ),
            (
                S::PendingReview,
                Action::Withdraw,
                Actor::Partner,
                S::Withdrawn,
            ),
            (S::Effective, Action::Withdraw, Actor::Partner, S::Withdrawn),
            (S::Effective, Action::Use, Actor::Customer, S::Used),
        ];
        let mut checked = 0;
        for state in State::ALL {
            let discount = reading(state);
            assert_eq!(discount.state_at(NOW), state);
            for action in Action::ALL {
                for actor in Actor::ALL {
                    let want = allowed
                        .iter()
                        .find(|(s, a, who, _)| (*s, *a, *who) == (state, action, actor))
                        .map(|(_, _, _, to)| *to);
                    let got = transition(discount, action, actor, NOW);
                    match want {
                        Some(to) => assert_eq!(got, Ok(to), "{state:?} {action:?} {actor:?}"),
                        None => assert!(got.is_err(), "{state:?} {action:?} {actor:?}: {got:?}"),
                    }
                    checked += 1;
                }
            }
        }
        assert_eq!(checked, 6 * 4 * 3);
    }

    #[test]
    fn within_the_authorized_discount_is_effective_and_deeper_waits_for_review() {
        // Authorized 8.5折 (8500 paid): 9.0折 and 8.5折 are within, 8.0折 is deeper.
        assert_eq!(applied(9000, 8500), State::Effective);
        assert_eq!(applied(8500, 8500), State::Effective);
        assert_eq!(applied(8499, 8500), State::PendingReview);
        let pending = Discount {
            stored: State::PendingReview,
            valid_until: NOW,
        };
        assert_eq!(pending.state_at(NOW - 1), State::PendingReview);
        assert_eq!(pending.state_at(NOW), State::Expired);
    }
}
