//! `/api/admin/v1/clients`: create (the secret shown once), list, read, update with
//! `If-Match`, rotate the secret, delete.

use actix_web::http::{header, StatusCode};
use actix_web::{web, HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};

use super::caller::{Reader, Writer};
use super::problem::{ApiError, Problem, Refusals};
use super::request::{created, if_match, json_body, page, paged, present, search, versioned};
use super::AdminApi;
use crate::admin::{ClientListing, ClientUpdate, NewClientRequest};
use crate::domain::RedirectUri;
use crate::store::durable::ClientRecord;

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ClientView {
    #[serde(flatten)]
    pub registration: ClientListing,
    pub version: i64,
    /// Only in the answer that issued it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_secret: Option<String>,
}

impl From<ClientRecord> for ClientView {
    fn from(c: ClientRecord) -> Self {
        Self {
            version: c.version,
            registration: ClientListing::from(c),
            client_secret: None,
        }
    }
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"name": "CRM", "redirect_uris": ["https://crm.example.com/callback"], "post_logout_uris": ["https://crm.example.com/"], "home_url": "https://crm.example.com/"}))]
struct NewClient {
    name: String,
    redirect_uris: Vec<String>,
    #[serde(default)]
    post_logout_uris: Vec<String>,
    #[serde(default)]
    home_url: Option<String>,
    #[serde(default)]
    public: bool,
    #[serde(default)]
    id_token_alg: Option<String>,
    #[serde(default)]
    scopes: Vec<String>,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"name": "CRM (production)"}))]
struct ClientPatch {
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    redirect_uris: Option<Vec<String>>,
    #[serde(default)]
    post_logout_uris: Option<Vec<String>>,
    #[serde(default, deserialize_with = "present")]
    home_url: Option<Option<String>>,
    #[serde(default)]
    id_token_alg: Option<String>,
    #[serde(default)]
    scopes: Option<Vec<String>>,
    #[serde(default)]
    public: Option<bool>,
}

#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = SecretRotation)]
#[schema(example = json!({"revoke_tokens": false, "grace_seconds": 86400}))]
struct Rotation {
    /// Also end every token issued to the client so far (the secret leaked).
    #[serde(default)]
    revoke_tokens: bool,
    /// Keep the old secret valid this many seconds beside the new one (at most 30 days),
    /// so that the app can switch without an outage; absent or 0: it stops at once.
    #[serde(default)]
    grace_seconds: Option<u64>,
}

fn uris(field: &str, raw: &[String]) -> Result<Vec<RedirectUri>, ApiError> {
    raw.iter()
        .enumerate()
        .map(|(i, uri)| {
            RedirectUri::parse(uri).map_err(|e| ApiError::field(&format!("{field}[{i}]"), e.0))
        })
        .collect()
}

fn one_uri(field: &str, raw: &str) -> Result<RedirectUri, ApiError> {
    RedirectUri::parse(raw).map_err(|e| ApiError::field(field, e.0))
}

fn answer(view: ClientView, status: StatusCode) -> HttpResponse {
    versioned(status, view.version, &view)
}

#[utoipa::path(
    get,
    path = "/api/admin/v1/clients",
    tag = "clients",
    params(("limit" = Option<i64>, Query, description = "1 to 200, default 50"), ("cursor" = Option<String>, Query, description = "next_cursor of the previous page"), ("q" = Option<String>, Query, description = "Searched in client id, app id and name")),
    responses((status = 200, description = "A page of clients, by id (never a secret)", body = ClientPage), Refusals, (status = 422, description = "A bad limit, cursor or q", body = Problem, content_type = "application/problem+json")),
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
        .clients(&search, &page.after, page.limit + 1)
        .await?;
    let (items, next) = paged(found, page.limit, |c| c.client_id.clone());
    Ok(HttpResponse::Ok().json(ClientPage {
        items: items.into_iter().map(ClientView::from).collect(),
        next_cursor: next,
    }))
}

#[utoipa::path(
    post,
    path = "/api/admin/v1/clients",
    tag = "clients",
    request_body = NewClient,
    responses((status = 201, description = "Created; client_secret is in this answer only", body = ClientView), Refusals, (status = 409, description = "The id is taken", body = Problem, content_type = "application/problem+json"), (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json")),
    security(("bearer" = ["admin.write"]))
)]
pub async fn create(
    Writer(caller): Writer,
    api: web::Data<AdminApi>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let new: NewClient = json_body(&body)?;
    if new.redirect_uris.is_empty() {
        return Err(ApiError::field("redirect_uris", "at least one is required"));
    }
    let request = NewClientRequest {
        name: new.name,
        redirect_uris: uris("redirect_uris", &new.redirect_uris)?,
        post_logout_uris: uris("post_logout_uris", &new.post_logout_uris)?,
        home_url: new
            .home_url
            .as_deref()
            .map(|u| one_uri("home_url", u))
            .transpose()?,
        public: new.public,
        id_token_alg: new.id_token_alg,
        scopes: new.scopes,
        client_id: None,
        app_id: None,
    };
    let registered = api.service.create_client(&caller.actor, request).await?;
    let mut view = ClientView::from(api.service.client(&registered.client_id).await?);
    view.client_secret = registered.client_secret.map(|s| s.expose().to_owned());
    let location = format!("/clients/{}", view.registration.client_id);
    Ok(created(view.version, &view, &location))
}

