//! The joint-operation kit: apps, debug cases, failed messages, buyers' instances.

use actix_web::http::Method;

use crate::*;
use unilogin_core::web::route_table::{entry, RouteEntry};

pub fn routes() -> Vec<RouteEntry> {
    use Method as M;
    vec![
        entry(
            "/api/marketplace/v1/seller/kit/apps",
            M::GET,
            kit::apps::list,
        ),
        entry(
            "/api/marketplace/v1/seller/kit/apps",
            M::POST,
            kit::apps::create,
        ),
        entry(
            "/api/marketplace/v1/seller/kit/apps/{appId}/debug-requests",
            M::POST,
            kit::debug_api::generate,
        ),
        entry(
            "/api/marketplace/v1/seller/kit/apps/{appId}/debug-cases",
            M::GET,
            kit::debug_api::list,
        ),
        entry(
            "/api/marketplace/v1/seller/kit/apps/{appId}/debug-cases",
            M::POST,
            kit::debug_api::debug_and_save,
        ),
        entry(
            "/api/marketplace/v1/seller/kit/messages",
            M::GET,
            kit::messages::failed,
        ),
        entry(
            "/api/marketplace/v1/seller/kit/messages/{messageId}/retry",
            M::POST,
            kit::messages::retry,
        ),
        entry(
            "/api/marketplace/v1/buyer/kit/instances",
            M::GET,
            kit::buyer::list,
        ),
        entry(
            "/api/marketplace/v1/buyer/kit/instances/{instanceId}/users/{userId}",
            M::PUT,
            kit::buyer::authorize,
        ),
        entry(
            "/api/marketplace/v1/buyer/kit/instances/{instanceId}/users/{userId}",
            M::DELETE,
            kit::buyer::remove,
        ),
        entry(
            "/api/marketplace/v1/seller/kit/apps/{appId}",
            M::GET,
            kit::apps::show,
        ),
        entry(
            "/api/marketplace/v1/seller/kit/apps/{appId}",
            M::PUT,
            kit::apps::update,
        ),
    ]
}
