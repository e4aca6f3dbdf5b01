//! `/api/marketplace/v1/seller/kit/apps`: a seller registers the joint-operation app of
//! one of its SaaS products (home and redirect URIs, production URL, the RSA public key
//! for secret delivery, the access key of each interface category), lists, reads and
//! changes it. The app is registered at the portal too, so its link
//! `ind=UNOP&appId={id}` works from the start (for tenants with an instance).

use actix_web::{web, HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};

use crate::http::caller::Caller;
use crate::http::error::MarketError;
use crate::http::request::json_body;
use crate::http::roles::Seller;
use crate::http::schema;
use crate::kit::app_store::{KeyBindings, KitApp};
use crate::kit::secret_delivery::DeliveryKey;
use crate::state::Marketplace;
use crate::store::Merchant;
use unilogin_core::admin::{Actor, AdminError};
use unilogin_core::domain::RedirectUri;
use unilogin_core::store::StoreError;

/// An app as the seller sends it (unknown fields are refused).
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[schema(as = KitAppRequest)]
#[schema(example = json!({"productId": "P1a2b3c4d5e6f7g8h9", "name": "CRM", "homeUrl": "https://crm.example.com/", "productionUrl": "https://crm.example.com/produce", "publicKey": "-----BEGIN PUBLIC KEY-----\n…\n-----END PUBLIC KEY-----\n", "keys": {"basic": "AK1a2b3c4d5e6f7g8h9", "kitSync": "AK2b3c4d5e6f7g8h9i0", "generic": "AK3c4d5e6f7g8h9i0j1"}}))]
struct AppRequest {
    /// A SaaS product of the seller's (one app per product).
    product_id: String,
    name: String,
    /// Where the portal sends users with `?code=&tenant=`.
    home_url: String,
    /// Default: the home URL.
    #[serde(default)]
    redirect_uris: Vec<String>,
    #[serde(default)]
    post_logout_uris: Vec<String>,
    /// `https` with a domain name.
    production_url: String,
    /// PEM `PUBLIC KEY`, RSA of at least 3072 bits: instances' secrets are delivered
    /// under it (RSA-OAEP-SHA256).
    public_key: String,
    keys: KeyRequest,
}

/// The access key (its id) bound to each interface category; three different keys of
/// the seller's.
#[derive(Deserialize, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct KeyRequest {
    basic: String,
    kit_sync: String,
    generic: String,
}

#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = KitApp)]
struct AppView {
    /// The appId of the portal link `/unified-login/portal-login?ind=UNOP&appId=`.
    app_id: String,
    product_id: String,
    name: String,
    home_url: String,
    redirect_uris: Vec<String>,
    post_logout_uris: Vec<String>,
    production_url: String,
    public_key: String,
    keys: KeyRequest,
    created_at: i64,
    updated_at: i64,
}

impl From<KitApp> for AppView {
    fn from(app: KitApp) -> Self {
        Self {
            app_id: app.id,
            product_id: app.product_id,
            name: app.name,
            home_url: app.home_url,
            redirect_uris: app.redirect_uris,
            post_logout_uris: app.post_logout_uris,
            production_url: app.production_url,
            public_key: app.public_key,
            keys: KeyRequest {
                basic: app.keys.basic,
                kit_sync: app.keys.kit_sync,
                generic: app.keys.generic,
            },
            created_at: app.created_at,
            updated_at: app.updated_at,
        }
    }
}

#[derive(Serialize, utoipa::ToSchema)]
struct AppList {
    items: Vec<AppView>,
}

fn invalid(field: &str, why: impl std::fmt::Display) -> MarketError {
    MarketError::Invalid(format!("{field}: {why}"))
}

fn uri(field: &str, raw: &str) -> Result<String, MarketError> {
    RedirectUri::parse(raw)
        .map(|u| u.as_str().to_owned())
        .map_err(|e| invalid(field, e.0))
}

fn uris(field: &str, raw: &[String]) -> Result<Vec<String>, MarketError> {
    if raw.len() > 10 {
        return Err(invalid(field, "at most 10"));
    }
    raw.iter().map(|u| uri(field, u)).collect()
}

