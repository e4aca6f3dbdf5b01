//! UTC calendar arithmetic: the upstream wire forms (`yyyyMMddHHmmss`, order ids), the
//! parsing of `X-Sdk-Date` (`yyyyMMdd'T'HHmmss'Z'`), and the console's readable times and
//! date filters.

/// Days since 1970-01-01 to (year, month, day), proleptic Gregorian (H. Hinnant's
/// `civil_from_days`).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let year = year - i64::from(month <= 2);
    let era = year.div_euclid(400);
    let yoe = year.rem_euclid(400);
    let mp = i64::from((month + 9) % 12);
    let doy = (153 * mp + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// `yyyyMMddHHmmss` in UTC.
pub fn compact(unix: i64) -> String {
    let (y, mo, d) = civil_from_days(unix.div_euclid(86_400));
    let secs = unix.rem_euclid(86_400);
    format!(
        "{y:04}{mo:02}{d:02}{:02}{:02}{:02}",
        secs / 3600,
        secs % 3600 / 60,
        secs % 60
    )
}

/// `yyyy-MM-dd HH:mm:ss` in UTC, for people.
pub fn readable(unix: i64) -> String {
    let c = compact(unix);
    format!(
        "{}-{}-{} {}:{}:{}",
        &c[0..4],
        &c[4..6],
        &c[6..8],
        &c[8..10],
        &c[10..12],
        &c[12..14]
    )
}

/// `n` working days after `start`: weekends (Saturday, Sunday in China Standard Time,
/// UTC+8) are skipped; public holidays are not known here and count as working days.
pub fn add_working_days(start: i64, n: u32) -> i64 {
    const DAY: i64 = 86_400;
    const CST: i64 = 8 * 3600;
    let weekend = |t: i64| {
        // 1970-01-01 was a Thursday: day 0 → 4 (Monday = 1 … Sunday = 7).
        let weekday = ((t + CST).div_euclid(DAY) + 3).rem_euclid(7) + 1;
        weekday >= 6
    };
    let mut at = start;
    let mut left = n;
    while left > 0 {
        at += DAY;
        if !weekend(at) {
            left -= 1;
        }
    }
    at
}

/// The first second of the month `unix` falls in, months beginning at midnight in China
/// Standard Time (UTC+8): what "this month" means on a seller's home.
pub fn month_start_cst(unix: i64) -> i64 {
    const CST: i64 = 8 * 3600;
    let (year, month, _) = civil_from_days((unix + CST).div_euclid(86_400));
    days_from_civil(year, month, 1) * 86_400 - CST
}

/// `yyyy-MM`, the month `unix` falls in, in China Standard Time.
pub fn month_cst(unix: i64) -> String {
    let (year, month, _) = civil_from_days((unix + 8 * 3600).div_euclid(86_400));
    format!("{year:04}-{month:02}")
}

/// The first second (UTC) of a `yyyy-MM-dd` day, as a date input sends it.
pub fn parse_day(raw: &str) -> Option<i64> {
    let b = raw.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let compact_form = format!("{}{}{}T000000Z", &raw[0..4], &raw[5..7], &raw[8..10]);
    parse_sdk_date(&compact_form)
}

/// Parses `yyyyMMddTHHmmssZ` to unix seconds.
pub fn parse_sdk_date(raw: &str) -> Option<i64> {
    let b = raw.as_bytes();
    if b.len() != 16 || b[8] != b'T' || b[15] != b'Z' {
        return None;
    }
    let digits = |range: std::ops::Range<usize>| -> Option<i64> {
        let part = raw.get(range)?;
        part.bytes()
            .all(|c| c.is_ascii_digit())
            .then(|| part.parse().ok())?
    };
    let (y, mo, d) = (digits(0..4)?, digits(4..6)?, digits(6..8)?);
    let (h, mi, s) = (digits(9..11)?, digits(11..13)?, digits(13..15)?);
    if !(1..=12).contains(&mo) || !(1..=31).contains(&d) || h > 23 || mi > 59 || s > 59 {
        return None;
    }
    let days = days_from_civil(y, mo as u32, d as u32);
    // Reject dates like 0230 that roll over into the next month.
    if civil_from_days(days) != (y, mo as u32, d as u32) {
        return None;
    }
    Some(days * 86_400 + h * 3600 + mi * 60 + s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn months_begin_at_midnight_china_time() {
        // 2026-12-01 00:00 CST is 2026-11-30 16:00 UTC.
        let start = parse_day("2026-11-30").unwrap() + 16 * 3600;
        assert_eq!(month_start_cst(start), start);
        assert_eq!(month_cst(start), "2026-12");
        assert_eq!(month_cst(start - 1), "2026-11");
        assert_eq!(month_start_cst(start + 20 * 86_400), start);
        assert_eq!(
            month_start_cst(start - 1),
            parse_day("2026-10-31").unwrap() + 16 * 3600
        );
    }

    #[test]
    fn working_days_skip_the_weekend_in_china_time() {
        let friday_10am_cst = parse_day("2026-11-27").unwrap() + 2 * 3600;
        let wednesday = parse_day("2026-12-02").unwrap() + 2 * 3600;
        assert_eq!(add_working_days(friday_10am_cst, 3), wednesday);
        let monday = parse_day("2026-11-23").unwrap() + 2 * 3600;
        assert_eq!(
            add_working_days(monday, 3),
            parse_day("2026-11-26").unwrap() + 2 * 3600
        );
        // Saturday 07:00 CST is still Friday in UTC: the weekend follows China's days.
        let saturday_7am_cst = parse_day("2026-11-27").unwrap() + 23 * 3600;
        assert_eq!(
            add_working_days(saturday_7am_cst, 1),
            saturday_7am_cst + 2 * 86_400
        );
    }

    #[test]
    fn formats_and_parses_utc() {
        assert_eq!(compact(0), "19700101000000");
        assert_eq!(compact(1_573_788_615), "20191115033015");
        assert_eq!(compact(951_782_400), "20000229000000");
        assert_eq!(readable(1_573_788_615), "2019-11-15 03:30:15");
        assert_eq!(parse_day("2019-11-15"), Some(1_573_776_000));
        assert_eq!(parse_day("2019-02-30"), None);
        assert_eq!(parse_day("2019/11/15"), None);
        assert_eq!(parse_day("2019-1-155"), None);
        assert_eq!(parse_sdk_date("20191115T033655Z"), Some(1_573_789_015));
        assert_eq!(parse_sdk_date("20240101T000000Z"), Some(1_704_067_200));
        for bad in [
            "20190230T000000Z",
            "20191115 033655Z",
            "2019111T033655Z",
            "20191315T000000Z",
            "2019111aT033655Z",
        ] {
            assert_eq!(parse_sdk_date(bad), None, "{bad}");
        }
    }
}
