//! The public holidays and adjusted working days (调休上班日) of the years the operator
//! has listed, read from a small text file: one day or range per line,
//!
//! ```text
//! # comment
//! 2026-02-15..2026-02-23 holiday 春节
//! 2026-02-14 workday 春节调休
//! ```
//!
//! The State Council publishes each year's schedule in the autumn before; the operator
//! adds it to the file (`UNILOGIN_HOLIDAYS_FILE`) without a new release.

use std::collections::BTreeMap;

use jiff::civil::Date;

/// What a listed day is, against the plain weekday rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Listed {
    /// A public holiday (放假): not a working day even on a weekday.
    Holiday,
    /// An adjusted working day (调休上班): a working day even on a weekend.
    Workday,
}

/// The listed days, the ones the default file carries unless the operator gives another.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ListedDays(BTreeMap<Date, Listed>);

/// The schedules this release knows (2025 and 2026), compiled in.
pub const CHINA: &str = include_str!("../../data/holidays-cn.txt");

/// The longest range one line may give: a holiday is never longer than this.
const MAX_RANGE_DAYS: i32 = 31;

impl ListedDays {
    pub fn lookup(&self, day: Date) -> Option<Listed> {
        self.0.get(&day).copied()
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Reads a file of listed days; a mistake names its line.
    pub fn parse(text: &str) -> Result<Self, String> {
        let mut days = BTreeMap::new();
        for (index, line) in text.lines().enumerate() {
            let number = index + 1;
            let line = line.split('#').next().unwrap_or_default().trim();
            if line.is_empty() {
                continue;
            }
            let mut words = line.split_whitespace();
            let (Some(when), Some(kind)) = (words.next(), words.next()) else {
                return Err(format!(
                    "line {number}: expected `yyyy-MM-dd[..yyyy-MM-dd] holiday|workday [name]`"
                ));
            };
            let listed = match kind {
                "holiday" => Listed::Holiday,
                "workday" => Listed::Workday,
                other => {
                    return Err(format!(
                        "line {number}: `{other}` is neither holiday nor workday"
                    ))
                }
            };
            let (first, last) = match when.split_once("..") {
                Some((first, last)) => (first, last),
                None => (when, when),
            };
            let bad_day = |raw: &str| format!("line {number}: `{raw}` is not a day (yyyy-MM-dd)");
            let first = super::parse_date(first).ok_or_else(|| bad_day(first))?;
            let last = super::parse_date(last).ok_or_else(|| bad_day(last))?;
            let span = (last - first).get_days();
            if !(0..MAX_RANGE_DAYS).contains(&span) {
                return Err(format!(
                    "line {number}: a range runs forwards, at most {MAX_RANGE_DAYS} days"
                ));
            }
            let mut day = first;
            loop {
                if let Some(earlier) = days.insert(day, listed) {
                    if earlier != listed {
                        return Err(format!("line {number}: {day} is listed both ways"));
                    }
                }
                if day == last {
                    break;
                }
                day = day.tomorrow().map_err(|_| bad_day(when))?;
            }
        }
        Ok(Self(days))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_compiled_in_schedule_reads() {
        let days = ListedDays::parse(CHINA).unwrap();
        let spring = super::super::parse_date("2026-02-17").unwrap();
        assert_eq!(days.lookup(spring), Some(Listed::Holiday));
        let adjusted = super::super::parse_date("2026-02-14").unwrap();
        assert_eq!(days.lookup(adjusted), Some(Listed::Workday));
        assert!(days.len() > 50);
    }

    #[test]
    fn mistakes_name_their_line() {
        for (text, expected) in [
            (
                "2026-01-01 holiday\n2026-13-01 holiday",
                "line 2: `2026-13-01`",
            ),
            ("\n\n2026-01-01 vacation", "line 3: `vacation`"),
            ("2026-01-01", "line 1: expected"),
            (
                "2026-01-05..2026-01-01 holiday",
                "line 1: a range runs forwards",
            ),
            (
                "2026-01-01..2026-06-01 holiday",
                "line 1: a range runs forwards",
            ),
            (
                "2026-01-01 holiday\n2026-01-01 workday",
                "line 2: 2026-01-01 is listed both ways",
            ),
        ] {
            let error = ListedDays::parse(text).unwrap_err();
            assert!(error.starts_with(expected), "{text:?}: {error}");
        }
        assert!(ListedDays::parse("# nothing\n\n").unwrap().is_empty());
    }
}
