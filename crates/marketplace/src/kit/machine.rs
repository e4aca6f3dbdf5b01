//! An instance of a joint-operation app for one buyer tenant, as a state machine held as
//! data: one `transition(state, action, actor, now)` decides every change and the calls
//! and registration changes it brings; a table test covers every pair.
//!
//! opening ─opened→ live ─expired→ frozen ─(15 days)→ released
//!    │               ↑  └─renewed─┘ │  └─renewed (unfreeze)─┘
//!    └─gave up→ failed   live/frozen/opening ─released→ released

use crate::kit::exchange::Activity;

/// How long a frozen instance keeps its data before it is released (§4.2).
pub const FREEZE_DAYS: i64 = 15;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum State {
    /// Waiting for the seller to accept `newInstance`.
    Opening,
    Live,
    /// Past its period: nobody signs in, data kept until `frozen_until`.
    Frozen,
    Released,
    /// The seller never accepted the opening; the order was unsubscribed.
    Failed,
}

impl State {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Opening => "opening",
            Self::Live => "live",
            Self::Frozen => "frozen",
            Self::Released => "released",
            Self::Failed => "failed",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        [
            Self::Opening,
            Self::Live,
            Self::Frozen,
            Self::Released,
            Self::Failed,
        ]
        .into_iter()
        .find(|s| s.as_str() == raw)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// The seller accepted `newInstance`.
    Opened,
    /// `newInstance` failed for its whole window.
    GaveUp,
    /// A RENEW (or TRIAL_TO_FORMAL) order: the period now ends at this time.
    Renewed { expires_at: i64 },
    /// The period ended.
    Expired,
    /// Unsubscribed, or the freeze ran out.
    Released,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Actor {
    /// The platform: the outbox's answers and the clock's background task.
    System,
    /// The buyer, through an order.
    Buyer,
}

/// An instance's state and its times.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Instance {
    pub state: State,
    /// The end of the paid period (`None`: not period-billed).
    pub expires_at: Option<i64>,
    pub frozen_until: Option<i64>,
}

/// What a change brings besides the new state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Effect {
    /// Register the tenant's client (or enable it again) and deliver it: tenant,
    /// application and buyer authorization sync.
    OpenRegistration,
    EnableRegistration,
    DisableRegistration,
    /// Unsubscribe the order (the opening failed).
    UnsubscribeOrder,
    Call(Activity),
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("an instance that is {state} cannot be {action}")]
pub struct Refused {
    pub state: &'static str,
    pub action: &'static str,
}

fn action_name(action: Action) -> &'static str {
    match action {
        Action::Opened => "opened",
        Action::GaveUp => "given up",
        Action::Renewed { .. } => "renewed",
        Action::Expired => "expired",
        Action::Released => "released",
    }
}

pub fn transition(
    instance: Instance,
    action: Action,
    actor: Actor,
    now: i64,
) -> Result<(Instance, Vec<Effect>), Refused> {
    use Effect::*;
    use State::*;
    let refused = || Refused {
        state: instance.state.as_str(),
        action: action_name(action),
    };
    let next = |state: State| Instance { state, ..instance };
    match (instance.state, action, actor) {
        (Opening, Action::Opened, Actor::System) => Ok((next(Live), vec![OpenRegistration])),
        (Opening, Action::GaveUp, Actor::System) => Ok((next(Failed), vec![UnsubscribeOrder])),
        (Live, Action::Renewed { expires_at }, Actor::Buyer) => Ok((
            Instance {
                expires_at: Some(expires_at),
                ..instance
            },
            vec![Call(Activity::RefreshInstance)],
        )),
        (Frozen, Action::Renewed { expires_at }, Actor::Buyer) => Ok((
            Instance {
                state: Live,
                expires_at: Some(expires_at),
                frozen_until: None,
            },
            vec![
                EnableRegistration,
                Call(Activity::RefreshInstance),
                Call(Activity::UpdateInstanceStatus),
            ],
        )),
        (Live, Action::Expired, Actor::System)
            if instance.expires_at.is_some_and(|end| end <= now) =>
        {
            Ok((
                Instance {
                    state: Frozen,
                    frozen_until: Some(now + FREEZE_DAYS * 86_400),
                    ..instance
                },
                vec![DisableRegistration, Call(Activity::UpdateInstanceStatus)],
            ))
        }
        (Frozen, Action::Released, Actor::System)
            if instance.frozen_until.is_some_and(|end| end <= now) =>
        {
            Ok((next(Released), released()))
        }
        (Opening | Live | Frozen, Action::Released, Actor::Buyer) => {
            Ok((next(Released), released()))
        }
        _ => Err(refused()),
    }
}

