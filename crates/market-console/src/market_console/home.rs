//! `/market/`: the home, with what waits on the user in each role they hold (买家中心,
//! 卖家中心, operations), each count linking to the list where it is done.

use actix_web::{web, HttpResponse};
use askama::Template;

use super::session::Member;
use super::texts::MarketTexts;
use super::{ok, Chrome, PageError};
use crate::marketplace::home::service::REVIEW_WORKING_DAYS;
use crate::marketplace::home::{self, Todos};
use crate::marketplace::Marketplace;

#[derive(Template)]
#[template(path = "market/home.html")]
struct HomePage {
    t: &'static MarketTexts,
    c: Chrome,
    todos: Todos,
    /// The longest wait in the review queue, and whether it is past its target.
    oldest: Option<(String, String, bool)>,
    month: String,
    review_days: u32,
}

pub async fn home(
    member: Member,
    market: web::Data<Marketplace>,
) -> Result<HttpResponse, PageError> {
    let todos = home::todos(&market, &member.caller).await?;
    let now = market.clock.now_unix();
    let oldest = todos.operator.as_ref().and_then(|o| {
        let (since, due) = (o.oldest_waiting_since?, o.oldest_due_at?);
        Some((
            crate::calendar::local().readable(since),
            crate::calendar::local().readable(due),
            due < now,
        ))
    });
    let month = todos
        .seller
        .as_ref()
        .map(|s| crate::calendar::local().month(s.month_starts_at))
        .unwrap_or_default();
    let page = HomePage {
        t: member.t,
        c: member.chrome("home"),
        todos,
        oldest,
        month,
        review_days: REVIEW_WORKING_DAYS,
    };
    Ok(ok(page.render()))
}
