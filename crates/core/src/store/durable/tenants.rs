//! Tenants: the organisations users belong to.

use sqlx::Row;

use super::Durable;
use crate::domain::TenantId;
use crate::store::StoreError;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TenantRecord {
    pub id: String,
    pub name: String,
    pub domain_name: Option<String>,
    pub created_at: i64,
    /// Bumped by every update: the admin API's ETag.
    pub version: i64,
}

const COLUMNS: &str = "id, name, domain_name, created_at, version";

fn from_row(row: &sqlx::any::AnyRow) -> Result<TenantRecord, sqlx::Error> {
    Ok(TenantRecord {
        id: row.try_get("id")?,
        name: row.try_get("name")?,
        domain_name: row.try_get("domain_name")?,
        created_at: row.try_get("created_at")?,
        version: row.try_get("version")?,
    })
}

/// What an update against a version found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Versioned {
    Updated,
    /// The record changed since that version was read.
    Stale,
    Missing,
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
        let sql = format!("SELECT {COLUMNS} FROM tenants WHERE id = $1");
        let row = sqlx::query(&sql)
            .bind(id)
            .fetch_optional(self.pool())
            .await?;
        Ok(row.as_ref().map(from_row).transpose()?)
    }

    /// Up to `limit` tenants with ids after `after`, by id.
    pub async fn list_tenants(
        &self,
        after: &str,
        limit: i64,
    ) -> Result<Vec<TenantRecord>, StoreError> {
        let sql = format!("SELECT {COLUMNS} FROM tenants WHERE id > $1 ORDER BY id LIMIT $2");
        let rows = sqlx::query(&sql)
            .bind(after)
            .bind(limit)
            .fetch_all(self.pool())
            .await?;
        Ok(rows.iter().map(from_row).collect::<Result<_, _>>()?)
    }

    /// Replaces a tenant's name and domain if it is still at `version`.
    pub async fn update_tenant(
        &self,
        id: &str,
        name: &str,
        domain_name: Option<&str>,
        version: i64,
    ) -> Result<Versioned, StoreError> {
        let done = sqlx::query(
            "UPDATE tenants SET name = $1, domain_name = $2, version = version + 1 \
             WHERE id = $3 AND version = $4",
        )
        .bind(name)
        .bind(domain_name)
        .bind(id)
        .bind(version)
        .execute(self.pool())
        .await?;
        if done.rows_affected() == 1 {
            return Ok(Versioned::Updated);
        }
        Ok(match self.find_tenant(id).await? {
            Some(_) => Versioned::Stale,
            None => Versioned::Missing,
        })
    }
}
