//! The catalogue: products on sale, with their specs, for anyone signed in.

use actix_web::{web, HttpRequest, HttpResponse};

use super::caller::Caller;
use super::error::MarketError;
use super::product_store::ProductRecord;
use super::request::{page, paged, query_pairs};
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

fn view(record: ProductRecord) -> serde_json::Value {
    let mut content: serde_json::Value =
        serde_json::from_str(&record.content).unwrap_or(serde_json::Value::Null);
    if let Some(object) = content.as_object_mut() {
        object.remove("securitySelfCheck");
        object.insert("id".into(), record.id.into());
        object.insert("merchant".into(), record.tenant_id.into());
        object.insert("updatedAt".into(), record.updated_at.into());
    }
    content
}

pub async fn list(
    req: HttpRequest,
    market: web::Data<Marketplace>,
) -> Result<HttpResponse, MarketError> {
    let caller = Caller::identify(&req, &market).await?;
    signed_in(&caller)?;
    let (offset, limit) = page(&query_pairs(&req, &["offset", "limit"])?)?;
    let (records, total) = market.store.products_on_sale(offset, limit).await?;
    let items: Vec<serde_json::Value> = records.into_iter().map(view).collect();
    Ok(paged(items, total, offset, limit))
}

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
    Ok(HttpResponse::Ok().json(view(record)))
}
