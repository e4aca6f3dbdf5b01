//! The partner plan and exclusive discounts, for the API and the console alike.

use serde::Deserialize;

use crate::discounts::machine::{applied, transition, Action, Actor, State};
use crate::discounts::store as discounts_store;
use crate::discounts::store::{DiscountEvent, DiscountRecord, PartnerRecord, ACTIVE};
use crate::http::caller::Caller;
use crate::http::error::MarketError;
use crate::selling::product::ProductContent;
use crate::state::Marketplace;
use crate::store::finish;

const DAY: i64 = 86_400;
pub const DEFAULT_VALID_DAYS: i64 = 30;
pub const MAX_VALID_DAYS: i64 = 90;

fn invalid(message: impl Into<String>) -> MarketError {
    MarketError::Invalid(message.into())
}

/// A discount rate as basis points paid: 1 to 10000 (10000: no discount).
fn rate(bp: i64, field: &str) -> Result<i64, MarketError> {
    if (1..=10_000).contains(&bp) {
        Ok(bp)
    } else {
        Err(invalid(format!(
            "{field} is 1 to 10000 basis points of the price paid (8500: 8.5折)"
        )))
    }
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Authorization {
    pub product_id: String,
    /// The deepest discount the partner may give without review, as basis points of the
    /// price paid (8500: 8.5折).
    #[schema(minimum = 1, maximum = 10000)]
    pub paid_basis_points: i64,
}

/// A tenant's membership of the customer service provider plan, as an operator sends it.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[schema(as = PartnerRequest)]
#[schema(example = json!({"name": "示例伙伴有限公司", "authorizations": []}))]
pub struct RawPartner {
    /// The partner organisation's name, 1 to 100 characters.
    pub name: String,
    /// At most 200 products, each once.
    #[serde(default)]
    pub authorizations: Vec<Authorization>,
    /// For a reseller: the distributor in the plan it sells under. It qualifies while the
    /// distributor does, and is authorized no deeper than the distributor.
    #[serde(default)]
    pub distributor_tenant_id: Option<String>,
}

/// The operator registers `tenant_id` (its business certification done) with its
/// authorized discounts, or replaces them; `true` when it is new to the plan.
pub async fn put_partner(
    market: &Marketplace,
    caller: &Caller,
    tenant_id: &str,
    raw: RawPartner,
) -> Result<(PartnerRecord, bool), MarketError> {
    caller.operator()?;
    let tenant_ok = (1..=64).contains(&tenant_id.len())
        && tenant_id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'));
    if !tenant_ok {
        return Err(invalid("tenantId is 1 to 64 letters, digits, - _ ."));
    }
    let name = raw.name.trim().to_owned();
    if name.is_empty() || name.chars().count() > 100 || name.chars().any(char::is_control) {
        return Err(invalid("name is 1 to 100 characters"));
    }
    if raw.authorizations.len() > 200 {
        return Err(invalid("at most 200 authorizations"));
    }
    let mut authorizations: Vec<(String, i64)> = Vec::new();
    for a in raw.authorizations {
        let bp = rate(a.paid_basis_points, "paidBasisPoints")?;
        if authorizations.iter().any(|(p, _)| *p == a.product_id) {
            return Err(invalid(format!("{} is authorized twice", a.product_id)));
        }
        if market.store.product_on_sale(&a.product_id).await?.is_none() {
            return Err(invalid(format!(
                "{} is not a product on sale",
                a.product_id
            )));
        }
        authorizations.push((a.product_id, bp));
    }
    let distributor = match raw.distributor_tenant_id.filter(|d| !d.is_empty()) {
        None => None,
        Some(distributor) => {
            let found = market
                .store
                .partner(&distributor)
                .await?
                .filter(|d| {
                    d.state == ACTIVE && d.distributor.is_none() && d.tenant_id != tenant_id
                })
                .ok_or_else(|| {
                    invalid(format!(
                        "{distributor} is not a distributor in the plan (an active partner of \
                         its own)"
                    ))
                })?;
            for (product, bp) in &authorizations {
                match found.authorized_for(product) {
                    Some(limit) if *bp >= limit => {}
                    _ => {
                        return Err(invalid(format!(
                            "a reseller is authorized no deeper than its distributor: {product} \
                             at {bp} is not within {distributor}'s authorization"
                        )))
                    }
                }
            }
            Some(found.tenant_id)
        }
    };
    let existing = market.store.partner(tenant_id).await?;
    let now = market.clock.now_unix();
    let record = PartnerRecord {
        tenant_id: tenant_id.to_owned(),
        name,
        distributor,
        state: ACTIVE.to_owned(),
        authorizations,
        created_at: existing.as_ref().map_or(now, |p| p.created_at),
        updated_at: now,
    };
    let mut tx = market.store.begin().await?;
    let result = discounts_store::put_partner_in(&mut tx, &record, &caller.claims.sub)
        .await
        .map_err(MarketError::from);
    finish(tx, result).await?;
    Ok((record, existing.is_none()))
}

/// The caller's tenant as an active partner of the plan, or 403.
pub async fn member(market: &Marketplace, caller: &Caller) -> Result<PartnerRecord, MarketError> {
    let not_member = || {
        MarketError::Forbidden(
            "Your tenant is not a partner of the customer service provider plan".into(),
        )
    };
    if !caller.is_user() {
        return Err(not_member());
    }
    let partner = market
        .store
        .partner(&caller.claims.tenant)
        .await?
        .ok_or_else(not_member)?;
    if qualifies(market, &partner).await? {
        Ok(partner)
    } else {
        Err(not_member())
    }
}

/// In the plan: active, and a reseller's distributor too.
pub async fn qualifies(market: &Marketplace, partner: &PartnerRecord) -> Result<bool, MarketError> {
    if partner.state != ACTIVE {
        return Ok(false);
    }
    match &partner.distributor {
        None => Ok(true),
        Some(distributor) => Ok(market
            .store
            .partner(distributor)
            .await?
            .is_some_and(|d| d.state == ACTIVE)),
    }
}

/// A discount application as a partner sends it.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[schema(as = DiscountRequest)]
#[schema(example = json!({"customerId": "u-1a2b3c4d5e6f", "productId": "P1a2b3c4d5e6f7g8h9", "quoteType": "product", "paidBasisPoints": 8000, "validDays": 30}))]
pub struct RawDiscount {
    /// The designated customer's account ID (the user id their marketplace `me` shows).
    pub customer_id: String,
    pub product_id: String,
    /// `product` (every SKU of the product) or `configuration` (one SKU).
    pub quote_type: String,
    /// Configuration quotes only.
    #[serde(default)]
    pub sku_code: Option<String>,
    /// The discounted price as basis points of the list price (8000: 8折).
    #[schema(minimum = 1, maximum = 9999)]
    pub paid_basis_points: i64,
    /// How long the offer stands, 1 to 90 days (default 30).
    #[serde(default)]
    #[schema(minimum = 1, maximum = 90, default = 30)]
    pub valid_days: Option<i64>,
}

/// A partner applies for an exclusive discount: effective at once within its authorized
/// discount, else waiting for an operator.
pub async fn apply(
    market: &Marketplace,
    caller: &Caller,
    raw: RawDiscount,
) -> Result<DiscountRecord, MarketError> {
    let partner = member(market, caller).await?;
    let customer = raw.customer_id.trim();
    if customer.is_empty() || customer.len() > 64 || customer.chars().any(char::is_control) {
        return Err(invalid("customerId is the customer's account ID"));
    }
    if customer == caller.claims.sub {
        return Err(invalid(
            "an exclusive discount is for a customer, not for yourself",
        ));
    }
    let paid_bp = rate(raw.paid_basis_points, "paidBasisPoints")?;
    if paid_bp == 10_000 {
        return Err(invalid("paidBasisPoints 10000 is no discount"));
    }
    let days = raw.valid_days.unwrap_or(DEFAULT_VALID_DAYS);
    if !(1..=MAX_VALID_DAYS).contains(&days) {
        return Err(invalid(format!("validDays is 1 to {MAX_VALID_DAYS}")));
    }
    let product = market
        .store
        .product_on_sale(&raw.product_id)
        .await?
        .ok_or_else(|| MarketError::NotFound("No such product on sale".into()))?;
    let content: ProductContent =
        serde_json::from_str(&product.content).map_err(|_| MarketError::Internal)?;
    let sku_code = match (raw.quote_type.as_str(), raw.sku_code) {
        ("product", None) => None,
        ("product", Some(_)) => {
            return Err(invalid(
                "a product quote covers every SKU: leave skuCode out",
            ))
        }
        ("configuration", Some(sku)) if content.spec(&sku).is_some() => Some(sku),
        ("configuration", Some(sku)) => {
            return Err(invalid(format!("the product has no SKU {sku}")))
        }
        ("configuration", None) => return Err(invalid("a configuration quote names its skuCode")),
        _ => return Err(invalid("quoteType is product or configuration")),
    };
    let authorized_bp = partner.authorized_for(&product.id).ok_or_else(|| {
        MarketError::Forbidden(
            "The plan authorizes you no discount for this product: ask an operator".into(),
        )
    })?;
    let now = market.clock.now_unix();
    let record = DiscountRecord {
        id: crate::store::sequence_id("dsc", market.clock.now_millis()),
        partner_tenant_id: partner.tenant_id.clone(),
        partner_user_id: caller.claims.sub.clone(),
        customer_user_id: customer.to_owned(),
        product_id: product.id.clone(),
        product_name: content.name.clone(),
        seller_tenant_id: product.tenant_id.clone(),
        quote_type: raw.quote_type,
        sku_code,
        paid_bp,
        authorized_bp,
        stored: applied(paid_bp, authorized_bp),
        link_token: unilogin_core::secret::random_id(32),
        valid_until: now + days * DAY,
        order_id: None,
        comment: String::new(),
        version: 0,
        created_at: now,
    };
    let mut tx = market.store.begin().await?;
    let result = discounts_store::insert_discount_in(&mut tx, &record)
        .await
        .map_err(MarketError::from);
    finish(tx, result).await?;
    tracing::info!(discount_id = %record.id, state = record.stored.as_str(), "discount applied");
    Ok(record)
}

/// A step of a discount: `who` acts as partner (withdraw) or operator (approve, reject).
pub async fn step(
    market: &Marketplace,
    caller: &Caller,
    id: &str,
    action: Action,
    comment: &str,
) -> Result<DiscountRecord, MarketError> {
    let (actor, current) = match action {
        Action::Withdraw => {
            let partner = member(market, caller).await?;
            let found = market
                .store
                .discount(id)
                .await?
                .filter(|d| d.partner_tenant_id == partner.tenant_id);
            (Actor::Partner, found)
        }
        Action::Approve | Action::Reject => {
            caller.operator()?;
            (Actor::Operator, market.store.discount(id).await?)
        }
        Action::Use => return Err(MarketError::Internal),
    };
    let current = current.ok_or_else(|| MarketError::NotFound("No such discount".into()))?;
    if comment.chars().count() > 500 || comment.chars().any(|c| c.is_control() && c != '\n') {
        return Err(invalid("comment is at most 500 characters"));
    }
    let now = market.clock.now_unix();
    let to = transition(current.discount(), action, actor, now)
        .map_err(|refused| MarketError::Conflict(refused.to_string()))?;
    let event = DiscountEvent {
        action: action.as_str(),
        actor: actor.as_str(),
        actor_id: &caller.claims.sub,
        from: current.stored.as_str(),
        to,
        comment,
        at: now,
    };
    let mut tx = market.store.begin().await?;
    let result = async {
        if discounts_store::update_discount_in(&mut tx, &current, &event, None).await? {
            Ok(())
        } else {
            Err(MarketError::Conflict(
                "the discount changed meanwhile: look at it and try again".into(),
            ))
        }
    }
    .await;
    finish(tx, result).await?;
    Ok(DiscountRecord {
        stored: to,
        comment: if comment.is_empty() {
            current.comment.clone()
        } else {
            comment.to_owned()
        },
        version: current.version + 1,
        ..current
    })
}

/// The offer behind a private link, for its designated customer only: another account
/// is refused (403), and so is an offer that is no longer effective (409).
pub async fn offer(
    market: &Marketplace,
    caller: &Caller,
    token: &str,
) -> Result<DiscountRecord, MarketError> {
    caller.buyer()?;
    let discount = market
        .store
        .discount_by_link(token)
        .await?
        .ok_or_else(|| MarketError::NotFound("No such discount link".into()))?;
    if !caller.is_user() || discount.customer_user_id != caller.claims.sub {
        return Err(MarketError::Forbidden(
            "This exclusive discount is for another account: sign in with the account it \
             names"
                .into(),
        ));
    }
    let state = discount.discount().state_at(market.clock.now_unix());
    if state != State::Effective {
        return Err(MarketError::Conflict(format!(
            "This exclusive discount is {}, no longer effective",
            state.as_str()
        )));
    }
    let partner_active = match market.store.partner(&discount.partner_tenant_id).await? {
        Some(partner) => qualifies(market, &partner).await?,
        None => false,
    };
    if !partner_active {
        return Err(MarketError::Conflict(
            "The partner behind this discount has left the plan".into(),
        ));
    }
    Ok(discount)
}

/// The private link's address in the marketplace console.
pub fn link(market: &Marketplace, discount: &DiscountRecord) -> String {
    let base = market
        .audience
        .strip_suffix(unilogin_core::domain::resource::MARKETPLACE_PATH)
        .unwrap_or(&market.audience);
    format!("{base}/market/discounts/{}", discount.link_token)
}

/// The private link as a QR code (SVG).
pub fn qr_svg(link: &str) -> Result<String, MarketError> {
    let code = qrcode::QrCode::new(link.as_bytes()).map_err(|_| MarketError::Internal)?;
    Ok(code
        .render::<qrcode::render::svg::Color<'_>>()
        .min_dimensions(200, 200)
        .quiet_zone(true)
        .build())
}
