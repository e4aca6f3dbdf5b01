//! The admin REST API under `/api/admin/v1/`: a resource server of its own (audience
//! `{issuer}/api/admin`, scopes `admin.read` and `admin.write`) over the admin service,
//! so it changes exactly what the command line changes and audits it the same way.
//! JSON in and out; errors are `application/problem+json`; lists page with `limit` and an
//! opaque `cursor`; updates need `If-Match` with the `ETag` that was read.

mod caller;
mod clients;
mod events;
mod openapi;
pub mod problem;
mod request;
mod settings;
mod tenants;
mod users;

use std::sync::Arc;

use actix_web::http::{header, Method};
use actix_web::middleware::{from_fn, DefaultHeaders};
use actix_web::web;

use crate::admin::AdminService;
use crate::tokens::AccessVerifier;
use crate::web::refuse_control_characters;
use crate::web::route_table::{entry, RouteEntry};

pub const BASE_PATH: &str = "/api/admin/v1";

pub struct AdminApi {
    pub service: Arc<AdminService>,
    pub access: Arc<AccessVerifier>,
    /// This API's identifier: the `aud` its tokens must carry.
    pub audience: String,
    pub issuer: String,
}

/// Every route the API serves. The router is built from this table, and a test checks it
/// against the generated OpenAPI document in both directions.
pub fn routes() -> Vec<RouteEntry> {
    use Method as M;
    vec![
        entry("/openapi.json", M::GET, openapi::document),
        entry("/tenants", M::GET, tenants::list),
        entry("/tenants", M::POST, tenants::create),
        entry("/tenants/{id}", M::GET, tenants::show),
        entry("/tenants/{id}", M::PATCH, tenants::update),
        entry("/clients", M::GET, clients::list),
        entry("/clients", M::POST, clients::create),
        entry("/clients/{id}", M::GET, clients::show),
        entry("/clients/{id}", M::PATCH, clients::update),
        entry("/clients/{id}", M::DELETE, clients::delete),
        entry("/clients/{id}/secret", M::POST, clients::rotate_secret),
        entry("/users", M::GET, users::list),
        entry("/users", M::POST, users::create),
        entry("/users/{id}", M::GET, users::show),
        entry("/users/{id}", M::PATCH, users::update),
        entry("/users/{id}/disable", M::POST, users::disable),
        entry("/users/{id}/enable", M::POST, users::enable),
        entry("/users/{id}/password", M::POST, users::set_password),
        entry("/users/{id}/sessions", M::GET, users::sessions),
        entry("/users/{id}/sessions", M::DELETE, users::end_sessions),
        entry("/users/{id}/sessions/{sid}", M::DELETE, users::end_session),
        entry("/users/{id}/grants", M::GET, users::grants),
        entry("/users/{id}/grants/{grant}", M::DELETE, users::revoke_grant),
        entry("/resource-servers", M::GET, settings::resource_servers),
        entry(
            "/resource-servers",
            M::POST,
            settings::create_resource_server,
        ),
        entry("/keys", M::GET, settings::keys),
        entry("/keys/rotate", M::POST, settings::rotate_keys),
        entry("/audit-events", M::GET, events::list),
        entry("/audit-events.csv", M::GET, events::export),
    ]
}

pub fn configure(cfg: &mut web::ServiceConfig) {
    let mut scope = web::scope(BASE_PATH);
    for resource in crate::web::route_table::resources(routes(), endpoint) {
        scope = scope.service(resource);
    }
    // Answers show client secrets once, and everything here is an administrator's view:
    // nothing may be kept by a cache on the way.
    let no_store = DefaultHeaders::new().add((header::CACHE_CONTROL, "no-store"));
    let refuse_control = from_fn(|req, next| {
        refuse_control_characters(req, next, || {
            problem::ApiError::NotFound("No such resource in the admin API".into())
        })
    });
    cfg.service(
        scope
            .default_service(web::to(not_found))
            .wrap(refuse_control)
            .wrap(no_store),
    );
}

fn endpoint(path: &str) -> actix_web::Resource {
    web::resource(path).default_service(web::to(method_not_allowed))
}

async fn method_not_allowed() -> Result<actix_web::HttpResponse, problem::ApiError> {
    Err(problem::ApiError::MethodNotAllowed)
}

async fn not_found() -> Result<actix_web::HttpResponse, problem::ApiError> {
    Err(problem::ApiError::NotFound(
        "No such resource in the admin API".into(),
    ))
}

#[cfg(test)]
mod tests {
    use utoipa::OpenApi;

    use super::openapi::AdminDocument;
    use super::{routes, BASE_PATH};

    #[test]
    fn the_document_and_the_router_name_the_same_routes() {
        let document = serde_json::to_value(AdminDocument::openapi()).unwrap();
        crate::web::route_table::assert_documented(&routes(), BASE_PATH, &document);
    }
}
