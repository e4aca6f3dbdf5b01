//! Subscriptions as their buyer and their seller see them: state, period, history.

use actix_web::{web, HttpRequest, HttpResponse};
use serde::Serialize;

use crate::http::error::MarketError;
use crate::http::request::{page, paged, query_pairs};
use crate::http::roles::{Buyer, Seller};
use crate::http::schema::{self, Page};
use crate::state::Marketplace;
use crate::subscriptions::machine::{Billing, State};
use crate::subscriptions::store::{SubscriptionEvent, SubscriptionOwner, SubscriptionRecord};

#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = SubscriptionEvent)]
pub struct EventView {
    action: String,
    actor: String,
    from_state: String,
    to_state: String,
    /// The order that made the change, if one did.
    order_id: String,
    at: i64,
}

#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = Subscription)]
pub struct SubscriptionView {
    subscription_id: String,
    order_id: String,
    product_id: String,
    product_name: String,
    sku_code: String,
    /// trial, live, frozen, unsubscribing, released or unsubscribed.
    state: String,
    /// period or once.
    billing: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    expires_at: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    frozen_until: Option<i64>,
    buyer: String,
    buyer_tenant: String,
    created_at: i64,
    updated_at: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    history: Option<Vec<EventView>>,
}

impl SubscriptionView {
    pub fn of(r: &SubscriptionRecord, history: Option<Vec<SubscriptionEvent>>) -> Self {
        Self {
            subscription_id: r.id.clone(),
            order_id: r.order_id.clone(),
            product_id: r.product_id.clone(),
            product_name: r.product_name.clone(),
            sku_code: r.sku_code.clone(),
            state: r.subscription.state.as_str().into(),
            billing: match r.subscription.billing {
                Billing::Period => "period",
                Billing::Once => "once",
            }
            .into(),
            expires_at: r.subscription.expires_at,
            frozen_until: r.subscription.frozen_until,
            buyer: r.buyer_user_id.clone(),
            buyer_tenant: r.buyer_tenant_id.clone(),
            created_at: r.created_at,
            updated_at: r.updated_at,
            history: history.map(|events| {
                events
                    .into_iter()
                    .map(|e| EventView {
                        action: e.action,
                        actor: e.actor,
                        from_state: e.from_state,
                        to_state: e.to_state,
                        order_id: e.order_id,
                        at: e.at,
                    })
                    .collect()
            }),
        }
    }
}

async fn listing(
    req: &HttpRequest,
    market: &Marketplace,
    owner: SubscriptionOwner<'_>,
) -> Result<HttpResponse, MarketError> {
    let pairs = query_pairs(req, &["state", "offset", "limit"])?;
    let (offset, limit) = page(&pairs)?;
    let state = match pairs.iter().find(|(k, _)| k == "state") {
        None => None,
        Some((_, v)) => Some(State::parse(v).ok_or_else(|| {
            MarketError::Invalid(
                "state is one of trial, live, frozen, unsubscribing, released, unsubscribed".into(),
            )
        })?),
    };
    let (items, total) = market
        .store
        .subscriptions_of(owner, state, offset, limit)
        .await?;
    let views: Vec<SubscriptionView> = items
        .iter()
        .map(|s| SubscriptionView::of(s, None))
        .collect();
    Ok(paged(views, total, offset, limit))
}

/// My subscriptions, newest first
#[utoipa::path(
    get,
    path = "/api/marketplace/v1/buyer/subscriptions",
    tag = "subscriptions",
    params(("state" = Option<String>, Query), ("offset" = Option<i64>, Query, minimum = 0), ("limit" = Option<i64>, Query, minimum = 1, maximum = 100)),
    responses((status = 200, description = "A page", body = Page<SubscriptionView>), schema::Refusals),
    security(("bearer" = ["marketplace.buyer"]))
)]
pub async fn buyer_list(
    buyer: Buyer,
    req: HttpRequest,
    market: web::Data<Marketplace>,
) -> Result<HttpResponse, MarketError> {
    listing(&req, &market, SubscriptionOwner::Buyer(buyer.user_id())).await
}

/// Subscriptions of my products, newest first
#[utoipa::path(
    get,
    path = "/api/marketplace/v1/seller/subscriptions",
    tag = "subscriptions",
    params(("state" = Option<String>, Query), ("offset" = Option<i64>, Query, minimum = 0), ("limit" = Option<i64>, Query, minimum = 1, maximum = 100)),
    responses((status = 200, description = "A page", body = Page<SubscriptionView>), schema::Refusals),
    security(("bearer" = ["marketplace.seller"]))
)]
pub async fn seller_list(
    Seller { merchant, .. }: Seller,
    req: HttpRequest,
    market: web::Data<Marketplace>,
) -> Result<HttpResponse, MarketError> {
    let tenant = merchant.tenant_id;
    listing(&req, &market, SubscriptionOwner::Seller(&tenant)).await
}

async fn show(
    market: &Marketplace,
    id: &str,
    owner: SubscriptionOwner<'_>,
) -> Result<HttpResponse, MarketError> {
    let record = market.store.subscription(id).await?;
    let visible = record.filter(|s| match owner {
        SubscriptionOwner::Seller(tenant) => s.seller_tenant_id == tenant,
        SubscriptionOwner::Buyer(user) => s.buyer_user_id == user,
    });
    let record = visible.ok_or_else(|| MarketError::NotFound("No such subscription".into()))?;
    let history = market.store.subscription_log(&record.id).await?;
    Ok(HttpResponse::Ok().json(SubscriptionView::of(&record, Some(history))))
}

/// One of my subscriptions, with its history
#[utoipa::path(
    get,
    path = "/api/marketplace/v1/buyer/subscriptions/{subscriptionId}",
    tag = "subscriptions",
    params(("subscriptionId" = String, Path)),
    responses((status = 200, description = "The subscription", body = SubscriptionView), schema::Refusals, (status = 404, description = "not_found", body = schema::ErrorBody)),
    security(("bearer" = ["marketplace.buyer"]))
)]
pub async fn buyer_show(
    buyer: Buyer,
    path: web::Path<String>,
    market: web::Data<Marketplace>,
) -> Result<HttpResponse, MarketError> {
    let owner = SubscriptionOwner::Buyer(buyer.user_id());
    show(&market, &path.into_inner(), owner).await
}

/// A subscription of my products, with its history
#[utoipa::path(
    get,
    path = "/api/marketplace/v1/seller/subscriptions/{subscriptionId}",
    tag = "subscriptions",
    params(("subscriptionId" = String, Path)),
    responses((status = 200, description = "The subscription", body = SubscriptionView), schema::Refusals, (status = 404, description = "not_found", body = schema::ErrorBody)),
    security(("bearer" = ["marketplace.seller"]))
)]
pub async fn seller_show(
    Seller { merchant, .. }: Seller,
    path: web::Path<String>,
    market: web::Data<Marketplace>,
) -> Result<HttpResponse, MarketError> {
    let owner = SubscriptionOwner::Seller(&merchant.tenant_id);
    show(&market, &path.into_inner(), owner).await
}
