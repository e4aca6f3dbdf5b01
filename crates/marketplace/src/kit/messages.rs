//! `/api/marketplace/v1/seller/kit/messages`: the seller's production-interface messages
//! (生产接口消息) that were not delivered, with their last error and the calls waiting
//! behind them, and the manual retry (重新启动).

use actix_web::{web, HttpResponse};
use serde::Serialize;

use crate::http::caller::Caller;
use crate::http::error::MarketError;
use crate::http::roles::Seller;
use crate::http::schema;
use crate::kit::outbox::{Job, Retry};
use crate::state::Marketplace;

#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = KitMessage)]
struct MessageView {
    message_id: String,
    app_id: String,
    /// Our instance id (empty for a call outside an instance).
    instance_id: String,
    activity: &'static str,
    /// `failed` (given up; may be started again) or `superseded` (a later sync of the
    /// same instance replaced it; never sent again).
    status: &'static str,
    attempts: i64,
    /// Calls of the same instance queued behind it and not yet delivered (a failed
    /// tenant or application sync holds them until it is delivered).
    waiting_behind: i64,
    /// Why the last attempt failed (异常信息).
    last_error: String,
    /// The body sent, without the delivered secret.
    #[schema(value_type = Object)]
    body: serde_json::Value,
    created_at: i64,
    failed_at: i64,
}

impl MessageView {
    fn new(job: Job, waiting_behind: i64) -> Self {
        let mut body = job.payload;
        if let Some(object) = body.as_object_mut() {
            object.remove("clientSecret");
        }
        Self {
            message_id: job.id,
            app_id: job.app_id,
            instance_id: job.instance_id,
            activity: job.activity.as_str(),
            status: job.status.as_str(),
            attempts: job.attempts,
            waiting_behind,
            last_error: job.last_error,
            body,
            created_at: job.created_at,
            failed_at: job.updated_at,
        }
    }
}

#[derive(Serialize, utoipa::ToSchema)]
struct MessageList {
    items: Vec<MessageView>,
}

/// My production-interface messages that were not delivered, most recent first
#[utoipa::path(
    get,
    path = "/api/marketplace/v1/seller/kit/messages",
    tag = "joint-operation kit",
    responses((status = 200, description = "The failed and superseded messages (up to 200)", body = MessageList), schema::Refusals),
    security(("bearer" = ["marketplace.seller"]))
)]
pub async fn failed(
    Seller { merchant, .. }: Seller,
    market: web::Data<Marketplace>,
) -> Result<HttpResponse, MarketError> {
    let mut items = Vec::new();
    for job in market.outbox.failed_of(&merchant.tenant_id, 200).await? {
        let waiting = market.outbox.waiting_behind(&job).await?;
        items.push(MessageView::new(job, waiting));
    }
    Ok(HttpResponse::Ok().json(MessageList { items }))
}

#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = KitMessageRestarted)]
struct Restarted {
    message_id: String,
    /// Calls of its instance that were waiting behind it: delivered after it, in order.
    waiting_behind: i64,
}

/// Start a failed message again: due now, with a fresh retry window; the calls of its
/// instance waiting behind it follow once it is delivered
#[utoipa::path(
    post,
    path = "/api/marketplace/v1/seller/kit/messages/{messageId}/retry",
    tag = "joint-operation kit",
    params(("messageId" = String, Path)),
    responses((status = 202, description = "Started again", body = Restarted), schema::Refusals, (status = 404, description = "not_found", body = schema::ErrorBody), (status = 409, description = "conflict: not failed, a failed opening, superseded by a later sync, or overtaken by a later message", body = schema::ErrorBody)),
    security(("bearer" = ["marketplace.seller"]))
)]
pub async fn retry(
    caller: Caller,
    path: web::Path<String>,
    market: web::Data<Marketplace>,
) -> Result<HttpResponse, MarketError> {
    let message_id = path.into_inner();
    let waiting_behind = retry_message(&market, &caller, &message_id).await?;
    Ok(HttpResponse::Accepted().json(Restarted {
        message_id,
        waiting_behind,
    }))
}

/// The calling seller starts one of its failed messages again; how many calls wait
/// behind it.
pub async fn retry_message(
    market: &Marketplace,
    caller: &Caller,
    id: &str,
) -> Result<i64, MarketError> {
    let merchant = caller.seller()?;
    match market.outbox.retry_now(&merchant.tenant_id, id).await? {
        Retry::Restarted => Ok(0),
        Retry::RestartedWithFollowers(waiting) => Ok(waiting),
        Retry::NotFound => Err(MarketError::NotFound("No such message of yours".into())),
        Retry::Refused(why) => Err(MarketError::Conflict(why.into())),
    }
}
