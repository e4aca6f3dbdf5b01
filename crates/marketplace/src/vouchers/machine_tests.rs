use super::*;

const NOW: i64 = 1_800_000_000;
const ACTORS: [Actor; 4] = [Actor::Buyer, Actor::Seller, Actor::Operator, Actor::System];
const ACTIONS: [Action; 4] = [
    Action::Claim,
    Action::Withdraw,
    Action::Use,
    Action::Recycle,
];

/// A claim that reads `status` at NOW (expired: unused, with its validity over).
fn claim_reading(status: Status) -> Claim {
    match status {
        Status::Expired => Claim {
            stored: Status::Unused,
            valid_from: NOW - 10,
            valid_until: NOW,
        },
        stored => Claim {
            stored,
            valid_from: NOW - 10,
            valid_until: NOW + 10,
        },
    }
}

#[test]
fn every_claim_pair_is_allowed_or_refused_as_the_table_says() {
    let allowed: &[(Status, Action, Actor, Status)] = &[
        (Status::Unused, Action::Use, Actor::Buyer, Status::Used),
        (Status::Recycled, Action::Use, Actor::Buyer, Status::Used),
        (
            Status::Used,
            Action::Recycle,
            Actor::System,
            Status::Recycled,
        ),
    ];
    let mut checked = 0;
    for status in Status::ALL {
        let claim = claim_reading(status);
        assert_eq!(claim.status_at(NOW), status);
        for action in ACTIONS {
            for actor in ACTORS {
                let want = allowed
                    .iter()
                    .find(|(s, a, who, _)| (*s, *a, *who) == (status, action, actor))
                    .map(|(_, _, _, to)| *to);
                let got = transition(claim, action, actor, NOW);
                match want {
                    Some(to) => assert_eq!(got, Ok(to), "{status:?} {action:?} {actor:?}"),
                    None => assert!(got.is_err(), "{status:?} {action:?} {actor:?}: {got:?}"),
                }
                checked += 1;
            }
        }
    }
    assert_eq!(checked, 64);
}

#[test]
fn a_claim_is_usable_only_within_its_validity() {
    let claim = Claim {
        stored: Status::Unused,
        valid_from: NOW,
        valid_until: NOW + 100,
    };
    let using = |at| transition(claim, Action::Use, Actor::Buyer, at);
    assert_eq!(using(NOW - 1), Err(Refused::NotYetValid));
    assert_eq!(using(NOW), Ok(Status::Used));
    assert_eq!(using(NOW + 99), Ok(Status::Used));
    assert_eq!(using(NOW + 100), Err(Refused::Expired));
    // A recycled voucher keeps its validity: no extension.
    let recycled = Claim {
        stored: Status::Recycled,
        ..claim
    };
    assert_eq!(recycled.status_at(NOW + 100), Status::Expired);
    // A used voucher given back after its validity reads expired.
    let used = Claim {
        stored: Status::Used,
        ..claim
    };
    assert_eq!(
        transition(used, Action::Recycle, Actor::System, NOW + 500),
        Ok(Status::Recycled)
    );
    assert_eq!(used.status_at(NOW + 500), Status::Used);
}

#[test]
fn every_offer_pair_is_allowed_or_refused_as_the_table_says() {
    let allowed: &[(OfferState, Action, Actor, OfferState)] = &[
        (
            OfferState::Active,
            Action::Claim,
            Actor::Buyer,
            OfferState::Active,
        ),
        (
            OfferState::Active,
            Action::Withdraw,
            Actor::Seller,
            OfferState::Withdrawn,
        ),
    ];
    for state in [OfferState::Active, OfferState::Withdrawn] {
        let offer = Offer {
            state,
            valid_until: NOW + 10,
            total_quantity: 5,
            claimed: 0,
            per_buyer_limit: 1,
        };
        for action in ACTIONS {
            for actor in ACTORS {
                let want = allowed
                    .iter()
                    .find(|(s, a, who, _)| (*s, *a, *who) == (state, action, actor))
                    .map(|(_, _, _, to)| *to);
                let got = offer_transition(offer, action, actor, 0, NOW);
                match want {
                    Some(to) => assert_eq!(got, Ok(to), "{state:?} {action:?} {actor:?}"),
                    None => assert!(got.is_err(), "{state:?} {action:?} {actor:?}: {got:?}"),
                }
            }
        }
    }
}

#[test]
fn claims_stop_at_the_quantity_the_buyer_limit_and_the_validity() {
    let offer = Offer {
        state: OfferState::Active,
        valid_until: NOW + 10,
        total_quantity: 3,
        claimed: 2,
        per_buyer_limit: 2,
    };
    let claim = |offer, held, at| offer_transition(offer, Action::Claim, Actor::Buyer, held, at);
    assert_eq!(claim(offer, 1, NOW), Ok(OfferState::Active));
    assert_eq!(claim(offer, 2, NOW), Err(Refused::BuyerLimit(2)));
    let gone = Offer {
        claimed: 3,
        ..offer
    };
    assert_eq!(claim(gone, 0, NOW), Err(Refused::SoldOut));
    assert_eq!(claim(offer, 0, NOW + 10), Err(Refused::Expired));
}