#[utoipa::path(
    get,
    path = "/api/admin/v1/clients/{id}",
    tag = "clients",
    params(("id" = String, Path, description = "The client's id")),
    responses((status = 200, description = "The client; its ETag is its version", body = ClientView), Refusals, (status = 404, description = "No such client", body = Problem, content_type = "application/problem+json")),
    security(("bearer" = ["admin.read"]))
)]
pub async fn show(
    _: Reader,
    api: web::Data<AdminApi>,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let client = api.service.client(&path).await?;
    Ok(answer(ClientView::from(client), StatusCode::OK))
}

#[utoipa::path(
    patch,
    path = "/api/admin/v1/clients/{id}",
    tag = "clients",
    params(("id" = String, Path, description = "The client's id"), ("If-Match" = String, Header, description = "The ETag that was read")),
    request_body = ClientPatch,
    responses((status = 200, description = "Updated; a client made confidential gets client_secret, once", body = ClientView), Refusals, (status = 404, description = "No such client", body = Problem, content_type = "application/problem+json"), (status = 412, description = "Changed since it was read", body = Problem, content_type = "application/problem+json"), (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json"), (status = 428, description = "If-Match missing", body = Problem, content_type = "application/problem+json")),
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
    let patch: ClientPatch = json_body(&body)?;
    let update = ClientUpdate {
        name: patch.name,
        redirect_uris: patch
            .redirect_uris
            .map(|raw| uris("redirect_uris", &raw))
            .transpose()?,
        post_logout_uris: patch
            .post_logout_uris
            .map(|raw| uris("post_logout_uris", &raw))
            .transpose()?,
        home_url: match patch.home_url {
            Some(Some(url)) => Some(Some(one_uri("home_url", &url)?)),
            Some(None) => Some(None),
            None => None,
        },
        id_token_alg: patch.id_token_alg,
        scopes: patch.scopes,
        public: patch.public,
    };
    let (client, secret) = api
        .service
        .update_client(&caller.actor, &path, update, version)
        .await?;
    let mut view = ClientView::from(client);
    view.client_secret = secret.map(|s| s.expose().to_owned());
    Ok(answer(view, StatusCode::OK))
}

#[utoipa::path(
    post,
    path = "/api/admin/v1/clients/{id}/secret",
    tag = "clients",
    params(("id" = String, Path, description = "The client's id")),
    request_body = Option<Rotation>,
    responses((status = 200, description = "A new client_secret, shown once; the old one stops at once, or at previous_secret_valid_until after a grace period", body = ClientView), Refusals, (status = 404, description = "No such client", body = Problem, content_type = "application/problem+json"), (status = 422, description = "A public client has no secret", body = Problem, content_type = "application/problem+json")),
    security(("bearer" = ["admin.write"]))
)]
pub async fn rotate_secret(
    Writer(caller): Writer,
    api: web::Data<AdminApi>,
    path: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let rotation: Rotation = if body.is_empty() {
        Rotation::default()
    } else {
        json_body(&body)?
    };
    let rotated = api
        .service
        .rotate_secret(
            &caller.actor,
            &path,
            crate::admin::SecretRotation {
                revoke_tokens: rotation.revoke_tokens,
                grace_seconds: rotation.grace_seconds,
            },
        )
        .await?;
    let mut view = ClientView::from(api.service.client(&path).await?);
    view.client_secret = rotated.client_secret.map(|s| s.expose().to_owned());
    Ok(answer(view, StatusCode::OK))
}

#[utoipa::path(
    delete,
    path = "/api/admin/v1/clients/{id}",
    tag = "clients",
    params(("id" = String, Path, description = "The client's id"), ("If-Match" = Option<String>, Header, description = "Checked when sent")),
    responses((status = 204, description = "Deleted; every code and token of the client ends"), Refusals, (status = 404, description = "No such client", body = Problem, content_type = "application/problem+json"), (status = 412, description = "Changed since it was read", body = Problem, content_type = "application/problem+json")),
    security(("bearer" = ["admin.write"]))
)]
pub async fn delete(
    Writer(caller): Writer,
    req: HttpRequest,
    api: web::Data<AdminApi>,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    if req.headers().contains_key(header::IF_MATCH) {
        let version = if_match(&req)?;
        if api.service.client(&path).await?.version != version {
            return Err(ApiError::PreconditionFailed);
        }
    }
    api.service.delete_client(&caller.actor, &path).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// A page of clients.
#[derive(Serialize, utoipa::ToSchema)]
pub struct ClientPage {
    pub items: Vec<ClientView>,
    /// Pass as `cursor` for the next page; `null` on the last.
    pub next_cursor: Option<String>,
}
