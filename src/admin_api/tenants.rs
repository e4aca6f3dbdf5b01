//! `/api/admin/v1/tenants`: create, list, read, and update name and domain.

use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};

use super::caller::{Access, Caller};
use super::problem::ApiError;
use super::request::{etag, if_match, json_body, page, paged, present};
use super::AdminApi;
use crate::admin::TenantUpdate;
use crate::domain::TenantId;
use crate::store::durable::TenantRecord;

#[derive(Debug, Serialize)]
pub struct TenantView {
    pub id: String,
    pub name: String,
    pub domain_name: Option<String>,
    pub created_at: i64,
    pub version: i64,
}

impl From<TenantRecord> for TenantView {
    fn from(t: TenantRecord) -> Self {
        Self {
            id: t.id,
            name: t.name,
            domain_name: t.domain_name,
            created_at: t.created_at,
            version: t.version,
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct NewTenant {
    id: String,
    name: String,
    #[serde(default)]
    domain_name: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct TenantPatch {
    #[serde(default)]
    name: Option<String>,
    /// Absent: unchanged; `null`: removed.
    #[serde(default, deserialize_with = "present")]
    domain_name: Option<Option<String>>,
}

fn one(tenant: TenantRecord, status: actix_web::http::StatusCode) -> HttpResponse {
    HttpResponse::build(status)
        .insert_header((header::ETAG, etag(tenant.version)))
        .json(TenantView::from(tenant))
}

pub async fn list(req: HttpRequest, api: web::Data<AdminApi>) -> Result<HttpResponse, ApiError> {
    Caller::identify(&req, &api, Access::Read).await?;
    let page = page(&req)?;
    let found = api.service.tenants(&page.after, page.limit + 1).await?;
    let (items, next) = paged(found, page.limit, |t| t.id.clone());
    let items: Vec<TenantView> = items.into_iter().map(TenantView::from).collect();
    Ok(HttpResponse::Ok().json(serde_json::json!({"items": items, "next_cursor": next})))
}

pub async fn create(
    req: HttpRequest,
    api: web::Data<AdminApi>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let caller = Caller::identify(&req, &api, Access::Write).await?;
    let new: NewTenant = json_body(&body)?;
    let id = TenantId::parse(&new.id).map_err(|e| ApiError::field("id", e.0))?;
    api.service
        .create_tenant(&caller.actor, &id, &new.name, new.domain_name.as_deref())
        .await?;
    let tenant = api.service.tenant(id.as_str()).await?;
    let mut response = one(tenant, actix_web::http::StatusCode::CREATED);
    if let Ok(location) =
        header::HeaderValue::from_str(&format!("{}/tenants/{}", super::BASE_PATH, id.as_str()))
    {
        response.headers_mut().insert(header::LOCATION, location);
    }
    Ok(response)
}

pub async fn show(
    req: HttpRequest,
    api: web::Data<AdminApi>,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    Caller::identify(&req, &api, Access::Read).await?;
    let tenant = api.service.tenant(&path).await?;
    Ok(one(tenant, actix_web::http::StatusCode::OK))
}

pub async fn update(
    req: HttpRequest,
    api: web::Data<AdminApi>,
    path: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let caller = Caller::identify(&req, &api, Access::Write).await?;
    let version = if_match(&req)?;
    let patch: TenantPatch = json_body(&body)?;
    let update = TenantUpdate {
        name: patch.name,
        domain_name: patch.domain_name,
    };
    let tenant = api
        .service
        .update_tenant(&caller.actor, &path, update, version)
        .await?;
    Ok(one(tenant, actix_web::http::StatusCode::OK))
}
