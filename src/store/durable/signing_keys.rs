//! Metadata of the signing keys whose material lives in `UNILOGIN_KEYS_DIR`.

use sqlx::Row;

use super::Durable;
use crate::store::StoreError;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SigningKeyRecord {
    pub kid: String,
    pub alg: String,
    pub created_at: i64,
}

impl Durable {
    /// Records a key unless it is known already.
    pub async fn record_signing_key(&self, key: &SigningKeyRecord) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO signing_keys (kid, alg, created_at) VALUES ($1, $2, $3) \
             ON CONFLICT (kid) DO NOTHING",
        )
        .bind(&key.kid)
        .bind(&key.alg)
        .bind(key.created_at)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// All known keys, oldest first.
    pub async fn list_signing_keys(&self) -> Result<Vec<SigningKeyRecord>, StoreError> {
        let rows =
            sqlx::query("SELECT kid, alg, created_at FROM signing_keys ORDER BY created_at, kid")
                .fetch_all(self.pool())
                .await?;
        rows.iter()
            .map(|row| {
                Ok(SigningKeyRecord {
                    kid: row.try_get("kid")?,
                    alg: row.try_get("alg")?,
                    created_at: row.try_get("created_at")?,
                })
            })
            .collect::<Result<_, sqlx::Error>>()
            .map_err(StoreError::from)
    }
}
