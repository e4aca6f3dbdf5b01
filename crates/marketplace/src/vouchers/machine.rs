//! Vouchers (代金券, reference §5.3) as data: a published voucher (`Offer`) that buyers
//! claim until its quantity is gone, and each buyer's claim with the upstream status
//! codes. One `transition` for each, and a table test of every (state, action, actor).
//!
//! ```text
//! offer:  active ─claim (buyer, below quantity and the buyer's limit)→ active
//!         active ─withdraw (seller)→ withdrawn  (claims already made stay usable)
//! claim:  2 unused ─use (buyer, in validity)→ 3 used ─recycle (system: 5-day no-reason
//!         unsubscribe)→ 5 recycled ─use→ 3 used
//!         2, 5 past validity: 4 expired (read from the clock, never extended)
//! ```

use crate::subscriptions::machine::Actor;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OfferState {
    Active,
    Withdrawn,
}

impl OfferState {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Active => "active",
            Self::Withdrawn => "withdrawn",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        [Self::Active, Self::Withdrawn]
            .into_iter()
            .find(|s| s.as_str() == raw)
    }
}

/// A claimed voucher's status, with the upstream codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Unused,
    Used,
    Expired,
    Recycled,
}

impl Status {
    pub const ALL: [Self; 4] = [Self::Unused, Self::Used, Self::Expired, Self::Recycled];

    pub fn code(self) -> i64 {
        match self {
            Self::Unused => 2,
            Self::Used => 3,
            Self::Expired => 4,
            Self::Recycled => 5,
        }
    }

    pub fn from_code(code: i64) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.code() == code)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Unused => "unused",
            Self::Used => "used",
            Self::Expired => "expired",
            Self::Recycled => "recycled",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// A buyer takes one from the offer.
    Claim,
    /// The seller stops handing it out.
    Withdraw,
    /// A buyer pays part of an order with it.
    Use,
    /// A qualifying 5-day no-reason unsubscription gives it back.
    Recycle,
}

impl Action {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Claim => "claim",
            Self::Withdraw => "withdraw",
            Self::Use => "use",
            Self::Recycle => "recycle",
        }
    }
}

/// A published voucher, as far as claiming goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Offer {
    pub state: OfferState,
    pub valid_until: i64,
    pub total_quantity: i64,
    pub claimed: i64,
    pub per_buyer_limit: i64,
}

/// A claimed voucher: its stored status and its validity `[valid_from, valid_until)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Claim {
    pub stored: Status,
    pub valid_from: i64,
    pub valid_until: i64,
}

impl Claim {
    /// The status as of `now`: an unused or recycled voucher past its validity is void.
    pub fn status_at(self, now: i64) -> Status {
        match self.stored {
            Status::Unused | Status::Recycled if now >= self.valid_until => Status::Expired,
            other => other,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refused {
    #[error("{action} is not possible for a voucher that is {state}")]
    NotNow {
        action: &'static str,
        state: &'static str,
    },
    #[error("only the {0} can do this")]
    NotYours(&'static str),
    #[error("this voucher's validity has ended; expired vouchers are void")]
    Expired,
    #[error("this voucher is valid only from its start date")]
    NotYetValid,
    #[error("all of this voucher's quantity has been claimed")]
    SoldOut,
    #[error("you hold as many of this voucher as one buyer may ({0})")]
    BuyerLimit(i64),
}

/// The offer after `action`; `held` is how many of it the acting buyer has claimed.
pub fn offer_transition(
    offer: Offer,
    action: Action,
    actor: Actor,
    held: i64,
    now: i64,
) -> Result<OfferState, Refused> {
    let not_now = || Refused::NotNow {
        action: action.as_str(),
        state: offer.state.as_str(),
    };
    match (offer.state, action, actor) {
        (OfferState::Active, Action::Claim, Actor::Buyer) => {
            if now >= offer.valid_until {
                Err(Refused::Expired)
            } else if offer.claimed >= offer.total_quantity {
                Err(Refused::SoldOut)
            } else if held >= offer.per_buyer_limit {
                Err(Refused::BuyerLimit(offer.per_buyer_limit))
            } else {
                Ok(OfferState::Active)
            }
        }
        (OfferState::Active, Action::Withdraw, Actor::Seller) => Ok(OfferState::Withdrawn),
        (_, Action::Claim, _) if actor != Actor::Buyer => Err(Refused::NotYours("buyer")),
        (_, Action::Withdraw, _) if actor != Actor::Seller => Err(Refused::NotYours("seller")),
        _ => Err(not_now()),
    }
}

/// The claim's stored status after `action`.
pub fn transition(claim: Claim, action: Action, actor: Actor, now: i64) -> Result<Status, Refused> {
    let current = claim.status_at(now);
    match (current, action, actor) {
        (Status::Unused | Status::Recycled, Action::Use, Actor::Buyer) => {
            if now < claim.valid_from {
                Err(Refused::NotYetValid)
            } else {
                Ok(Status::Used)
            }
        }
        // Given back even when its validity has run out meanwhile: it then reads expired.
        (Status::Used, Action::Recycle, Actor::System) => Ok(Status::Recycled),
        (Status::Expired, Action::Use, Actor::Buyer) => Err(Refused::Expired),
        (_, Action::Use, _) if actor != Actor::Buyer => Err(Refused::NotYours("buyer")),
        (_, Action::Recycle, _) if actor != Actor::System => Err(Refused::NotYours("platform")),
        _ => Err(Refused::NotNow {
            action: action.as_str(),
            state: current.as_str(),
        }),
    }
}

#[cfg(test)]
#[path = "machine_tests.rs"]
mod tests;
