//! Dates and times as people here read them. Times are shown, and days and months begin
//! and end, in one configured zone (China Standard Time, `Asia/Shanghai`, unless the
//! operator sets `UNILOGIN_TIME_ZONE`); working days skip weekends and the listed public
//! holidays and count the adjusted working days ([`days`]). The upstream wire forms stay
//! in UTC ([`wire`]).
//!
//! One calendar serves the whole process: it is installed once at start-up from the
//! settings, and read where a time is shown (templates' filters included).

mod days;
mod wire;

use std::sync::OnceLock;

use jiff::civil::{Date, Weekday};
use jiff::tz::TimeZone;
use jiff::Timestamp;

pub use days::{Listed, ListedDays, CHINA as CHINA_HOLIDAYS};
pub use wire::{compact, parse_sdk_date};

/// The zone days are counted in unless the operator names another.
pub const DEFAULT_ZONE: &str = "Asia/Shanghai";

#[derive(Clone)]
pub struct Calendar {
    zone_name: String,
    zone: TimeZone,
    listed: ListedDays,
}

impl std::fmt::Debug for Calendar {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Calendar")
            .field("zone", &self.zone_name)
            .field("listed_days", &self.listed.len())
            .finish()
    }
}

impl Default for Calendar {
    /// China Standard Time with the compiled-in holidays.
    fn default() -> Self {
        Self::new(DEFAULT_ZONE, CHINA_HOLIDAYS).expect("the default calendar is valid")
    }
}

/// A `yyyy-MM-dd` day, strictly (no other separators, no short parts, a real date).
fn parse_date(raw: &str) -> Option<Date> {
    let b = raw.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' || !raw.is_ascii() {
        return None;
    }
    wire::date(&raw[0..4], &raw[5..7], &raw[8..10])
}

fn timestamp(unix: i64) -> Timestamp {
    Timestamp::from_second(unix).unwrap_or(Timestamp::UNIX_EPOCH)
}

impl Calendar {
    /// A calendar in the IANA zone `zone_name` with the listed days of `holidays` (the
    /// text of a holiday file); a mistake says what is wrong.
    pub fn new(zone_name: &str, holidays: &str) -> Result<Self, String> {
        let zone = TimeZone::get(zone_name)
            .map_err(|_| format!("`{zone_name}` is not a known IANA time zone"))?;
        let listed = ListedDays::parse(holidays)?;
        Ok(Self {
            zone_name: zone_name.to_owned(),
            zone,
            listed,
        })
    }

    pub fn zone_name(&self) -> &str {
        &self.zone_name
    }

    /// The zone's offset from UTC at `unix`, in seconds east.
    pub fn offset_seconds(&self, unix: i64) -> i64 {
        i64::from(self.zone.to_offset(timestamp(unix)).seconds())
    }

    /// The zone's offset from UTC at `unix`, as `UTC+08:00`.
    pub fn offset_label(&self, unix: i64) -> String {
        let seconds = self.zone.to_offset(timestamp(unix)).seconds();
        let sign = if seconds < 0 { '-' } else { '+' };
        let minutes = seconds.unsigned_abs() / 60;
        format!("UTC{sign}{:02}:{:02}", minutes / 60, minutes % 60)
    }

    fn date_of(&self, unix: i64) -> Date {
        self.zone.to_datetime(timestamp(unix)).date()
    }

    /// The first second of `day` in this zone.
    fn start_of(&self, day: Date) -> i64 {
        day.to_zoned_datetime(self.zone.clone())
            .and_then(|z| z.start_of_day())
            .map(|z| z.timestamp().as_second())
            .unwrap_or_default()
    }

    /// `yyyy-MM-dd HH:mm:ss`, for people.
    pub fn readable(&self, unix: i64) -> String {
        self.zone
            .to_datetime(timestamp(unix))
            .strftime("%Y-%m-%d %H:%M:%S")
            .to_string()
    }

    /// `yyyy-MM-dd`, the day `unix` falls on.
    pub fn day(&self, unix: i64) -> String {
        self.date_of(unix).strftime("%Y-%m-%d").to_string()
    }

    /// The first second of a `yyyy-MM-dd` day (as a date input sends it).
    pub fn parse_day(&self, raw: &str) -> Option<i64> {
        parse_date(raw).map(|day| self.start_of(day))
    }

    /// The first second of the day after a `yyyy-MM-dd` day: a filter or a validity "until"
    /// a day includes all of it.
    pub fn parse_day_end(&self, raw: &str) -> Option<i64> {
        let day = parse_date(raw)?.tomorrow().ok()?;
        Some(self.start_of(day))
    }

    /// The last second of a `yyyy-MM-dd` day: a filter "to" a day includes all of it.
    pub fn parse_day_last(&self, raw: &str) -> Option<i64> {
        self.parse_day_end(raw).map(|next| next - 1)
    }

    /// The first second of the month `unix` falls in: what "this month" means.
    pub fn month_start(&self, unix: i64) -> i64 {
        self.start_of(self.date_of(unix).first_of_month())
    }

    /// `yyyy-MM`, the month `unix` falls in.
    pub fn month(&self, unix: i64) -> String {
        self.date_of(unix).strftime("%Y-%m").to_string()
    }

