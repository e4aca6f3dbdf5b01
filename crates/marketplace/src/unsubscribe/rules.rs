//! Whether an order may be unsubscribed, and on what terms (reference §5.7): a pure
//! function of the facts, table-tested.
//!
//! - Refused: trials, expired (frozen, released) subscriptions, renewals in effect, one
//!   that is unsubscribed or has a request waiting, a change (the subscription is
//!   unsubscribed through the order that started it), hardware reported not received
//!   while it is in transit, and an order whose service supervision completed (the buyer
//!   accepted the delivery).
//! - A renewal not yet in effect is refunded in full (the latest one first).
//! - Within 5 days of ordering, with no invoice requested: no reason needed, refunded in
//!   full.
//! - Otherwise negotiated: the seller decides whether, and how much of the amount, to
//!   refund. (Upstream names one-time products here; it is silent on a period product
//!   past its five days, and we let the seller decide rather than refuse.)
//! - A failed provisioning is refunded in full without a request (`kit::outcomes`).
//!
//! Where: non-supervised SaaS and images are unsubscribed by the buyer in the billing
//! centre, at once and with no seller's decision; everything else is a request in the
//! buyer centre that the seller decides (§5.7). The billing centre has nobody to
//! negotiate with, so where a request would be negotiated it refunds the unused part of
//! the order's period instead, pro rata by the second (a one-time purchase: nothing).

use crate::subscriptions::machine::{Billing, State};

pub const NO_REASON_DAYS: i64 = 5;
const DAY: i64 = 86_400;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rule {
    NoReason,
    PendingRenewal,
    Negotiated,
    FailedProvisioning,
    /// Billing centre, outside the no-reason window: the period's unused part.
    UnusedRemainder,
}

impl Rule {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::NoReason => "no_reason",
            Self::PendingRenewal => "pending_renewal",
            Self::Negotiated => "negotiated",
            Self::FailedProvisioning => "failed_provisioning",
            Self::UnusedRemainder => "unused_remainder",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        [
            Self::NoReason,
            Self::PendingRenewal,
            Self::Negotiated,
            Self::FailedProvisioning,
            Self::UnusedRemainder,
        ]
        .into_iter()
        .find(|r| r.as_str() == raw)
    }
}

/// Where an unsubscription is made (§5.7).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Channel {
    /// 买家中心 > 退订管理: a request the seller decides.
    BuyerCentre,
    /// 费用中心: the buyer unsubscribes the resource at once.
    BillingCentre,
}

impl Channel {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::BuyerCentre => "buyer_centre",
            Self::BillingCentre => "billing_centre",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        [Self::BuyerCentre, Self::BillingCentre]
            .into_iter()
            .find(|c| c.as_str() == raw)
    }
}

/// Why the buyer wants out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ReasonType {
    NoLongerNeeded,
    NotAsDescribed,
    QualityProblem,
    /// Hardware only.
    NotReceived,
    Other,
}

impl ReasonType {
    pub const ALL: [Self; 5] = [
        Self::NoLongerNeeded,
        Self::NotAsDescribed,
        Self::QualityProblem,
        Self::NotReceived,
        Self::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::NoLongerNeeded => "no_longer_needed",
            Self::NotAsDescribed => "not_as_described",
            Self::QualityProblem => "quality_problem",
            Self::NotReceived => "not_received",
            Self::Other => "other",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.as_str() == raw)
    }
}

/// What the rules look at.
#[derive(Debug, Clone, Copy)]
pub struct Facts<'a> {
    pub order_type: &'a str,
    pub order_amount: i64,
    pub ordered_at: i64,
    /// The line's period (a renewal's starts where the one it extends ends).
    pub starts_at: Option<i64>,
    pub expire_time: Option<i64>,
    pub state: State,
    pub billing: Billing,
    pub subscription_expires_at: Option<i64>,
    /// A renewal of the subscription that has not started yet (its order id).
    pub pending_renewal: Option<&'a str>,
    pub invoice_requested: bool,
    pub hardware: bool,
    /// Hardware shipped and not yet confirmed received.
    pub in_transit: bool,
    pub reason: ReasonType,
    /// The order's service supervision completed: the buyer accepted the delivery.
    pub supervision_completed: bool,
    pub now: i64,
}

/// The terms: the rule, and the refund it fixes (`None`: the seller's to decide).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Terms {
    pub rule: Rule,
    pub refund: Option<i64>,
}

