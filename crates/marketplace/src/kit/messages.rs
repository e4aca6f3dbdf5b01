//! `/api/marketplace/v1/seller/kit/messages`: the seller's failed production-interface
//! messages (生产接口消息) with their last error, and the manual retry (重新启动).

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
    attempts: i64,
    /// Why the last attempt failed (异常信息).
    last_error: String,
    /// The body sent, without the delivered secret.
    #[schema(value_type = Object)]
    body: serde_json::Value,
    created_at: i64,
    failed_at: i64,
}

impl From<Job> for MessageView {
    fn from(job: Job) -> Self {
        let mut body = job.payload;
        if let Some(object) = body.as_object_mut() {
            object.remove("clientSecret");
        }
        Self {
            message_id: job.id,
            app_id: job.app_id,
            instance_id: job.instance_id,
            activity: job.activity.as_str(),
            attempts: job.attempts,
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

/// My failed production-interface messages, most recent first
#[utoipa::path(
    get,
    path = "/api/marketplace/v1/seller/kit/messages",
    tag = "joint-operation kit",
    responses((status = 200, description = "The failed messages (up to 200)", body = MessageList), schema::Refusals),
    security(("bearer" = ["marketplace.seller"]))
)]
pub async fn failed(
    Seller { merchant, .. }: Seller,
    market: web::Data<Marketplace>,
) -> Result<HttpResponse, MarketError> {
    let items = market
        .outbox
        .failed_of(&merchant.tenant_id, 200)
        .await?
        .into_iter()
        .map(MessageView::from)
        .collect();
    Ok(HttpResponse::Ok().json(MessageList { items }))
}

/// Start a failed message again: due now, with a fresh retry window
#[utoipa::path(
    post,
    path = "/api/marketplace/v1/seller/kit/messages/{messageId}/retry",
    tag = "joint-operation kit",
    params(("messageId" = String, Path)),
    responses((status = 202, description = "Started again"), schema::Refusals, (status = 404, description = "not_found", body = schema::ErrorBody), (status = 409, description = "conflict: not failed, a failed opening, or overtaken by a later message", body = schema::ErrorBody)),
    security(("bearer" = ["marketplace.seller"]))
)]
pub async fn retry(
    caller: Caller,
    path: web::Path<String>,
    market: web::Data<Marketplace>,
) -> Result<HttpResponse, MarketError> {
    retry_message(&market, &caller, &path.into_inner()).await?;
    Ok(HttpResponse::Accepted().finish())
}

/// The calling seller starts one of its failed messages again.
pub async fn retry_message(
    market: &Marketplace,
    caller: &Caller,
    id: &str,
) -> Result<(), MarketError> {
    let merchant = caller.seller()?;
    match market.outbox.retry_now(&merchant.tenant_id, id).await? {
        Retry::Restarted => Ok(()),
        Retry::NotFound => Err(MarketError::NotFound("No such message of yours".into())),
        Retry::Refused(why) => Err(MarketError::Conflict(why.into())),
    }
}
