//! Sealed key material (see `crate::keystore`): rows the key store reads and writes.

use sqlx::Row;

use super::Durable;
use crate::store::StoreError;

#[derive(Clone, PartialEq, Eq)]
pub struct StoredKeyRecord {
    pub kid: String,
    pub purpose: String,
    pub alg: String,
    pub created_ms: i64,
    pub master_id: String,
    /// Ciphertext; never printed all the same.
    pub sealed: String,
}

impl std::fmt::Debug for StoredKeyRecord {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StoredKeyRecord")
            .field("kid", &self.kid)
            .field("purpose", &self.purpose)
            .field("alg", &self.alg)
            .field("created_ms", &self.created_ms)
            .field("master_id", &self.master_id)
            .finish_non_exhaustive()
    }
}

fn record(row: &sqlx::any::AnyRow) -> Result<StoredKeyRecord, sqlx::Error> {
    Ok(StoredKeyRecord {
        kid: row.try_get("kid")?,
        purpose: row.try_get("purpose")?,
        alg: row.try_get("alg")?,
        created_ms: row.try_get("created_ms")?,
        master_id: row.try_get("master_id")?,
        sealed: row.try_get("sealed")?,
    })
}

impl Durable {
    /// Stores a key unless one with its kid exists; true when this call stored it.
    pub async fn insert_stored_key(&self, key: &StoredKeyRecord) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "INSERT INTO stored_keys (kid, purpose, alg, created_ms, master_id, sealed) \
             VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (kid) DO NOTHING",
        )
        .bind(&key.kid)
        .bind(&key.purpose)
        .bind(&key.alg)
        .bind(key.created_ms)
        .bind(&key.master_id)
        .bind(&key.sealed)
        .execute(self.pool())
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Every stored key (of one purpose, or all), oldest first.
    pub async fn list_stored_keys(
        &self,
        purpose: Option<&str>,
    ) -> Result<Vec<StoredKeyRecord>, StoreError> {
        let rows = match purpose {
            Some(purpose) => {
                sqlx::query(
                    "SELECT kid, purpose, alg, created_ms, master_id, sealed FROM stored_keys \
                     WHERE purpose = $1 ORDER BY created_ms, kid",
                )
                .bind(purpose)
                .fetch_all(self.pool())
                .await?
            }
            None => {
                sqlx::query(
                    "SELECT kid, purpose, alg, created_ms, master_id, sealed FROM stored_keys \
                     ORDER BY created_ms, kid",
                )
                .fetch_all(self.pool())
                .await?
            }
        };
        rows.iter()
            .map(record)
            .collect::<Result<_, _>>()
            .map_err(StoreError::from)
    }

    /// The kids of one purpose, sorted: a cheap way to see whether a set changed.
    pub async fn stored_key_ids(&self, purpose: &str) -> Result<Vec<String>, StoreError> {
        let rows = sqlx::query("SELECT kid FROM stored_keys WHERE purpose = $1 ORDER BY kid")
            .bind(purpose)
            .fetch_all(self.pool())
            .await?;
        rows.iter()
            .map(|row| row.try_get("kid"))
            .collect::<Result<_, _>>()
            .map_err(StoreError::from)
    }

    /// Replaces a key's sealing (a master key rotation); the material is unchanged.
    pub async fn reseal_stored_key(
        &self,
        kid: &str,
        from_master: &str,
        master_id: &str,
        sealed: &str,
    ) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "UPDATE stored_keys SET master_id = $1, sealed = $2 WHERE kid = $3 AND master_id = $4",
        )
        .bind(master_id)
        .bind(sealed)
        .bind(kid)
        .bind(from_master)
        .execute(self.pool())
        .await?;
        Ok(done.rows_affected() == 1)
    }

    pub async fn delete_stored_key(&self, kid: &str) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM stored_keys WHERE kid = $1")
            .bind(kid)
            .execute(self.pool())
            .await?;
        Ok(())
    }

    /// Claims a one-time slot; true for the one caller that got it.
    pub async fn claim_key_rotation(&self, slot: &str) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "INSERT INTO key_rotations (slot, claimed_at) VALUES ($1, $2) \
             ON CONFLICT (slot) DO NOTHING",
        )
        .bind(slot)
        .bind(self.now())
        .execute(self.pool())
        .await?;
        Ok(done.rows_affected() == 1)
    }
}
