//! The marketplace: a resource server that trusts only unilogin tokens (verified locally
//! through the shared `AccessVerifier`) and AK/SK signatures. It never reads passwords
//! or session cookies, and keeps its own tables (`mkt_*`). It depends on the core only,
//! never on the identity provider.
//!
//! Each workflow is a folder of the same files: `machine.rs` (the state enum, one
//! `transition` and its table test), `service.rs` (the use cases the API and the console
//! both call), `api.rs` (the handlers), `store.rs` (its SQL), `view.rs` (wire shapes),
//! and `rules.rs` where there is pure policy. `http/` holds the callers, errors and
//! request reading; `workflow/` what every workflow shares; `routes/` the route table.

pub mod discounts;
pub mod http;
pub mod inbox;
pub mod kit;
pub mod open_api;
pub mod orders;
mod routes;
pub mod sealing;
pub mod selling;
pub mod store;
pub mod subscriptions;
pub mod supervision;
pub mod unsubscribe;
pub mod upgrades;
pub mod vouchers;
pub mod work_orders;
pub mod workflow;

use std::sync::Arc;

use actix_web::{web, HttpRequest, HttpResponse};

pub use http::caller::{Caller, Role};
pub use http::error::MarketError;
pub use routes::routes;
use sealing::Sealer;
use store::MarketStore;

use unilogin_core::store::ephemeral::FailureLock;
use unilogin_core::tokens::AccessVerifier;

pub const BASE_PATH: &str = "/api/marketplace/v1";

/// Everything the marketplace's handlers share.
pub struct Marketplace {
    pub store: MarketStore,
    /// Our identifier as a resource server: tokens must name it in `aud`.
    pub audience: String,
    pub clock: unilogin_core::clock::Clock,
    pub access: Arc<AccessVerifier>,
    pub sealer: Sealer,
    /// Five bad signatures in a row from one address lock that access key there for five
    /// minutes.
    pub signature_lock: FailureLock,
    /// Per-tenant registrations of joint-operation apps, through the admin service.
    pub admin: Arc<unilogin_core::admin::AdminService>,
    /// The one client for sellers' production URLs.
    pub outbound: Arc<unilogin_core::outbound::Outbound>,
    /// The calls to sellers' production URLs.
    pub outbox: kit::outbox::Outbox,
    /// Where in-site messages also go (e-mail, SMS), after their change commits.
    pub channels: inbox::Channels,
}

/// Registers every marketplace route.
pub fn configure(cfg: &mut web::ServiceConfig) {
    for resource in unilogin_core::web::route_table::resources(routes(), endpoint) {
        cfg.service(resource);
    }
}

/// A route whose other methods answer 405 with a JSON error.
fn endpoint(path: &str) -> actix_web::Resource {
    web::resource(path).default_service(web::to(method_not_allowed))
}

async fn method_not_allowed() -> HttpResponse {
    HttpResponse::MethodNotAllowed().json(serde_json::json!({
        "error": "method_not_allowed",
        "error_description": "HTTP method not allowed for this endpoint",
    }))
}

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
    responses((status = 200, description = "The caller", body = MeView), http::schema::Refusals),
    security(("bearer" = []))
)]
pub async fn me(
    req: HttpRequest,
    market: web::Data<Marketplace>,
) -> Result<HttpResponse, MarketError> {
    let caller = http::caller::Caller::identify(&req, &market).await?;
    Ok(HttpResponse::Ok().json(MeView {
        user_id: caller.is_user().then_some(caller.claims.sub.as_str()),
        client_id: &caller.claims.client_id,
        tenant: caller.is_user().then_some(caller.claims.tenant.as_str()),
        merchant_name: caller.merchant.as_ref().map(|m| m.name.as_str()),
        roles: caller.roles(),
    }))
}