/// The request in checked form, for `merchant`.
async fn checked(
    market: &Marketplace,
    merchant: &Merchant,
    request: AppRequest,
) -> Result<(String, KitApp), MarketError> {
    let access_type = market
        .store
        .product_access_type(&request.product_id, &merchant.tenant_id)
        .await?
        .ok_or_else(|| MarketError::NotFound("No such product of yours".into()))?;
    if access_type != "saas" {
        return Err(invalid(
            "productId",
            format!("a joint-operation app needs a SaaS product, not {access_type}"),
        ));
    }
    let name = request.name.trim().to_owned();
    if name.is_empty() || name.chars().count() > 128 || name.chars().any(char::is_control) {
        return Err(invalid("name", "1 to 128 printable characters"));
    }
    let home_url = uri("homeUrl", &request.home_url)?;
    let mut redirect_uris = uris("redirectUris", &request.redirect_uris)?;
    if redirect_uris.is_empty() {
        redirect_uris.push(home_url.clone());
    }
    let post_logout_uris = uris("postLogoutUris", &request.post_logout_uris)?;
    let production_url = market
        .outbound
        .check_url(&request.production_url)
        .map_err(|e| invalid("productionUrl", e))?
        .to_string();
    DeliveryKey::from_pem(&request.public_key).map_err(|e| invalid("publicKey", e))?;
    let keys = KeyBindings {
        basic: request.keys.basic,
        kit_sync: request.keys.kit_sync,
        generic: request.keys.generic,
    };
    if keys.basic == keys.kit_sync || keys.basic == keys.generic || keys.kit_sync == keys.generic {
        return Err(invalid(
            "keys",
            "each interface category needs a different access key",
        ));
    }
    for key in [&keys.basic, &keys.kit_sync, &keys.generic] {
        let ours = market
            .store
            .access_key(key)
            .await?
            .is_some_and(|k| k.tenant_id == merchant.tenant_id);
        if !ours {
            return Err(invalid(
                "keys",
                format!("{key} is not an access key of yours"),
            ));
        }
    }
    let now = market.store.now();
    let app = KitApp {
        id: String::new(),
        seller_tenant_id: merchant.tenant_id.clone(),
        product_id: request.product_id.clone(),
        name,
        home_url,
        redirect_uris,
        post_logout_uris,
        production_url,
        public_key: request.public_key.trim().to_owned(),
        keys,
        created_at: now,
        updated_at: now,
    };
    Ok((request.product_id, app))
}

fn admin_error(err: AdminError) -> MarketError {
    match err {
        AdminError::Invalid(m) => MarketError::Invalid(m),
        AdminError::Conflict(m) => MarketError::Conflict(m),
        AdminError::NotFound(m) => MarketError::NotFound(m),
        AdminError::Stale => MarketError::Conflict("changed meanwhile: retry".into()),
        AdminError::Store(e) => e.into(),
    }
}

/// The portal learns the app's name and home (under the seller as actor).
async fn register_at_portal(
    market: &Marketplace,
    ip: &str,
    caller: &Caller,
    app: &KitApp,
) -> Result<(), MarketError> {
    let home = RedirectUri::parse(&app.home_url).map_err(|e| invalid("homeUrl", e.0))?;
    let actor = Actor::user(&caller.claims.sub, ip);
    market
        .admin
        .register_portal_app(&actor, &app.id, &app.name, &home)
        .await
        .map_err(admin_error)
}

/// Register the joint-operation app of a SaaS product
#[utoipa::path(
    post,
    path = "/api/marketplace/v1/seller/kit/apps",
    tag = "joint-operation kit",
    request_body = AppRequest,
    responses((status = 201, description = "Registered", body = AppView), schema::Refusals, (status = 404, description = "not_found: no such product of yours", body = schema::ErrorBody), (status = 409, description = "conflict: the product has an app", body = schema::ErrorBody)),
    security(("bearer" = ["marketplace.seller"]))
)]
pub async fn create(
    Seller { caller, .. }: Seller,
    req: HttpRequest,
    body: web::Bytes,
    market: web::Data<Marketplace>,
) -> Result<HttpResponse, MarketError> {
    json_body(&req, &body)?;
    let ip = unilogin_core::web::client_ip(&req);
    let app = save_app(&market, &caller, &ip, None, &body).await?;
    Ok(HttpResponse::Created().json(AppView::from(app)))
}

