//! `/api/admin/v1/users`: create with a password, list with search and paging, read,
//! update profile and role with `If-Match`, disable and enable, set a new password, list
//! and end sessions, and list and revoke grants.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};

use super::caller::{Reader, Writer};
use super::problem::{ApiError, Problem, Refusals};
use super::request::{created, if_match, json_body, page, paged, search, versioned};
use super::AdminApi;
use crate::admin::{NewUserRequest, UserUpdate};
use crate::domain::{NewPassword, Role, TenantId, Username};
use crate::store::durable::{GrantRecord, SessionRecord, UserRecord};

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct UserView {
    pub id: String,
    pub username: String,
    pub tenant_id: String,
    pub name: String,
    pub email: String,
    pub mobile: String,
    pub role: String,
    pub org_code: String,
    pub org_name: String,
    pub project_name: String,
    pub disabled: bool,
    pub platform_admin: bool,
    pub created_at: i64,
    pub version: i64,
    /// Only in the answer that created a user without a password: the one-time link
    /// (72 hours) where they set it. Sent nowhere else; hand it over yourself.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub set_password_url: Option<String>,
}

impl From<UserRecord> for UserView {
    fn from(u: UserRecord) -> Self {
        Self {
            id: u.id,
            username: u.username,
            tenant_id: u.tenant_id,
            name: u.name,
            email: u.email,
            mobile: u.mobile,
            role: u.role,
            org_code: u.org_code,
            org_name: u.org_name,
            project_name: u.project_name,
            disabled: u.disabled,
            platform_admin: u.platform_admin,
            created_at: u.created_at,
            version: u.version,
            set_password_url: None,
        }
    }
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
struct GrantView {
    id: String,
    client_id: String,
    scope: String,
    auth_time: i64,
    created_at: i64,
}

impl From<GrantRecord> for GrantView {
    fn from(g: GrantRecord) -> Self {
        Self {
            id: g.id,
            client_id: g.client_id,
            scope: g.scope,
            auth_time: g.auth_time,
            created_at: g.created_at,
        }
    }
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
struct SessionView {
    sid: String,
    created_at: i64,
    expires_at: i64,
    address: String,
    user_agent: String,
}

impl From<SessionRecord> for SessionView {
    fn from(s: SessionRecord) -> Self {
        Self {
            sid: s.sid,
            created_at: s.created_at,
            expires_at: s.expires_at,
            address: s.address,
            user_agent: s.user_agent,
        }
    }
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"username": "zhangsan", "tenant": "tenant-example", "name": "张三", "email": "zhangsan@example.com"}))]
struct NewUser {
    username: String,
    tenant: String,
    /// Leave out to get a one-time set-password link instead.
    #[serde(default)]
    password: Option<String>,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    email: Option<String>,
    #[serde(default)]
    mobile: Option<String>,
    #[serde(default)]
    role: Option<String>,
    #[serde(default)]
    org_code: Option<String>,
    #[serde(default)]
    org_name: Option<String>,
    #[serde(default)]
    project_name: Option<String>,
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"name": "张三丰"}))]
struct UserPatch {
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    email: Option<String>,
    #[serde(default)]
    mobile: Option<String>,
    #[serde(default)]
    role: Option<String>,
    #[serde(default)]
    org_code: Option<String>,
    #[serde(default)]
    org_name: Option<String>,
    #[serde(default)]
    project_name: Option<String>,
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"password": "correct horse battery staple 2027"}))]
struct PasswordChange {
    password: String,
}

fn role(raw: Option<&str>) -> Result<Option<Role>, ApiError> {
    raw.map(|r| Role::parse(r).map_err(|e| ApiError::field("role", e.0)))
        .transpose()
}

fn password(raw: &str) -> Result<NewPassword, ApiError> {
    NewPassword::parse(raw).map_err(|e| ApiError::field("password", e.0))
}

fn answer(user: UserRecord, status: StatusCode) -> HttpResponse {
    versioned(status, user.version, &UserView::from(user))
}

#[utoipa::path(
    get,
    path = "/api/admin/v1/users",
    tag = "users",
    params(("limit" = Option<i64>, Query, description = "1 to 200, default 50"), ("cursor" = Option<String>, Query, description = "next_cursor of the previous page"), ("q" = Option<String>, Query, description = "Searched in username, name and email")),
    responses((status = 200, description = "A page of users, by id", body = UserPage), Refusals, (status = 422, description = "A bad limit, cursor or q", body = Problem, content_type = "application/problem+json")),
    security(("bearer" = ["admin.read"]))
)]
pub async fn list(
    _: Reader,
    req: HttpRequest,
    api: web::Data<AdminApi>,
) -> Result<HttpResponse, ApiError> {
    let page = page(&req)?;
    let search = search(&req)?;
    let found = api
        .service
        .users(&search, &page.after, page.limit + 1)
        .await?;
    let (items, next) = paged(found, page.limit, |u| u.id.clone());
    Ok(HttpResponse::Ok().json(UserPage {
        items: items.into_iter().map(UserView::from).collect(),
        next_cursor: next,
    }))
}

