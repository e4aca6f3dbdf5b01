//! `/api/admin/v1/tenants`: create, list, read, and update name and domain.

use actix_web::{web, HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};

use super::caller::{Reader, Writer};
use super::problem::{ApiError, Problem, Refusals};
use super::request::{created, if_match, json_body, page, paged, present, versioned};
use super::AdminApi;
use crate::admin::TenantUpdate;
use crate::domain::TenantId;
use crate::store::durable::TenantRecord;

#[derive(Debug, Serialize, utoipa::ToSchema)]
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

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"id": "tenant-example", "name": "示例科技", "domain_name": "https://sso.example.com"}))]
struct NewTenant {
    id: String,
    name: String,
    #[serde(default)]
    domain_name: Option<String>,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"name": "示例科技有限公司"}))]
struct TenantPatch {
    #[serde(default)]
    name: Option<String>,
    /// Absent: unchanged; `null`: removed.
    #[serde(default, deserialize_with = "present")]
    domain_name: Option<Option<String>>,
}

fn one(tenant: TenantRecord, status: actix_web::http::StatusCode) -> HttpResponse {
    versioned(status, tenant.version, &TenantView::from(tenant))
}

#[utoipa::path(
    get,
    path = "/api/admin/v1/tenants",
    tag = "tenants",
    params(("limit" = Option<i64>, Query, description = "1 to 200, default 50"), ("cursor" = Option<String>, Query, description = "next_cursor of the previous page")),
    responses((status = 200, description = "A page of tenants, by id", body = TenantPage), Refusals, (status = 422, description = "A bad limit or cursor", body = Problem, content_type = "application/problem+json")),
    security(("bearer" = ["admin.read"]))
)]
pub async fn list(
    _: Reader,
    req: HttpRequest,
    api: web::Data<AdminApi>,
) -> Result<HttpResponse, ApiError> {
    let page = page(&req)?;
    let found = api.service.tenants(&page.after, page.limit + 1).await?;
    let (items, next) = paged(found, page.limit, |t| t.id.clone());
    Ok(HttpResponse::Ok().json(TenantPage {
        items: items.into_iter().map(TenantView::from).collect(),
        next_cursor: next,
    }))
}

#[utoipa::path(
    post,
    path = "/api/admin/v1/tenants",
    tag = "tenants",
    request_body = NewTenant,
    responses((status = 201, description = "Created", body = TenantView), Refusals, (status = 409, description = "The id is taken", body = Problem, content_type = "application/problem+json"), (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json")),
    security(("bearer" = ["admin.write"]))
)]
pub async fn create(
    Writer(caller): Writer,
    api: web::Data<AdminApi>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let new: NewTenant = json_body(&body)?;
    let id = TenantId::parse(&new.id).map_err(|e| ApiError::field("id", e.0))?;
    api.service
        .create_tenant(&caller.actor, &id, &new.name, new.domain_name.as_deref())
        .await?;
    let tenant = api.service.tenant(id.as_str()).await?;
    let location = format!("/tenants/{}", tenant.id);
    Ok(created(
        tenant.version,
        &TenantView::from(tenant),
        &location,
    ))
}

#[utoipa::path(
    get,
    path = "/api/admin/v1/tenants/{id}",
    tag = "tenants",
    params(("id" = String, Path, description = "The tenant's id")),
    responses((status = 200, description = "The tenant; its ETag is its version", body = TenantView), Refusals, (status = 404, description = "No such tenant", body = Problem, content_type = "application/problem+json")),
    security(("bearer" = ["admin.read"]))
)]
pub async fn show(
    _: Reader,
    api: web::Data<AdminApi>,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let tenant = api.service.tenant(&path).await?;
    Ok(one(tenant, actix_web::http::StatusCode::OK))
}

#[utoipa::path(
    patch,
    path = "/api/admin/v1/tenants/{id}",
    tag = "tenants",
    params(("id" = String, Path, description = "The tenant's id"), ("If-Match" = String, Header, description = "The ETag that was read")),
    request_body = TenantPatch,
    responses((status = 200, description = "Updated", body = TenantView), Refusals, (status = 404, description = "No such tenant", body = Problem, content_type = "application/problem+json"), (status = 412, description = "Changed since it was read", body = Problem, content_type = "application/problem+json"), (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json"), (status = 428, description = "If-Match missing", body = Problem, content_type = "application/problem+json")),
    security(("bearer" = ["admin.write"]))
)]
pub async fn update(
    Writer(caller): Writer,
    req: HttpRequest,
    api: web::Data<AdminApi>,
    path: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
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

/// A page of tenants.
#[derive(Serialize, utoipa::ToSchema)]
pub struct TenantPage {
    pub items: Vec<TenantView>,
    /// Pass as `cursor` for the next page; `null` on the last.
    pub next_cursor: Option<String>,
}