fn released() -> Vec<Effect> {
    vec![
        Effect::DisableRegistration,
        Effect::Call(Activity::ReleaseInstance),
        Effect::Call(Activity::ApplicationSync),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 1_800_000_000;

    fn at(state: State) -> Instance {
        Instance {
            state,
            expires_at: Some(NOW - 1),
            frozen_until: match state {
                State::Frozen => Some(NOW - 1),
                _ => None,
            },
        }
    }

    /// Every (state, action, actor): the state it leads to, or `None` when refused.
    #[test]
    fn every_pair_is_allowed_or_refused_as_the_table_says() {
        use Action::*;
        use State::*;
        let renew = Renewed {
            expires_at: NOW + 30 * 86_400,
        };
        let states = [Opening, Live, Frozen, State::Released, Failed];
        let actions = [Opened, GaveUp, renew, Expired, Action::Released];
        let actors = [Actor::System, Actor::Buyer];
        let expected = |state: State, action: Action, actor: Actor| -> Option<State> {
            match (state, action, actor) {
                (Opening, Opened, Actor::System) => Some(Live),
                (Opening, GaveUp, Actor::System) => Some(Failed),
                (Live | Frozen, Renewed { .. }, Actor::Buyer) => Some(Live),
                (Live, Expired, Actor::System) => Some(Frozen),
                (Frozen, Action::Released, Actor::System) => Some(State::Released),
                (Opening | Live | Frozen, Action::Released, Actor::Buyer) => Some(State::Released),
                _ => None,
            }
        };
        for state in states {
            for action in actions {
                for actor in actors {
                    let got = transition(at(state), action, actor, NOW)
                        .ok()
                        .map(|(i, _)| i.state);
                    assert_eq!(
                        got,
                        expected(state, action, actor),
                        "{state:?} {action:?} by {actor:?}"
                    );
                }
            }
        }
    }

    #[test]
    fn times_decide_expiry_and_release_and_effects_follow() {
        let live = Instance {
            state: State::Live,
            expires_at: Some(NOW + 10),
            frozen_until: None,
        };
        // Not before the period ends.
        assert!(transition(live, Action::Expired, Actor::System, NOW).is_err());
        let (frozen, effects) = transition(live, Action::Expired, Actor::System, NOW + 10).unwrap();
        assert_eq!(frozen.state, State::Frozen);
        assert_eq!(frozen.frozen_until, Some(NOW + 10 + FREEZE_DAYS * 86_400));
        assert_eq!(
            effects,
            [
                Effect::DisableRegistration,
                Effect::Call(Activity::UpdateInstanceStatus)
            ]
        );
        // The freeze keeps the data for 15 days.
        assert!(transition(frozen, Action::Released, Actor::System, NOW + 20).is_err());
        let end = frozen.frozen_until.unwrap();
        let (released, effects) = transition(frozen, Action::Released, Actor::System, end).unwrap();
        assert_eq!(released.state, State::Released);
        assert!(effects.contains(&Effect::Call(Activity::ReleaseInstance)));
        // A renewal while frozen unfreezes.
        let (renewed, effects) = transition(
            frozen,
            Action::Renewed {
                expires_at: NOW + 40 * 86_400,
            },
            Actor::Buyer,
            NOW + 20,
        )
        .unwrap();
        assert_eq!(renewed.state, State::Live);
        assert_eq!(renewed.frozen_until, None);
        assert!(effects.contains(&Effect::EnableRegistration));
        // Refusals say what and why.
        let refused = transition(released, Action::Opened, Actor::System, NOW).unwrap_err();
        assert_eq!(
            refused.to_string(),
            "an instance that is released cannot be opened"
        );
    }
}
