//! The `mkt_upgrade_rules` table: which SKU of a product may be upgraded to which.

use sqlx::any::AnyRow;
use sqlx::Row;

use crate::store::MarketStore;
use unilogin_core::store::StoreError;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleRecord {
    pub id: String,
    pub seller_tenant_id: String,
    pub product_id: String,
    pub source_sku: String,
    pub target_sku: String,
    pub created_by: String,
    pub created_at: i64,
}

const COLUMNS: &str =
    "id, seller_tenant_id, product_id, source_sku, target_sku, created_by, created_at";

fn rule_of(row: &AnyRow) -> Result<RuleRecord, sqlx::Error> {
    Ok(RuleRecord {
        id: row.try_get("id")?,
        seller_tenant_id: row.try_get("seller_tenant_id")?,
        product_id: row.try_get("product_id")?,
        source_sku: row.try_get("source_sku")?,
        target_sku: row.try_get("target_sku")?,
        created_by: row.try_get("created_by")?,
        created_at: row.try_get("created_at")?,
    })
}

impl MarketStore {
    /// `Conflict` when the product already has this rule.
    pub async fn insert_upgrade_rule(&self, rule: &RuleRecord) -> Result<(), StoreError> {
        sqlx::query(&format!(
            "INSERT INTO mkt_upgrade_rules ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7)"
        ))
        .bind(&rule.id)
        .bind(&rule.seller_tenant_id)
        .bind(&rule.product_id)
        .bind(&rule.source_sku)
        .bind(&rule.target_sku)
        .bind(&rule.created_by)
        .bind(rule.created_at)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    pub async fn upgrade_rules_of(
        &self,
        seller_tenant_id: &str,
    ) -> Result<Vec<RuleRecord>, StoreError> {
        let rows = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM mkt_upgrade_rules WHERE seller_tenant_id = $1 \
             ORDER BY product_id, source_sku, target_sku"
        ))
        .bind(seller_tenant_id)
        .fetch_all(self.pool())
        .await?;
        Ok(rows.iter().map(rule_of).collect::<Result<_, _>>()?)
    }

    /// The rule from `source` to `target` of a product, if configured.
    pub async fn upgrade_rule(
        &self,
        product_id: &str,
        source: &str,
        target: &str,
    ) -> Result<Option<RuleRecord>, StoreError> {
        let row = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM mkt_upgrade_rules WHERE product_id = $1 \
             AND source_sku = $2 AND target_sku = $3"
        ))
        .bind(product_id)
        .bind(source)
        .bind(target)
        .fetch_optional(self.pool())
        .await?;
        Ok(row.as_ref().map(rule_of).transpose()?)
    }

    /// The rules from `source` of a product (the buyer's upgrade choices).
    pub async fn upgrade_rules_from(
        &self,
        product_id: &str,
        source: &str,
    ) -> Result<Vec<RuleRecord>, StoreError> {
        let rows = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM mkt_upgrade_rules WHERE product_id = $1 AND source_sku = $2 \
             ORDER BY target_sku"
        ))
        .bind(product_id)
        .bind(source)
        .fetch_all(self.pool())
        .await?;
        Ok(rows.iter().map(rule_of).collect::<Result<_, _>>()?)
    }

    /// Deletes one of the seller's rules; false when there is none.
    pub async fn delete_upgrade_rule(
        &self,
        seller_tenant_id: &str,
        id: &str,
    ) -> Result<bool, StoreError> {
        let deleted =
            sqlx::query("DELETE FROM mkt_upgrade_rules WHERE id = $1 AND seller_tenant_id = $2")
                .bind(id)
                .bind(seller_tenant_id)
                .execute(self.pool())
                .await?;
        Ok(deleted.rows_affected() == 1)
    }
}
