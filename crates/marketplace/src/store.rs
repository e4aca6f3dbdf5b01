//! The marketplace's tables: merchants, operators and access keys. Same portable SQL as
//! the durable store, on the same pool, in code of its own.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use sqlx::any::AnyRow;
use sqlx::{AnyPool, Row};

use unilogin_core::clock::Clock;
use unilogin_core::store::durable::{Durable, Tx};
use unilogin_core::store::StoreError;

#[derive(Clone)]
pub struct MarketStore {
    pool: AnyPool,
    durable: Durable,
    clock: Clock,
    /// Counts the changes to what is on sale, so that a copy of the catalogue can tell
    /// whether it predates one. Bumped after the change commits.
    catalogue_generation: Arc<AtomicU64>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Merchant {
    pub tenant_id: String,
    pub name: String,
}

/// An access key as stored: the secret only sealed.
#[derive(Clone)]
pub struct AccessKeyRecord {
    pub access_key: String,
    pub tenant_id: String,
    pub secret_sealed: String,
    pub created_by: String,
    pub created_at: i64,
}

impl std::fmt::Debug for AccessKeyRecord {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AccessKeyRecord")
            .field("access_key", &self.access_key)
            .field("tenant_id", &self.tenant_id)
            .finish_non_exhaustive()
    }
}

fn access_key(row: &AnyRow) -> Result<AccessKeyRecord, sqlx::Error> {
    Ok(AccessKeyRecord {
        access_key: row.try_get("access_key")?,
        tenant_id: row.try_get("tenant_id")?,
        secret_sealed: row.try_get("secret_sealed")?,
        created_by: row.try_get("created_by")?,
        created_at: row.try_get("created_at")?,
    })
}

impl MarketStore {
    /// The marketplace's tables in `durable`'s database, reading `clock`.
    pub fn new(durable: &Durable, clock: Clock) -> Self {
        Self {
            pool: durable.pool().clone(),
            durable: durable.clone().with_clock(clock.clone()),
            clock,
            catalogue_generation: Arc::default(),
        }
    }

    /// How many changes to what is on sale this store has committed.
    pub fn catalogue_generation(&self) -> u64 {
        self.catalogue_generation.load(Ordering::Acquire)
    }

    /// What is on sale changed, and the change has committed.
    pub(crate) fn catalogue_changed(&self) {
        self.catalogue_generation.fetch_add(1, Ordering::AcqRel);
    }

    /// Now, in unix seconds, by the marketplace's clock.
    pub fn now(&self) -> i64 {
        self.clock.now_unix()
    }

    /// Now, in unix milliseconds, by the marketplace's clock.
    pub fn now_millis(&self) -> i64 {
        self.clock.now_millis()
    }

    /// A use case's transaction on the marketplace's store (see `Tx`).
    pub async fn begin(&self) -> Result<Tx, StoreError> {
        self.durable.begin().await
    }

    pub(crate) fn pool(&self) -> &AnyPool {
        &self.pool
    }

    /// Registers a tenant as a merchant; `Conflict` if it already is one.
    pub async fn create_merchant(&self, tenant_id: &str, name: &str) -> Result<(), StoreError> {
        sqlx::query("INSERT INTO mkt_merchants (tenant_id, name, created_at) VALUES ($1, $2, $3)")
            .bind(tenant_id)
            .bind(name)
            .bind(self.now())
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    pub async fn merchant(&self, tenant_id: &str) -> Result<Option<Merchant>, StoreError> {
        let row = sqlx::query("SELECT tenant_id, name FROM mkt_merchants WHERE tenant_id = $1")
            .bind(tenant_id)
            .fetch_optional(&self.pool)
            .await?;
        row.map(|r| {
            Ok(Merchant {
                tenant_id: r.try_get("tenant_id")?,
                name: r.try_get("name")?,
            })
        })
        .transpose()
        .map_err(|e: sqlx::Error| e.into())
    }

    /// Grants the operator role; false if the user already had it.
    pub async fn grant_operator(&self, user_id: &str) -> Result<bool, StoreError> {
        match sqlx::query("INSERT INTO mkt_operators (user_id, granted_at) VALUES ($1, $2)")
            .bind(user_id)
            .bind(self.now())
            .execute(&self.pool)
            .await
        {
            Ok(_) => Ok(true),
            Err(err) => match StoreError::from(err) {
                StoreError::Conflict => Ok(false),
                other => Err(other),
            },
        }
    }

    /// Takes the operator role away; false if the user did not have it.
    pub async fn revoke_operator(&self, user_id: &str) -> Result<bool, StoreError> {
        let done = sqlx::query("DELETE FROM mkt_operators WHERE user_id = $1")
            .bind(user_id)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected() > 0)
    }

