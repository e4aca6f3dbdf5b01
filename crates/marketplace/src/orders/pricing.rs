//! The pricing pipeline every order line goes through, in this order: the list price
//! (unit price × quantity × periods, or for an upgrade the pro-rata difference for the
//! rest of the period) → the partner's exclusive discount → the voucher → the amount.
//! Each step's result is kept, so the order line, the open API and the seller's view
//! show the same numbers. Integers in minor units (fen) throughout, never above 2^53 - 1
//! (what JavaScript reads exactly); intermediate products in i128.
//!
//! Where upstream is silent, these are our decisions:
//! - A discount is a rate in basis points of the price paid (8500 = 85 %, "8.5 折");
//!   its result and a pro-rata share are rounded half up to the fen (四舍五入).
//! - A voucher's threshold is measured on the amount after the discount, which is what
//!   the buyer would otherwise pay; it deducts at most that amount (never below zero,
//!   and what is left of its face value is not kept).
//! - A voucher marked not combinable is refused alongside an exclusive discount.

/// The largest amount JavaScript reads exactly (2^53 - 1 minor units): larger orders are
/// refused rather than shown wrong.
pub const MAX_AMOUNT: i64 = (1 << 53) - 1;

/// How much of the list price is asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Basis {
    /// Unit price × quantity × periods.
    Full {
        unit_price: i64,
        quantity: i64,
        periods: i64,
    },
    /// An upgrade for the rest of the subscription: (target − source) × remaining /
    /// whole, where `source` and `target` are the two SKUs' prices for one period of
    /// `whole` seconds and `remaining` what is left (several periods, or part of one).
    ProRata {
        source: i64,
        target: i64,
        remaining: i64,
        whole: i64,
    },
}

/// A partner's exclusive discount, as a rate of the price paid.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DiscountRate {
    /// Basis points paid: 1 to 10000.
    pub paid_bp: i64,
}

/// A voucher's terms, as they apply to one payment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VoucherTerms {
    pub face_value: i64,
    /// The amount (after the discount) from which it applies.
    pub minimum_spend: i64,
    pub combinable: bool,
}

/// Every step of the pipeline, in minor units (all zero for what costs nothing).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Breakdown {
    pub list: i64,
    /// Taken off by the exclusive discount.
    pub discount: i64,
    /// Taken off by the voucher.
    pub voucher: i64,
    /// What the buyer pays: list − discount − voucher.
    pub amount: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum PriceRefused {
    #[error(
        "the order amount is too large: at most {MAX_AMOUNT} minor units (2^53 - 1, what \
         JavaScript reads exactly)"
    )]
    TooLarge,
    #[error("prices, quantities and periods are positive whole numbers")]
    Negative,
    #[error("an upgrade goes to a SKU that costs more, within the period")]
    NotAnUpgrade,
    #[error("a discount rate is 1 to 10000 basis points of the price")]
    BadRate,
    #[error("the voucher applies from {minimum} fen; this order comes to {amount}")]
    BelowThreshold { minimum: i64, amount: i64 },
    #[error("this voucher does not combine with an exclusive discount")]
    NotCombinable,
}

/// `numerator / denominator`, rounded half up; both positive.
fn round_half_up(numerator: i128, denominator: i128) -> i128 {
    (2 * numerator + denominator) / (2 * denominator)
}

fn bounded(value: i128) -> Result<i64, PriceRefused> {
    i64::try_from(value)
        .ok()
        .filter(|v| *v <= MAX_AMOUNT)
        .ok_or(PriceRefused::TooLarge)
}

fn list_price(basis: Basis) -> Result<i64, PriceRefused> {
    match basis {
        Basis::Full {
            unit_price,
            quantity,
            periods,
        } => {
            if unit_price < 0 || quantity < 1 || periods < 1 {
                return Err(PriceRefused::Negative);
            }
            // Two i64 factors fit an i128; the third may not.
            let two = i128::from(unit_price) * i128::from(quantity);
            bounded(
                two.checked_mul(i128::from(periods))
                    .ok_or(PriceRefused::TooLarge)?,
            )
        }
        Basis::ProRata {
            source,
            target,
            remaining,
            whole,
        } => {
            if source < 0 || remaining < 0 || whole < 1 {
                return Err(PriceRefused::Negative);
            }
            if target <= source {
                return Err(PriceRefused::NotAnUpgrade);
            }
            bounded(round_half_up(
                i128::from(target - source) * i128::from(remaining),
                i128::from(whole),
            ))
        }
    }
}