    pub fn is_working_day(&self, day: Date) -> bool {
        match self.listed.lookup(day) {
            Some(Listed::Holiday) => false,
            Some(Listed::Workday) => true,
            None => !matches!(day.weekday(), Weekday::Saturday | Weekday::Sunday),
        }
    }

    /// The same time of day `n` working days after `start`.
    pub fn add_working_days(&self, start: i64, n: u32) -> i64 {
        let at = timestamp(start).to_zoned_datetime(self.zone.clone());
        let mut day = at.date();
        let mut left = n;
        while left > 0 {
            let Ok(next) = day.tomorrow() else { break };
            day = next;
            if self.is_working_day(day) {
                left -= 1;
            }
        }
        day.to_datetime(at.time())
            .to_zoned_datetime(self.zone.clone())
            .map(|z| z.timestamp().as_second())
            .unwrap_or(start)
    }
}

static LOCAL: OnceLock<Calendar> = OnceLock::new();

/// Makes `calendar` the process's calendar; the first installed stays (a test suite runs
/// many servers in one process, all with the default).
pub fn install(calendar: Calendar) {
    let wanted = calendar.zone_name.clone();
    if LOCAL.set(calendar).is_err() && local().zone_name != wanted {
        tracing::warn!(
            zone = %local().zone_name,
            wanted = %wanted,
            "the calendar was already installed; keeping the first"
        );
    }
}

/// The process's calendar (the default until one is installed).
pub fn local() -> &'static Calendar {
    LOCAL.get_or_init(Calendar::default)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc_day(raw: &str) -> i64 {
        Calendar::new("UTC", "").unwrap().parse_day(raw).unwrap()
    }

    #[test]
    fn days_and_months_begin_at_midnight_china_time() {
        let china = Calendar::default();
        // 2026-12-01 00:00 CST is 2026-11-30 16:00 UTC.
        let start = utc_day("2026-11-30") + 16 * 3600;
        assert_eq!(china.parse_day("2026-12-01"), Some(start));
        assert_eq!(china.parse_day_end("2026-11-30"), Some(start));
        assert_eq!(china.month_start(start), start);
        assert_eq!(china.month(start), "2026-12");
        assert_eq!(china.month(start - 1), "2026-11");
        assert_eq!(china.month_start(start + 20 * 86_400), start);
        assert_eq!(
            china.month_start(start - 1),
            utc_day("2026-10-31") + 16 * 3600
        );
        assert_eq!(china.readable(start), "2026-12-01 00:00:00");
        assert_eq!(china.day(start), "2026-12-01");
        assert_eq!(china.day(start - 1), "2026-11-30");
        assert_eq!(china.offset_label(start), "UTC+08:00");
        for bad in [
            "2019-02-30",
            "2019/11/15",
            "2019-1-155",
            "２０１９-11-15",
            "",
        ] {
            assert_eq!(china.parse_day(bad), None, "{bad}");
        }
    }

    #[test]
    fn another_zone_moves_the_days() {
        let berlin = Calendar::new("Europe/Berlin", "").unwrap();
        // Summer time: 2026-07-01 00:00 in Berlin is 2026-06-30 22:00 UTC.
        assert_eq!(
            berlin.parse_day("2026-07-01"),
            Some(utc_day("2026-06-30") + 22 * 3600)
        );
        assert_eq!(berlin.offset_label(utc_day("2026-07-01")), "UTC+02:00");
        assert_eq!(berlin.offset_label(utc_day("2026-01-01")), "UTC+01:00");
        assert!(Calendar::new("Mars/Olympus_Mons", "")
            .unwrap_err()
            .contains("not a known IANA time zone"));
    }

    #[test]
    fn working_days_skip_weekends_and_holidays_and_count_adjusted_days() {
        let china = Calendar::default();
        let at = |day: &str, hour: i64| china.parse_day(day).unwrap() + hour * 3600;
        // A plain week: Friday + 3 working days is Wednesday.
        assert_eq!(
            china.add_working_days(at("2026-11-27", 10), 3),
            at("2026-12-02", 10)
        );
        assert_eq!(
            china.add_working_days(at("2026-11-23", 10), 3),
            at("2026-11-26", 10)
        );
        // Saturday 07:00 CST is still Friday in UTC: the weekend follows China's days.
        assert_eq!(
            china.add_working_days(at("2026-11-28", 7), 1),
            at("2026-11-30", 7)
        );
        // National Day: submitted on Wednesday 2026-09-30, the holiday runs to 10-07 and
        // Saturday 10-10 is worked: due Saturday 10-10.
        assert_eq!(
            china.add_working_days(at("2026-09-30", 15), 3),
            at("2026-10-10", 15)
        );
        // Spring Festival: Friday 02-13, then Saturday 02-14 is worked, 02-15..23 off.
        assert_eq!(
            china.add_working_days(at("2026-02-13", 9), 2),
            at("2026-02-24", 9)
        );
        // Without the listed days only weekends are skipped.
        let bare = Calendar::new(DEFAULT_ZONE, "").unwrap();
        assert_eq!(
            bare.add_working_days(at("2026-09-30", 15), 3),
            at("2026-10-05", 15)
        );
    }
}
