//! The marketplace: a resource server that trusts only unilogin tokens (verified locally
//! through the shared `AccessVerifier`) and AK/SK signatures. It never reads passwords
//! or session cookies, and keeps its own tables (`mkt_*`).

mod access_keys;
pub mod applications;
mod caller;
mod catalogue;
mod error;
pub mod openapi;
mod order_store;
mod orders;
pub mod product;
mod review;
pub mod sealing;
pub mod signing;
pub mod store;
mod time;

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
    pub access: Arc<AccessVerifier>,
    pub sealer: Sealer,
    /// Five bad signatures in a row lock an access key for five minutes.
    pub signature_lock: FailureLock,
}

/// Registers every marketplace route.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource(openapi::ORDER_QUERY_PATH)
            .route(web::get().to(openapi::order_query))
            .default_service(web::to(method_not_allowed)),
    );
    cfg.service(
        web::scope(BASE_PATH)
            .service(
                web::resource("/openapi.json")
                    .route(web::get().to(api_document))
                    .default_service(web::to(method_not_allowed)),
            )
            .service(
                web::resource("/me")
                    .route(web::get().to(me))
                    .default_service(web::to(method_not_allowed)),
            )
            .service(
                web::resource("/seller/access-keys")
                    .route(web::get().to(access_keys::list))
                    .route(web::post().to(access_keys::create))
                    .default_service(web::to(method_not_allowed)),
            )
            .service(
                web::resource("/seller/access-keys/{access_key}")
                    .route(web::delete().to(access_keys::delete))
                    .default_service(web::to(method_not_allowed)),
            )
            .service(
                web::resource("/seller/products")
                    .route(web::post().to(review::publish))
                    .default_service(web::to(method_not_allowed)),
            )
            .service(
                web::resource("/seller/products/{product_id}")
                    .route(web::put().to(review::modify))
                    .default_service(web::to(method_not_allowed)),
            )
            .service(
                web::resource("/seller/applications")
                    .route(web::get().to(review::my_applications))
                    .default_service(web::to(method_not_allowed)),
            )
            .service(
                web::resource("/seller/applications/{application_id}")
                    .route(web::get().to(review::my_application))
                    .route(web::put().to(review::resubmit))
                    .default_service(web::to(method_not_allowed)),
            )
            .service(
                web::resource("/seller/applications/{application_id}/withdraw")
                    .route(web::post().to(review::withdraw))
                    .default_service(web::to(method_not_allowed)),
            )
            .service(
                web::resource("/operator/applications")
                    .route(web::get().to(review::review_queue))
                    .default_service(web::to(method_not_allowed)),
            )
            .service(
                web::resource("/operator/applications/{application_id}/approve")
                    .route(web::post().to(review::approve))
                    .default_service(web::to(method_not_allowed)),
            )
            .service(
                web::resource("/operator/applications/{application_id}/reject")
                    .route(web::post().to(review::reject))
                    .default_service(web::to(method_not_allowed)),
            )
            .service(
                web::resource("/buyer/orders")
                    .route(web::get().to(orders::buyer_orders))
                    .route(web::post().to(orders::place))
                    .default_service(web::to(method_not_allowed)),
            )
            .service(
                web::resource("/buyer/orders/{order_id}")
                    .route(web::get().to(orders::buyer_order))
                    .default_service(web::to(method_not_allowed)),
            )
            .service(
                web::resource("/seller/orders")
                    .route(web::get().to(orders::seller_orders))
                    .default_service(web::to(method_not_allowed)),
            )
            .service(
                web::resource("/seller/orders/{order_id}")
                    .route(web::get().to(orders::seller_order))
                    .default_service(web::to(method_not_allowed)),
            )
            .service(
                web::resource("/products")
                    .route(web::get().to(catalogue::list))
                    .default_service(web::to(method_not_allowed)),
            )
            .service(
                web::resource("/products/{product_id}")
                    .route(web::get().to(catalogue::show))
                    .default_service(web::to(method_not_allowed)),
            ),
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
