//! Products on sale, as the catalogue and orders read them.

use sqlx::any::AnyRow;
use sqlx::Row;

use crate::store::MarketStore;
use crate::workflow::listing::{count_and_page, Listing, Slice};
use unilogin_core::store::durable::Tx;
use unilogin_core::store::StoreError;

/// A product is `in_review` until its first approval, then `on_sale`.
pub(crate) const IN_REVIEW: &str = "in_review";
pub(crate) const DELISTED: &str = "delisted";
pub(crate) const ON_SALE: &str = "on_sale";

/// Where a seller's product stands, as its list shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ListingStatus {
    OnSale,
    /// On sale, with a modification waiting for review.
    ChangeInReview,
    /// Never on sale yet, its first application waiting for review.
    InReview,
    /// Never on sale yet, its latest application rejected or withdrawn.
    NotListed,
    Delisted,
    /// Off sale, submitted again to go back on sale.
    RelistInReview,
}

impl ListingStatus {
    fn of(status: &str, waiting: bool) -> Self {
        match (status, waiting) {
            (ON_SALE, true) => Self::ChangeInReview,
            (ON_SALE, false) => Self::OnSale,
            (DELISTED, true) => Self::RelistInReview,
            (DELISTED, false) => Self::Delisted,
            (_, true) => Self::InReview,
            (_, false) => Self::NotListed,
        }
    }

    /// Its code, for labels and ids.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::OnSale => "on_sale",
            Self::ChangeInReview => "change_in_review",
            Self::InReview => "in_review",
            Self::NotListed => "not_listed",
            Self::Delisted => "delisted",
            Self::RelistInReview => "relist_in_review",
        }
    }
}

/// A seller's product and where it stands.
#[derive(Debug, Clone)]
pub struct SellerProduct {
    pub record: ProductRecord,
    pub status: ListingStatus,
}

/// A product and its approved content (JSON).
#[derive(Debug, Clone)]
pub struct ProductRecord {
    pub id: String,
    pub tenant_id: String,
    pub content: String,
    pub updated_at: i64,
}

impl MarketStore {
    /// Products on sale, oldest first, and how many there are.
    pub async fn products_on_sale(
        &self,
        offset: i64,
        limit: i64,
    ) -> Result<(Vec<ProductRecord>, i64), StoreError> {
        let listing = Listing {
            columns: "id, tenant_id, content, updated_at",
            from: "FROM mkt_products WHERE status = $1".to_owned(),
            values: vec![ON_SALE.into()],
            order_by: "created_at, id",
        };
        let (rows, total) = count_and_page(self.pool(), listing, Slice { offset, limit }).await?;
        let items = rows
            .iter()
            .map(product)
            .collect::<Result<Vec<_>, sqlx::Error>>()?;
        Ok((items, total))
    }

    /// A merchant's products on sale, newest first.
    pub async fn products_of_merchant(
        &self,
        tenant_id: &str,
    ) -> Result<Vec<ProductRecord>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, tenant_id, content, updated_at FROM mkt_products \
             WHERE tenant_id = $1 AND status = $2 ORDER BY created_at DESC, id LIMIT 500",
        )
        .bind(tenant_id)
        .bind(ON_SALE)
        .fetch_all(self.pool())
        .await?;
        Ok(rows.iter().map(product).collect::<Result<_, _>>()?)
    }

    pub async fn product_on_sale(&self, id: &str) -> Result<Option<ProductRecord>, StoreError> {
        product_on_sale_with(self.pool(), id).await
    }

    /// The product whatever its status (on sale or taken off since it was bought).
    pub async fn product_any_status(&self, id: &str) -> Result<Option<ProductRecord>, StoreError> {
        let row = sqlx::query(
            "SELECT id, tenant_id, content, updated_at FROM mkt_products WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(self.pool())
        .await?;
        Ok(row.as_ref().map(product).transpose()?)
    }

    /// Every product of a merchant, newest first, as the seller's list shows it: the
    /// content on sale (or, before the first approval, the latest submitted), its status,
    /// and whether an application waits for review.
    pub async fn products_of_seller(
        &self,
        tenant_id: &str,
    ) -> Result<Vec<SellerProduct>, StoreError> {
        let rows = sqlx::query(
            "SELECT p.id, p.tenant_id, p.status, p.updated_at, \
             COALESCE(p.content, (SELECT a.content FROM mkt_applications a \
               WHERE a.product_id = p.id ORDER BY a.seq DESC LIMIT 1)) AS content, \
             (SELECT COUNT(*) FROM mkt_applications a \
               WHERE a.product_id = p.id AND a.status = $2) AS waiting \
             FROM mkt_products p WHERE p.tenant_id = $1 \
             ORDER BY p.created_at DESC, p.id LIMIT 500",
        )
        .bind(tenant_id)
        .bind(crate::selling::store::PENDING)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|row| {
                let waiting: i64 = row.try_get("waiting")?;
                Ok(SellerProduct {
                    record: ProductRecord {
                        id: row.try_get("id")?,
                        tenant_id: row.try_get("tenant_id")?,
                        content: row
                            .try_get::<Option<String>, _>("content")?
                            .unwrap_or_default(),
                        updated_at: row.try_get("updated_at")?,
                    },
                    status: ListingStatus::of(&row.try_get::<String, _>("status")?, waiting > 0),
                })
            })
            .collect::<Result<_, sqlx::Error>>()
            .map_err(StoreError::from)
    }

    /// Takes the seller's product off sale; false when it is not on sale.
    pub async fn delist_product(
        &self,
        id: &str,
        tenant_id: &str,
        now: i64,
    ) -> Result<bool, StoreError> {
        let updated = sqlx::query(
            "UPDATE mkt_products SET status = $1, updated_at = $2 \
             WHERE id = $3 AND tenant_id = $4 AND status = $5",
        )
        .bind(DELISTED)
        .bind(now)
        .bind(id)
        .bind(tenant_id)
        .bind(ON_SALE)
        .execute(self.pool())
        .await?;
        let delisted = updated.rows_affected() == 1;
        if delisted {
            self.catalogue_changed();
        }
        Ok(delisted)
    }
}

/// `product_on_sale`, read inside the caller's transaction.
pub async fn product_on_sale_in(
    tx: &mut Tx,
    id: &str,
) -> Result<Option<ProductRecord>, StoreError> {
    product_on_sale_with(&mut **tx, id).await
}

fn product(row: &AnyRow) -> Result<ProductRecord, sqlx::Error> {
    Ok(ProductRecord {
        id: row.try_get("id")?,
        tenant_id: row.try_get("tenant_id")?,
        content: row.try_get("content")?,
        updated_at: row.try_get("updated_at")?,
    })
}

async fn product_on_sale_with<'e>(
    executor: impl sqlx::Executor<'e, Database = sqlx::Any>,
    id: &str,
) -> Result<Option<ProductRecord>, StoreError> {
    let row = sqlx::query(
        "SELECT id, tenant_id, content, updated_at FROM mkt_products \
         WHERE id = $1 AND status = $2",
    )
    .bind(id)
    .bind(ON_SALE)
    .fetch_optional(executor)
    .await?;
    Ok(row.as_ref().map(product).transpose()?)
}
