//! The admin REST API under `/api/admin/v1/`: a resource server of its own (audience
//! `{issuer}/api/admin`, scopes `admin.read` and `admin.write`) over the admin service,
//! so it changes exactly what the command line changes and audits it the same way.
//! JSON in and out; errors are `application/problem+json`; lists page with `limit` and an
//! opaque `cursor`; updates need `If-Match` with the `ETag` that was read.

mod caller;
mod clients;
mod events;
pub mod problem;
mod request;
mod settings;
mod tenants;
mod users;

use std::sync::Arc;

use actix_web::web;

use crate::admin::AdminService;
use crate::tokens::AccessVerifier;

pub const BASE_PATH: &str = "/api/admin/v1";

pub struct AdminApi {
    pub service: AdminService,
    pub access: Arc<AccessVerifier>,
    /// This API's identifier: the `aud` its tokens must carry.
    pub audience: String,
    pub issuer: String,
}

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::scope(BASE_PATH)
            .service(
                endpoint("/tenants")
                    .route(web::get().to(tenants::list))
                    .route(web::post().to(tenants::create)),
            )
            .service(
                endpoint("/tenants/{id}")
                    .route(web::get().to(tenants::show))
                    .route(web::patch().to(tenants::update)),
            )
            .service(
                endpoint("/clients")
                    .route(web::get().to(clients::list))
                    .route(web::post().to(clients::create)),
            )
            .service(
                endpoint("/clients/{id}")
                    .route(web::get().to(clients::show))
                    .route(web::patch().to(clients::update))
                    .route(web::delete().to(clients::delete)),
            )
            .service(endpoint("/clients/{id}/secret").route(web::post().to(clients::rotate_secret)))
            .service(
                endpoint("/users")
                    .route(web::get().to(users::list))
                    .route(web::post().to(users::create)),
            )
            .service(
                endpoint("/users/{id}")
                    .route(web::get().to(users::show))
                    .route(web::patch().to(users::update)),
            )
            .service(endpoint("/users/{id}/disable").route(web::post().to(users::disable)))
            .service(endpoint("/users/{id}/enable").route(web::post().to(users::enable)))
            .service(endpoint("/users/{id}/password").route(web::post().to(users::set_password)))
            .service(
                endpoint("/users/{id}/sessions")
                    .route(web::get().to(users::sessions))
                    .route(web::delete().to(users::end_sessions)),
            )
            .service(
                endpoint("/users/{id}/sessions/{sid}").route(web::delete().to(users::end_session)),
            )
            .service(endpoint("/users/{id}/grants").route(web::get().to(users::grants)))
            .service(
                endpoint("/users/{id}/grants/{grant}").route(web::delete().to(users::revoke_grant)),
            )
            .service(
                endpoint("/resource-servers")
                    .route(web::get().to(settings::resource_servers))
                    .route(web::post().to(settings::create_resource_server)),
            )
            .service(endpoint("/keys").route(web::get().to(settings::keys)))
            .service(endpoint("/keys/rotate").route(web::post().to(settings::rotate_keys)))
            .service(endpoint("/audit-events").route(web::get().to(events::list)))
            .service(endpoint("/audit-events.csv").route(web::get().to(events::export)))
            .default_service(web::to(not_found)),
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
