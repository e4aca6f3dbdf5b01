//! Service supervision (reference §5.1) as a state machine held as data: one
//! `transition(supervision, action, actor, now)`, and a table test of every (state, flow,
//! action, actor).
//!
//! ```text
//! awaiting_requirement ─submitted (buyer)→ requirement_submitted
//!        ↑ rejected (seller) ────────────────────┘   │ confirmed (seller)
//!                                                     ↓
//!   (hardware, app orchestration start here) → awaiting_delivery ─delivered (seller)→ delivered
//!                                                     ↑ rejected (buyer) ─────────────────┘ │
//!                                                                     accepted (buyer) ↓
//!                                                                                completed
//! any open node ─appealed→ appealed ─resumed at a node / completed (operator)→ …
//! any open node ─the order was unsubscribed→ closed
//! ```

const DAY: i64 = 86_400;
/// How long the flow may wait on one side before the other may appeal (the older rule).
pub const APPEAL_AFTER_DAYS: i64 = 5;
/// Rejections after which the buyer's appeal is on those grounds ("more than 3").
pub const APPEAL_AFTER_REJECTIONS: u32 = 3;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum State {
    /// Waiting on the buyer's requirement.
    AwaitingRequirement,
    /// Waiting on the seller to confirm or reject the requirement.
    RequirementSubmitted,
    /// Waiting on the seller's delivery.
    AwaitingDelivery,
    /// Waiting on the buyer's acceptance.
    Delivered,
    /// Frozen until an operator resolves the appeal.
    Appealed,
    Completed,
    /// The order was unsubscribed before completion.
    Closed,
}

impl State {
    pub const ALL: [Self; 7] = [
        Self::AwaitingRequirement,
        Self::RequirementSubmitted,
        Self::AwaitingDelivery,
        Self::Delivered,
        Self::Appealed,
        Self::Completed,
        Self::Closed,
    ];

    /// The nodes of the flow: where it waits on one side, and where an operator may
    /// resume it.
    pub const NODES: [Self; 4] = [
        Self::AwaitingRequirement,
        Self::RequirementSubmitted,
        Self::AwaitingDelivery,
        Self::Delivered,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::AwaitingRequirement => "awaiting_requirement",
            Self::RequirementSubmitted => "requirement_submitted",
            Self::AwaitingDelivery => "awaiting_delivery",
            Self::Delivered => "delivered",
            Self::Appealed => "appealed",
            Self::Completed => "completed",
            Self::Closed => "closed",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == raw)
    }

    /// The side the flow waits on at this node.
    pub fn waits_on(self) -> Option<Actor> {
        match self {
            Self::AwaitingRequirement | Self::Delivered => Some(Actor::Buyer),
            Self::RequirementSubmitted | Self::AwaitingDelivery => Some(Actor::Seller),
            Self::Appealed => Some(Actor::Operator),
            Self::Completed | Self::Closed => None,
        }
    }

    pub fn is_open(self) -> bool {
        !matches!(self, Self::Completed | Self::Closed)
    }
}

/// Where the flow starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flow {
    /// Manual service, License, supervised SaaS: the buyer's requirement first.
    Requirement,
    /// Hardware and app orchestration: the seller's delivery first.
    DeliveryFirst,
}

impl Flow {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Requirement => "requirement",
            Self::DeliveryFirst => "delivery_first",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        [Self::Requirement, Self::DeliveryFirst]
            .into_iter()
            .find(|f| f.as_str() == raw)
    }

    pub fn first_node(self) -> State {
        match self {
            Self::Requirement => State::AwaitingRequirement,
            Self::DeliveryFirst => State::AwaitingDelivery,
        }
    }
}

pub use crate::subscriptions::machine::Actor;

/// Why an appeal is allowed; the operator sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ground {
    /// The flow has waited on the seller for more than 5 days.
    SellerOverdue,
    /// More than 3 rejections.
    RepeatedRejections,
    /// The flow has waited on the buyer for more than 5 days (the seller's appeal).
    BuyerOverdue,
    /// The buyer's appeal at any node (the newer rule), on none of the above.
    AnyNode,
}

