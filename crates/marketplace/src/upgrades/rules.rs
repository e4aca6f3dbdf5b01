//! Whether an upgrade rule holds (reference §5.4), decided from the product as it is on
//! sale now: SaaS, both SKUs billed by the year or the month (the same period), and the
//! target dearer than the source. A rule that no longer holds is invalid, with the reason
//! the seller sees; it comes back when the cause is gone.

use crate::selling::product::{AccessType, ChargingMode, PeriodType, ProductContent, Spec};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Invalid {
    #[error("the product is not on sale (delisted)")]
    Delisted,
    #[error("upgrade rules are for SaaS products only")]
    NotSaas,
    #[error("the SKU {0} is no longer offered (delisted)")]
    SkuGone(String),
    #[error("the SKU {0} is not billed by the year or the month")]
    NotYearlyMonthly(String),
    #[error("the two SKUs are billed by different periods")]
    PeriodsDiffer,
    #[error(
        "price conflict: the target costs {target_price} fen a period, not more than the \
         source's {source_price}"
    )]
    PriceConflict {
        source_price: i64,
        target_price: i64,
    },
    #[error("a rule maps a SKU to another SKU")]
    SameSku,
}

fn yearly_or_monthly(spec: &Spec) -> Result<PeriodType, Invalid> {
    match (spec.charging_mode, spec.period_type) {
        (ChargingMode::Period, Some(period @ (PeriodType::Year | PeriodType::Month))) => Ok(period),
        _ => Err(Invalid::NotYearlyMonthly(spec.sku_code.clone())),
    }
}

/// The source and target specs when the rule holds for `content` (`None`: not on sale).
pub fn holds<'a>(
    content: Option<&'a ProductContent>,
    source: &str,
    target: &str,
) -> Result<(&'a Spec, &'a Spec), Invalid> {
    let content = content.ok_or(Invalid::Delisted)?;
    if content.access_type != AccessType::Saas {
        return Err(Invalid::NotSaas);
    }
    if source == target {
        return Err(Invalid::SameSku);
    }
    let spec = |sku: &str| {
        content
            .spec(sku)
            .ok_or_else(|| Invalid::SkuGone(sku.to_owned()))
    };
    let (from, to) = (spec(source)?, spec(target)?);
    if yearly_or_monthly(from)? != yearly_or_monthly(to)? {
        return Err(Invalid::PeriodsDiffer);
    }
    if to.price <= from.price {
        return Err(Invalid::PriceConflict {
            source_price: from.price,
            target_price: to.price,
        });
    }
    Ok((from, to))
}

/// At renewal a SaaS subscription may also move down (a cheaper SKU, reference §5.4),
/// but only in the last 30 days before it expires; a dearer SKU is an upgrade, which
/// follows a rule (a CHANGE order). `source` is `None` when its SKU is no longer offered.
pub const RENEWAL_WINDOW: i64 = 30 * 86_400;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RenewalRefused {
    #[error(
        "a renewal moves to another SKU only in the 30 days before the subscription \
         expires ({days_left} days left)"
    )]
    TooEarly { days_left: i64 },
    #[error("a renewal to a dearer SKU is an upgrade: order a CHANGE, by an upgrade rule")]
    Dearer,
}

pub fn renewal_move(
    source: Option<&Spec>,
    target: &Spec,
    seconds_left: i64,
) -> Result<(), RenewalRefused> {
    if seconds_left > RENEWAL_WINDOW {
        return Err(RenewalRefused::TooEarly {
            days_left: seconds_left / 86_400,
        });
    }
    match source {
        Some(from) if target.price > from.price => Err(RenewalRefused::Dearer),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn content(access: &str, specs: serde_json::Value) -> ProductContent {
        serde_json::from_value(serde_json::json!({
            "name": "CRM", "description": "", "category": "software",
            "accessType": access, "securitySelfCheck": true, "specs": specs
        }))
        .unwrap()
    }

    fn spec(sku: &str, mode: &str, price: i64, period: Option<&str>) -> serde_json::Value {
        let mut s =
            serde_json::json!({"name": sku, "skuCode": sku, "chargingMode": mode, "price": price});
        if let Some(p) = period {
            s["periodType"] = p.into();
        }
        s
    }

    /// (name, the product on sale, source, target, why the rule does not hold).
    type Case<'a> = (
        &'a str,
        Option<&'a ProductContent>,
        &'a str,
        &'a str,
        Option<Invalid>,
    );

    #[test]
    fn each_cause_makes_a_rule_invalid() {
        let saas = content(
            "saas",
            serde_json::json!([
                spec("basic", "PERIOD", 9900, Some("month")),
                spec("pro", "PERIOD", 19_900, Some("month")),
                spec("cheap", "PERIOD", 100, Some("month")),
                spec("yearly", "PERIOD", 99_000, Some("year")),
                spec("daily", "PERIOD", 99_999, Some("day")),
                spec("once", "ONE_TIME", 99_999, None),
            ]),
        );
        let license = content(
            "license",
            serde_json::json!([
                spec("basic", "PERIOD", 9900, Some("month")),
                spec("pro", "PERIOD", 19_900, Some("month")),
            ]),
        );
        let cases: &[Case<'_>] = &[
            ("holds", Some(&saas), "basic", "pro", None),
            ("delisted", None, "basic", "pro", Some(Invalid::Delisted)),
            (
                "not saas",
                Some(&license),
                "basic",
                "pro",
                Some(Invalid::NotSaas),
            ),
            ("same", Some(&saas), "pro", "pro", Some(Invalid::SameSku)),
            (
                "target gone",
                Some(&saas),
                "basic",
                "gold",
                Some(Invalid::SkuGone("gold".into())),
            ),
            (
                "one-time",
                Some(&saas),
                "basic",
                "once",
                Some(Invalid::NotYearlyMonthly("once".into())),
            ),
            (
                "daily",
                Some(&saas),
                "daily",
                "pro",
                Some(Invalid::NotYearlyMonthly("daily".into())),
            ),
            (
                "periods differ",
                Some(&saas),
                "basic",
                "yearly",
                Some(Invalid::PeriodsDiffer),
            ),
            (
                "price conflict",
                Some(&saas),
                "basic",
                "cheap",
                Some(Invalid::PriceConflict {
                    source_price: 9900,
                    target_price: 100,
                }),
            ),
        ];
        for (name, content, source, target, want) in cases {
            let got = holds(*content, source, target).err();
            assert_eq!(&got, want, "{name}");
        }
    }

    #[test]
    fn a_renewal_moves_down_only_in_the_last_30_days() {
        let sku = |price| -> Spec {
            serde_json::from_value(spec("x", "PERIOD", price, Some("month"))).unwrap()
        };
        let (basic, pro) = (sku(9900), sku(19_900));
        let day = 86_400;
        let cases = [
            ("down, 30 days left", Some(&pro), &basic, 30 * day, Ok(())),
            ("down, today", Some(&pro), &basic, 0, Ok(())),
            (
                "down, too early",
                Some(&pro),
                &basic,
                30 * day + 1,
                Err(RenewalRefused::TooEarly { days_left: 30 }),
            ),
            ("same price", Some(&basic), &basic, day, Ok(())),
            ("up", Some(&basic), &pro, day, Err(RenewalRefused::Dearer)),
            ("from a SKU gone", None, &pro, day, Ok(())),
        ];
        for (name, source, target, left, want) in cases {
            assert_eq!(renewal_move(source, target, left), want, "{name}");
        }
    }
}
