//! The marketplace: a resource server that trusts only unilogin tokens (verified locally
//! through the shared `AccessVerifier`) and AK/SK signatures. It never reads passwords
//! or session cookies, and keeps its own tables (`mkt_*`).

mod access_keys;
pub mod application_queries;
pub mod applications;
mod caller;
mod catalogue;
mod error;
pub mod openapi;
mod order_request;
mod order_store;
mod orders;
pub mod product;
pub mod product_store;
mod request;
mod review;
pub mod sealing;
pub mod signing;
pub mod store;

use std::sync::Arc;

use actix_web::{web, HttpRequest, HttpResponse};

pub use caller::Role;
pub use error::MarketError;
use sealing::Sealer;
use store::MarketStore;

use crate::store::ephemeral::FailureLock;
use crate::tokens::AccessVerifier;

pub const BASE_PATH: &str = "/api/marketplace/v1";

/// Everything the marketplace's handlers share.
pub struct Marketplace {
    pub store: MarketStore,
    /// Our identifier as a resource server: tokens must name it in `aud`.
    pub audience: String,
    pub clock: crate::clock::Clock,
    pub access: Arc<AccessVerifier>,
    pub sealer: Sealer,
    /// Five bad signatures in a row from one address lock that access key there for five
    /// minutes.
    pub signature_lock: FailureLock,
}

/// Registers every marketplace route.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(endpoint(openapi::ORDER_QUERY_PATH).route(web::get().to(openapi::order_query)));
    cfg.service(
        web::scope(BASE_PATH)
            .service(endpoint("/openapi.json").route(web::get().to(api_document)))
            .service(endpoint("/me").route(web::get().to(me)))
            .service(
                endpoint("/seller/access-keys")
                    .route(web::get().to(access_keys::list))
                    .route(web::post().to(access_keys::create)),
            )
            .service(
                endpoint("/seller/access-keys/{access_key}")
                    .route(web::delete().to(access_keys::delete)),
            )
            .service(endpoint("/seller/products").route(web::post().to(review::publish)))
            .service(endpoint("/seller/products/{product_id}").route(web::put().to(review::modify)))
            .service(endpoint("/seller/applications").route(web::get().to(review::my_applications)))
            .service(
                endpoint("/seller/applications/{application_id}")
                    .route(web::get().to(review::my_application))
                    .route(web::put().to(review::resubmit)),
            )
            .service(
                endpoint("/seller/applications/{application_id}/withdraw")
                    .route(web::post().to(review::withdraw)),
            )
            .service(endpoint("/operator/applications").route(web::get().to(review::review_queue)))
            .service(
                endpoint("/operator/applications/{application_id}/approve")
                    .route(web::post().to(review::approve)),
            )
            .service(
                endpoint("/operator/applications/{application_id}/reject")
                    .route(web::post().to(review::reject)),
            )
            .service(
                endpoint("/buyer/orders")
                    .route(web::get().to(orders::buyer_orders))
                    .route(web::post().to(orders::place)),
            )
            .service(endpoint("/buyer/orders/{order_id}").route(web::get().to(orders::buyer_order)))
            .service(endpoint("/seller/orders").route(web::get().to(orders::seller_orders)))
            .service(
                endpoint("/seller/orders/{order_id}").route(web::get().to(orders::seller_order)),
            )
            .service(endpoint("/products").route(web::get().to(catalogue::list)))
            .service(endpoint("/products/{product_id}").route(web::get().to(catalogue::show))),
    );
}

/// The OpenAPI 3 document of every marketplace route (kept true by a test).
pub const API_DOCUMENT: &str = include_str!("openapi3.json");

async fn api_document() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("application/json")
        .insert_header((
            actix_web::http::header::CACHE_CONTROL,
            "public, max-age=300",
        ))
        .body(API_DOCUMENT)
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

/// `GET /api/marketplace/v1/me`: who the token says the caller is, and their roles here.
async fn me(req: HttpRequest, market: web::Data<Marketplace>) -> Result<HttpResponse, MarketError> {
    let caller = caller::Caller::identify(&req, &market).await?;
    Ok(HttpResponse::Ok().json(serde_json::json!({
        "userId": caller.is_user().then_some(caller.claims.sub.as_str()),
        "clientId": caller.claims.client_id,
        "tenant": caller.is_user().then_some(caller.claims.tenant.as_str()),
        "merchantName": caller.merchant.as_ref().map(|m| m.name.as_str()),
        "roles": caller.roles(),
    })))
}