impl Ground {
    pub const ALL: [Self; 4] = [
        Self::SellerOverdue,
        Self::RepeatedRejections,
        Self::BuyerOverdue,
        Self::AnyNode,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::SellerOverdue => "seller_overdue",
            Self::RepeatedRejections => "repeated_rejections",
            Self::BuyerOverdue => "buyer_overdue",
            Self::AnyNode => "any_node",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|g| g.as_str() == raw)
    }
}

/// An appeal in progress: who made it, on what grounds, and the node it froze.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Appeal {
    pub by: Actor,
    pub ground: Ground,
    pub frozen_at: State,
    pub at: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    SubmitRequirement,
    ConfirmRequirement,
    RejectRequirement,
    Deliver,
    Accept,
    RejectDelivery,
    Appeal,
    /// The operator's resolution: the flow goes on at this node.
    ResumeAt(State),
    /// The operator's resolution: the flow is complete.
    CompleteByOperator,
    /// The order was unsubscribed.
    Close,
}

impl Action {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::SubmitRequirement => "requirement submitted",
            Self::ConfirmRequirement => "requirement confirmed",
            Self::RejectRequirement => "requirement rejected",
            Self::Deliver => "delivered",
            Self::Accept => "accepted",
            Self::RejectDelivery => "delivery rejected",
            Self::Appeal => "appealed",
            Self::ResumeAt(_) => "resumed by an operator",
            Self::CompleteByOperator => "completed by an operator",
            Self::Close => "closed: the order was unsubscribed",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Supervision {
    pub state: State,
    pub flow: Flow,
    /// When the flow reached its current node (or was frozen).
    pub since: i64,
    /// Requirements and deliveries rejected so far.
    pub rejections: u32,
    /// Whether the seller has delivered at least once.
    pub delivered: bool,
    pub appeal: Option<Appeal>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("a supervision that is {state} cannot be {action}{why}")]
pub struct Refused {
    pub state: &'static str,
    pub action: &'static str,
    pub why: &'static str,
}

/// The grounds on which `actor` may appeal now, or why not.
fn appeal_ground(current: &Supervision, actor: Actor, now: i64) -> Result<Ground, &'static str> {
    let waited = now - current.since > APPEAL_AFTER_DAYS * DAY;
    let waits_on = current.state.waits_on();
    match actor {
        Actor::Buyer if waited && waits_on == Some(Actor::Seller) => Ok(Ground::SellerOverdue),
        Actor::Buyer if current.rejections > APPEAL_AFTER_REJECTIONS => {
            Ok(Ground::RepeatedRejections)
        }
        Actor::Buyer => Ok(Ground::AnyNode),
        Actor::Seller if waits_on != Some(Actor::Buyer) => {
            Err(": the seller appeals only while the flow waits on the buyer")
        }
        Actor::Seller if !waited => Err(": the buyer has 5 days to act first"),
        Actor::Seller => Ok(Ground::BuyerOverdue),
        _ => Err(""),
    }
}

