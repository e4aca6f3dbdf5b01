//! Every list page the same way: the total that matches, then one page of it, from one
//! filter bound once.

use sqlx::any::AnyRow;
use sqlx::{AnyPool, Row};

use super::sql::{bind_all, Cell};
use unilogin_core::store::StoreError;

/// A listing: what to select, from where (`FROM … [JOIN …] WHERE …`, its placeholders
/// numbered from `$1` and bound from `values`), in which order.
pub struct Listing<'a> {
    pub columns: &'a str,
    pub from: String,
    pub values: Vec<Cell<'a>>,
    pub order_by: &'a str,
}

/// Which slice of a listing to read (validated at the edge: offset ≥ 0, limit 1..=100).
#[derive(Debug, Clone, Copy)]
pub struct Slice {
    pub offset: i64,
    pub limit: i64,
}

/// One page of rows and how many match in all.
pub async fn count_and_page(
    pool: &AnyPool,
    listing: Listing<'_>,
    slice: Slice,
) -> Result<(Vec<AnyRow>, i64), StoreError> {
    let count_sql = format!("SELECT COUNT(*) AS n {}", listing.from);
    let total: i64 = bind_all(sqlx::query(&count_sql), &listing.values)
        .fetch_one(pool)
        .await?
        .try_get("n")?;
    let page_sql = format!(
        "SELECT {} {} ORDER BY {} LIMIT {} OFFSET {}",
        listing.columns,
        listing.from,
        listing.order_by,
        slice.limit.max(0),
        slice.offset.max(0)
    );
    let rows = bind_all(sqlx::query(&page_sql), &listing.values)
        .fetch_all(pool)
        .await?;
    Ok((rows, total))
}