pub fn assess(f: &Facts<'_>) -> Result<Terms, String> {
    if f.order_type == "TRIAL" || f.state == State::Trial {
        return Err("trials are not unsubscribed".into());
    }
    match f.state {
        State::Frozen | State::Released => {
            return Err("the subscription has expired: expired orders are not unsubscribed".into())
        }
        State::Unsubscribed => return Err("the subscription is unsubscribed already".into()),
        State::Unsubscribing => {
            return Err("an unsubscribe request of this subscription is waiting already".into())
        }
        State::Trial | State::Live => {}
    }
    if f.supervision_completed {
        return Err(
            "the delivery was accepted: an order whose service supervision completed is not \
             unsubscribed"
                .into(),
        );
    }
    if f.reason == ReasonType::NotReceived && !f.hardware {
        return Err("not_received is a reason for hardware only".into());
    }
    if f.reason == ReasonType::NotReceived && f.in_transit {
        return Err(
            "the item is in transit: it cannot be unsubscribed as not received until it arrives"
                .into(),
        );
    }
    match f.order_type {
        "RENEW" => {
            if f.starts_at.is_some_and(|start| start <= f.now) {
                return Err("a renewal in effect is not refunded".into());
            }
            if f.expire_time != f.subscription_expires_at {
                return Err("a later renewal has not started either: unsubscribe it first".into());
            }
            Ok(Terms {
                rule: Rule::PendingRenewal,
                refund: Some(f.order_amount),
            })
        }
        "NEW" | "TRIAL_TO_FORMAL" => {
            if let Some(renewal) = f.pending_renewal {
                return Err(format!(
                    "the renewal {renewal} has not started: unsubscribe it first"
                ));
            }
            let fresh = f.now < f.ordered_at + NO_REASON_DAYS * DAY;
            Ok(if fresh && !f.invoice_requested {
                Terms {
                    rule: Rule::NoReason,
                    refund: Some(f.order_amount),
                }
            } else {
                Terms {
                    rule: Rule::Negotiated,
                    refund: None,
                }
            })
        }
        "CHANGE" => Err(
            "a change is unsubscribed with its subscription: request it on the order that \
             started it"
                .into(),
        ),
        _ => Err(format!("a {} order is not unsubscribed", f.order_type)),
    }
}

/// The terms in the billing centre: the buyer centre's, except that what would be
/// negotiated refunds the unused part of the order's own period.
pub fn assess_self_service(f: &Facts<'_>) -> Result<Terms, String> {
    let terms = assess(f)?;
    if terms.rule != Rule::Negotiated {
        return Ok(terms);
    }
    Ok(Terms {
        rule: Rule::UnusedRemainder,
        refund: Some(unused_remainder(f)),
    })
}

