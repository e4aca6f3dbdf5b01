//! Products, their review, the catalogue, orders, access keys, the signed open API and the document.

use actix_web::http::Method;

use crate::open_api::access_keys;
use crate::open_api::api as openapi;
use crate::orders::api as orders;
use crate::routes::document as api_document;
use crate::selling::api as review;
use crate::selling::catalogue;
use crate::selling::listing;
use crate::subscriptions::api as subscriptions_api;
use unilogin_core::web::route_table::{entry, RouteEntry};

pub fn routes() -> Vec<RouteEntry> {
    use Method as M;
    vec![
        entry(openapi::ORDER_QUERY_PATH, M::GET, openapi::order_query),
        entry(
            "/api/marketplace/v1/openapi.json",
            M::GET,
            api_document::document,
        ),
        entry("/api/marketplace/v1/me", M::GET, crate::http::me::me),
        entry(
            "/api/marketplace/v1/me/todos",
            M::GET,
            crate::home::api::todos,
        ),
        entry(
            "/api/marketplace/v1/seller/access-keys",
            M::GET,
            access_keys::list,
        ),
        entry(
            "/api/marketplace/v1/seller/access-keys",
            M::POST,
            access_keys::create,
        ),
        entry(
            "/api/marketplace/v1/seller/access-keys/{accessKey}",
            M::DELETE,
            access_keys::delete,
        ),
        entry(
            "/api/marketplace/v1/seller/products",
            M::POST,
            review::publish,
        ),
        entry(
            "/api/marketplace/v1/seller/products/{productId}",
            M::PUT,
            review::modify,
        ),
        entry(
            "/api/marketplace/v1/seller/products/{productId}/delist",
            M::POST,
            listing::delist,
        ),
        entry(
            "/api/marketplace/v1/seller/applications",
            M::GET,
            review::my_applications,
        ),
        entry(
            "/api/marketplace/v1/seller/applications/{applicationId}",
            M::GET,
            review::my_application,
        ),
        entry(
            "/api/marketplace/v1/seller/applications/{applicationId}",
            M::PUT,
            review::resubmit,
        ),
        entry(
            "/api/marketplace/v1/seller/applications/{applicationId}/withdraw",
            M::POST,
            review::withdraw,
        ),
        entry(
            "/api/marketplace/v1/operator/applications",
            M::GET,
            review::review_queue,
        ),
        entry(
            "/api/marketplace/v1/operator/applications/{applicationId}/approve",
            M::POST,
            review::approve,
        ),
        entry(
            "/api/marketplace/v1/operator/applications/{applicationId}/reject",
            M::POST,
            review::reject,
        ),
        entry(
            "/api/marketplace/v1/buyer/orders",
            M::GET,
            orders::buyer_orders,
        ),
        entry("/api/marketplace/v1/buyer/orders", M::POST, orders::place),
        entry(
            "/api/marketplace/v1/buyer/orders/{orderId}",
            M::GET,
            orders::buyer_order,
        ),
        entry(
            "/api/marketplace/v1/seller/orders",
            M::GET,
            orders::seller_orders,
        ),
        entry(
            "/api/marketplace/v1/seller/orders/{orderId}",
            M::GET,
            orders::seller_order,
        ),
        entry(
            "/api/marketplace/v1/buyer/subscriptions",
            M::GET,
            subscriptions_api::buyer_list,
        ),
        entry(
            "/api/marketplace/v1/buyer/subscriptions/{subscriptionId}",
            M::GET,
            subscriptions_api::buyer_show,
        ),
        entry(
            "/api/marketplace/v1/seller/subscriptions",
            M::GET,
            subscriptions_api::seller_list,
        ),
        entry(
            "/api/marketplace/v1/seller/subscriptions/{subscriptionId}",
            M::GET,
            subscriptions_api::seller_show,
        ),
        entry("/api/marketplace/v1/products", M::GET, catalogue::list),
        entry(
            "/api/marketplace/v1/products/{productId}",
            M::GET,
            catalogue::show,
        ),
    ]
}
