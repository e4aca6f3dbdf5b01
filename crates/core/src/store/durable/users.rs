//! Users: login names, password hashes and the profile that userinfo reports.

use sqlx::any::AnyRow;
use sqlx::Row;

use super::Durable;
use crate::store::StoreError;

#[derive(Debug, Clone)]
pub struct NewUser {
    pub id: String,
    pub username: String,
    pub tenant_id: String,
    pub password_hash: String,
    pub name: String,
    pub email: String,
    pub mobile: String,
    pub role: String,
    pub org_code: String,
    pub org_name: String,
    pub project_name: String,
}

#[derive(Clone)]
pub struct UserRecord {
    pub id: String,
    pub username: String,
    pub tenant_id: String,
    pub password_hash: String,
    pub name: String,
    pub email: String,
    pub mobile: String,
    pub role: String,
    pub org_code: String,
    pub org_name: String,
    pub project_name: String,
    pub disabled: bool,
    /// May use the admin API and the console.
    pub platform_admin: bool,
    pub created_at: i64,
    /// Bumped by every change: the admin API's ETag.
    pub version: i64,
}

/// The profile fields an administrator edits.
#[derive(Debug, Clone)]
pub struct UserProfile {
    pub name: String,
    pub email: String,
    pub mobile: String,
    pub role: String,
    pub org_code: String,
    pub org_name: String,
    pub project_name: String,
}

impl std::fmt::Debug for UserRecord {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UserRecord")
            .field("id", &self.id)
            .field("username", &self.username)
            .field("tenant_id", &self.tenant_id)
            .field("password_hash", &"[redacted]")
            .field("disabled", &self.disabled)
            .field("platform_admin", &self.platform_admin)
            .finish_non_exhaustive()
    }
}

const COLUMNS: &str = "id, username, tenant_id, password_hash, name, email, mobile, role, \
                       org_code, org_name, project_name, disabled, platform_admin, created_at, \
                       version";

fn from_row(row: &AnyRow) -> Result<UserRecord, sqlx::Error> {
    Ok(UserRecord {
        id: row.try_get("id")?,
        username: row.try_get("username")?,
        tenant_id: row.try_get("tenant_id")?,
        password_hash: row.try_get("password_hash")?,
        name: row.try_get("name")?,
        email: row.try_get("email")?,
        mobile: row.try_get("mobile")?,
        role: row.try_get("role")?,
        org_code: row.try_get("org_code")?,
        org_name: row.try_get("org_name")?,
        project_name: row.try_get("project_name")?,
        disabled: row.try_get::<i64, _>("disabled")? != 0,
        platform_admin: row.try_get::<i64, _>("platform_admin")? != 0,
        created_at: row.try_get("created_at")?,
        version: row.try_get("version")?,
    })
}