/// The order's amount times the unused share of its period, rounded down to the fen;
/// nothing for a purchase with no period.
fn unused_remainder(f: &Facts<'_>) -> i64 {
    let (Billing::Period, Some(start), Some(end)) = (f.billing, f.starts_at, f.expire_time) else {
        return 0;
    };
    if end <= start {
        return 0;
    }
    let unused = (end - f.now.max(start)).clamp(0, end - start);
    (i128::from(f.order_amount) * i128::from(unused) / i128::from(end - start)) as i64
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 1_800_000_000;

    fn new_order() -> Facts<'static> {
        Facts {
            order_type: "NEW",
            order_amount: 12_000,
            ordered_at: NOW - DAY,
            starts_at: Some(NOW - DAY),
            expire_time: Some(NOW + 29 * DAY),
            state: State::Live,
            billing: Billing::Period,
            subscription_expires_at: Some(NOW + 29 * DAY),
            pending_renewal: None,
            invoice_requested: false,
            hardware: false,
            in_transit: false,
            reason: ReasonType::NoLongerNeeded,
            supervision_completed: false,
            now: NOW,
        }
    }

    fn renewal() -> Facts<'static> {
        Facts {
            order_type: "RENEW",
            order_amount: 5_000,
            ordered_at: NOW - DAY,
            starts_at: Some(NOW + 29 * DAY),
            expire_time: Some(NOW + 59 * DAY),
            subscription_expires_at: Some(NOW + 59 * DAY),
            ..new_order()
        }
    }

    #[test]
    fn each_rule_and_refusal() {
        let full = |rule, amount| {
            Ok(Terms {
                rule,
                refund: Some(amount),
            })
        };
        let negotiated = Ok(Terms {
            rule: Rule::Negotiated,
            refund: None,
        });
        let cases: Vec<(&str, Facts, Result<Terms, &str>)> = vec![
            ("fresh, no invoice", new_order(), full(Rule::NoReason, 12_000)),
            ("day five", Facts { ordered_at: NOW - 5 * DAY, ..new_order() }, negotiated),
            ("just inside five days", Facts { ordered_at: NOW - 5 * DAY + 1, ..new_order() }, full(Rule::NoReason, 12_000)),
            ("invoice requested", Facts { invoice_requested: true, ..new_order() }, negotiated),
            ("one-time, later", Facts { billing: Billing::Once, ordered_at: NOW - 30 * DAY, expire_time: None, subscription_expires_at: None, ..new_order() }, negotiated),
            ("trial order", Facts { order_type: "TRIAL", state: State::Trial, ..new_order() }, Err("trials are not unsubscribed")),
            ("made formal", Facts { order_type: "TRIAL_TO_FORMAL", ..new_order() }, full(Rule::NoReason, 12_000)),
            ("expired", Facts { state: State::Frozen, ..new_order() }, Err("the subscription has expired: expired orders are not unsubscribed")),
            ("released", Facts { state: State::Released, ..new_order() }, Err("the subscription has expired: expired orders are not unsubscribed")),
            ("unsubscribed", Facts { state: State::Unsubscribed, ..new_order() }, Err("the subscription is unsubscribed already")),
            ("waiting", Facts { state: State::Unsubscribing, ..new_order() }, Err("an unsubscribe request of this subscription is waiting already")),
            ("start with a renewal pending", Facts { pending_renewal: Some("CS1"), ..new_order() }, Err("the renewal CS1 has not started: unsubscribe it first")),
            ("renewal not in effect", renewal(), full(Rule::PendingRenewal, 5_000)),
            ("renewal not in effect, invoiced", Facts { invoice_requested: true, ..renewal() }, full(Rule::PendingRenewal, 5_000)),
            ("renewal in effect", Facts { starts_at: Some(NOW), ..renewal() }, Err("a renewal in effect is not refunded")),
            ("an earlier renewal", Facts { subscription_expires_at: Some(NOW + 89 * DAY), ..renewal() }, Err("a later renewal has not started either: unsubscribe it first")),
            ("a change", Facts { order_type: "CHANGE", ..new_order() }, Err("a change is unsubscribed with its subscription: request it on the order that started it")),
            ("an unsubscription", Facts { order_type: "UNSUBSCRIBE", ..new_order() }, Err("a UNSUBSCRIBE order is not unsubscribed")),
            ("not received, goods", Facts { reason: ReasonType::NotReceived, ..new_order() }, Err("not_received is a reason for hardware only")),
            ("not received, in transit", Facts { reason: ReasonType::NotReceived, hardware: true, in_transit: true, billing: Billing::Once, ..new_order() }, Err("the item is in transit: it cannot be unsubscribed as not received until it arrives")),
            ("not received, not shipped", Facts { reason: ReasonType::NotReceived, hardware: true, billing: Billing::Once, ..new_order() }, full(Rule::NoReason, 12_000)),
            ("supervision completed", Facts { supervision_completed: true, ..new_order() }, Err("the delivery was accepted: an order whose service supervision completed is not unsubscribed")),
            ("hardware in transit, other reason", Facts { reason: ReasonType::QualityProblem, hardware: true, in_transit: true, billing: Billing::Once, ..new_order() }, full(Rule::NoReason, 12_000)),
        ];
        for (label, facts, want) in cases {
            let got = assess(&facts);
            let want = want.map_err(str::to_owned);
            assert_eq!(got, want, "{label}");
        }
    }

    #[test]
    fn the_billing_centre_refunds_the_unused_part_where_a_request_would_be_negotiated() {
        let remainder = |amount| {
            Ok(Terms {
                rule: Rule::UnusedRemainder,
                refund: Some(amount),
            })
        };
        // A 30-day period of 12,000 fen that started 10 days ago: 20 days unused.
        let month = Facts {
            ordered_at: NOW - 10 * DAY,
            starts_at: Some(NOW - 10 * DAY),
            expire_time: Some(NOW + 20 * DAY),
            subscription_expires_at: Some(NOW + 20 * DAY),
            ..new_order()
        };
        let cases: Vec<(&str, Facts, Result<Terms, &str>)> = vec![
            (
                "fresh: the same as a request",
                new_order(),
                Ok(Terms {
                    rule: Rule::NoReason,
                    refund: Some(12_000),
                }),
            ),
            (
                "a pending renewal: the same",
                renewal(),
                Ok(Terms {
                    rule: Rule::PendingRenewal,
                    refund: Some(5_000),
                }),
            ),
            ("ten days in", month, remainder(8_000)),
            (
                "invoiced on day one",
                Facts {
                    invoice_requested: true,
                    ..new_order()
                },
                remainder(11_600),
            ),
            (
                "a third of a fen rounds down",
                Facts {
                    order_amount: 1,
                    ..month
                },
                remainder(0),
            ),
            (
                "one-time",
                Facts {
                    billing: Billing::Once,
                    ordered_at: NOW - 30 * DAY,
                    expire_time: None,
                    subscription_expires_at: None,
                    ..new_order()
                },
                remainder(0),
            ),
            (
                "refused as a request is",
                Facts {
                    state: State::Frozen,
                    ..month
                },
                Err("the subscription has expired: expired orders are not unsubscribed"),
            ),
            (
                "a trial",
                Facts {
                    order_type: "TRIAL",
                    state: State::Trial,
                    ..month
                },
                Err("trials are not unsubscribed"),
            ),
            (
                "a renewal in effect",
                Facts {
                    starts_at: Some(NOW),
                    ..renewal()
                },
                Err("a renewal in effect is not refunded"),
            ),
        ];
        for (label, facts, want) in cases {
            assert_eq!(
                assess_self_service(&facts),
                want.map_err(str::to_owned),
                "{label}"
            );
        }
        for channel in [Channel::BuyerCentre, Channel::BillingCentre] {
            assert_eq!(Channel::parse(channel.as_str()), Some(channel));
        }
    }
}
