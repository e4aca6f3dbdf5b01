//! The catalogue: products on sale, with their specs, for anyone signed in.

use std::sync::Arc;

use actix_web::{web, HttpRequest, HttpResponse};
use serde::Serialize;

use crate::http::caller::Caller;
use crate::http::error::MarketError;
use crate::http::request::{page, paged, query_pairs};
use crate::http::roles::SignedIn;
use crate::http::schema::{self, Page};
use crate::selling::delivery::DeliveryFlow;
use crate::selling::product::{AccessType, ProductContent, Spec};
use crate::selling::products::ProductRecord;
use crate::state::Marketplace;

/// A product on sale, as buyers see it.
#[derive(Clone, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = Product)]
pub struct ProductView {
    pub id: String,
    /// The seller's tenant.
    pub merchant: String,
    pub name: String,
    pub description: String,
    pub category: String,
    pub access_type: AccessType,
    pub specs: Vec<Spec>,
    /// SaaS: the delivery is under service supervision.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub supervised: bool,
    /// License and manual service: how it is delivered (a spec may name its own).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub delivery_flow: Option<DeliveryFlow>,
    pub updated_at: i64,
}

impl ProductView {
    /// Some order of it opens a service supervision.
    pub fn under_supervision(&self) -> bool {
        let content = ProductContent {
            name: String::new(),
            description: String::new(),
            category: String::new(),
            access_type: self.access_type,
            specs: self.specs.clone(),
            security_self_check: true,
            supervised: self.supervised,
            delivery_flow: self.delivery_flow,
        };
        self.specs
            .iter()
            .any(|s| content.supervision_for(&s.sku_code).is_some())
    }
}

/// What a catalogue search looks for: words in the name or description, an access type,
/// a category (exactly).
#[derive(Debug, Default, Clone)]
pub struct Search {
    pub words: String,
    pub access_type: Option<AccessType>,
    pub category: String,
}

impl Search {
    /// Whether the product matches, given its name and description in lower case and
    /// the search's words, lower-cased once.
    fn matches(&self, p: &Listed, words: &[String]) -> bool {
        words.iter().all(|w| p.text.contains(w.as_str()))
            && self.access_type.is_none_or(|t| t == p.view.access_type)
            && (self.category.is_empty() || self.category == p.view.category)
    }

    /// The search a query asks for (`q`, `accessType`, `category`).
    pub fn from_pairs(pairs: &[(String, String)]) -> Result<Self, MarketError> {
        let get = |name: &str| {
            pairs
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.trim().to_owned())
                .unwrap_or_default()
        };
        let access_type = match get("accessType").as_str() {
            "" => None,
            raw => Some(
                serde_json::from_value(serde_json::Value::String(raw.to_owned())).map_err(
                    |_| MarketError::Invalid(format!("accessType {raw:?} is not an access type")),
                )?,
            ),
        };
        let words: String = get("q").chars().take(100).collect();
        let category: String = get("category").chars().take(100).collect();
        Ok(Self {
            words,
            access_type,
            category,
        })
    }
}

/// How many products a search looks through (the catalogue is read whole and filtered:
/// product content is JSON, which the two backends cannot query alike).
const SEARCHED: i64 = 5_000;

/// A product of the catalogue, with the text its search words are looked for in.
struct Listed {
    view: ProductView,
    /// Name and description, lower case.
    text: String,
}

/// The catalogue as read at one moment: every product on sale, and the categories.
struct Snapshot {
    /// The store's catalogue generation when the read began.
    generation: u64,
    loaded_ms: i64,
    products: Vec<Listed>,
    categories: Vec<String>,
}

/// The products on sale, read whole and kept, so that a search reads no database: a
/// change this instance commits (an approval, a delisting) is seen by the next search;
/// one committed elsewhere (another instance, the command line) within `ttl`.
pub struct CatalogueCache {
    ttl_ms: i64,
    current: std::sync::Mutex<Option<Arc<Snapshot>>>,
    /// One reload at a time: the searches arriving meanwhile wait for its result.
    reloading: tokio::sync::Mutex<()>,
}

impl CatalogueCache {
    pub fn new(ttl: std::time::Duration) -> Self {
        Self {
            ttl_ms: i64::try_from(ttl.as_millis()).unwrap_or(i64::MAX),
            current: std::sync::Mutex::default(),
            reloading: tokio::sync::Mutex::default(),
        }
    }

    fn fresh(&self, generation: u64, now_ms: i64) -> Option<Arc<Snapshot>> {
        let current = self
            .current
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        current
            .as_ref()
            .filter(|s| {
                s.generation == generation
                    && (s.loaded_ms..s.loaded_ms.saturating_add(self.ttl_ms)).contains(&now_ms)
            })
            .cloned()
    }

