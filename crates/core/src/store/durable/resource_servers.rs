//! Registered resource servers (audiences) and the API scopes each defines.

use sqlx::Row;

use super::Durable;
use crate::store::StoreError;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResourceServerRecord {
    /// The audience value of its tokens: an absolute URI (RFC 8707 §2).
    pub identifier: String,
    pub name: String,
    pub scopes: Vec<String>,
}

impl Durable {
    /// Stores a resource server with its scopes, atomically. A scope another server
    /// already defines is a conflict.
    pub async fn insert_resource_server(
        &self,
        server: &ResourceServerRecord,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin().await?;
        sqlx::query(
            "INSERT INTO resource_servers (identifier, name, created_at) VALUES ($1, $2, $3)",
        )
        .bind(&server.identifier)
        .bind(&server.name)
        .bind(self.now())
        .execute(&mut *tx)
        .await?;
        for scope in &server.scopes {
            sqlx::query("INSERT INTO resource_scopes (scope, identifier) VALUES ($1, $2)")
                .bind(scope)
                .bind(&server.identifier)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Every registered resource server with its scopes, in registration order.
    pub async fn list_resource_servers(&self) -> Result<Vec<ResourceServerRecord>, StoreError> {
        let rows = sqlx::query(
            "SELECT identifier, name FROM resource_servers ORDER BY created_at, identifier",
        )
        .fetch_all(self.pool())
        .await?;
        let mut servers = Vec::with_capacity(rows.len());
        for row in &rows {
            servers.push(ResourceServerRecord {
                identifier: row.try_get("identifier")?,
                name: row.try_get("name")?,
                scopes: Vec::new(),
            });
        }
        let scopes = sqlx::query("SELECT scope, identifier FROM resource_scopes ORDER BY scope")
            .fetch_all(self.pool())
            .await?;
        for row in &scopes {
            let identifier: String = row.try_get("identifier")?;
            if let Some(server) = servers.iter_mut().find(|s| s.identifier == identifier) {
                server.scopes.push(row.try_get("scope")?);
            }
        }
        Ok(servers)
    }
}
