//! Discount rates as people here write them: 折 (8.5 折 is paying 85 % of the list
//! price), kept as basis points of the price paid (8500) as the API takes them.

use crate::web::Lang;

/// What a person typed for a rate in 折, as basis points paid: "8.5", "8.5折", "８.５"
/// and "9" read as they look. None unless it is above 0 and below 10 折, with at most two
/// decimals.
pub fn parse(typed: &str) -> Option<i64> {
    let text = typed.trim();
    let text = text.strip_suffix('折').unwrap_or(text).trim();
    if text.starts_with(['¥', '￥']) || text.contains(',') {
        return None;
    }
    // Hundredths of 折, read as money is (two decimals at most).
    let hundredths = crate::market_console::yuan::parse(text)?;
    (1..1000).contains(&hundredths).then_some(hundredths * 10)
}

/// A rate for people: "8.5 折" in Chinese, "85% of the price" in English.
pub fn words(paid_bp: i64, lang: Lang) -> String {
    let trimmed = |whole: i64, fraction: i64, places: usize| {
        let fraction = format!("{fraction:0places$}");
        let fraction = fraction.trim_end_matches('0');
        if fraction.is_empty() {
            whole.to_string()
        } else {
            format!("{whole}.{fraction}")
        }
    };
    match lang {
        Lang::Zh => format!("{} 折", trimmed(paid_bp / 1000, paid_bp % 1000, 3)),
        Lang::En => format!("{}% of the price", trimmed(paid_bp / 100, paid_bp % 100, 2)),
    }
}

/// `words`, as templates call it (with references).
pub fn shown(paid_bp: &i64, lang: &Lang) -> String {
    words(*paid_bp, *lang)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates_read_as_people_write_them() {
        for (typed, bp) in [
            ("8.5", Some(8500)),
            ("8.5折", Some(8500)),
            (" 9 折 ", Some(9000)),
            ("８.５", Some(8500)),
            ("8.75", Some(8750)),
            ("0.01", Some(10)),
            ("9.99", Some(9990)),
            ("10", None),
            ("0", None),
            ("8.555", None),
            ("-8", None),
            ("85%", None),
            ("¥8", None),
            ("", None),
            ("八五折", None),
        ] {
            assert_eq!(parse(typed), bp, "{typed:?}");
        }
        assert_eq!(words(8500, Lang::Zh), "8.5 折");
        assert_eq!(words(8000, Lang::Zh), "8 折");
        assert_eq!(words(8555, Lang::Zh), "8.555 折");
        assert_eq!(words(8500, Lang::En), "85% of the price");
        assert_eq!(words(8555, Lang::En), "85.55% of the price");
    }
}
