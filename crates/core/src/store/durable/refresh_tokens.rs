//! Grant families and their refresh tokens (stored as SHA-256 hashes, rotated on every use).

use sqlx::Row;

use super::group_commit::{Opening, Successor, Write, Written};
use super::Durable;
use crate::store::StoreError;

/// What an authorization code grant becomes when it is first exchanged.
#[derive(Debug, Clone)]
pub struct NewFamily {
    pub id: String,
    pub client_id: String,
    pub user_id: String,
    pub tenant_id: String,
    pub sid: String,
    pub scope: String,
    /// Space-separated audiences of its access tokens (resource server identifiers).
    pub audience: String,
    pub auth_time: i64,
}

/// A refresh token joined with its family.
#[derive(Debug, Clone)]
pub struct RefreshTokenRecord {
    pub family_id: String,
    pub client_id: String,
    pub user_id: String,
    pub tenant_id: String,
    pub sid: String,
    pub auth_time: i64,
    /// When the family was created (its code was exchanged).
    pub created_at: i64,
    /// The audiences the grant's access tokens are issued for.
    pub audience: String,
    pub scope: String,
    pub expires_at: i64,
    /// When the token was rotated, if it was.
    pub spent_at: Option<i64>,
    pub family_revoked: bool,
}

/// A live grant (refresh-token family), as an administrator sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GrantRecord {
    pub id: String,
    pub client_id: String,
    pub sid: String,
    pub scope: String,
    pub auth_time: i64,
    pub created_at: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rotation {
    /// The old token was live and is now spent; the successor is stored.
    Rotated,
    /// Someone spent the old token first: this is a reuse.
    AlreadySpent,
}

impl Durable {
    /// Stores a new family with its first refresh token, atomically, committed with the
    /// other writes waiting for the store (see `group_commit`).
    pub async fn create_family(
        &self,
        family: &NewFamily,
        token_hash: &str,
        expires_at: i64,
    ) -> Result<(), StoreError> {
        let _timer = crate::telemetry::registry().round_trip("durable", "create_family");
        let opening = Opening {
            family: family.clone(),
            token_hash: token_hash.to_owned(),
            created_at: self.now(),
            expires_at,
        };
        self.group.write(Write::Open(opening)).await?;
        Ok(())
    }

    pub async fn find_refresh_token(
        &self,
        token_hash: &str,
    ) -> Result<Option<RefreshTokenRecord>, StoreError> {
        let _timer = crate::telemetry::registry().round_trip("durable", "find_refresh_token");
        let row = sqlx::query(
            "SELECT f.id AS family_id, f.client_id, f.user_id, f.tenant_id, f.sid, f.auth_time, \
             f.created_at, f.audience, t.scope, t.expires_at, COALESCE(t.spent_at, c.created_at) AS spent_at, \
             f.revoked_at \
             FROM refresh_tokens t JOIN grant_families f ON f.id = t.family_id \
             LEFT JOIN refresh_tokens c ON c.parent_hash = t.token_hash \
             WHERE t.token_hash = $1",
        )
        .bind(token_hash)
        .fetch_optional(self.pool())
        .await?;
        let Some(row) = row else { return Ok(None) };
        Ok(Some(RefreshTokenRecord {
            family_id: row.try_get("family_id")?,
            client_id: row.try_get("client_id")?,
            user_id: row.try_get("user_id")?,
            tenant_id: row.try_get("tenant_id")?,
            sid: row.try_get("sid")?,
            auth_time: row.try_get("auth_time")?,
            created_at: row.try_get("created_at")?,
            audience: row.try_get("audience")?,
            scope: row.try_get("scope")?,
            expires_at: row.try_get("expires_at")?,
            spent_at: row.try_get("spent_at")?,
            family_revoked: row.try_get::<Option<i64>, _>("revoked_at")?.is_some(),
        }))
    }

    /// Stores the successor of `old_hash`, which spends it. The unique index on
    /// `parent_hash` is the arbiter between concurrent refreshes: exactly one successor is
    /// stored. Committed with the other writes waiting for the store (see `group_commit`).
    pub async fn rotate_refresh_token(
        &self,
        old_hash: &str,
        family_id: &str,
        new_hash: &str,
        scope: &str,
        expires_at: i64,
    ) -> Result<Rotation, StoreError> {
        let _timer = crate::telemetry::registry().round_trip("durable", "rotate_refresh_token");
        let successor = Successor {
            token_hash: new_hash.to_owned(),
            parent_hash: old_hash.to_owned(),
            family_id: family_id.to_owned(),
            scope: scope.to_owned(),
            created_at: self.now(),
            expires_at,
        };
        match self.group.write(Write::Rotate(successor)).await? {
            Written::Rotation(rotation) => Ok(rotation),
            Written::Opened => Err(StoreError::Corrupt(
                "a rotation answered as an opening".into(),
            )),
        }
    }

    /// Revokes one family; true if it was live.
    pub async fn revoke_family(&self, family_id: &str) -> Result<bool, StoreError> {
        let _timer = crate::telemetry::registry().round_trip("durable", "revoke_family");
        let done = sqlx::query(
            "UPDATE grant_families SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL",
        )
        .bind(self.now())
        .bind(family_id)
        .execute(self.pool())
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Revokes every family of a browser session (logout).
    pub async fn revoke_families_of_session(&self, sid: &str) -> Result<u64, StoreError> {
        let _timer =
            crate::telemetry::registry().round_trip("durable", "revoke_families_of_session");
        let done = sqlx::query(
            "UPDATE grant_families SET revoked_at = $1 WHERE sid = $2 AND revoked_at IS NULL",
        )
        .bind(self.now())
        .bind(sid)
        .execute(self.pool())
        .await?;
        Ok(done.rows_affected())
    }

    /// Revokes every family of a client (deletion, or a secret rotation that revokes).
    pub async fn revoke_families_of_client(&self, client_id: &str) -> Result<u64, StoreError> {
        let _timer =
            crate::telemetry::registry().round_trip("durable", "revoke_families_of_client");
        let done = sqlx::query(
            "UPDATE grant_families SET revoked_at = $1 WHERE client_id = $2 AND revoked_at IS NULL",
        )
        .bind(self.now())
        .bind(client_id)
        .execute(self.pool())
        .await?;
        Ok(done.rows_affected())
    }

    /// Revokes every family of a user (disable, password change).
    pub async fn revoke_families_of_user(&self, user_id: &str) -> Result<u64, StoreError> {
        let _timer = crate::telemetry::registry().round_trip("durable", "revoke_families_of_user");
        let done = sqlx::query(
            "UPDATE grant_families SET revoked_at = $1 WHERE user_id = $2 AND revoked_at IS NULL",
        )
        .bind(self.now())
        .bind(user_id)
        .execute(self.pool())
        .await?;
        Ok(done.rows_affected())
    }

    /// The user's grants that are not revoked, newest first.
    pub async fn grants_of_user(&self, user_id: &str) -> Result<Vec<GrantRecord>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, client_id, sid, scope, auth_time, created_at FROM grant_families \
             WHERE user_id = $1 AND revoked_at IS NULL ORDER BY created_at DESC, id LIMIT 500",
        )
        .bind(user_id)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|row| {
                Ok(GrantRecord {
                    id: row.try_get("id")?,
                    client_id: row.try_get("client_id")?,
                    sid: row.try_get("sid")?,
                    scope: row.try_get("scope")?,
                    auth_time: row.try_get("auth_time")?,
                    created_at: row.try_get("created_at")?,
                })
            })
            .collect::<Result<_, sqlx::Error>>()
            .map_err(StoreError::from)
    }
}
