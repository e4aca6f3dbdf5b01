//! `GET /me/todos`: what waits on the caller, per role.

use actix_web::{web, HttpResponse};

use super::service::{todos as todos_of, Todos};
use crate::http::caller::Caller;
use crate::http::error::MarketError;
use crate::state::Marketplace;

/// What waits on the caller: one group per role they hold (buyer, seller, operator)
#[utoipa::path(
    get,
    path = "/api/marketplace/v1/me/todos",
    tag = "caller",
    responses((status = 200, description = "The caller's to-dos", body = Todos), crate::http::schema::Refusals),
    security(("bearer" = []))
)]
pub async fn todos(
    caller: Caller,
    market: web::Data<Marketplace>,
) -> Result<HttpResponse, MarketError> {
    if !caller.is_user() {
        return Err(MarketError::Forbidden(
            "To-dos are for signed-in users".into(),
        ));
    }
    Ok(HttpResponse::Ok().json(todos_of(&market, &caller).await?))
}
