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
pub mod home;
pub mod http;
pub mod ids;
pub mod inbox;
pub mod kit;
pub mod open_api;
pub mod orders;
mod routes;
pub mod sealing;
pub mod selling;
pub mod state;
pub mod store;
pub mod subscriptions;
pub mod supervision;
pub mod unsubscribe;
pub mod upgrades;
pub mod vouchers;
pub mod words;
pub mod work_orders;
pub mod workflow;

use actix_web::middleware::from_fn;
use actix_web::{web, HttpResponse};
use unilogin_core::web::refuse_control_characters;
use unilogin_core::web::route_table::{resources, RouteEntry};

pub use http::caller::{Caller, Role};
pub use http::error::MarketError;
pub use routes::routes;
pub use state::{Marketplace, BASE_PATH};

/// Registers every marketplace route. The API's routes go in one scope: a request for
/// any other path passes them all by one prefix comparison, where each resource with a
/// path parameter would otherwise run its pattern.
pub fn configure(cfg: &mut web::ServiceConfig) {
    let (api, other): (Vec<RouteEntry>, Vec<RouteEntry>) = routes()
        .into_iter()
        .partition(|r| r.path.starts_with(BASE_PATH));
    let mut scope = web::scope(BASE_PATH);
    for resource in resources(api, |path| endpoint(&path[BASE_PATH.len()..])) {
        scope = scope.service(refusing_control_characters(resource));
    }
    cfg.service(scope);
    for resource in resources(other, endpoint) {
        cfg.service(refusing_control_characters(resource));
    }
}

/// The resource, answering a path with control characters 404 in the marketplace's shape.
fn refusing_control_characters(
    resource: actix_web::Resource,
) -> impl actix_web::dev::HttpServiceFactory {
    resource.wrap(from_fn(|req, next| {
        refuse_control_characters(req, next, || {
            MarketError::NotFound("No such resource".into())
        })
    }))
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
