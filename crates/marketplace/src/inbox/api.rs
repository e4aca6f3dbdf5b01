//! The in-site messages as JSON, for a frontend: the caller's inbox (as buyer, as a
//! seller's user, as an operator), its unread count, and marking read.

use actix_web::{web, HttpRequest, HttpResponse};
use serde::Serialize;

use crate::http::caller::{Caller, Role};
use crate::http::error::MarketError;
use crate::http::request::{page, paged, query_pairs};
use crate::http::schema::{self, Page};
use crate::inbox::events;
use crate::inbox::store::{InboxMessage, Reader};
use crate::state::Marketplace;
use unilogin_core::web::Lang;

/// The inbox of a signed-in user, in the roles they hold.
pub fn reader_of(caller: &Caller) -> Result<Reader<'_>, MarketError> {
    let roles = caller.roles();
    if !caller.is_user() || roles.is_empty() {
        return Err(MarketError::Forbidden(
            "The inbox is for signed-in buyers, sellers and operators".into(),
        ));
    }
    Ok(Reader {
        user_id: &caller.claims.sub,
        seller_tenant: caller
            .merchant
            .as_ref()
            .filter(|_| roles.contains(&Role::Seller))
            .map(|m| m.tenant_id.as_str()),
        operator: roles.contains(&Role::Operator),
    })
}

#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = InboxMessage)]
pub struct MessageView {
    message_id: String,
    /// Which of the reader's sides it speaks to: user (the buyer, or a seller's user
    /// named personally), tenant (the seller's tenant) or operators.
    audience: String,
    /// What happened, e.g. `work_order.resolved`.
    event: String,
    /// The event said in the language asked for (`lang`, default en).
    text: String,
    /// supervision, work_order, unsubscribe, application or kit_message.
    subject_type: String,
    subject_id: String,
    /// The product, or the work order's title.
    subject_name: String,
    created_at: i64,
    read: bool,
}

impl MessageView {
    fn of(m: InboxMessage, lang: Lang) -> Self {
        Self {
            text: events::text(&m.event, lang),
            message_id: m.id,
            audience: m.audience,
            event: m.event,
            subject_type: m.subject_type,
            subject_id: m.subject_id,
            subject_name: m.subject_name,
            created_at: m.created_at,
            read: m.read,
        }
    }
}

#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct UnreadCount {
    unread: i64,
}

#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Marked {
    /// How many messages became read.
    marked: u64,
}

fn lang_of(pairs: &[(String, String)]) -> Result<Lang, MarketError> {
    match pairs
        .iter()
        .find(|(k, _)| k == "lang")
        .map(|(_, v)| v.as_str())
    {
        None | Some("en") => Ok(Lang::En),
        Some("zh-CN" | "zh") => Ok(Lang::Zh),
        Some(_) => Err(MarketError::Invalid("lang is en or zh-CN".into())),
    }
}

/// My in-site messages, newest first
#[utoipa::path(
    get,
    path = "/api/marketplace/v1/inbox",
    tag = "inbox",
    params(("unread" = Option<bool>, Query, description = "true: only unread"), ("lang" = Option<String>, Query, description = "en (default) or zh-CN"), ("offset" = Option<i64>, Query, minimum = 0), ("limit" = Option<i64>, Query, minimum = 1, maximum = 100)),
    responses((status = 200, description = "A page", body = Page<MessageView>), schema::Refusals),
    security(("bearer" = []))
)]
pub async fn list(
    caller: Caller,
    req: HttpRequest,
    market: web::Data<Marketplace>,
) -> Result<HttpResponse, MarketError> {
    let reader = reader_of(&caller)?;
    let pairs = query_pairs(&req, &["unread", "lang", "offset", "limit"])?;
    let (offset, limit) = page(&pairs)?;
    let lang = lang_of(&pairs)?;
    let unread_only = match pairs
        .iter()
        .find(|(k, _)| k == "unread")
        .map(|(_, v)| v.as_str())
    {
        None | Some("false") => false,
        Some("true") => true,
        Some(_) => return Err(MarketError::Invalid("unread is true or false".into())),
    };
    let (items, total) = market
        .store
        .inbox(&reader, unread_only, offset, limit)
        .await?;
    let views = items
        .into_iter()
        .map(|m| MessageView::of(m, lang))
        .collect();
    Ok(paged::<MessageView>(views, total, offset, limit))
}

/// How many of my in-site messages are unread
#[utoipa::path(
    get,
    path = "/api/marketplace/v1/inbox/unread-count",
    tag = "inbox",
    responses((status = 200, description = "The count", body = UnreadCount), schema::Refusals),
    security(("bearer" = []))
)]
pub async fn unread_count(
    caller: Caller,
    market: web::Data<Marketplace>,
) -> Result<HttpResponse, MarketError> {
    let unread = market.store.unread_count(&reader_of(&caller)?).await?;
    Ok(HttpResponse::Ok().json(UnreadCount { unread }))
}

/// Mark one of my messages read
#[utoipa::path(
    post,
    path = "/api/marketplace/v1/inbox/{messageId}/read",
    tag = "inbox",
    params(("messageId" = String, Path)),
    responses((status = 200, description = "Read (also when it was already)", body = Marked), schema::Refusals, (status = 404, description = "not_found", body = schema::ErrorBody)),
    security(("bearer" = []))
)]
pub async fn mark_read(
    caller: Caller,
    path: web::Path<String>,
    market: web::Data<Marketplace>,
) -> Result<HttpResponse, MarketError> {
    let reader = reader_of(&caller)?;
    let id = path.into_inner();
    if market.store.inbox_message(&reader, &id).await?.is_none() {
        return Err(MarketError::NotFound("No such message".into()));
    }
    let marked = market.store.mark_read(&reader, Some(&id)).await?;
    Ok(HttpResponse::Ok().json(Marked { marked }))
}

/// Mark all my messages read
#[utoipa::path(
    post,
    path = "/api/marketplace/v1/inbox/read-all",
    tag = "inbox",
    responses((status = 200, description = "Read", body = Marked), schema::Refusals),
    security(("bearer" = []))
)]
pub async fn mark_all_read(
    caller: Caller,
    market: web::Data<Marketplace>,
) -> Result<HttpResponse, MarketError> {
    let marked = market.store.mark_read(&reader_of(&caller)?, None).await?;
    Ok(HttpResponse::Ok().json(Marked { marked }))
}
