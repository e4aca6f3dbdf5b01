//! The catalogue: products on sale, with their specs, for anyone signed in.

use actix_web::{web, HttpRequest, HttpResponse};
use serde::Serialize;

use super::caller::Caller;
use super::error::MarketError;
use super::product::{AccessType, ProductContent, Spec};
use super::product_store::ProductRecord;
use super::request::{page, paged, query_pairs};
use super::schema::{self, Page};
use super::Marketplace;

fn signed_in(caller: &Caller) -> Result<(), MarketError> {
    if caller.is_user() {
        Ok(())
    } else {
        Err(MarketError::Forbidden(
            "The catalogue is for signed-in users".into(),
        ))
    }
}

/// A product on sale, as buyers see it.
#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = Product)]
struct ProductView {
    id: String,
    /// The seller's tenant.
    merchant: String,
    name: String,
    description: String,
    category: String,
    access_type: AccessType,
    specs: Vec<Spec>,
    updated_at: i64,
}

fn view(record: ProductRecord) -> Result<ProductView, MarketError> {
    let content: ProductContent = serde_json::from_str(&record.content).map_err(|err| {
        tracing::error!(error = %err, product = %record.id, "stored product content unreadable");
        MarketError::Internal
    })?;
    Ok(ProductView {
        id: record.id,
        merchant: record.tenant_id,
        name: content.name,
        description: content.description,
        category: content.category,
        access_type: content.access_type,
        specs: content.specs,
        updated_at: record.updated_at,
    })
}

/// Products on sale
#[utoipa::path(
    get,
    path = "/api/marketplace/v1/products",
    tag = "catalogue",
    params(("offset" = Option<i64>, Query, minimum = 0, description = "default 0"), ("limit" = Option<i64>, Query, minimum = 1, maximum = 100, description = "default 20")),
    responses((status = 200, description = "A page", body = Page<ProductView>), schema::Refusals),
    security(("bearer" = ["marketplace.buyer"]))
)]
pub async fn list(
    req: HttpRequest,
    market: web::Data<Marketplace>,
) -> Result<HttpResponse, MarketError> {
    let caller = Caller::identify(&req, &market).await?;
    signed_in(&caller)?;
    let (offset, limit) = page(&query_pairs(&req, &["offset", "limit"])?)?;
    let (records, total) = market.store.products_on_sale(offset, limit).await?;
    let items = records
        .into_iter()
        .map(view)
        .collect::<Result<Vec<_>, _>>()?;
    Ok(paged(items, total, offset, limit))
}

/// A product on sale
#[utoipa::path(
    get,
    path = "/api/marketplace/v1/products/{productId}",
    tag = "catalogue",
    params(("productId" = String, Path)),
    responses((status = 200, description = "The product", body = ProductView), schema::Refusals, (status = 404, description = "not_found", body = schema::ErrorBody)),
    security(("bearer" = ["marketplace.buyer"]))
)]
pub async fn show(
    req: HttpRequest,
    path: web::Path<String>,
    market: web::Data<Marketplace>,
) -> Result<HttpResponse, MarketError> {
    let caller = Caller::identify(&req, &market).await?;
    signed_in(&caller)?;
    let record = market
        .store
        .product_on_sale(&path.into_inner())
        .await?
        .ok_or_else(|| MarketError::NotFound("No such product on sale".into()))?;
    Ok(HttpResponse::Ok().json(view(record)?))
}
