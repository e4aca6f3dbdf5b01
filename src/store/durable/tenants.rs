//! Tenants: the organisations users belong to.

use sqlx::Row;

use super::Durable;
use crate::domain::TenantId;
use crate::store::StoreError;

#[derive(Debug, Clone)]
pub struct TenantRecord {
    pub id: String,
    pub name: String,
    pub domain_name: Option<String>,
}

impl Durable {
    /// Creates a tenant; `Conflict` if the id is taken.
    pub async fn create_tenant(
        &self,
        id: &TenantId,
        name: &str,
        domain_name: Option<&str>,
    ) -> Result<(), StoreError> {
        let _timer = crate::telemetry::registry().round_trip("durable", "create_tenant");
        sqlx::query(
            "INSERT INTO tenants (id, name, domain_name, created_at) VALUES ($1, $2, $3, $4)",
        )
        .bind(id.as_str())
        .bind(name)
        .bind(domain_name)
        .bind(self.now())
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// Creates the tenant with its id as name unless it exists already.
    pub async fn ensure_tenant(&self, id: &TenantId) -> Result<(), StoreError> {
        let _timer = crate::telemetry::registry().round_trip("durable", "ensure_tenant");
        sqlx::query(
            "INSERT INTO tenants (id, name, domain_name, created_at) VALUES ($1, $1, NULL, $2) \
             ON CONFLICT (id) DO NOTHING",
        )
        .bind(id.as_str())
        .bind(self.now())
        .execute(self.pool())
        .await?;
        Ok(())
    }

    pub async fn find_tenant(&self, id: &str) -> Result<Option<TenantRecord>, StoreError> {
        let _timer = crate::telemetry::registry().round_trip("durable", "find_tenant");
        let row = sqlx::query("SELECT id, name, domain_name FROM tenants WHERE id = $1")
            .bind(id)
            .fetch_optional(self.pool())
            .await?;
        row.map(|row| {
            Ok(TenantRecord {
                id: row.try_get("id")?,
                name: row.try_get("name")?,
                domain_name: row.try_get("domain_name")?,
            })
        })
        .transpose()
        .map_err(|e: sqlx::Error| StoreError::from(e))
    }
}
