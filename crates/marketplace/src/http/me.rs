//! `GET /me`: who the token says the caller is, and their roles here.

use actix_web::HttpResponse;

use crate::http::caller::{Caller, Role};
use crate::http::error::MarketError;

/// Who the token says the caller is, and their roles here.
#[derive(serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = Me)]
struct MeView<'a> {
    /// Absent for a client-credentials token.
    user_id: Option<&'a str>,
    client_id: &'a str,
    tenant: Option<&'a str>,
    merchant_name: Option<&'a str>,
    roles: Vec<Role>,
}

/// Who the token says the caller is, and their roles here
#[utoipa::path(
    get,
    path = "/api/marketplace/v1/me",
    tag = "caller",
    responses((status = 200, description = "The caller", body = MeView), crate::http::schema::Refusals),
    security(("bearer" = []))
)]
pub async fn me(caller: Caller) -> Result<HttpResponse, MarketError> {
    Ok(HttpResponse::Ok().json(MeView {
        user_id: caller.is_user().then_some(caller.claims.sub.as_str()),
        client_id: &caller.claims.client_id,
        tenant: caller.is_user().then_some(caller.claims.tenant.as_str()),
        merchant_name: caller.merchant.as_ref().map(|m| m.name.as_str()),
        roles: caller.roles(),
    }))
}