#[utoipa::path(
    post,
    path = "/api/admin/v1/users",
    tag = "users",
    request_body = NewUser,
    responses((status = 201, description = "Created; without a password, set_password_url is in this answer only", body = UserView), Refusals, (status = 409, description = "The username is taken", body = Problem, content_type = "application/problem+json"), (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json")),
    security(("bearer" = ["admin.write"]))
)]
pub async fn create(
    Writer(caller): Writer,
    api: web::Data<AdminApi>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let new: NewUser = json_body(&body)?;
    let link_wanted = new.password.is_none();
    let request = NewUserRequest {
        username: Username::parse(&new.username).map_err(|e| ApiError::field("username", e.0))?,
        tenant: TenantId::parse(&new.tenant).map_err(|e| ApiError::field("tenant", e.0))?,
        // Replaced by one nobody knows when a link is wanted.
        password: password(new.password.as_deref().unwrap_or("unused-0"))?,
        name: new.name,
        email: new.email,
        mobile: new.mobile,
        role: role(new.role.as_deref())?.unwrap_or(Role::User),
        org_code: new.org_code,
        org_name: new.org_name,
        project_name: new.project_name,
    };
    let (id, link) = if link_wanted {
        let (id, token) = api
            .service
            .create_user_with_link(&caller.actor, request)
            .await?;
        let url = format!(
            "{}/unified-login/set-password?token={}",
            api.issuer,
            token.expose()
        );
        (id, Some(url))
    } else {
        (api.service.create_user(&caller.actor, request).await?, None)
    };
    let mut view = UserView::from(api.service.user(&id).await?);
    view.set_password_url = link;
    Ok(created(view.version, &view, &format!("/users/{id}")))
}

#[utoipa::path(
    get,
    path = "/api/admin/v1/users/{id}",
    tag = "users",
    params(("id" = String, Path, description = "The user's id")),
    responses((status = 200, description = "The user; its ETag is its version", body = UserView), Refusals, (status = 404, description = "No such user", body = Problem, content_type = "application/problem+json")),
    security(("bearer" = ["admin.read"]))
)]
pub async fn show(
    _: Reader,
    api: web::Data<AdminApi>,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    Ok(answer(api.service.user(&path).await?, StatusCode::OK))
}

#[utoipa::path(
    patch,
    path = "/api/admin/v1/users/{id}",
    tag = "users",
    params(("id" = String, Path, description = "The user's id"), ("If-Match" = String, Header, description = "The ETag that was read")),
    request_body = UserPatch,
    responses((status = 200, description = "Updated", body = UserView), Refusals, (status = 404, description = "No such user", body = Problem, content_type = "application/problem+json"), (status = 412, description = "Changed since it was read", body = Problem, content_type = "application/problem+json"), (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json"), (status = 428, description = "If-Match missing", body = Problem, content_type = "application/problem+json")),
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
    let patch: UserPatch = json_body(&body)?;
    let update = UserUpdate {
        name: patch.name,
        email: patch.email,
        mobile: patch.mobile,
        role: role(patch.role.as_deref())?,
        org_code: patch.org_code,
        org_name: patch.org_name,
        project_name: patch.project_name,
    };
    let user = api
        .service
        .update_user(&caller.actor, &path, update, version)
        .await?;
    Ok(answer(user, StatusCode::OK))
}

#[utoipa::path(
    post,
    path = "/api/admin/v1/users/{id}/disable",
    tag = "users",
    params(("id" = String, Path, description = "The user's id")),
    responses((status = 200, description = "Disabled; every session and token of the user ended", body = UserView), Refusals, (status = 404, description = "No such user", body = Problem, content_type = "application/problem+json")),
    security(("bearer" = ["admin.write"]))
)]
pub async fn disable(
    Writer(caller): Writer,
    api: web::Data<AdminApi>,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let user = api.service.user(&path).await?;
    let username = Username::parse(&user.username).map_err(|_| ApiError::Internal)?;
    api.service.disable_user(&caller.actor, &username).await?;
    Ok(answer(api.service.user(&path).await?, StatusCode::OK))
}

#[utoipa::path(
    post,
    path = "/api/admin/v1/users/{id}/enable",
    tag = "users",
    params(("id" = String, Path, description = "The user's id")),
    responses((status = 200, description = "Enabled", body = UserView), Refusals, (status = 404, description = "No such user", body = Problem, content_type = "application/problem+json"), (status = 409, description = "Not disabled", body = Problem, content_type = "application/problem+json")),
    security(("bearer" = ["admin.write"]))
)]
pub async fn enable(
    Writer(caller): Writer,
    api: web::Data<AdminApi>,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    api.service.enable_user(&caller.actor, &path).await?;
    Ok(answer(api.service.user(&path).await?, StatusCode::OK))
}