/// The price of one order line through the whole pipeline.
pub fn price(
    basis: Basis,
    discount: Option<DiscountRate>,
    voucher: Option<VoucherTerms>,
) -> Result<Breakdown, PriceRefused> {
    let list = list_price(basis)?;
    let after_discount = match discount {
        None => list,
        Some(DiscountRate { paid_bp }) if (1..=10_000).contains(&paid_bp) => bounded(
            round_half_up(i128::from(list) * i128::from(paid_bp), 10_000),
        )?,
        Some(_) => return Err(PriceRefused::BadRate),
    };
    let voucher_off = match voucher {
        None => 0,
        Some(v) if v.face_value < 0 || v.minimum_spend < 0 => return Err(PriceRefused::Negative),
        Some(v) if !v.combinable && discount.is_some() => return Err(PriceRefused::NotCombinable),
        Some(v) if after_discount < v.minimum_spend => {
            return Err(PriceRefused::BelowThreshold {
                minimum: v.minimum_spend,
                amount: after_discount,
            })
        }
        Some(v) => v.face_value.min(after_discount),
    };
    Ok(Breakdown {
        list,
        discount: list - after_discount,
        voucher: voucher_off,
        amount: after_discount - voucher_off,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    type Case = (
        &'static str,
        Basis,
        Option<DiscountRate>,
        Option<VoucherTerms>,
        Result<Breakdown, PriceRefused>,
    );

    fn full(unit_price: i64, quantity: i64, periods: i64) -> Basis {
        Basis::Full {
            unit_price,
            quantity,
            periods,
        }
    }

    fn voucher(face_value: i64, minimum_spend: i64, combinable: bool) -> Option<VoucherTerms> {
        Some(VoucherTerms {
            face_value,
            minimum_spend,
            combinable,
        })
    }

    fn rate(paid_bp: i64) -> Option<DiscountRate> {
        Some(DiscountRate { paid_bp })
    }

    fn breakdown(list: i64, discount: i64, voucher: i64) -> Breakdown {
        Breakdown {
            list,
            discount,
            voucher,
            amount: list - discount - voucher,
        }
    }

    #[test]
    fn every_step_in_order_with_its_rounding() {
        let max = MAX_AMOUNT;
        let cases: Vec<Case> = vec![
            (
                "list only",
                full(9900, 2, 3),
                None,
                None,
                Ok(breakdown(59_400, 0, 0)),
            ),
            ("free", full(0, 1, 1), None, None, Ok(breakdown(0, 0, 0))),
            (
                "8.5折",
                full(9900, 1, 1),
                rate(8500),
                None,
                Ok(breakdown(9900, 1485, 0)),
            ),
            // 999 × 0.8333 = 832.4667 → 832; 3 × 0.5 = 1.5 → 2 (half up).
            (
                "rounds down below half",
                full(999, 1, 1),
                rate(8333),
                None,
                Ok(breakdown(999, 167, 0)),
            ),
            (
                "rounds half up",
                full(3, 1, 1),
                rate(5000),
                None,
                Ok(breakdown(3, 1, 0)),
            ),
            (
                "no discount at 10000",
                full(9900, 1, 1),
                rate(10_000),
                None,
                Ok(breakdown(9900, 0, 0)),
            ),
            (
                "rate too deep",
                full(9900, 1, 1),
                rate(0),
                None,
                Err(PriceRefused::BadRate),
            ),
            (
                "rate above list",
                full(9900, 1, 1),
                rate(10_001),
                None,
                Err(PriceRefused::BadRate),
            ),
            (
                "voucher at its threshold",
                full(10_000, 1, 1),
                None,
                voucher(2000, 10_000, true),
                Ok(breakdown(10_000, 0, 2000)),
            ),
            (
                "voucher below its threshold",
                full(9999, 1, 1),
                None,
                voucher(2000, 10_000, true),
                Err(PriceRefused::BelowThreshold {
                    minimum: 10_000,
                    amount: 9999,
                }),
            ),
            (
                "threshold on the discounted amount",
                full(10_000, 1, 1),
                rate(9000),
                voucher(2000, 10_000, true),
                Err(PriceRefused::BelowThreshold {
                    minimum: 10_000,
                    amount: 9000,
                }),
            ),
            (
                "discount then voucher",
                full(20_000, 1, 1),
                rate(9000),
                voucher(2000, 10_000, true),
                Ok(breakdown(20_000, 2000, 2000)),
            ),
            (
                "voucher never below zero",
                full(500, 1, 1),
                None,
                voucher(2000, 0, true),
                Ok(breakdown(500, 0, 500)),
            ),
            (
                "not combinable with a discount",
                full(20_000, 1, 1),
                rate(9000),
                voucher(2000, 0, false),
                Err(PriceRefused::NotCombinable),
            ),
            (
                "not combinable alone is fine",
                full(20_000, 1, 1),
                None,
                voucher(2000, 0, false),
                Ok(breakdown(20_000, 0, 2000)),
            ),
            (
                "negative face value",
                full(100, 1, 1),
                None,
                voucher(-1, 0, true),
                Err(PriceRefused::Negative),
            ),
            (
                "zero quantity",
                full(100, 0, 1),
                None,
                None,
                Err(PriceRefused::Negative),
            ),
            (
                "negative price",
                full(-1, 1, 1),
                None,
                None,
                Err(PriceRefused::Negative),
            ),
            (
                "at 2^53 - 1",
                full(max, 1, 1),
                None,
                None,
                Ok(breakdown(max, 0, 0)),
            ),
            (
                "above 2^53 - 1",
                full(max, 2, 1),
                None,
                None,
                Err(PriceRefused::TooLarge),
            ),
            (
                "far above i64",
                full(i64::MAX, i64::MAX, i64::MAX),
                None,
                None,
                Err(PriceRefused::TooLarge),
            ),
            (
                "discount of the maximum",
                full(max, 1, 1),
                rate(5000),
                None,
                Ok(breakdown(max, max - (max + 1) / 2, 0)),
            ),
            (
                // (19900 − 9900) × 15 / 30 days.
                "upgrade half way",
                Basis::ProRata {
                    source: 9900,
                    target: 19_900,
                    remaining: 15,
                    whole: 30,
                },
                None,
                None,
                Ok(breakdown(5000, 0, 0)),
            ),
            (
                // 10000 × 1 / 3 = 3333.33 → 3333; × 2 / 3 = 6666.67 → 6667.
                "upgrade rounds",
                Basis::ProRata {
                    source: 0,
                    target: 10_000,
                    remaining: 2,
                    whole: 3,
                },
                None,
                None,
                Ok(breakdown(6667, 0, 0)),
            ),
            (
                "upgrade on the last second",
                Basis::ProRata {
                    source: 9900,
                    target: 19_900,
                    remaining: 0,
                    whole: 30,
                },
                None,
                None,
                Ok(breakdown(0, 0, 0)),
            ),
            (
                "a cheaper target is no upgrade",
                Basis::ProRata {
                    source: 19_900,
                    target: 9900,
                    remaining: 15,
                    whole: 30,
                },
                None,
                None,
                Err(PriceRefused::NotAnUpgrade),
            ),
            (
                // 10000 × 31 / 30 = 10333.33 → 10333: two periods bought, one day gone.
                "more than one period left",
                Basis::ProRata {
                    source: 9900,
                    target: 19_900,
                    remaining: 31,
                    whole: 30,
                },
                None,
                None,
                Ok(breakdown(10_333, 0, 0)),
            ),
            (
                "upgrade with a voucher",
                Basis::ProRata {
                    source: 9900,
                    target: 19_900,
                    remaining: 30,
                    whole: 30,
                },
                None,
                voucher(1000, 5000, true),
                Ok(breakdown(10_000, 0, 1000)),
            ),
        ];
        for (name, basis, discount, voucher, want) in cases {
            assert_eq!(price(basis, discount, voucher), want, "{name}");
        }
    }

    #[test]
    fn the_steps_always_add_up() {
        for list in [0, 1, 2, 3, 7, 99, 9900, 123_457, MAX_AMOUNT] {
            for paid_bp in [1, 3333, 5000, 6667, 9999, 10_000] {
                for face_value in [0, 1, 50, 1_000_000] {
                    let got = price(
                        full(list, 1, 1),
                        rate(paid_bp),
                        voucher(face_value, 0, true),
                    )
                    .unwrap();
                    assert_eq!(got.list, list);
                    assert_eq!(got.list - got.discount - got.voucher, got.amount);
                    assert!(got.amount >= 0 && got.discount >= 0 && got.voucher >= 0);
                    assert!(got.voucher <= face_value);
                }
            }
        }
    }
}
