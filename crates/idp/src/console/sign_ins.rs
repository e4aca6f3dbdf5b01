//! Sign-ins at the unified login page, successful and failed, with their address: a
//! filterable list, and the last fourteen days as a chart on the overview (an SVG drawn
//! here, no script).

use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;

use super::form::Errors;
use super::texts::ConsoleTexts;
use super::{Admin, Chrome, Console, ConsoleError, PAGE_SIZE};
use crate::store::durable::{SignIn, SignInDay, SignInFilter, SignInOutcome};

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/sign-ins", web::get().to(list));
}

/// The filter as typed, kept for the form and the next page's link.
#[derive(Default)]
struct Typed {
    username: String,
    outcome: String,
    address: String,
    from: String,
    to: String,
}

#[derive(Template)]
#[template(path = "console/sign_ins.html")]
struct SignInsPage {
    t: &'static ConsoleTexts,
    c: Chrome,
    typed: Typed,
    errors: Errors,
    sign_ins: Vec<SignIn>,
    filter_query: String,
    next: Option<String>,
}

fn read_filter(req: &HttpRequest, t: &ConsoleTexts) -> (Typed, SignInFilter, Errors, String) {
    let mut typed = Typed::default();
    let mut before = String::new();
    for (k, v) in url::form_urlencoded::parse(req.query_string().as_bytes()) {
        let v: String = v.trim().chars().take(256).collect();
        match &*k {
            "username" => typed.username = v,
            "outcome" => typed.outcome = v,
            "address" => typed.address = v,
            "from" => typed.from = v,
            "to" => typed.to = v,
            "before" => before = v,
            _ => {}
        }
    }
    let mut errors = Errors::default();
    let outcome = SignInOutcome::parse(&typed.outcome);
    if outcome.is_none() {
        typed.outcome.clear();
    }
    let (from, to) = super::day_range(&typed.from, &typed.to, t, &mut errors);
    let filter = SignInFilter {
        username: typed.username.clone(),
        outcome,
        address: typed.address.clone(),
        from,
        to,
    };
    (typed, filter, errors, before)
}

fn query_of(typed: &Typed) -> String {
    super::filter_query(&[
        ("username", &typed.username),
        ("outcome", &typed.outcome),
        ("address", &typed.address),
        ("from", &typed.from),
        ("to", &typed.to),
    ])
}

async fn list(
    req: HttpRequest,
    admin: Admin,
    console: web::Data<Console>,
) -> Result<HttpResponse, ConsoleError> {
    let (typed, filter, errors, before) = read_filter(&req, admin.t);
    let mut sign_ins = Vec::new();
    let mut next = None;
    if errors.is_empty() {
        sign_ins = console
            .service
            .durable()
            .sign_ins(&filter, &before, PAGE_SIZE + 1)
            .await?;
        next = super::one_page(&mut sign_ins, |s| s.id.clone());
    }
    let status = if errors.is_empty() {
        actix_web::http::StatusCode::OK
    } else {
        actix_web::http::StatusCode::UNPROCESSABLE_ENTITY
    };
    let page = SignInsPage {
        t: admin.t,
        c: admin.chrome("sign-ins"),
        filter_query: query_of(&typed),
        typed,
        errors,
        sign_ins,
        next,
    };
    Ok(super::page(status, page.render()))
}

/// Days the overview's chart covers.
pub const CHART_DAYS: usize = 14;

/// One day of the chart, laid out in the SVG's coordinates.
pub struct ChartDay {
    /// `MM-dd`.
    pub label: String,
    pub day: String,
    pub counts: SignInDay,
    pub x: i64,
    pub success_y: i64,
    pub success_height: i64,
    pub failure_y: i64,
    pub failure_height: i64,
}

pub struct Chart {
    pub days: Vec<ChartDay>,
    pub highest: i64,
}

/// The SVG's drawing area (its viewBox is wider and taller, for the labels).
const PLOT_TOP: i64 = 10;
const PLOT_HEIGHT: i64 = 150;
const DAY_WIDTH: i64 = 48;
const BAR_WIDTH: i64 = 18;

/// The last `CHART_DAYS` days, today included, in the configured zone.
pub async fn chart(console: &Console, now: i64) -> Result<Chart, ConsoleError> {
    let calendar = crate::calendar::local();
    let today = calendar
        .parse_day(&calendar.day(now))
        .unwrap_or(now - now.rem_euclid(86_400));
    let first = today - (CHART_DAYS as i64 - 1) * 86_400;
    let offset = calendar.offset_seconds(now);
    let counts = console
        .service
        .durable()
        .sign_ins_by_day(first, CHART_DAYS, offset)
        .await?;
    let highest = counts
        .iter()
        .map(|d| d.successes.max(d.failures))
        .max()
        .unwrap_or(0)
        .max(1);
    let height = |n: i64| n * PLOT_HEIGHT / highest;
    let days = counts
        .into_iter()
        .enumerate()
        .map(|(i, counts)| {
            let day = calendar.day(first + i as i64 * 86_400 + 43_200);
            let x = 40 + i as i64 * DAY_WIDTH;
            ChartDay {
                label: day[5..].to_owned(),
                day,
                x,
                success_y: PLOT_TOP + PLOT_HEIGHT - height(counts.successes),
                success_height: height(counts.successes),
                failure_y: PLOT_TOP + PLOT_HEIGHT - height(counts.failures),
                failure_height: height(counts.failures),
                counts,
            }
        })
        .collect();
    Ok(Chart { days, highest })
}

impl ChartDay {
    pub fn failure_x(&self) -> i64 {
        self.x + BAR_WIDTH + 2
    }

    pub fn label_x(&self) -> i64 {
        self.x + BAR_WIDTH
    }
}
