//! `/seller/upgrade-rules`: configure, list (each with whether it holds and why not) and
//! delete upgrade rules.

use actix_web::{web, HttpRequest, HttpResponse};
use serde::Serialize;

use crate::http::caller::Caller;
use crate::http::error::MarketError;
use crate::http::request::parsed;
use crate::http::roles::Seller;
use crate::http::schema;
use crate::state::Marketplace;
use crate::upgrades::rules::Invalid;
use crate::upgrades::service::{self, RawRule as UpgradeRuleRequest};
use crate::upgrades::store::RuleRecord;

#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = UpgradeRule)]
pub struct RuleView {
    rule_id: String,
    product_id: String,
    source_sku_code: String,
    target_sku_code: String,
    /// Whether a CHANGE may follow it now.
    valid: bool,
    /// Why not: delisted, billing, a price conflict…
    #[serde(skip_serializing_if = "Option::is_none")]
    invalid_reason: Option<String>,
    created_at: i64,
}

impl RuleView {
    pub fn of(rule: &RuleRecord, invalid: Option<&Invalid>) -> Self {
        Self {
            rule_id: rule.id.clone(),
            product_id: rule.product_id.clone(),
            source_sku_code: rule.source_sku.clone(),
            target_sku_code: rule.target_sku.clone(),
            valid: invalid.is_none(),
            invalid_reason: invalid.map(ToString::to_string),
            created_at: rule.created_at,
        }
    }
}

/// Configure an upgrade rule (needs a saved successful upgrade debug case)
#[utoipa::path(
    post,
    path = "/api/marketplace/v1/seller/upgrade-rules",
    tag = "upgrades",
    request_body = UpgradeRuleRequest,
    responses((status = 201, description = "Configured", body = RuleView), schema::Refusals, (status = 404, description = "not_found", body = schema::ErrorBody), (status = 409, description = "conflict: no saved upgrade debug case, or configured already", body = schema::ErrorBody)),
    security(("bearer" = ["marketplace.seller"]))
)]
pub async fn configure(
    Seller { caller, .. }: Seller,
    req: HttpRequest,
    body: web::Bytes,
    market: web::Data<Marketplace>,
) -> Result<HttpResponse, MarketError> {
    let raw: UpgradeRuleRequest = parsed(&req, &body, "upgrade rule")?;
    let rule = service::configure(&market, &caller, raw).await?;
    Ok(HttpResponse::Created().json(RuleView::of(&rule, None)))
}

/// My upgrade rules, each with whether it holds now
#[utoipa::path(
    get,
    path = "/api/marketplace/v1/seller/upgrade-rules",
    tag = "upgrades",
    responses((status = 200, description = "Every rule, by product", body = Vec<RuleView>), schema::Refusals),
    security(("bearer" = ["marketplace.seller"]))
)]
pub async fn list(
    caller: Caller,
    market: web::Data<Marketplace>,
) -> Result<HttpResponse, MarketError> {
    let rules = service::rules_of(&market, &caller).await?;
    let views: Vec<RuleView> = rules
        .iter()
        .map(|(rule, invalid)| RuleView::of(rule, invalid.as_ref()))
        .collect();
    Ok(HttpResponse::Ok().json(views))
}

/// Delete one of my upgrade rules
#[utoipa::path(
    delete,
    path = "/api/marketplace/v1/seller/upgrade-rules/{ruleId}",
    tag = "upgrades",
    params(("ruleId" = String, Path)),
    responses((status = 204, description = "Deleted"), schema::Refusals, (status = 404, description = "not_found", body = schema::ErrorBody)),
    security(("bearer" = ["marketplace.seller"]))
)]
pub async fn delete(
    Seller { merchant, .. }: Seller,
    path: web::Path<String>,
    market: web::Data<Marketplace>,
) -> Result<HttpResponse, MarketError> {
    if !market
        .store
        .delete_upgrade_rule(&merchant.tenant_id, &path)
        .await?
    {
        return Err(MarketError::NotFound(
            "No such upgrade rule of yours".into(),
        ));
    }
    Ok(HttpResponse::NoContent().finish())
}