pub fn transition(
    current: Supervision,
    action: Action,
    actor: Actor,
    now: i64,
) -> Result<Supervision, Refused> {
    use Action as A;
    use State::*;
    let refuse = |why: &'static str| Refused {
        state: current.state.as_str(),
        action: action.as_str(),
        why,
    };
    let at = |state: State| Supervision {
        state,
        since: now,
        ..current
    };
    let rejected = |state: State| Supervision {
        state,
        since: now,
        rejections: current.rejections.saturating_add(1),
        ..current
    };
    match (current.state, action, actor) {
        (AwaitingRequirement, A::SubmitRequirement, Actor::Buyer) => Ok(at(RequirementSubmitted)),
        (RequirementSubmitted, A::ConfirmRequirement, Actor::Seller) => Ok(at(AwaitingDelivery)),
        (RequirementSubmitted, A::RejectRequirement, Actor::Seller) => {
            Ok(rejected(AwaitingRequirement))
        }
        (AwaitingDelivery, A::Deliver, Actor::Seller) => Ok(Supervision {
            delivered: true,
            ..at(Delivered)
        }),
        (Delivered, A::Accept, Actor::Buyer) => Ok(at(Completed)),
        (Delivered, A::RejectDelivery, Actor::Buyer) => Ok(rejected(AwaitingDelivery)),
        (node, A::Appeal, Actor::Buyer | Actor::Seller) if State::NODES.contains(&node) => {
            let ground = appeal_ground(&current, actor, now).map_err(refuse)?;
            Ok(Supervision {
                appeal: Some(Appeal {
                    by: actor,
                    ground,
                    frozen_at: node,
                    at: now,
                }),
                ..at(Appealed)
            })
        }
        (Appealed, A::ResumeAt(node), Actor::Operator) => {
            if !State::NODES.contains(&node) {
                return Err(refuse(": it resumes only at a node of the flow"));
            }
            if current.flow == Flow::DeliveryFirst
                && matches!(node, AwaitingRequirement | RequirementSubmitted)
            {
                return Err(refuse(": this flow starts at delivery"));
            }
            if node == Delivered && !current.delivered {
                return Err(refuse(": nothing was delivered yet"));
            }
            Ok(Supervision {
                appeal: None,
                ..at(node)
            })
        }
        (Appealed, A::CompleteByOperator, Actor::Operator) => Ok(Supervision {
            appeal: None,
            ..at(Completed)
        }),
        (state, A::Close, Actor::System) if state.is_open() => Ok(Supervision {
            appeal: None,
            ..at(Closed)
        }),
        _ => Err(refuse("")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const T0: i64 = 1_800_000_000;

    fn at(state: State, flow: Flow, rejections: u32) -> Supervision {
        Supervision {
            state,
            flow,
            since: T0,
            rejections,
            delivered: true,
            appeal: (state == State::Appealed).then_some(Appeal {
                by: Actor::Buyer,
                ground: Ground::AnyNode,
                frozen_at: State::AwaitingDelivery,
                at: T0,
            }),
        }
    }

    fn actions() -> Vec<Action> {
        let mut all = vec![
            Action::SubmitRequirement,
            Action::ConfirmRequirement,
            Action::RejectRequirement,
            Action::Deliver,
            Action::Accept,
            Action::RejectDelivery,
            Action::Appeal,
            Action::CompleteByOperator,
            Action::Close,
        ];
        all.extend(State::ALL.map(Action::ResumeAt));
        all
    }

    /// Every (state, flow, action, actor), after more than 5 days at the node: the state
    /// it leads to, or `None`.
    #[test]
    fn every_pair_is_allowed_or_refused_as_the_table_says() {
        use Action as A;
        use State::*;
        let now = T0 + 6 * DAY;
        let actors = [Actor::Buyer, Actor::Seller, Actor::Operator, Actor::System];
        let expected =
            |state: State, flow: Flow, action: Action, actor: Actor| match (state, action, actor) {
                (AwaitingRequirement, A::SubmitRequirement, Actor::Buyer) => {
                    Some(RequirementSubmitted)
                }
                (RequirementSubmitted, A::ConfirmRequirement, Actor::Seller) => {
                    Some(AwaitingDelivery)
                }
                (RequirementSubmitted, A::RejectRequirement, Actor::Seller) => {
                    Some(AwaitingRequirement)
                }
                (AwaitingDelivery, A::Deliver, Actor::Seller) => Some(Delivered),
                (Delivered, A::Accept, Actor::Buyer) => Some(Completed),
                (Delivered, A::RejectDelivery, Actor::Buyer) => Some(AwaitingDelivery),
                (s, A::Appeal, Actor::Buyer) if State::NODES.contains(&s) => Some(Appealed),
                (AwaitingRequirement | Delivered, A::Appeal, Actor::Seller) => Some(Appealed),
                (Appealed, A::ResumeAt(node), Actor::Operator)
                    if State::NODES.contains(&node)
                        && !(flow == Flow::DeliveryFirst
                            && matches!(node, AwaitingRequirement | RequirementSubmitted)) =>
                {
                    Some(node)
                }
                (Appealed, A::CompleteByOperator, Actor::Operator) => Some(Completed),
                (s, A::Close, Actor::System) if s.is_open() => Some(Closed),
                _ => None,
            };
        let mut allowed = 0;
        for state in State::ALL {
            for flow in [Flow::Requirement, Flow::DeliveryFirst] {
                for action in actions() {
                    for actor in actors {
                        let got = transition(at(state, flow, 0), action, actor, now)
                            .ok()
                            .map(|s| s.state);
                        let want = expected(state, flow, action, actor);
                        assert_eq!(got, want, "{state:?} {flow:?} {action:?} by {actor:?}");
                        allowed += usize::from(want.is_some());
                    }
                }
            }
        }
        assert_eq!(
            allowed,
            2 * (6 + 4 + 2 + 1 + 5) + 4 + 2,
            "the table's allowed pairs"
        );
    }

    #[test]
    fn appeals_follow_the_clock_and_the_rejections() {
        let waiting_on_seller = at(State::AwaitingDelivery, Flow::Requirement, 0);
        let ground = |s: Supervision, actor: Actor, now: i64| {
            transition(s, Action::Appeal, actor, now).map(|next| next.appeal.unwrap().ground)
        };
        // The buyer may always appeal; after 5 days on the seller, on those grounds.
        assert_eq!(
            ground(waiting_on_seller, Actor::Buyer, T0 + 5 * DAY),
            Ok(Ground::AnyNode)
        );
        assert_eq!(
            ground(waiting_on_seller, Actor::Buyer, T0 + 5 * DAY + 1),
            Ok(Ground::SellerOverdue)
        );
        // Three rejections are not more than three; the fourth is.
        let third = at(State::AwaitingDelivery, Flow::Requirement, 3);
        assert_eq!(ground(third, Actor::Buyer, T0 + 1), Ok(Ground::AnyNode));
        let fourth = at(State::AwaitingDelivery, Flow::Requirement, 4);
        assert_eq!(
            ground(fourth, Actor::Buyer, T0 + 1),
            Ok(Ground::RepeatedRejections)
        );
        // The seller only after 5 days waiting on the buyer.
        let waiting_on_buyer = at(State::Delivered, Flow::Requirement, 0);
        let early = ground(waiting_on_buyer, Actor::Seller, T0 + 5 * DAY).unwrap_err();
        assert_eq!(
            early.to_string(),
            "a supervision that is delivered cannot be appealed: the buyer has 5 days to act first"
        );
        assert_eq!(
            ground(waiting_on_buyer, Actor::Seller, T0 + 5 * DAY + 1),
            Ok(Ground::BuyerOverdue)
        );
        assert!(ground(waiting_on_seller, Actor::Seller, T0 + 99 * DAY)
            .unwrap_err()
            .to_string()
            .ends_with("only while the flow waits on the buyer"));
    }

    #[test]
    fn rejections_count_and_the_operator_resumes_where_the_flow_allows() {
        let submitted = at(State::RequirementSubmitted, Flow::Requirement, 0);
        let back = transition(submitted, Action::RejectRequirement, Actor::Seller, T0 + 9).unwrap();
        assert_eq!(
            (back.state, back.rejections, back.since),
            (State::AwaitingRequirement, 1, T0 + 9)
        );
        let delivered = at(State::Delivered, Flow::Requirement, 1);
        let again = transition(delivered, Action::RejectDelivery, Actor::Buyer, T0).unwrap();
        assert_eq!(
            (again.state, again.rejections),
            (State::AwaitingDelivery, 2)
        );

        let mut appealed = at(State::Appealed, Flow::Requirement, 0);
        appealed.delivered = false;
        let refused = transition(
            appealed,
            Action::ResumeAt(State::Delivered),
            Actor::Operator,
            T0,
        );
        assert!(refused
            .unwrap_err()
            .to_string()
            .ends_with("nothing was delivered yet"));
        let resumed = transition(
            appealed,
            Action::ResumeAt(State::AwaitingDelivery),
            Actor::Operator,
            T0 + 5,
        )
        .unwrap();
        assert_eq!(
            (resumed.state, resumed.appeal, resumed.since),
            (State::AwaitingDelivery, None, T0 + 5)
        );
    }
}