/// Registers (`current`: None) or changes a joint-operation app of the calling seller
/// from its JSON description, and tells the portal its name and home. The API and the
/// marketplace console both come here.
pub async fn save_app(
    market: &Marketplace,
    caller: &Caller,
    ip: &str,
    current: Option<&str>,
    body: &[u8],
) -> Result<KitApp, MarketError> {
    let merchant = caller.seller()?.clone();
    let request: AppRequest =
        serde_json::from_slice(body).map_err(|e| MarketError::Invalid(format!("app body: {e}")))?;
    let current = match current {
        Some(id) => Some(own_app(market, &merchant, id).await?),
        None => None,
    };
    if let Some(current) = &current {
        if request.product_id != current.product_id {
            return Err(invalid("productId", "an app stays with its product"));
        }
    }
    let (_, mut app) = checked(market, &merchant, request).await?;
    match current {
        Some(current) => {
            app.id = current.id;
            app.created_at = current.created_at;
            market.store.update_kit_app(&app).await?;
        }
        None => {
            app.id = format!("kit{}", unilogin_core::secret::random_id(17));
            match market.store.insert_kit_app(&app).await {
                Err(StoreError::Conflict) => {
                    return Err(MarketError::Conflict(
                        "This product has a joint-operation app already: change that one".into(),
                    ))
                }
                other => other?,
            }
        }
    }
    register_at_portal(market, ip, caller, &app).await?;
    Ok(app)
}

/// My joint-operation apps
#[utoipa::path(
    get,
    path = "/api/marketplace/v1/seller/kit/apps",
    tag = "joint-operation kit",
    responses((status = 200, description = "The seller's apps", body = AppList), schema::Refusals),
    security(("bearer" = ["marketplace.seller"]))
)]
pub async fn list(
    Seller { merchant, .. }: Seller,
    market: web::Data<Marketplace>,
) -> Result<HttpResponse, MarketError> {
    let items = market
        .store
        .kit_apps_of(&merchant.tenant_id)
        .await?
        .into_iter()
        .map(AppView::from)
        .collect();
    Ok(HttpResponse::Ok().json(AppList { items }))
}

pub async fn own_app(
    market: &Marketplace,
    merchant: &Merchant,
    id: &str,
) -> Result<KitApp, MarketError> {
    market
        .store
        .kit_app(id)
        .await?
        .filter(|a| a.seller_tenant_id == merchant.tenant_id)
        .ok_or_else(|| MarketError::NotFound("No such app of yours".into()))
}

/// One of my joint-operation apps
#[utoipa::path(
    get,
    path = "/api/marketplace/v1/seller/kit/apps/{appId}",
    tag = "joint-operation kit",
    params(("appId" = String, Path)),
    responses((status = 200, description = "The app", body = AppView), schema::Refusals, (status = 404, description = "not_found", body = schema::ErrorBody)),
    security(("bearer" = ["marketplace.seller"]))
)]
pub async fn show(
    Seller { merchant, .. }: Seller,
    path: web::Path<String>,
    market: web::Data<Marketplace>,
) -> Result<HttpResponse, MarketError> {
    let app = own_app(&market, &merchant, &path).await?;
    Ok(HttpResponse::Ok().json(AppView::from(app)))
}

/// Change one of my joint-operation apps (the product stays)
#[utoipa::path(
    put,
    path = "/api/marketplace/v1/seller/kit/apps/{appId}",
    tag = "joint-operation kit",
    params(("appId" = String, Path)),
    request_body = AppRequest,
    responses((status = 200, description = "Changed", body = AppView), schema::Refusals, (status = 404, description = "not_found", body = schema::ErrorBody)),
    security(("bearer" = ["marketplace.seller"]))
)]
pub async fn update(
    Seller { caller, .. }: Seller,
    req: HttpRequest,
    path: web::Path<String>,
    body: web::Bytes,
    market: web::Data<Marketplace>,
) -> Result<HttpResponse, MarketError> {
    json_body(&req, &body)?;
    let ip = unilogin_core::web::client_ip(&req);
    let app = save_app(&market, &caller, &ip, Some(&path), &body).await?;
    Ok(HttpResponse::Ok().json(AppView::from(app)))
}
