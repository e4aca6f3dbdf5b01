//! A seller takes its product off sale (下架): buyers no longer find or order it, and
//! rules that depend on it (upgrade rules) stop holding. Submitting the product again
//! (`PUT /seller/products/{id}`) puts it back on sale once approved.

use actix_web::{web, HttpResponse};

use crate::http::error::MarketError;
use crate::http::roles::Seller;
use crate::http::schema;
use crate::state::Marketplace;

/// Take my product off sale
#[utoipa::path(
    post,
    path = "/api/marketplace/v1/seller/products/{productId}/delist",
    tag = "products",
    params(("productId" = String, Path)),
    responses((status = 204, description = "Off sale"), schema::Refusals, (status = 404, description = "not_found: no product of yours on sale", body = schema::ErrorBody)),
    security(("bearer" = ["marketplace.seller"]))
)]
pub async fn delist(
    Seller { caller, .. }: Seller,
    path: web::Path<String>,
    market: web::Data<Marketplace>,
) -> Result<HttpResponse, MarketError> {
    take_off_sale(&market, &caller, &path).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Takes the calling seller's product `id` off sale (the API and the console).
pub async fn take_off_sale(
    market: &Marketplace,
    caller: &crate::http::caller::Caller,
    id: &str,
) -> Result<(), MarketError> {
    let merchant = caller.seller()?;
    let now = market.clock.now_unix();
    if !market
        .store
        .delist_product(id, &merchant.tenant_id, now)
        .await?
    {
        return Err(MarketError::NotFound(
            "No such product of yours on sale".into(),
        ));
    }
    tracing::info!(product_id = %id, "product delisted");
    Ok(())
}
