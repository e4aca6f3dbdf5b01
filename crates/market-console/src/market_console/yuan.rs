//! Money as people write it: typed and shown in yuan with two decimals, kept in fen.

/// An amount in fen, for people: 9900 reads ¥99.00, -50 reads -¥0.50.
pub fn money(fen: i64) -> String {
    let sign = if fen < 0 { "-" } else { "" };
    format!("{sign}¥{}", field(fen.unsigned_abs()))
}

/// An amount in fen as a form field shows it: 9900 is "99.00".
pub fn field(fen: u64) -> String {
    format!("{}.{:02}", fen / 100, fen % 100)
}

/// What a person typed for an amount of yuan, in fen: "99", "99.5", "99.00", "¥1,299.00"
/// and "１２" all read as they look. None when it is no amount, is negative, has more than
/// two decimals or is beyond any price.
pub fn parse(typed: &str) -> Option<i64> {
    let text: String = typed
        .trim()
        .chars()
        .map(|c| match c {
            // Full-width digits and point, as a Chinese input method may type them.
            '０'..='９' => char::from(b'0' + (c as u32 - '０' as u32) as u8),
            '．' => '.',
            c => c,
        })
        .filter(|c| *c != ',')
        .collect();
    let text = text
        .strip_prefix('¥')
        .or_else(|| text.strip_prefix('￥'))
        .unwrap_or(&text)
        .trim();
    let (whole, cents) = text.split_once('.').unwrap_or((text, ""));
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if whole.is_empty() && cents.is_empty() || !digits(whole) || !digits(cents) || cents.len() > 2 {
        return None;
    }
    // A billion yuan is beyond any price here, and far from overflowing.
    if whole.len() > 10 {
        return None;
    }
    let whole: i64 = if whole.is_empty() {
        0
    } else {
        whole.parse().ok()?
    };
    let cents: i64 = format!("{cents:0<2}").parse().ok()?;
    Some(whole * 100 + cents)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_read_as_people_type_them() {
        for (typed, fen) in [
            ("99", 9900),
            ("99.00", 9900),
            ("99.5", 9950),
            ("0.01", 1),
            (".5", 50),
            ("0", 0),
            (" ¥1,299.00 ", 129_900),
            ("￥12", 1200),
            ("１２．３", 1230),
            ("9999999999.99", 999_999_999_999),
        ] {
            assert_eq!(parse(typed), Some(fen), "{typed:?}");
        }
        for typed in [
            "",
            ".",
            "-1",
            "1.001",
            "1e3",
            "abc",
            "1.2.3",
            "12 34",
            "99999999999",
            "+5",
            "¥",
        ] {
            assert_eq!(parse(typed), None, "{typed:?}");
        }
    }

    #[test]
    fn amounts_show_with_two_decimals() {
        assert_eq!(money(9900), "¥99.00");
        assert_eq!(money(1), "¥0.01");
        assert_eq!(money(-50), "-¥0.50");
        assert_eq!(money(0), "¥0.00");
        assert_eq!(field(129_905), "1299.05");
        for fen in [0, 1, 10, 99, 100, 12_345, 999_999_999_999] {
            assert_eq!(parse(&field(fen as u64)), Some(fen));
        }
    }
}
