//! The customer service provider plan: operators register partners (and resellers under
//! a distributor) with their authorized discounts; a partner reads its membership.

use actix_web::{web, HttpRequest, HttpResponse};
use serde::Serialize;

use crate::discounts::service::{self, RawPartner as PartnerRequest};
use crate::discounts::store::PartnerRecord;
use crate::http::caller::Caller;
use crate::http::error::MarketError;
use crate::http::request::{page, paged, parsed, query_pairs};
use crate::http::roles::Operator;
use crate::http::schema::{self, Page};
use crate::state::Marketplace;

#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
struct AuthorizationView {
    product_id: String,
    paid_basis_points: i64,
}

#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = Partner)]
pub struct PartnerView {
    tenant_id: String,
    name: String,
    /// A reseller's distributor.
    #[serde(skip_serializing_if = "Option::is_none")]
    distributor_tenant_id: Option<String>,
    /// active or removed.
    state: String,
    authorizations: Vec<AuthorizationView>,
    created_at: i64,
    updated_at: i64,
}

impl From<&PartnerRecord> for PartnerView {
    fn from(p: &PartnerRecord) -> Self {
        Self {
            tenant_id: p.tenant_id.clone(),
            name: p.name.clone(),
            distributor_tenant_id: p.distributor.clone(),
            state: p.state.clone(),
            authorizations: p
                .authorizations
                .iter()
                .map(|(product_id, bp)| AuthorizationView {
                    product_id: product_id.clone(),
                    paid_basis_points: *bp,
                })
                .collect(),
            created_at: p.created_at,
            updated_at: p.updated_at,
        }
    }
}

/// Register a tenant in the customer service provider plan, or replace its authorized discounts
#[utoipa::path(
    put,
    path = "/api/marketplace/v1/operator/partners/{tenantId}",
    tag = "partners",
    params(("tenantId" = String, Path)),
    request_body = PartnerRequest,
    responses((status = 201, description = "Registered", body = PartnerView), (status = 200, description = "Updated", body = PartnerView), schema::Refusals),
    security(("bearer" = ["marketplace.operator"]))
)]
pub async fn put_partner(
    Operator(caller): Operator,
    req: HttpRequest,
    path: web::Path<String>,
    body: web::Bytes,
    market: web::Data<Marketplace>,
) -> Result<HttpResponse, MarketError> {
    let raw: PartnerRequest = parsed(&req, &body, "partner")?;
    let (partner, created) = service::put_partner(&market, &caller, &path, raw).await?;
    let mut response = if created {
        HttpResponse::Created()
    } else {
        HttpResponse::Ok()
    };
    Ok(response.json(PartnerView::from(&partner)))
}

/// Take a tenant out of the plan: its links stop working
#[utoipa::path(
    delete,
    path = "/api/marketplace/v1/operator/partners/{tenantId}",
    tag = "partners",
    params(("tenantId" = String, Path)),
    responses((status = 204, description = "Removed"), schema::Refusals, (status = 404, description = "not_found", body = schema::ErrorBody)),
    security(("bearer" = ["marketplace.operator"]))
)]
pub async fn remove_partner(
    _: Operator,
    path: web::Path<String>,
    market: web::Data<Marketplace>,
) -> Result<HttpResponse, MarketError> {
    if !market
        .store
        .remove_partner(&path, market.clock.now_unix())
        .await?
    {
        return Err(MarketError::NotFound("No such partner in the plan".into()));
    }
    Ok(HttpResponse::NoContent().finish())
}

/// The plan's partners
#[utoipa::path(
    get,
    path = "/api/marketplace/v1/operator/partners",
    tag = "partners",
    params(("offset" = Option<i64>, Query, minimum = 0, description = "default 0"), ("limit" = Option<i64>, Query, minimum = 1, maximum = 100, description = "default 20")),
    responses((status = 200, description = "A page", body = Page<PartnerView>), schema::Refusals),
    security(("bearer" = ["marketplace.operator"]))
)]
pub async fn partners(
    _: Operator,
    req: HttpRequest,
    market: web::Data<Marketplace>,
) -> Result<HttpResponse, MarketError> {
    let (offset, limit) = page(&query_pairs(&req, &["offset", "limit"])?)?;
    let (partners, total) = market.store.partners(offset, limit).await?;
    let items: Vec<PartnerView> = partners.iter().map(PartnerView::from).collect();
    Ok(paged(items, total, offset, limit))
}

/// My tenant's membership of the plan and its authorized discounts
#[utoipa::path(
    get,
    path = "/api/marketplace/v1/partner/plan",
    tag = "partners",
    responses((status = 200, description = "The membership", body = PartnerView), schema::Refusals),
    security(("bearer" = ["marketplace.buyer"]))
)]
pub async fn plan(
    caller: Caller,
    market: web::Data<Marketplace>,
) -> Result<HttpResponse, MarketError> {
    let partner = service::member(&market, &caller).await?;
    Ok(HttpResponse::Ok().json(PartnerView::from(&partner)))
}
