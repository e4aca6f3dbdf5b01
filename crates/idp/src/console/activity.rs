//! The overview's other charts of the last fourteen days: tokens issued, the most
//! sessions live at once, accounts locked. One small bar chart each (an SVG drawn here,
//! no script) and the numbers in a table.

use super::sign_ins::CHART_DAYS;
use super::texts::ConsoleTexts;
use super::{Console, ConsoleError};
use crate::admin::daily_counts::day_number;
use crate::store::durable::DailyMetric;

/// One metric's bars.
pub struct Series {
    pub id: &'static str,
    pub title: &'static str,
    pub color: &'static str,
    pub highest: i64,
    pub bars: Vec<Bar>,
}

/// One day's bar, in the SVG's coordinates.
pub struct Bar {
    pub day: String,
    /// `MM-dd` under the first, middle and last bar; empty under the others.
    pub label: String,
    pub value: i64,
    pub x: i64,
    pub y: i64,
    pub height: i64,
}

impl Bar {
    pub fn label_x(&self) -> i64 {
        self.x + BAR_WIDTH / 2
    }
}

/// One row of the numbers table.
pub struct DayNumbers {
    pub day: String,
    pub tokens: i64,
    pub sessions: i64,
    pub locked: i64,
}

pub struct Activity {
    pub series: Vec<Series>,
    pub days: Vec<DayNumbers>,
}

const PLOT_TOP: i64 = 8;
const PLOT_HEIGHT: i64 = 100;
const STEP: i64 = 22;
const BAR_WIDTH: i64 = 14;
const LEFT: i64 = 34;

/// The last `CHART_DAYS` days, today included, in the configured zone; what this instance
/// counted is written first, so that today's bar is current.
pub async fn activity(
    console: &Console,
    t: &'static ConsoleTexts,
    now: i64,
) -> Result<Activity, ConsoleError> {
    if let Err(err) = console.daily.write().await {
        tracing::warn!(error = %err, "could not write the day's counts");
    }
    let calendar = crate::calendar::local();
    let durable = console.service.durable();
    let first_number = day_number(now) - (CHART_DAYS as i64 - 1);
    let first_start = calendar
        .parse_day(&calendar.day(now))
        .unwrap_or(now - now.rem_euclid(86_400))
        - (CHART_DAYS as i64 - 1) * 86_400;
    let tokens = durable
        .days_of(DailyMetric::TokensIssued, first_number, CHART_DAYS)
        .await?;
    let sessions = durable
        .days_of(DailyMetric::SessionsLive, first_number, CHART_DAYS)
        .await?;
    let locked = durable
        .lockouts_by_day(first_start, CHART_DAYS, calendar.offset_seconds(now))
        .await?;
    let days: Vec<String> = (0..CHART_DAYS)
        .map(|i| calendar.day(first_start + i as i64 * 86_400 + 43_200))
        .collect();
    let series = vec![
        series("tokens-chart", t.chart_tokens, "#1f5fbf", &tokens, &days),
        series(
            "sessions-chart",
            t.chart_sessions,
            "#2f6f4e",
            &sessions,
            &days,
        ),
        series("locked-chart", t.chart_locked, "#b3261e", &locked, &days),
    ];
    let days = days
        .into_iter()
        .enumerate()
        .map(|(i, day)| DayNumbers {
            day,
            tokens: tokens[i],
            sessions: sessions[i],
            locked: locked[i],
        })
        .collect();
    Ok(Activity { series, days })
}

fn series(
    id: &'static str,
    title: &'static str,
    color: &'static str,
    values: &[i64],
    days: &[String],
) -> Series {
    let highest = values.iter().copied().max().unwrap_or(0).max(1);
    let last = values.len().saturating_sub(1);
    let bars = values
        .iter()
        .zip(days)
        .enumerate()
        .map(|(i, (&value, day))| {
            let height = value * PLOT_HEIGHT / highest;
            Bar {
                label: if i == 0 || i == last / 2 || i == last {
                    day[5..].to_owned()
                } else {
                    String::new()
                },
                day: day.clone(),
                value,
                x: LEFT + i as i64 * STEP,
                y: PLOT_TOP + PLOT_HEIGHT - height,
                height,
            }
        })
        .collect();
    Series {
        id,
        title,
        color,
        highest,
        bars,
    }
}
