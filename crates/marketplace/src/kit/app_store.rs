//! The `kit_apps` table.

use sqlx::any::AnyRow;
use sqlx::Row;

use crate::store::MarketStore;
use unilogin_core::store::durable::Tx;
use unilogin_core::store::StoreError;

/// The access key bound to each interface category (three different keys).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyBindings {
    pub basic: String,
    pub kit_sync: String,
    pub generic: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KitApp {
    /// The appId of the portal link.
    pub id: String,
    pub seller_tenant_id: String,
    pub product_id: String,
    pub name: String,
    pub home_url: String,
    pub redirect_uris: Vec<String>,
    pub post_logout_uris: Vec<String>,
    pub production_url: String,
    /// PEM, checked (RSA, at least 3072 bits) when it was registered.
    pub public_key: String,
    pub keys: KeyBindings,
    pub created_at: i64,
    pub updated_at: i64,
}

const COLUMNS: &str = "id, seller_tenant_id, product_id, name, home_url, redirect_uris, \
     post_logout_uris, production_url, public_key, basic_key, sync_key, generic_key, \
     created_at, updated_at";

fn uris(row: &AnyRow, column: &str) -> Result<Vec<String>, StoreError> {
    let raw: String = row.try_get(column)?;
    serde_json::from_str(&raw).map_err(|e| StoreError::Corrupt(format!("{column}: {e}")))
}

fn app_of(row: &AnyRow) -> Result<KitApp, StoreError> {
    Ok(KitApp {
        id: row.try_get("id")?,
        seller_tenant_id: row.try_get("seller_tenant_id")?,
        product_id: row.try_get("product_id")?,
        name: row.try_get("name")?,
        home_url: row.try_get("home_url")?,
        redirect_uris: uris(row, "redirect_uris")?,
        post_logout_uris: uris(row, "post_logout_uris")?,
        production_url: row.try_get("production_url")?,
        public_key: row.try_get("public_key")?,
        keys: KeyBindings {
            basic: row.try_get("basic_key")?,
            kit_sync: row.try_get("sync_key")?,
            generic: row.try_get("generic_key")?,
        },
        created_at: row.try_get("created_at")?,
        updated_at: row.try_get("updated_at")?,
    })
}

fn json(uris: &[String]) -> String {
    serde_json::to_string(uris).unwrap_or_else(|_| "[]".into())
}

impl MarketStore {
    /// `Conflict` if the product has an app already.
    pub async fn insert_kit_app(&self, app: &KitApp) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO kit_apps (id, seller_tenant_id, product_id, name, home_url, \
             redirect_uris, post_logout_uris, production_url, public_key, basic_key, sync_key, \
             generic_key, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $13)",
        )
        .bind(&app.id)
        .bind(&app.seller_tenant_id)
        .bind(&app.product_id)
        .bind(&app.name)
        .bind(&app.home_url)
        .bind(json(&app.redirect_uris))
        .bind(json(&app.post_logout_uris))
        .bind(&app.production_url)
        .bind(&app.public_key)
        .bind(&app.keys.basic)
        .bind(&app.keys.kit_sync)
        .bind(&app.keys.generic)
        .bind(app.created_at)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// Replaces everything but the ids, the product and the creation time.
    pub async fn update_kit_app(&self, app: &KitApp) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "UPDATE kit_apps SET name = $1, home_url = $2, redirect_uris = $3, \
             post_logout_uris = $4, production_url = $5, public_key = $6, basic_key = $7, \
             sync_key = $8, generic_key = $9, updated_at = $10 \
             WHERE id = $11 AND seller_tenant_id = $12",
        )
        .bind(&app.name)
        .bind(&app.home_url)
        .bind(json(&app.redirect_uris))
        .bind(json(&app.post_logout_uris))
        .bind(&app.production_url)
        .bind(&app.public_key)
        .bind(&app.keys.basic)
        .bind(&app.keys.kit_sync)
        .bind(&app.keys.generic)
        .bind(app.updated_at)
        .bind(&app.id)
        .bind(&app.seller_tenant_id)
        .execute(self.pool())
        .await?;
        Ok(done.rows_affected() == 1)
    }

    pub async fn kit_app(&self, id: &str) -> Result<Option<KitApp>, StoreError> {
        kit_app_where(self.pool(), "id", id).await
    }

    /// The app of a product, if it is a joint-operation app's.
    pub async fn kit_app_of_product(&self, product_id: &str) -> Result<Option<KitApp>, StoreError> {
        kit_app_where(self.pool(), "product_id", product_id).await
    }

    pub async fn kit_apps_of(&self, seller_tenant_id: &str) -> Result<Vec<KitApp>, StoreError> {
        let sql = format!(
            "SELECT {COLUMNS} FROM kit_apps WHERE seller_tenant_id = $1 ORDER BY created_at, id"
        );
        let rows = sqlx::query(&sql)
            .bind(seller_tenant_id)
            .fetch_all(self.pool())
            .await?;
        rows.iter().map(app_of).collect()
    }

    /// The access type a seller's product has (approved, or else as last submitted).
    pub async fn product_access_type(
        &self,
        product_id: &str,
        seller_tenant_id: &str,
    ) -> Result<Option<String>, StoreError> {
        let row = sqlx::query(
            "SELECT p.content AS approved, (SELECT a.content FROM mkt_applications a \
             WHERE a.product_id = p.id ORDER BY a.seq DESC LIMIT 1) AS submitted \
             FROM mkt_products p WHERE p.id = $1 AND p.tenant_id = $2",
        )
        .bind(product_id)
        .bind(seller_tenant_id)
        .fetch_optional(self.pool())
        .await?;
        let Some(row) = row else {
            return Ok(None);
        };
        let approved: Option<String> = row.try_get("approved")?;
        let submitted: Option<String> = row.try_get("submitted")?;
        let content = approved.or(submitted).unwrap_or_default();
        let value: serde_json::Value = serde_json::from_str(&content).unwrap_or_default();
        Ok(value["accessType"].as_str().map(str::to_owned))
    }
}

/// `kit_app_of_product`, read inside the caller's transaction.
pub async fn kit_app_of_product_in(
    tx: &mut Tx,
    product_id: &str,
) -> Result<Option<KitApp>, StoreError> {
    kit_app_where(&mut **tx, "product_id", product_id).await
}

/// The app whose unique `column` (a name of ours, never input) holds `value`.
async fn kit_app_where<'e>(
    executor: impl sqlx::Executor<'e, Database = sqlx::Any>,
    column: &str,
    value: &str,
) -> Result<Option<KitApp>, StoreError> {
    let sql = format!("SELECT {COLUMNS} FROM kit_apps WHERE {column} = $1");
    let row = sqlx::query(&sql)
        .bind(value)
        .fetch_optional(executor)
        .await?;
    row.as_ref().map(app_of).transpose()
}