    async fn snapshot(&self, market: &Marketplace) -> Result<Arc<Snapshot>, MarketError> {
        let generation = market.store.catalogue_generation();
        if let Some(snapshot) = self.fresh(generation, market.clock.now_millis()) {
            return Ok(snapshot);
        }
        let _reloading = self.reloading.lock().await;
        let generation = market.store.catalogue_generation();
        let now_ms = market.clock.now_millis();
        if let Some(snapshot) = self.fresh(generation, now_ms) {
            return Ok(snapshot);
        }
        let (records, _) = market.store.products_on_sale(0, SEARCHED).await?;
        let products = records
            .into_iter()
            .map(|record| {
                let view = view(record)?;
                let text = format!("{} {}", view.name, view.description).to_lowercase();
                Ok(Listed { view, text })
            })
            .collect::<Result<Vec<_>, MarketError>>()?;
        let mut categories: Vec<String> =
            products.iter().map(|p| p.view.category.clone()).collect();
        categories.sort();
        categories.dedup();
        let snapshot = Arc::new(Snapshot {
            generation,
            loaded_ms: now_ms,
            products,
            categories,
        });
        *self
            .current
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner()) = Some(snapshot.clone());
        Ok(snapshot)
    }
}

/// A page of the products on sale that match, and how many match; with the categories
/// on sale, for a filter to offer.
pub async fn search(
    market: &Marketplace,
    search: &Search,
    offset: i64,
    limit: i64,
) -> Result<(Vec<ProductView>, i64, Vec<String>), MarketError> {
    let snapshot = market.catalogue.snapshot(market).await?;
    let words: Vec<String> = search
        .words
        .to_lowercase()
        .split_whitespace()
        .map(str::to_owned)
        .collect();
    let matching: Vec<&Listed> = snapshot
        .products
        .iter()
        .filter(|p| search.matches(p, &words))
        .collect();
    let total = matching.len() as i64;
    let page = matching
        .into_iter()
        .skip(usize::try_from(offset).unwrap_or(usize::MAX))
        .take(usize::try_from(limit).unwrap_or(0))
        .map(|p| p.view.clone())
        .collect();
    Ok((page, total, snapshot.categories.clone()))
}

/// The calling seller's products on sale.
pub async fn products_of(
    market: &Marketplace,
    caller: &Caller,
) -> Result<Vec<ProductView>, MarketError> {
    let merchant = caller.seller()?;
    market
        .store
        .products_of_merchant(&merchant.tenant_id)
        .await?
        .into_iter()
        .map(view)
        .collect()
}

/// Every product of the calling seller, newest first, with where it stands.
pub async fn seller_products(
    market: &Marketplace,
    caller: &Caller,
) -> Result<Vec<(ProductView, crate::selling::products::ListingStatus)>, MarketError> {
    let merchant = caller.seller()?;
    market
        .store
        .products_of_seller(&merchant.tenant_id)
        .await?
        .into_iter()
        .map(|p| Ok((view(p.record)?, p.status)))
        .collect()
}

/// A product on sale, or 404.
pub async fn product(market: &Marketplace, id: &str) -> Result<ProductView, MarketError> {
    let record = market
        .store
        .product_on_sale(id)
        .await?
        .ok_or_else(|| MarketError::NotFound("No such product on sale".into()))?;
    view(record)
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
        supervised: content.supervised,
        delivery_flow: content.delivery_flow,
        updated_at: record.updated_at,
    })
}

/// Products on sale, optionally searched
#[utoipa::path(
    get,
    path = "/api/marketplace/v1/products",
    tag = "catalogue",
    params(("q" = Option<String>, Query, description = "words, all in the name or description"), ("accessType" = Option<AccessType>, Query), ("category" = Option<String>, Query), ("offset" = Option<i64>, Query, minimum = 0, description = "default 0"), ("limit" = Option<i64>, Query, minimum = 1, maximum = 100, description = "default 20")),
    responses((status = 200, description = "A page", body = Page<ProductView>), schema::Refusals),
    security(("bearer" = ["marketplace.buyer"]))
)]
pub async fn list(
    _: SignedIn,
    req: HttpRequest,
    market: web::Data<Marketplace>,
) -> Result<HttpResponse, MarketError> {
    let pairs = query_pairs(&req, &["q", "accessType", "category", "offset", "limit"])?;
    let (offset, limit) = page(&pairs)?;
    let (items, total, _) = search(&market, &Search::from_pairs(&pairs)?, offset, limit).await?;
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
    _: SignedIn,
    path: web::Path<String>,
    market: web::Data<Marketplace>,
) -> Result<HttpResponse, MarketError> {
    Ok(HttpResponse::Ok().json(product(&market, &path.into_inner()).await?))
}
