//! `/api/admin/v1/resource-servers` (the built-in ones and the registered ones, register
//! one) and `/api/admin/v1/keys` (list, rotate).

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;

use super::caller::{Access, Caller};
use super::problem::ApiError;
use super::request::json_body;
use super::AdminApi;
use crate::idp::Registry;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NewResourceServer {
    identifier: String,
    name: String,
    scopes: Vec<String>,
}

#[derive(Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct Rotation {
    #[serde(default)]
    alg: Option<String>,
}

pub async fn resource_servers(
    req: HttpRequest,
    api: web::Data<AdminApi>,
) -> Result<HttpResponse, ApiError> {
    Caller::identify(&req, &api, Access::Read).await?;
    let stored = api.service.durable().list_resource_servers().await?;
    let registry = Registry::new(&api.issuer, stored);
    let items: Vec<serde_json::Value> = registry
        .servers()
        .iter()
        .map(|s| {
            let builtin = crate::domain::resource::is_builtin_identifier(&s.identifier);
            serde_json::json!({
                "identifier": s.identifier,
                "name": s.name,
                "scopes": s.scopes,
                "builtin": builtin,
            })
        })
        .collect();
    Ok(HttpResponse::Ok().json(serde_json::json!({"items": items})))
}

pub async fn create_resource_server(
    req: HttpRequest,
    api: web::Data<AdminApi>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let caller = Caller::identify(&req, &api, Access::Write).await?;
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

pub async fn keys(req: HttpRequest, api: web::Data<AdminApi>) -> Result<HttpResponse, ApiError> {
    Caller::identify(&req, &api, Access::Read).await?;
    let items = api.service.keys().await?;
    Ok(HttpResponse::Ok().json(serde_json::json!({"items": items})))
}

pub async fn rotate_keys(
    req: HttpRequest,
    api: web::Data<AdminApi>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let caller = Caller::identify(&req, &api, Access::Write).await?;
    let rotation: Rotation = if body.is_empty() {
        Rotation::default()
    } else {
        json_body(&body)?
    };
    let items = api
        .service
        .rotate_keys(&caller.actor, rotation.alg.as_deref())
        .await?;
    Ok(HttpResponse::Ok().json(serde_json::json!({"items": items})))
}
