//! `/api/marketplace/v1/buyer/kit/instances`: a buyer tenant's instances of joint-operation
//! apps, and, for the app's administrators in that tenant, who may use it: granting a
//! user (`admin` or `user`) or taking the access away is synced to the seller
//! (user-authorization sync) and takes effect at the portal at once.

use actix_web::{web, HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};

use crate::http::caller::Caller;
use crate::http::error::MarketError;
use crate::http::request::parsed;
use crate::http::roles::Buyer;
use crate::http::schema;
use crate::kit::machine::State;
use crate::kit::payloads::{Calls, UserInfo};
use crate::kit::store::InstanceRecord;
use crate::state::Marketplace;
use unilogin_core::admin::{Actor, AdminError, AppRole};

#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = KitInstance)]
struct InstanceView {
    instance_id: String,
    app_id: String,
    /// opening, live, frozen, released or failed
    state: &'static str,
    order_id: String,
    /// The end of the paid period (unix seconds), for period billing.
    #[serde(skip_serializing_if = "Option::is_none")]
    expires_at: Option<i64>,
    /// While frozen: when the data is released.
    #[serde(skip_serializing_if = "Option::is_none")]
    frozen_until: Option<i64>,
    /// The tenant's client registration for the app.
    client_id: String,
    users: Vec<AppUser>,
}

#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
struct AppUser {
    user_id: String,
    /// admin or user
    role: String,
}

#[derive(Serialize, utoipa::ToSchema)]
struct InstanceList {
    items: Vec<InstanceView>,
}

/// A user's role in the app.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"role": "user"}))]
struct RoleRequest {
    /// admin or user
    role: String,
}

fn admin_error(err: AdminError) -> MarketError {
    match err {
        AdminError::NotFound(why) => MarketError::NotFound(why),
        AdminError::Invalid(why) => MarketError::Invalid(why),
        AdminError::Conflict(why) => MarketError::Conflict(why),
        other => {
            tracing::warn!(error = %other, "kit: admin service failed");
            MarketError::Unavailable
        }
    }
}

async fn view(market: &Marketplace, record: InstanceRecord) -> Result<InstanceView, MarketError> {
    let users = market
        .admin
        .client_users(&record.client_id)
        .await
        .map_err(admin_error)?
        .into_iter()
        .map(|(user_id, role)| AppUser { user_id, role })
        .collect();
    Ok(InstanceView {
        instance_id: record.id,
        app_id: record.app_id,
        state: record.instance.state.as_str(),
        order_id: record.order_id,
        expires_at: record.instance.expires_at,
        frozen_until: record.instance.frozen_until,
        client_id: record.client_id,
        users,
    })
}

/// My tenant's instances of joint-operation apps
#[utoipa::path(
    get,
    path = "/api/marketplace/v1/buyer/kit/instances",
    tag = "joint-operation kit",
    responses((status = 200, description = "The tenant's instances, newest first", body = InstanceList), schema::Refusals),
    security(("bearer" = ["marketplace.buyer"]))
)]
pub async fn list(
    Buyer(caller): Buyer,
    market: web::Data<Marketplace>,
) -> Result<HttpResponse, MarketError> {
    let mut items = Vec::new();
    for record in market
        .store
        .instances_of_tenant(&caller.claims.tenant)
        .await?
    {
        items.push(view(&market, record).await?);
    }
    Ok(HttpResponse::Ok().json(InstanceList { items }))
}

/// The live instance `id` of the caller's tenant, if the caller administers its app.
async fn administered(
    market: &Marketplace,
    caller: &Caller,
    id: &str,
) -> Result<InstanceRecord, MarketError> {
    caller.buyer()?;
    let record = market
        .store
        .instance(id)
        .await?
        .filter(|r| r.buyer_tenant_id == caller.claims.tenant)
        .ok_or_else(|| MarketError::NotFound("No such instance of your tenant".into()))?;
    let users = market
        .admin
        .client_users(&record.client_id)
        .await
        .map_err(admin_error)?;
    let is_admin = users
        .iter()
        .any(|(user, role)| *user == caller.claims.sub && role == AppRole::Admin.as_str());
    if !is_admin {
        return Err(MarketError::Forbidden(
            "Only the app's administrators in your tenant manage its users".into(),
        ));
    }
    if record.instance.state != State::Live {
        return Err(MarketError::Conflict(format!(
            "the instance is {}: users are managed while it is live",
            record.instance.state.as_str()
        )));
    }
    Ok(record)
}

