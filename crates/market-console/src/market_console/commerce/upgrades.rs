//! A seller's upgrade rules: each with whether it holds and why not, the form to add
//! one, and deletion.

use actix_web::{web, HttpResponse};
use askama::Template;

use super::texts::CommerceTexts;
use crate::console::form::Form;
use crate::market_console::session::Member;
use crate::market_console::texts::MarketTexts;
use crate::market_console::{again, done, ok, refusal, Chrome, PageError};
use crate::marketplace::orders::{api as orders, quotes};
use crate::marketplace::subscriptions::store::SubscriptionRecord;
use crate::marketplace::upgrades::service::{self, RawRule};
use crate::marketplace::Marketplace;
use serde_json::json;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/subscriptions/{id}/upgrade", web::get().to(choices))
        .route("/subscriptions/{id}/upgrade", web::post().to(upgrade))
        .route("/seller/upgrade-rules", web::get().to(rules))
        .route("/seller/upgrade-rules", web::post().to(configure))
        .route("/seller/upgrade-rules/{id}/delete", web::post().to(delete));
}

#[derive(Default)]
struct RuleInput {
    product_id: String,
    source: String,
    target: String,
}

/// A rule as the page shows it.
pub struct RuleRow {
    pub id: String,
    pub product_id: String,
    pub source: String,
    pub target: String,
    pub invalid_reason: Option<String>,
}

#[derive(Template)]
#[template(path = "market/upgrade_rules.html")]
struct RulesPage<'a> {
    t: &'static MarketTexts,
    ct: &'static CommerceTexts,
    c: Chrome,
    m: &'a Member,
    rules: Vec<RuleRow>,
    input: RuleInput,
    error: Option<String>,
}

async fn rules_page<'a>(
    member: &'a Member,
    market: &Marketplace,
    input: RuleInput,
    error: Option<String>,
) -> Result<RulesPage<'a>, PageError> {
    let rules = service::rules_of(market, &member.caller)
        .await?
        .into_iter()
        .map(|(rule, invalid)| RuleRow {
            id: rule.id,
            product_id: rule.product_id,
            source: rule.source_sku,
            target: rule.target_sku,
            invalid_reason: invalid.map(|i| i.to_string()),
        })
        .collect();
    Ok(RulesPage {
        t: member.t,
        ct: super::texts::texts(member.lang),
        c: member.chrome("upgrade-rules"),
        m: member,
        rules,
        input,
        error,
    })
}

async fn rules(member: Member, market: web::Data<Marketplace>) -> Result<HttpResponse, PageError> {
    let page = rules_page(&member, &market, RuleInput::default(), None).await?;
    Ok(ok(page.render()))
}

async fn configure(
    member: Member,
    form: Form,
    market: web::Data<Marketplace>,
) -> Result<HttpResponse, PageError> {
    member.check(&form)?;
    let raw = RawRule {
        product_id: form.get("product_id").trim().to_owned(),
        source_sku_code: form.get("source").trim().to_owned(),
        target_sku_code: form.get("target").trim().to_owned(),
    };
    match service::configure(&market, &member.caller, raw).await {
        Ok(_) => Ok(done("/market/seller/upgrade-rules", "saved")),
        Err(err) => {
            let message = refusal(err, member.t)?;
            let input = RuleInput {
                product_id: form.get("product_id").into(),
                source: form.get("source").into(),
                target: form.get("target").into(),
            };
            let page = rules_page(&member, &market, input, Some(message)).await?;
            Ok(again(page.render()))
        }
    }
}

async fn delete(
    member: Member,
    path: web::Path<String>,
    form: Form,
    market: web::Data<Marketplace>,
) -> Result<HttpResponse, PageError> {
    member.check(&form)?;
    if !form.checked("confirm") {
        return Err(PageError::Refused(member.t.must_confirm.to_owned()));
    }
    let tenant = member.seller_tenant()?;
    if !market
        .store
        .delete_upgrade_rule(&tenant, &path.into_inner())
        .await?
    {
        return Err(PageError::NotFound);
    }
    Ok(done("/market/seller/upgrade-rules", "changed"))
}

/// A target the buyer may upgrade to, at its pro-rata price now.
pub struct Choice {
    pub sku: String,
    pub price: i64,
}

#[derive(Template)]
#[template(path = "market/upgrade.html")]
struct UpgradePage {
    t: &'static MarketTexts,
    ct: &'static CommerceTexts,
    c: Chrome,
    s: SubscriptionRecord,
    choices: Vec<Choice>,
    key: String,
    error: Option<String>,
}

async fn own_subscription(
    member: &Member,
    market: &Marketplace,
    id: &str,
) -> Result<SubscriptionRecord, PageError> {
    let buyer = member.caller.buyer()?;
    market
        .store
        .subscription(id)
        .await?
        .filter(|s| s.buyer_user_id == buyer)
        .ok_or(PageError::NotFound)
}

fn change_body(s: &SubscriptionRecord, target: &str) -> Vec<u8> {
    json!({"productId": s.product_id, "skuCode": target, "orderType": "CHANGE",
           "relatedOrderId": s.order_id})
    .to_string()
    .into_bytes()
}

async fn upgrade_page(
    member: &Member,
    market: &Marketplace,
    s: SubscriptionRecord,
    error: Option<String>,
) -> Result<UpgradePage, PageError> {
    let mut choices = Vec::new();
    for rule in market
        .store
        .upgrade_rules_from(&s.product_id, &s.sku_code)
        .await?
    {
        // Only what would be accepted now is offered, at the price it would cost.
        if let Ok(quote) =
            quotes::price_order(market, &member.caller, &change_body(&s, &rule.target_sku)).await
        {
            choices.push(Choice {
                sku: rule.target_sku,
                price: quote.amount,
            });
        }
    }
    Ok(UpgradePage {
        t: member.t,
        ct: super::texts::texts(member.lang),
        c: member.chrome("subscriptions"),
        s,
        choices,
        // A retried submission upgrades once.
        key: crate::secret::random_id(24),
        error,
    })
}

async fn choices(
    member: Member,
    path: web::Path<String>,
    market: web::Data<Marketplace>,
) -> Result<HttpResponse, PageError> {
    let s = own_subscription(&member, &market, &path.into_inner()).await?;
    Ok(ok(upgrade_page(&member, &market, s, None).await?.render()))
}

async fn upgrade(
    member: Member,
    path: web::Path<String>,
    form: Form,
    market: web::Data<Marketplace>,
) -> Result<HttpResponse, PageError> {
    member.check(&form)?;
    let s = own_subscription(&member, &market, &path.into_inner()).await?;
    let body = change_body(&s, form.get("target"));
    let key = Some(form.get("key").chars().take(64).collect::<String>()).filter(|k| !k.is_empty());
    match orders::place_order(&market, &member.caller, &body, key).await {
        Ok((order, _)) => Ok(done(&format!("/market/orders/{}", order.id), "ordered")),
        Err(err) => {
            let message = refusal(err, member.t)?;
            Ok(again(
                upgrade_page(&member, &market, s, Some(message))
                    .await?
                    .render(),
            ))
        }
    }
}