    /// The merchant a tenant is, if any, and whether the user is an operator: a
    /// caller's roles, in one query.
    pub async fn roles_of(
        &self,
        tenant_id: &str,
        user_id: &str,
    ) -> Result<(Option<Merchant>, bool), StoreError> {
        let row = sqlx::query(
            "SELECT m.tenant_id, m.name, \
             (SELECT COUNT(*) FROM mkt_operators o WHERE o.user_id = $2) AS operator \
             FROM (SELECT 1 AS one) AS caller \
             LEFT JOIN mkt_merchants m ON m.tenant_id = $1",
        )
        .bind(tenant_id)
        .bind(user_id)
        .fetch_one(&self.pool)
        .await?;
        let tenant: Option<String> = row.try_get("tenant_id")?;
        let merchant = match tenant {
            Some(tenant_id) => Some(Merchant {
                tenant_id,
                name: row.try_get("name")?,
            }),
            None => None,
        };
        let operator: i64 = row.try_get("operator")?;
        Ok((merchant, operator > 0))
    }

    pub async fn is_operator(&self, user_id: &str) -> Result<bool, StoreError> {
        let row = sqlx::query("SELECT 1 AS found FROM mkt_operators WHERE user_id = $1")
            .bind(user_id)
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.is_some())
    }

    pub async fn insert_access_key(&self, key: &AccessKeyRecord) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO mkt_access_keys \
             (access_key, tenant_id, secret_sealed, created_by, created_at) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(&key.access_key)
        .bind(&key.tenant_id)
        .bind(&key.secret_sealed)
        .bind(&key.created_by)
        .bind(key.created_at)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    pub async fn access_keys_of(
        &self,
        tenant_id: &str,
    ) -> Result<Vec<AccessKeyRecord>, StoreError> {
        let rows = sqlx::query(
            "SELECT access_key, tenant_id, secret_sealed, created_by, created_at \
             FROM mkt_access_keys WHERE tenant_id = $1 ORDER BY created_at, access_key",
        )
        .bind(tenant_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| access_key(r).map_err(StoreError::from))
            .collect()
    }

    pub async fn access_key(
        &self,
        access_key_id: &str,
    ) -> Result<Option<AccessKeyRecord>, StoreError> {
        let row = sqlx::query(
            "SELECT access_key, tenant_id, secret_sealed, created_by, created_at \
             FROM mkt_access_keys WHERE access_key = $1",
        )
        .bind(access_key_id)
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref()
            .map(access_key)
            .transpose()
            .map_err(StoreError::from)
    }

    /// Deletes a key of `tenant_id`; false if there is no such key of that tenant.
    pub async fn delete_access_key(
        &self,
        tenant_id: &str,
        access_key_id: &str,
    ) -> Result<bool, StoreError> {
        let done =
            sqlx::query("DELETE FROM mkt_access_keys WHERE access_key = $1 AND tenant_id = $2")
                .bind(access_key_id)
                .bind(tenant_id)
                .execute(&self.pool)
                .await?;
        Ok(done.rows_affected() > 0)
    }
}

/// Commits when `result` is Ok, and otherwise rolls back at once: a refused change must
/// not hold SQLite's write lock until the pool gets round to the dropped transaction.
pub(crate) async fn settle<T, E: From<StoreError>>(tx: Tx, result: Result<T, E>) -> Result<T, E> {
    tx.settle(result).await
}

/// Ids that sort in the order they were written: the clock's milliseconds, a counter,
/// and a random tail (log rows of several processes).
pub(crate) fn sequence_id(prefix: &str, now_ms: i64) -> String {
    use std::sync::atomic::{AtomicU32, Ordering};
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed) % 1000;
    format!(
        "{prefix}-{now_ms:015}{n:03}-{}",
        unilogin_core::secret::random_id(6)
    )
}

/// Ends a workflow step's transaction: commits it when the step succeeded, else rolls it
/// back and returns the step's refusal.
pub async fn finish<T>(
    tx: Tx,
    result: Result<T, crate::http::error::MarketError>,
) -> Result<T, crate::http::error::MarketError> {
    tx.settle(result).await
}

/// The attachment ids of a log row, stored comma-separated.
pub fn attachment_ids(stored: &str) -> Vec<String> {
    stored
        .split(',')
        .filter(|a| !a.is_empty())
        .map(str::to_owned)
        .collect()
}

/// The marketplace's roles, as administrators see and change them (the admin service
/// holds this without knowing the marketplace).
#[async_trait::async_trait]
impl unilogin_core::admin::MarketRoles for MarketStore {
    async fn merchant(&self, tenant: &str) -> Result<Option<String>, StoreError> {
        Ok(MarketStore::merchant(self, tenant).await?.map(|m| m.name))
    }

    async fn register_merchant(&self, tenant: &str, name: &str) -> Result<bool, StoreError> {
        match self.create_merchant(tenant, name).await {
            Ok(()) => Ok(true),
            Err(StoreError::Conflict) => Ok(false),
            Err(other) => Err(other),
        }
    }

    async fn is_operator(&self, user_id: &str) -> Result<bool, StoreError> {
        MarketStore::is_operator(self, user_id).await
    }

    async fn set_operator(&self, user_id: &str, operator: bool) -> Result<bool, StoreError> {
        if operator {
            self.grant_operator(user_id).await
        } else {
            self.revoke_operator(user_id).await
        }
    }
}
