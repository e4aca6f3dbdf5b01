//! A subscription (one per order line that starts something: NEW or TRIAL) as a state
//! machine held as data: one `transition(subscription, action, actor, now)` decides what
//! each order type and the unsubscribe workflow may do, and a table test covers every
//! (state, action, actor). The order types follow from it:
//!
//! - RENEW only of a formal period subscription that is live or frozen (renewing within
//!   the 15-day freeze unfreezes it);
//! - CHANGE only of a live formal period subscription;
//! - TRIAL_TO_FORMAL only of a live trial;
//! - UNSUBSCRIBE only through the workflow (request, then the seller's decision), only
//!   of a live formal subscription, and only once at a time; or, in the billing centre
//!   (non-supervised SaaS, images), by the buyer at once.
//!
//! ```text
//! trial ─to formal→ live ─expired→ frozen ─(15 days)→ released
//!   └──expired──────────↗  ↑ └─renewed─┘  └─renewed─┘
//! live ─requested→ unsubscribing ─approved→ unsubscribed
//!                       ├─approved, a renewal refunded→ live (its period shortened)
//!                       └─rejected / withdrawn / failed→ live
//! live ─unsubscribed in the billing centre→ unsubscribed (a renewal refunded: live)
//! trial, live ─provisioning failed→ unsubscribed
//! live, frozen ─a supervised delivery accepted: the period starts again→ live
//! ```

/// How long a subscription past its period keeps its data (§4.2's freeze).
pub const FREEZE_DAYS: i64 = 15;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum State {
    Trial,
    Live,
    /// Past its period; data kept until `frozen_until`.
    Frozen,
    /// An unsubscribe request waits for the seller.
    Unsubscribing,
    Released,
    Unsubscribed,
}

impl State {
    pub const ALL: [Self; 6] = [
        Self::Trial,
        Self::Live,
        Self::Frozen,
        Self::Unsubscribing,
        Self::Released,
        Self::Unsubscribed,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Trial => "trial",
            Self::Live => "live",
            Self::Frozen => "frozen",
            Self::Unsubscribing => "unsubscribing",
            Self::Released => "released",
            Self::Unsubscribed => "unsubscribed",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == raw)
    }
}

/// How the subscription is billed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Billing {
    /// By period: it has an end, and renews.
    Period,
    /// Once (one-time, per use, by quantity): no end, nothing to renew.
    Once,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// RENEW: the period now ends at `until`.
    Renew {
        until: i64,
    },
    /// CHANGE: another SKU of the same product.
    Change,
    /// TRIAL_TO_FORMAL: the trial becomes a paid period ending at `until`.
    ToFormal {
        until: i64,
    },
    /// The period ended (the clock).
    Expire,
    /// The freeze ran out (the clock).
    Release,
    RequestUnsubscribe,
    /// The buyer withdrew, or the platform did (an invoice requested meanwhile, the
    /// return not shipped in time).
    WithdrawUnsubscribe,
    /// The request granted. `restore`: the refund is of a renewal not yet in effect,
    /// and the period ends where it did before it.
    ApproveUnsubscribe {
        restore: Option<i64>,
    },
    RejectUnsubscribe,
    /// The buyer unsubscribed in the billing centre, at once; `restore` as approving.
    Unsubscribe {
        restore: Option<i64>,
    },
    /// The seller never opened what was bought: refunded automatically.
    ProvisioningFailed,
    /// A supervised delivery was accepted: the period runs from the actual start, and
    /// now ends at `until`.
    StartPeriod {
        until: i64,
    },
}