impl Durable {
    /// Inserts a user; `Conflict` if the username is taken.
    pub async fn insert_user(&self, user: &NewUser) -> Result<(), StoreError> {
        let _timer = crate::telemetry::registry().round_trip("durable", "insert_user");
        let now = self.now();
        sqlx::query(
            "INSERT INTO users (id, username, tenant_id, password_hash, name, email, mobile, \
             role, org_code, org_name, project_name, disabled, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 0, $12, $12)",
        )
        .bind(&user.id)
        .bind(&user.username)
        .bind(&user.tenant_id)
        .bind(&user.password_hash)
        .bind(&user.name)
        .bind(&user.email)
        .bind(&user.mobile)
        .bind(&user.role)
        .bind(&user.org_code)
        .bind(&user.org_name)
        .bind(&user.project_name)
        .bind(now)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    pub async fn find_user_by_username(
        &self,
        username: &str,
    ) -> Result<Option<UserRecord>, StoreError> {
        let _timer = crate::telemetry::registry().round_trip("durable", "find_user_by_username");
        let sql = format!("SELECT {COLUMNS} FROM users WHERE username = $1");
        let row = sqlx::query(&sql)
            .bind(username)
            .fetch_optional(self.pool())
            .await?;
        Ok(row.as_ref().map(from_row).transpose()?)
    }

    pub async fn find_user(&self, id: &str) -> Result<Option<UserRecord>, StoreError> {
        let _timer = crate::telemetry::registry().round_trip("durable", "find_user");
        let sql = format!("SELECT {COLUMNS} FROM users WHERE id = $1");
        let row = sqlx::query(&sql)
            .bind(id)
            .fetch_optional(self.pool())
            .await?;
        Ok(row.as_ref().map(from_row).transpose()?)
    }

    /// Replaces a user's password hash; false when no such user.
    pub async fn set_password_hash(
        &self,
        username: &str,
        password_hash: &str,
    ) -> Result<bool, StoreError> {
        let _timer = crate::telemetry::registry().round_trip("durable", "set_password_hash");
        let done = sqlx::query(
            "UPDATE users SET password_hash = $1, updated_at = $2, version = version + 1 \
                 WHERE username = $3",
        )
        .bind(password_hash)
        .bind(self.now())
        .bind(username)
        .execute(self.pool())
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Marks a user disabled; false when no such user.
    pub async fn disable_user(&self, username: &str) -> Result<bool, StoreError> {
        let _timer = crate::telemetry::registry().round_trip("durable", "disable_user");
        let done = sqlx::query(
            "UPDATE users SET disabled = 1, updated_at = $1, version = version + 1 \
                 WHERE username = $2",
        )
        .bind(self.now())
        .bind(username)
        .execute(self.pool())
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Grants or revokes platform administration; false when the user already was (or
    /// was not) one, or does not exist.
    pub async fn set_platform_admin(&self, user_id: &str, admin: bool) -> Result<bool, StoreError> {
        let flag = i64::from(admin);
        let done = sqlx::query(
            "UPDATE users SET platform_admin = $1, updated_at = $2, version = version + 1 \
             WHERE id = $3 AND platform_admin <> $1",
        )
        .bind(flag)
        .bind(self.now())
        .bind(user_id)
        .execute(self.pool())
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Allows a disabled user to sign in again; false when no such user or not disabled.
    pub async fn enable_user(&self, user_id: &str) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "UPDATE users SET disabled = 0, updated_at = $1, version = version + 1 \
             WHERE id = $2 AND disabled = 1",
        )
        .bind(self.now())
        .bind(user_id)
        .execute(self.pool())
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Up to `limit` users with ids after `after`, by id; `search` (when not empty) must
    /// appear in the username, name or email.
    pub async fn list_users(
        &self,
        search: &str,
        after: &str,
        limit: i64,
    ) -> Result<Vec<UserRecord>, StoreError> {
        let pattern = super::contains_pattern(search);
        let sql = format!(
            "SELECT {COLUMNS} FROM users WHERE id > $1 AND ($2 = '' OR \
             LOWER(username) LIKE $3 ESCAPE '\\' OR LOWER(name) LIKE $3 ESCAPE '\\' \
             OR LOWER(email) LIKE $3 ESCAPE '\\') ORDER BY id LIMIT $4"
        );
        let rows = sqlx::query(&sql)
            .bind(after)
            .bind(search)
            .bind(pattern)
            .bind(limit)
            .fetch_all(self.pool())
            .await?;
        Ok(rows.iter().map(from_row).collect::<Result<_, _>>()?)
    }

    /// Replaces a user's profile if it is still at `version`.
    pub async fn update_user_profile(
        &self,
        user_id: &str,
        profile: &UserProfile,
        version: i64,
    ) -> Result<super::Versioned, StoreError> {
        let done = sqlx::query(
            "UPDATE users SET name = $1, email = $2, mobile = $3, role = $4, org_code = $5, \
             org_name = $6, project_name = $7, updated_at = $8, version = version + 1 \
             WHERE id = $9 AND version = $10",
        )
        .bind(&profile.name)
        .bind(&profile.email)
        .bind(&profile.mobile)
        .bind(&profile.role)
        .bind(&profile.org_code)
        .bind(&profile.org_name)
        .bind(&profile.project_name)
        .bind(self.now())
        .bind(user_id)
        .bind(version)
        .execute(self.pool())
        .await?;
        if done.rows_affected() == 1 {
            return Ok(super::Versioned::Updated);
        }
        Ok(match self.find_user(user_id).await? {
            Some(_) => super::Versioned::Stale,
            None => super::Versioned::Missing,
        })
    }
}
