//! Reading review applications: one by id, its operation log, and the filtered, paged
//! lists of "my applications" and the operator's queue.

use sqlx::Row;

use crate::selling::store::{application, load, ApplicationRecord, LogEntry, APPLICATION_COLUMNS};
use crate::store::MarketStore;
use crate::workflow::listing::{count_and_page, Listing, Slice};
use crate::workflow::sql::Cell;
use unilogin_core::store::StoreError;

/// Filters of "my applications" and the operator's queue.
#[derive(Debug, Default)]
pub struct ApplicationFilter {
    pub tenant_id: Option<String>,
    pub status: Option<String>,
    pub kind: Option<String>,
    pub product_id: Option<String>,
    pub from: Option<i64>,
    pub to: Option<i64>,
    pub offset: i64,
    pub limit: i64,
}

impl MarketStore {
    pub async fn application(&self, id: &str) -> Result<Option<ApplicationRecord>, StoreError> {
        Ok(load(self.pool(), id).await?)
    }

    pub async fn application_log(&self, id: &str) -> Result<Vec<LogEntry>, StoreError> {
        let rows = sqlx::query(
            "SELECT at, actor, action, from_status, to_status, comment \
             FROM mkt_application_log WHERE application_id = $1 ORDER BY seq",
        )
        .bind(id)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| {
                Ok(LogEntry {
                    at: r.try_get("at")?,
                    actor: r.try_get("actor")?,
                    action: r.try_get("action")?,
                    from_status: r.try_get("from_status")?,
                    to_status: r.try_get("to_status")?,
                    comment: r.try_get("comment")?,
                })
            })
            .collect::<Result<_, sqlx::Error>>()
            .map_err(StoreError::from)
    }

    /// Applications matching `filter`, oldest first, and how many match in all.
    pub async fn list_applications(
        &self,
        filter: &ApplicationFilter,
    ) -> Result<(Vec<ApplicationRecord>, i64), StoreError> {
        let mut conditions = Vec::new();
        let mut binds: Vec<Cell<'_>> = Vec::new();
        let mut add = |column: &str, op: &str, value| {
            binds.push(value);
            conditions.push(format!("{column} {op} ${}", binds.len()));
        };
        if let Some(v) = &filter.tenant_id {
            add("tenant_id", "=", v.into());
        }
        if let Some(v) = &filter.status {
            add("status", "=", v.into());
        }
        if let Some(v) = &filter.kind {
            add("kind", "=", v.into());
        }
        if let Some(v) = &filter.product_id {
            add("product_id", "=", v.into());
        }
        if let Some(v) = filter.from {
            add("created_at", ">=", v.into());
        }
        if let Some(v) = filter.to {
            add("created_at", "<=", v.into());
        }
        let clause = if conditions.is_empty() {
            String::new()
        } else {
            format!(" WHERE {}", conditions.join(" AND "))
        };
        let listing = Listing {
            columns: APPLICATION_COLUMNS,
            from: format!("FROM mkt_applications{clause}"),
            values: binds,
            order_by: "created_at, id",
        };
        let slice = Slice {
            offset: filter.offset,
            limit: filter.limit,
        };
        let (rows, total) = count_and_page(self.pool(), listing, slice).await?;
        let items = rows
            .iter()
            .map(application)
            .collect::<Result<Vec<_>, _>>()?;
        Ok((items, total))
    }
}