impl Action {
    fn name(self) -> &'static str {
        match self {
            Self::Renew { .. } => "renewed",
            Self::Change => "changed",
            Self::ToFormal { .. } => "turned formal",
            Self::Expire => "expired",
            Self::Release => "released",
            Self::RequestUnsubscribe => "asked to unsubscribe",
            Self::WithdrawUnsubscribe => "withdrawn from unsubscribing",
            Self::ApproveUnsubscribe { .. } => "unsubscribed",
            Self::RejectUnsubscribe => "refused unsubscribing",
            Self::Unsubscribe { .. } => "unsubscribed in the billing centre",
            Self::ProvisioningFailed => "unsubscribed for failed provisioning",
            Self::StartPeriod { .. } => "started its period at acceptance",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Actor {
    Buyer,
    Seller,
    /// Deciding an appealed request in the seller's place.
    Operator,
    /// The platform: its clock, and what it does on its own.
    System,
}

impl Actor {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Buyer => "buyer",
            Self::Seller => "seller",
            Self::Operator => "operator",
            Self::System => "system",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Subscription {
    pub state: State,
    pub billing: Billing,
    /// The end of the period (`None` for billing once).
    pub expires_at: Option<i64>,
    pub frozen_until: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("a subscription that is {state} cannot be {action}{why}")]
pub struct Refused {
    pub state: &'static str,
    pub action: &'static str,
    /// A clause saying why, when the state alone does not.
    pub why: &'static str,
}

pub fn transition(
    current: Subscription,
    action: Action,
    actor: Actor,
    now: i64,
) -> Result<Subscription, Refused> {
    use Action as A;
    use State::*;
    let refuse = |why: &'static str| Refused {
        state: current.state.as_str(),
        action: action.name(),
        why,
    };
    let period = current.billing == Billing::Period;
    let to = |state: State| Subscription { state, ..current };
    match (current.state, action, actor) {
        (Live | Frozen, A::Renew { until }, Actor::Buyer) if period => Ok(Subscription {
            state: Live,
            expires_at: Some(until),
            frozen_until: None,
            ..current
        }),
        (_, A::Renew { .. } | A::Change, _) if !period => {
            Err(refuse(": it is not billed by period"))
        }
        (Live, A::Change, Actor::Buyer) => Ok(current),
        (Trial, A::ToFormal { until }, Actor::Buyer) => Ok(Subscription {
            state: Live,
            expires_at: Some(until),
            ..current
        }),
        (Trial | Live, A::Expire, Actor::System)
            if current.expires_at.is_some_and(|end| end <= now) =>
        {
            Ok(Subscription {
                state: Frozen,
                frozen_until: Some(now + FREEZE_DAYS * 86_400),
                ..current
            })
        }
        (Trial | Live, A::Expire, Actor::System) => Err(refuse(": its period has not ended")),
        (Frozen, A::Release, Actor::System)
            if current.frozen_until.is_some_and(|end| end <= now) =>
        {
            Ok(to(Released))
        }
        (Frozen, A::Release, Actor::System) => Err(refuse(": its freeze has not ended")),
        (Live, A::RequestUnsubscribe, Actor::Buyer) => Ok(to(Unsubscribing)),
        (Trial, A::RequestUnsubscribe, _) => Err(refuse(": trials are not unsubscribed")),
        (Unsubscribing, A::RequestUnsubscribe, _) => Err(refuse(": a request is already waiting")),
        (Unsubscribing, A::WithdrawUnsubscribe, Actor::Buyer | Actor::System) => Ok(to(Live)),
        // The platform completes what a seller approved (a hardware return shipped).
        (
            Unsubscribing,
            A::ApproveUnsubscribe { restore },
            Actor::Seller | Actor::Operator | Actor::System,
        ) => Ok(match restore {
            Some(end) => Subscription {
                state: Live,
                expires_at: Some(end),
                ..current
            },
            None => to(Unsubscribed),
        }),
        (Unsubscribing, A::RejectUnsubscribe, Actor::Seller | Actor::Operator) => Ok(to(Live)),
        (Live, A::Unsubscribe { restore }, Actor::Buyer) => Ok(match restore {
            Some(end) => Subscription {
                state: Live,
                expires_at: Some(end),
                ..current
            },
            None => to(Unsubscribed),
        }),
        (Trial | Live | Unsubscribing, A::ProvisioningFailed, Actor::System) => {
            Ok(to(Unsubscribed))
        }
        (Live | Frozen, A::StartPeriod { until }, Actor::System) if period => Ok(Subscription {
            state: Live,
            expires_at: Some(until),
            frozen_until: None,
            ..current
        }),
        _ => Err(refuse("")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 1_800_000_000;

    fn at(state: State, billing: Billing) -> Subscription {
        Subscription {
            state,
            billing,
            expires_at: (billing == Billing::Period).then_some(NOW - 1),
            frozen_until: (state == State::Frozen).then_some(NOW - 1),
        }
    }

    /// Every (state, billing, action, actor): the state it leads to, or `None`.
    #[test]
    fn every_pair_is_allowed_or_refused_as_the_table_says() {
        use Action as A;
        use State::*;
        let until = NOW + 30 * 86_400;
        let actions = [
            A::Renew { until },
            A::Change,
            A::ToFormal { until },
            A::Expire,
            A::Release,
            A::RequestUnsubscribe,
            A::WithdrawUnsubscribe,
            A::ApproveUnsubscribe { restore: None },
            A::ApproveUnsubscribe {
                restore: Some(until),
            },
            A::RejectUnsubscribe,
            A::Unsubscribe { restore: None },
            A::Unsubscribe {
                restore: Some(until),
            },
            A::ProvisioningFailed,
            A::StartPeriod { until },
        ];
        let expected = |state: State, billing: Billing, action: Action, actor: Actor| {
            let period = billing == Billing::Period;
            match (state, action, actor) {
                (Live | Frozen, A::Renew { .. }, Actor::Buyer) if period => Some(Live),
                (Live, A::Change, Actor::Buyer) if period => Some(Live),
                (Trial, A::ToFormal { .. }, Actor::Buyer) => Some(Live),
                (Trial | Live, A::Expire, Actor::System) if period => Some(Frozen),
                (Frozen, A::Release, Actor::System) => Some(Released),
                (Live, A::RequestUnsubscribe, Actor::Buyer) => Some(Unsubscribing),
                (Unsubscribing, A::WithdrawUnsubscribe, Actor::Buyer | Actor::System) => Some(Live),
                (
                    Unsubscribing,
                    A::ApproveUnsubscribe { restore: None },
                    Actor::Seller | Actor::Operator | Actor::System,
                ) => Some(Unsubscribed),
                (
                    Unsubscribing,
                    A::ApproveUnsubscribe { restore: Some(_) },
                    Actor::Seller | Actor::Operator | Actor::System,
                ) => Some(Live),
                (Unsubscribing, A::RejectUnsubscribe, Actor::Seller | Actor::Operator) => {
                    Some(Live)
                }
                (Live, A::Unsubscribe { restore: None }, Actor::Buyer) => Some(Unsubscribed),
                (Live, A::Unsubscribe { restore: Some(_) }, Actor::Buyer) => Some(Live),
                (Trial | Live | Unsubscribing, A::ProvisioningFailed, Actor::System) => {
                    Some(Unsubscribed)
                }
                (Live | Frozen, A::StartPeriod { .. }, Actor::System) if period => Some(Live),
                _ => None,
            }
        };
        let mut allowed = 0;
        for state in State::ALL {
            for billing in [Billing::Period, Billing::Once] {
                for action in actions {
                    for actor in [Actor::Buyer, Actor::Seller, Actor::Operator, Actor::System] {
                        let got = transition(at(state, billing), action, actor, NOW)
                            .ok()
                            .map(|s| s.state);
                        let want = expected(state, billing, action, actor);
                        assert_eq!(got, want, "{state:?} {billing:?} {action:?} by {actor:?}");
                        allowed += usize::from(want.is_some());
                    }
                }
            }
        }
        assert_eq!(allowed, 43, "the table's allowed pairs");
    }

    #[test]
    fn the_order_rules_read_in_the_refusals() {
        let live = at(State::Live, Billing::Period);
        let asked = transition(live, Action::RequestUnsubscribe, Actor::Buyer, NOW).unwrap();
        let twice = transition(asked, Action::RequestUnsubscribe, Actor::Buyer, NOW).unwrap_err();
        assert_eq!(
            twice.to_string(),
            "a subscription that is unsubscribing cannot be asked to unsubscribe: a request is already waiting"
        );
        let trial = at(State::Trial, Billing::Period);
        let refused = transition(trial, Action::RequestUnsubscribe, Actor::Buyer, NOW).unwrap_err();
        assert!(refused.to_string().ends_with("trials are not unsubscribed"));
        let once = at(State::Live, Billing::Once);
        let refused =
            transition(once, Action::Renew { until: NOW }, Actor::Buyer, NOW).unwrap_err();
        assert!(refused.to_string().ends_with("it is not billed by period"));
        let unsubscribed = at(State::Unsubscribed, Billing::Period);
        assert!(transition(
            unsubscribed,
            Action::Renew { until: NOW },
            Actor::Buyer,
            NOW
        )
        .is_err());
    }

    #[test]
    fn the_clock_decides_expiry_and_release() {
        let live = Subscription {
            state: State::Live,
            billing: Billing::Period,
            expires_at: Some(NOW + 10),
            frozen_until: None,
        };
        assert!(transition(live, Action::Expire, Actor::System, NOW).is_err());
        let frozen = transition(live, Action::Expire, Actor::System, NOW + 10).unwrap();
        assert_eq!(frozen.frozen_until, Some(NOW + 10 + FREEZE_DAYS * 86_400));
        let end = frozen.frozen_until.unwrap();
        assert!(transition(frozen, Action::Release, Actor::System, end - 1).is_err());
        let released = transition(frozen, Action::Release, Actor::System, end).unwrap();
        assert_eq!(released.state, State::Released);
        // Renewed within the freeze: live again, the freeze forgotten.
        let renewed = transition(
            frozen,
            Action::Renew { until: end + 99 },
            Actor::Buyer,
            NOW + 20,
        )
        .unwrap();
        assert_eq!((renewed.state, renewed.frozen_until), (State::Live, None));
    }
}
