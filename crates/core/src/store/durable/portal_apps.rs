//! Joint-operation apps at the portal, the client registrations bound to one tenant of
//! them, and the users each such registration signs in.

use sqlx::Row;

use super::{ClientRecord, Durable};
use crate::store::StoreError;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PortalAppRecord {
    pub app_id: String,
    pub name: String,
    pub home_url: String,
}

impl Durable {
    /// Registers a portal app, or renames it and moves its home.
    pub async fn upsert_portal_app(&self, app: &PortalAppRecord) -> Result<(), StoreError> {
        let now = self.clock.now_unix();
        sqlx::query(
            "INSERT INTO portal_apps (app_id, name, home_url, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $4) ON CONFLICT (app_id) DO UPDATE SET \
             name = $2, home_url = $3, updated_at = $4",
        )
        .bind(&app.app_id)
        .bind(&app.name)
        .bind(&app.home_url)
        .bind(now)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    pub async fn portal_app(&self, app_id: &str) -> Result<Option<PortalAppRecord>, StoreError> {
        let row = sqlx::query("SELECT app_id, name, home_url FROM portal_apps WHERE app_id = $1")
            .bind(app_id)
            .fetch_optional(self.pool())
            .await?;
        Ok(row
            .map(|r| -> Result<PortalAppRecord, sqlx::Error> {
                Ok(PortalAppRecord {
                    app_id: r.try_get("app_id")?,
                    name: r.try_get("name")?,
                    home_url: r.try_get("home_url")?,
                })
            })
            .transpose()?)
    }

    /// The registration serving `tenant_id` for the portal app `app_id`.
    pub async fn tenant_client(
        &self,
        app_id: &str,
        tenant_id: &str,
    ) -> Result<Option<ClientRecord>, StoreError> {
        let client_id: Option<String> = sqlx::query_scalar(
            "SELECT client_id FROM clients WHERE portal_app_id = $1 AND tenant_id = $2 \
             ORDER BY disabled, created_at DESC LIMIT 1",
        )
        .bind(app_id)
        .bind(tenant_id)
        .fetch_optional(self.pool())
        .await?;
        match client_id {
            Some(id) => self.find_client(&id).await,
            None => Ok(None),
        }
    }

    /// Binds a registration to one tenant of a portal app.
    pub async fn bind_client(
        &self,
        client_id: &str,
        app_id: &str,
        tenant_id: &str,
    ) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "UPDATE clients SET portal_app_id = $1, tenant_id = $2, version = version + 1 \
             WHERE client_id = $3",
        )
        .bind(app_id)
        .bind(tenant_id)
        .bind(client_id)
        .execute(self.pool())
        .await?;
        Ok(done.rows_affected() == 1)
    }

    pub async fn set_client_disabled(
        &self,
        client_id: &str,
        disabled: bool,
    ) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "UPDATE clients SET disabled = $1, version = version + 1 WHERE client_id = $2",
        )
        .bind(i64::from(disabled))
        .bind(client_id)
        .execute(self.pool())
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// The user's role in a tenant-bound registration, if they are authorized for it.
    pub async fn client_user_role(
        &self,
        client_id: &str,
        user_id: &str,
    ) -> Result<Option<String>, StoreError> {
        Ok(sqlx::query_scalar(
            "SELECT role FROM client_users WHERE client_id = $1 AND user_id = $2",
        )
        .bind(client_id)
        .bind(user_id)
        .fetch_optional(self.pool())
        .await?)
    }

    /// The users authorized for a registration, with their roles, by user id.
    pub async fn client_users(&self, client_id: &str) -> Result<Vec<(String, String)>, StoreError> {
        let rows: Vec<(String, String)> = sqlx::query_as(
            "SELECT user_id, role FROM client_users WHERE client_id = $1 ORDER BY user_id",
        )
        .bind(client_id)
        .fetch_all(self.pool())
        .await?;
        Ok(rows)
    }

    /// Authorizes a user for a registration (or changes their role).
    pub async fn grant_client_user(
        &self,
        client_id: &str,
        user_id: &str,
        role: &str,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO client_users (client_id, user_id, role, granted_at) \
             VALUES ($1, $2, $3, $4) ON CONFLICT (client_id, user_id) DO UPDATE SET role = $3",
        )
        .bind(client_id)
        .bind(user_id)
        .bind(role)
        .bind(self.clock.now_unix())
        .execute(self.pool())
        .await?;
        Ok(())
    }

    pub async fn revoke_client_user(
        &self,
        client_id: &str,
        user_id: &str,
    ) -> Result<bool, StoreError> {
        let done = sqlx::query("DELETE FROM client_users WHERE client_id = $1 AND user_id = $2")
            .bind(client_id)
            .bind(user_id)
            .execute(self.pool())
            .await?;
        Ok(done.rows_affected() == 1)
    }
}
