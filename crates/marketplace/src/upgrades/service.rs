//! Upgrade rules for sellers, and what a CHANGE order of a SaaS product costs under one.

use serde::Deserialize;

use crate::http::caller::Caller;
use crate::http::error::MarketError;
use crate::kit::exchange::Activity;
use crate::orders::pricing::Basis;
use crate::selling::product::{ProductContent, Spec};
use crate::state::Marketplace;
use crate::subscriptions::store::SubscriptionRecord;
use crate::upgrades::rules::{holds, renewal_move, Invalid};
use crate::upgrades::store::RuleRecord;
use unilogin_core::store::StoreError;

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[schema(as = UpgradeRuleRequest)]
#[schema(example = json!({"productId": "P1a2b3c4d5e6f7g8h9", "sourceSkuCode": "basic", "targetSkuCode": "pro"}))]
pub struct RawRule {
    pub product_id: String,
    pub source_sku_code: String,
    pub target_sku_code: String,
}

/// The product as on sale now (`None`: delisted), for the seller's own product.
async fn content_on_sale(
    market: &Marketplace,
    product_id: &str,
) -> Result<Option<ProductContent>, MarketError> {
    match market.store.product_on_sale(product_id).await? {
        Some(product) => Ok(Some(
            serde_json::from_str(&product.content).map_err(|_| MarketError::Internal)?,
        )),
        None => Ok(None),
    }
}

/// The seller configures a rule: its product on sale, a rule that holds, and a saved
/// successful upgrade debug case of the product's joint-operation app first.
pub async fn configure(
    market: &Marketplace,
    caller: &Caller,
    raw: RawRule,
) -> Result<RuleRecord, MarketError> {
    let merchant = caller.seller()?;
    let product = market
        .store
        .product_on_sale(&raw.product_id)
        .await?
        .filter(|p| p.tenant_id == merchant.tenant_id)
        .ok_or_else(|| MarketError::NotFound("No such product of yours on sale".into()))?;
    let content: ProductContent =
        serde_json::from_str(&product.content).map_err(|_| MarketError::Internal)?;
    holds(Some(&content), &raw.source_sku_code, &raw.target_sku_code)
        .map_err(|invalid| MarketError::Invalid(invalid.to_string()))?;
    let app = market.store.kit_app_of_product(&product.id).await?;
    let debugged = match &app {
        Some(app) => market
            .store
            .debug_cases(&app.id)
            .await?
            .iter()
            .any(|case| case.scenario == Activity::Upgrade),
        None => false,
    };
    if !debugged {
        return Err(MarketError::Conflict(
            "Save a successful upgrade debug case of the product's joint-operation app \
             first (POST …/seller/kit/apps/{appId}/debug-cases with scenario upgrade)"
                .into(),
        ));
    }
    let rule = RuleRecord {
        id: crate::store::sequence_id("upg", market.clock.now_millis()),
        seller_tenant_id: merchant.tenant_id.clone(),
        product_id: product.id.clone(),
        source_sku: raw.source_sku_code,
        target_sku: raw.target_sku_code,
        created_by: caller.claims.sub.clone(),
        created_at: market.clock.now_unix(),
    };
    match market.store.insert_upgrade_rule(&rule).await {
        Ok(()) => Ok(rule),
        Err(StoreError::Conflict) => Err(MarketError::Conflict(
            "this rule is configured already".into(),
        )),
        Err(other) => Err(other.into()),
    }
}

/// The seller's rules, each with why it does not hold (if it does not).
pub async fn rules_of(
    market: &Marketplace,
    caller: &Caller,
) -> Result<Vec<(RuleRecord, Option<Invalid>)>, MarketError> {
    let merchant = caller.seller()?;
    let rules = market.store.upgrade_rules_of(&merchant.tenant_id).await?;
    let mut checked = Vec::with_capacity(rules.len());
    let mut products: Vec<(String, Option<ProductContent>)> = Vec::new();
    for rule in rules {
        if !products.iter().any(|(id, _)| *id == rule.product_id) {
            let content = content_on_sale(market, &rule.product_id).await?;
            products.push((rule.product_id.clone(), content));
        }
        let content = products
            .iter()
            .find(|(id, _)| *id == rule.product_id)
            .and_then(|(_, c)| c.as_ref());
        let invalid = holds(content, &rule.source_sku, &rule.target_sku).err();
        checked.push((rule, invalid));
    }
    Ok(checked)
}

/// A RENEW or CHANGE order of a SaaS subscription, as far as its SKU goes.
pub struct FollowUp<'a> {
    pub order_type: &'a str,
    pub subscription_id: &'a str,
    pub target: &'a Spec,
    pub quantity: i64,
}

/// What a follow-up of a SaaS subscription may do with its SKU: a renewal moves down
/// only in the last 30 days; a change follows a rule that holds and is priced pro rata
/// (the basis returned). Other follow-ups keep the list price (`None`).
pub async fn saas_follow_up(
    market: &Marketplace,
    content: &ProductContent,
    product_id: &str,
    follow: &FollowUp<'_>,
) -> Result<Option<Basis>, MarketError> {
    if !matches!(follow.order_type, "RENEW" | "CHANGE") {
        return Ok(None);
    }
    let subscription = market
        .store
        .subscription(follow.subscription_id)
        .await?
        .ok_or(MarketError::Internal)?;
    let target = &follow.target.sku_code;
    if follow.order_type == "RENEW" {
        if subscription.sku_code != *target {
            let left = subscription
                .subscription
                .expires_at
                .map_or(0, |end| end - market.clock.now_unix());
            renewal_move(content.spec(&subscription.sku_code), follow.target, left)
                .map_err(|refused| MarketError::Conflict(refused.to_string()))?;
        }
        return Ok(None);
    }
    if subscription.sku_code == *target {
        return Err(MarketError::Invalid(format!(
            "a CHANGE order moves to another SKU: the subscription is on {} already",
            subscription.sku_code
        )));
    }
    let rule = market
        .store
        .upgrade_rule(product_id, &subscription.sku_code, target)
        .await?;
    change_basis(
        market,
        content,
        rule.as_ref(),
        &subscription,
        target,
        follow.quantity,
    )
    .map(Some)
}

/// What a CHANGE of a SaaS subscription to `target` costs: a rule from the
/// subscription's SKU that holds, priced pro rata for what is left of the subscription.
fn change_basis(
    market: &Marketplace,
    content: &ProductContent,
    rule: Option<&RuleRecord>,
    subscription: &SubscriptionRecord,
    target: &str,
    quantity: i64,
) -> Result<Basis, MarketError> {
    let source = &subscription.sku_code;
    if rule.is_none() {
        return Err(MarketError::Conflict(format!(
            "no upgrade rule of the seller leads from {source} to {target}"
        )));
    }
    let (from, to) = holds(Some(content), source, target).map_err(|invalid| {
        MarketError::Conflict(format!("the upgrade rule does not hold now: {invalid}"))
    })?;
    let period = to.period_type.ok_or(MarketError::Internal)?;
    let now = market.clock.now_unix();
    let remaining = subscription
        .subscription
        .expires_at
        .map_or(0, |end| (end - now).max(0));
    Ok(Basis::ProRata {
        source: from.price.saturating_mul(quantity),
        target: to.price.saturating_mul(quantity),
        remaining,
        whole: period.seconds(),
    })
}
