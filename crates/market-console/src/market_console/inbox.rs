//! The in-site messages (站内信) of the signed-in user, in every role they hold: the
//! list (all or unread), opening one (read, and on to what it is about), and marking
//! one or all read. The navigation shows the unread count on every page.

use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;

use super::session::Member;
use super::texts::MarketTexts;
use super::{done, ok, with_query, Chrome, PageError, Pager, PAGE_SIZE};
use crate::console::first_party::see_other;
use crate::console::form::Form;
use crate::marketplace::inbox::api::reader_of;
use crate::marketplace::inbox::events;
use crate::marketplace::inbox::store::InboxMessage;
use crate::marketplace::Marketplace;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/inbox", web::get().to(list))
        .route("/inbox/read-all", web::post().to(read_all))
        .route("/inbox/{id}/open", web::post().to(open))
        .route("/inbox/{id}/read", web::post().to(read));
}

/// The console page a message is about, for the side it speaks to.
pub fn subject_path(m: &InboxMessage) -> String {
    let id = &m.subject_id;
    let side = match m.audience.as_str() {
        "operators" => "operator",
        "tenant" => "seller",
        // A transfer names a seller's user personally.
        _ if m.event == "work_order.transferred" => "seller",
        _ => "buyer",
    };
    match (m.subject_type.as_str(), side) {
        ("supervision", "buyer") => format!("/market/supervisions/{id}"),
        ("supervision", "seller") => format!("/market/seller/supervisions/{id}"),
        ("supervision", _) => format!("/market/operator/supervisions/{id}"),
        ("work_order", "buyer") => format!("/market/work-orders/{id}"),
        ("work_order", "seller") => format!("/market/seller/work-orders/{id}"),
        ("work_order", _) => format!("/market/operator/work-orders/{id}"),
        ("unsubscribe", "buyer") => format!("/market/unsubscribes/{id}"),
        ("unsubscribe", "seller") => format!("/market/seller/unsubscribes/{id}"),
        ("unsubscribe", _) => format!("/market/operator/appeals/{id}"),
        ("application", "seller") => format!("/market/seller/applications/{id}"),
        ("application", _) => "/market/operator/review".into(),
        ("kit_message", _) => "/market/seller/messages".into(),
        _ => "/market/inbox".into(),
    }
}

pub struct Row {
    pub m: InboxMessage,
    pub text: String,
}

#[derive(Template)]
#[template(path = "market/inbox.html")]
pub struct InboxPage {
    pub t: &'static MarketTexts,
    pub c: Chrome,
    pub rows: Vec<Row>,
    pub unread_only: bool,
    pub pager: Pager,
}

async fn list(
    req: HttpRequest,
    member: Member,
    market: web::Data<Marketplace>,
) -> Result<HttpResponse, PageError> {
    let reader = reader_of(&member.caller)?;
    let unread_only = crate::console::query(&req, "unread") == "1";
    let offset = super::offset_of(&req);
    let (messages, total) = market
        .store
        .inbox(&reader, unread_only, offset, PAGE_SIZE)
        .await?;
    let unread = if unread_only { "1" } else { "" };
    let page = InboxPage {
        t: member.t,
        c: member.chrome("inbox"),
        rows: messages
            .into_iter()
            .map(|m| Row {
                text: events::text(&m.event, member.lang),
                m,
            })
            .collect(),
        unread_only,
        pager: Pager::new(
            &with_query("/market/inbox", &[("unread", unread)]),
            total,
            offset,
        ),
    };
    Ok(ok(page.render()))
}

/// Marks the message read for this user; 404 when it is not theirs to read.
async fn mark(member: &Member, market: &Marketplace, id: &str) -> Result<InboxMessage, PageError> {
    let reader = reader_of(&member.caller)?;
    let message = market
        .store
        .inbox_message(&reader, id)
        .await?
        .ok_or(PageError::NotFound)?;
    market.store.mark_read(&reader, Some(id)).await?;
    Ok(message)
}

/// Reads the message and goes on to what it is about.
async fn open(
    member: Member,
    path: web::Path<String>,
    form: Form,
    market: web::Data<Marketplace>,
) -> Result<HttpResponse, PageError> {
    member.check(&form)?;
    let message = mark(&member, &market, &path.into_inner()).await?;
    Ok(see_other(&subject_path(&message)))
}

async fn read(
    member: Member,
    path: web::Path<String>,
    form: Form,
    market: web::Data<Marketplace>,
) -> Result<HttpResponse, PageError> {
    member.check(&form)?;
    mark(&member, &market, &path.into_inner()).await?;
    Ok(done("/market/inbox", "read"))
}

async fn read_all(
    member: Member,
    form: Form,
    market: web::Data<Marketplace>,
) -> Result<HttpResponse, PageError> {
    member.check(&form)?;
    market
        .store
        .mark_read(&reader_of(&member.caller)?, None)
        .await?;
    Ok(done("/market/inbox", "read"))
}
