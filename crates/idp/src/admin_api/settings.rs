//! `/api/admin/v1/resource-servers` (the built-in ones and the registered ones, register
//! one) and `/api/admin/v1/keys` (list, rotate).

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};

use super::caller::{Reader, Writer};
use super::problem::{ApiError, Problem, Refusals};
use super::request::json_body;
use super::AdminApi;
use crate::idp::Registry;

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"identifier": "https://api.example.com/", "name": "Example API", "scopes": ["orders.read"]}))]
struct NewResourceServer {
    identifier: String,
    name: String,
    scopes: Vec<String>,
}

#[derive(Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = KeyRotation)]
#[schema(example = json!({"alg": "RS256"}))]
struct Rotation {
    #[serde(default)]
    alg: Option<String>,
}

#[utoipa::path(
    get,
    path = "/api/admin/v1/resource-servers",
    tag = "resource servers",
    responses((status = 200, description = "The built-in resource servers, then the registered ones", body = ResourceServerList), Refusals),
    security(("bearer" = ["admin.read"]))
)]
pub async fn resource_servers(
    _: Reader,
    api: web::Data<AdminApi>,
) -> Result<HttpResponse, ApiError> {
    let stored = api.service.durable().list_resource_servers().await?;
    let registry = Registry::new(&api.issuer, stored);
    let items = registry
        .servers()
        .iter()
        .map(|s| ResourceServerView {
            identifier: s.identifier.clone(),
            name: s.name.clone(),
            scopes: s.scopes.clone(),
            builtin: crate::domain::resource::is_builtin_identifier(&s.identifier),
        })
        .collect();
    Ok(HttpResponse::Ok().json(ResourceServerList { items }))
}

#[utoipa::path(
    post,
    path = "/api/admin/v1/resource-servers",
    tag = "resource servers",
    request_body = NewResourceServer,
    responses((status = 201, description = "Registered", body = ResourceServerView), Refusals, (status = 409, description = "The identifier or a scope is taken", body = Problem, content_type = "application/problem+json"), (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json")),
    security(("bearer" = ["admin.write"]))
)]
pub async fn create_resource_server(
    Writer(caller): Writer,
    api: web::Data<AdminApi>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let new: NewResourceServer = json_body(&body)?;
    api.service
        .create_resource_server(
            &caller.actor,
            &new.identifier,
            &new.name,
            new.scopes.clone(),
        )
        .await?;
    Ok(
        HttpResponse::build(StatusCode::CREATED).json(serde_json::json!({
            "identifier": new.identifier,
            "name": new.name.trim(),
            "scopes": new.scopes,
            "builtin": false,
        })),
    )
}

#[utoipa::path(
    get,
    path = "/api/admin/v1/keys",
    tag = "keys",
    responses((status = 200, description = "The signing keys that can still verify a token", body = KeyList), Refusals),
    security(("bearer" = ["admin.read"]))
)]
pub async fn keys(
    _: Reader,
    _req: HttpRequest,
    api: web::Data<AdminApi>,
) -> Result<HttpResponse, ApiError> {
    let items = api.service.keys().await?;
    Ok(HttpResponse::Ok().json(KeyList {
        items: items.into_iter().map(KeyView::from).collect(),
    }))
}

#[utoipa::path(
    post,
    path = "/api/admin/v1/keys/rotate",
    tag = "keys",
    request_body = Option<Rotation>,
    responses((status = 200, description = "Rotated; the keys that remain", body = KeyList), Refusals, (status = 422, description = "Unknown algorithm", body = Problem, content_type = "application/problem+json")),
    security(("bearer" = ["admin.write"]))
)]
pub async fn rotate_keys(
    Writer(caller): Writer,
    api: web::Data<AdminApi>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let rotation: Rotation = if body.is_empty() {
        Rotation::default()
    } else {
        json_body(&body)?
    };
    let items = api
        .service
        .rotate_keys(&caller.actor, rotation.alg.as_deref())
        .await?;
    Ok(HttpResponse::Ok().json(KeyList {
        items: items.into_iter().map(KeyView::from).collect(),
    }))
}

#[derive(Serialize, utoipa::ToSchema)]
struct ResourceServerView {
    identifier: String,
    name: String,
    scopes: Vec<String>,
    /// The marketplace and the admin API are built in.
    builtin: bool,
}

#[derive(Serialize, utoipa::ToSchema)]
struct ResourceServerList {
    items: Vec<ResourceServerView>,
}

#[derive(Serialize, utoipa::ToSchema)]
struct KeyView {
    kid: String,
    alg: String,
    created_at: i64,
    /// `active` signs new tokens; `retiring` only verifies tokens it signed.
    status: String,
}

#[derive(Serialize, utoipa::ToSchema)]
struct KeyList {
    items: Vec<KeyView>,
}

impl From<crate::tokens::KeyInfo> for KeyView {
    fn from(k: crate::tokens::KeyInfo) -> Self {
        Self {
            kid: k.kid,
            alg: k.alg,
            created_at: k.created_at,
            status: k.status.to_owned(),
        }
    }
}
