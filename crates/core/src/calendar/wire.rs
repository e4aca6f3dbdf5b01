//! The upstream wire forms, always in UTC as upstream defines them: `yyyyMMddHHmmss`
//! (order ids, kit timestamps) and `X-Sdk-Date` (`yyyyMMdd'T'HHmmss'Z'`).

use jiff::civil::{Date, DateTime, Time};
use jiff::tz::TimeZone;
use jiff::Timestamp;

fn utc(unix: i64) -> DateTime {
    let at = Timestamp::from_second(unix).unwrap_or(Timestamp::UNIX_EPOCH);
    TimeZone::UTC.to_datetime(at)
}

/// `yyyyMMddHHmmss` in UTC.
pub fn compact(unix: i64) -> String {
    utc(unix).strftime("%Y%m%d%H%M%S").to_string()
}

/// Exactly `n` ASCII digits.
pub(super) fn digits(raw: &str) -> Option<i64> {
    (!raw.is_empty() && raw.bytes().all(|c| c.is_ascii_digit()))
        .then(|| raw.parse().ok())
        .flatten()
}

/// A calendar date from its parts, refusing one that does not exist (`2019-02-30`).
pub(super) fn date(year: &str, month: &str, day: &str) -> Option<Date> {
    let (y, m, d) = (digits(year)?, digits(month)?, digits(day)?);
    Date::new(
        i16::try_from(y).ok()?,
        i8::try_from(m).ok()?,
        i8::try_from(d).ok()?,
    )
    .ok()
}

/// Parses `yyyyMMddTHHmmssZ` to unix seconds.
pub fn parse_sdk_date(raw: &str) -> Option<i64> {
    let b = raw.as_bytes();
    if b.len() != 16 || b[8] != b'T' || b[15] != b'Z' || !raw.is_ascii() {
        return None;
    }
    let day = date(&raw[0..4], &raw[4..6], &raw[6..8])?;
    let (h, mi, s) = (
        digits(&raw[9..11])?,
        digits(&raw[11..13])?,
        digits(&raw[13..15])?,
    );
    let time = Time::new(
        i8::try_from(h).ok()?,
        i8::try_from(mi).ok()?,
        i8::try_from(s).ok()?,
        0,
    )
    .ok()?;
    let at = TimeZone::UTC.to_timestamp(day.to_datetime(time)).ok()?;
    Some(at.as_second())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_and_parses_utc() {
        assert_eq!(compact(0), "19700101000000");
        assert_eq!(compact(1_573_788_615), "20191115033015");
        assert_eq!(compact(951_782_400), "20000229000000");
        assert_eq!(parse_sdk_date("20191115T033655Z"), Some(1_573_789_015));
        assert_eq!(parse_sdk_date("20240101T000000Z"), Some(1_704_067_200));
        for bad in [
            "20190230T000000Z",
            "20191115 033655Z",
            "2019111T033655Z",
            "20191315T000000Z",
            "2019111aT033655Z",
            "20191115T246000Z",
            "2019111+T033655Z",
        ] {
            assert_eq!(parse_sdk_date(bad), None, "{bad}");
        }
    }
}
