//! The OpenAPI 3 document of the admin API, generated from the handlers' annotations
//! (utoipa) and served at `/api/admin/v1/openapi.json`. A test holds it against the
//! route table in both directions.

use std::sync::OnceLock;

use actix_web::HttpResponse;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use crate::web::openapi::UniqueOperationIds;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "unilogin admin API",
        description = "Tenants, users, client registrations, resource servers, signing keys \
                       and the audit trail. Bearer tokens for the audience {issuer}/api/admin \
                       with admin.read (reads) or admin.write (reads and changes). Errors are \
                       application/problem+json (RFC 9457); updates need If-Match."
    ),
    paths(
        document,
        super::tenants::list,
        super::tenants::create,
        super::tenants::show,
        super::tenants::update,
        super::clients::list,
        super::clients::create,
        super::clients::show,
        super::clients::update,
        super::clients::delete,
        super::clients::rotate_secret,
        super::users::list,
        super::users::create,
        super::users::show,
        super::users::update,
        super::users::disable,
        super::users::enable,
        super::users::set_password,
        super::users::sessions,
        super::users::end_sessions,
        super::users::end_session,
        super::users::grants,
        super::users::revoke_grant,
        super::settings::resource_servers,
        super::settings::create_resource_server,
        super::settings::keys,
        super::settings::rotate_keys,
        super::events::list,
        super::events::export,
    ),
    modifiers(&BearerAuth, &UniqueOperationIds)
)]
pub struct AdminDocument;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .build(),
            ),
        );
    }
}

/// The document, rendered once.
pub fn json() -> &'static str {
    static DOCUMENT: OnceLock<String> = OnceLock::new();
    DOCUMENT.get_or_init(|| {
        AdminDocument::openapi()
            .to_json()
            .expect("the admin API document serialises")
    })
}

/// This document.
#[utoipa::path(
    get,
    path = "/api/admin/v1/openapi.json",
    tag = "meta",
    responses((status = 200, description = "The OpenAPI 3 document of this API"))
)]
pub async fn document() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("application/json")
        .body(json())
}