#[utoipa::path(
    post,
    path = "/api/admin/v1/users/{id}/password",
    tag = "users",
    params(("id" = String, Path, description = "The user's id")),
    request_body = PasswordChange,
    responses((status = 204, description = "Set; every session and token of the user ended"), Refusals, (status = 404, description = "No such user", body = Problem, content_type = "application/problem+json"), (status = 422, description = "Too weak", body = Problem, content_type = "application/problem+json")),
    security(("bearer" = ["admin.write"]))
)]
pub async fn set_password(
    Writer(caller): Writer,
    api: web::Data<AdminApi>,
    path: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let change: PasswordChange = json_body(&body)?;
    let new = password(&change.password)?;
    let user = api.service.user(&path).await?;
    let username = Username::parse(&user.username).map_err(|_| ApiError::Internal)?;
    api.service
        .set_password(&caller.actor, &username, new)
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

#[utoipa::path(
    get,
    path = "/api/admin/v1/users/{id}/grants",
    tag = "users",
    params(("id" = String, Path, description = "The user's id")),
    responses((status = 200, description = "The live grants, newest first", body = GrantList), Refusals, (status = 404, description = "No such user", body = Problem, content_type = "application/problem+json")),
    security(("bearer" = ["admin.read"]))
)]
pub async fn grants(
    _: Reader,
    api: web::Data<AdminApi>,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let items = api.service.grants(&path).await?;
    Ok(HttpResponse::Ok().json(GrantList {
        items: items.into_iter().map(GrantView::from).collect(),
    }))
}

#[utoipa::path(
    delete,
    path = "/api/admin/v1/users/{id}/grants/{grant}",
    tag = "users",
    params(("id" = String, Path, description = "The user's id"), ("grant" = String, Path, description = "The grant id")),
    responses((status = 204, description = "Revoked: its refresh and access tokens ended"), Refusals, (status = 404, description = "No such live grant", body = Problem, content_type = "application/problem+json")),
    security(("bearer" = ["admin.write"]))
)]
pub async fn revoke_grant(
    Writer(caller): Writer,
    api: web::Data<AdminApi>,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let (user_id, grant_id) = path.into_inner();
    api.service
        .revoke_grant(&caller.actor, &user_id, &grant_id)
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

#[utoipa::path(
    get,
    path = "/api/admin/v1/users/{id}/sessions",
    tag = "users",
    params(("id" = String, Path, description = "The user's id")),
    responses((status = 200, description = "The live browser sessions, newest first", body = SessionList), Refusals, (status = 404, description = "No such user", body = Problem, content_type = "application/problem+json")),
    security(("bearer" = ["admin.read"]))
)]
pub async fn sessions(
    _: Reader,
    api: web::Data<AdminApi>,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let items = api.service.sessions(&path).await?;
    Ok(HttpResponse::Ok().json(SessionList {
        items: items.into_iter().map(SessionView::from).collect(),
    }))
}

#[utoipa::path(
    delete,
    path = "/api/admin/v1/users/{id}/sessions",
    tag = "users",
    params(("id" = String, Path, description = "The user's id")),
    responses((status = 204, description = "Every session, and every token issued until now, ended"), Refusals, (status = 404, description = "No such user", body = Problem, content_type = "application/problem+json")),
    security(("bearer" = ["admin.write"]))
)]
pub async fn end_sessions(
    Writer(caller): Writer,
    api: web::Data<AdminApi>,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    api.service.end_sessions(&caller.actor, &path).await?;
    Ok(HttpResponse::NoContent().finish())
}

#[utoipa::path(
    delete,
    path = "/api/admin/v1/users/{id}/sessions/{sid}",
    tag = "users",
    params(("id" = String, Path, description = "The user's id"), ("sid" = String, Path, description = "The session id")),
    responses((status = 204, description = "The session and what it produced ended"), Refusals, (status = 404, description = "No such live session", body = Problem, content_type = "application/problem+json")),
    security(("bearer" = ["admin.write"]))
)]
pub async fn end_session(
    Writer(caller): Writer,
    api: web::Data<AdminApi>,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let (user_id, sid) = path.into_inner();
    api.service
        .end_session(&caller.actor, &user_id, &sid)
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// A page of users.
#[derive(Serialize, utoipa::ToSchema)]
pub struct UserPage {
    pub items: Vec<UserView>,
    /// Pass as `cursor` for the next page; `null` on the last.
    pub next_cursor: Option<String>,
}

#[derive(Serialize, utoipa::ToSchema)]
struct SessionList {
    items: Vec<SessionView>,
}

#[derive(Serialize, utoipa::ToSchema)]
struct GrantList {
    items: Vec<GrantView>,
}