async fn sync_user(
    market: &Marketplace,
    record: &InstanceRecord,
    user_id: &str,
    role: Option<AppRole>,
) -> Result<(), MarketError> {
    let user = market.admin.user(user_id).await.map_err(admin_error)?;
    let calls = Calls {
        instance: record,
        test: false,
    };
    let job = calls.user_sync(
        &UserInfo {
            id: &user.id,
            username: &user.username,
            name: &user.name,
            role: role.map(AppRole::as_str),
        },
        market.clock.now_millis(),
    );
    market.outbox.enqueue(&job).await?;
    Ok(())
}

/// Authorize a user of my tenant for the app (or change their role); synced to the seller
#[utoipa::path(
    put,
    path = "/api/marketplace/v1/buyer/kit/instances/{instanceId}/users/{userId}",
    tag = "joint-operation kit",
    params(("instanceId" = String, Path), ("userId" = String, Path)),
    request_body = RoleRequest,
    responses((status = 200, description = "Authorized; the instance", body = InstanceView), schema::Refusals, (status = 404, description = "not_found", body = schema::ErrorBody), (status = 409, description = "conflict: the instance is not live", body = schema::ErrorBody)),
    security(("bearer" = ["marketplace.buyer"]))
)]
pub async fn authorize(
    caller: Caller,
    req: HttpRequest,
    path: web::Path<(String, String)>,
    body: web::Bytes,
    market: web::Data<Marketplace>,
) -> Result<HttpResponse, MarketError> {
    let (id, user_id) = path.into_inner();
    administered(&market, &caller, &id).await?;
    let request: RoleRequest = parsed(&req, &body, "role")?;
    let role = AppRole::parse(&request.role)
        .ok_or_else(|| MarketError::Invalid("role is admin or user".into()))?;
    let ip = unilogin_core::web::client_ip(&req);
    let record = set_user_role(&market, &caller, &ip, &id, &user_id, Some(role)).await?;
    Ok(HttpResponse::Ok().json(view(&market, record).await?))
}

/// The calling administrator of an instance's app grants a user of the tenant a role
/// (`Some`) or takes their access away (`None`); the seller is told with `userSync`.
pub async fn set_user_role(
    market: &Marketplace,
    caller: &Caller,
    ip: &str,
    instance_id: &str,
    user_id: &str,
    role: Option<AppRole>,
) -> Result<InstanceRecord, MarketError> {
    let record = administered(market, caller, instance_id).await?;
    let actor = Actor::user(&caller.claims.sub, ip);
    match role {
        Some(role) => market
            .admin
            .authorize_client_user(&actor, &record.client_id, user_id, role)
            .await
            .map_err(admin_error)?,
        None => {
            if user_id == caller.claims.sub {
                return Err(MarketError::Conflict(
                    "you cannot remove yourself: another administrator can".into(),
                ));
            }
            market
                .admin
                .revoke_client_user(&actor, &record.client_id, user_id)
                .await
                .map_err(admin_error)?
        }
    }
    sync_user(market, &record, user_id, role).await?;
    Ok(record)
}

/// The users an instance's app is open to, as (user, role).
pub async fn instance_users(
    market: &Marketplace,
    record: &InstanceRecord,
) -> Result<Vec<(String, String)>, MarketError> {
    market
        .admin
        .client_users(&record.client_id)
        .await
        .map_err(admin_error)
}

/// Take a user's access to the app away; synced to the seller, their sign-ins end
#[utoipa::path(
    delete,
    path = "/api/marketplace/v1/buyer/kit/instances/{instanceId}/users/{userId}",
    tag = "joint-operation kit",
    params(("instanceId" = String, Path), ("userId" = String, Path)),
    responses((status = 200, description = "Removed; the instance", body = InstanceView), schema::Refusals, (status = 404, description = "not_found", body = schema::ErrorBody), (status = 409, description = "conflict: the instance is not live, or you would remove yourself", body = schema::ErrorBody)),
    security(("bearer" = ["marketplace.buyer"]))
)]
pub async fn remove(
    caller: Caller,
    req: HttpRequest,
    path: web::Path<(String, String)>,
    market: web::Data<Marketplace>,
) -> Result<HttpResponse, MarketError> {
    let (id, user_id) = path.into_inner();
    let ip = unilogin_core::web::client_ip(&req);
    let record = set_user_role(&market, &caller, &ip, &id, &user_id, None).await?;
    Ok(HttpResponse::Ok().json(view(&market, record).await?))
}
