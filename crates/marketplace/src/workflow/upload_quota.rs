//! Per-user upload quotas, so that no one fills the database: at most so many uploads
//! held unattached at once, and so many bytes in 24 hours. An upload never attached to
//! anything is deleted after a day. The check and the insert are one transaction that
//! first touches the uploader's row, so concurrent uploads of one user are counted in turn.

use base64::Engine;
use sqlx::Row;

use super::attachments::AttachmentRecord;
use crate::http::error::MarketError;
use crate::store::MarketStore;
use unilogin_core::store::durable::Tx;
use unilogin_core::store::StoreError;

/// How long an upload may wait to be attached before the sweep deletes it.
pub const UNATTACHED_FOR: i64 = 86_400;
const DAY: i64 = 86_400;

#[derive(Debug, Clone, Copy)]
pub struct UploadQuota {
    /// Uploads one user may hold not attached to anything.
    pub unattached: i64,
    /// Bytes one user may upload in 24 hours.
    pub bytes_per_day: i64,
}

impl UploadQuota {
    pub fn new(unattached: u32, mib_per_day: u32) -> Self {
        Self {
            unattached: i64::from(unattached),
            bytes_per_day: i64::from(mib_per_day) * 1024 * 1024,
        }
    }
}

/// Stores `record` if its owner's quota allows it; else the quota's refusal, and nothing
/// stored.
pub async fn insert_within_quota(
    store: &MarketStore,
    quota: UploadQuota,
    record: &AttachmentRecord,
    content: &[u8],
) -> Result<(), MarketError> {
    let mut tx = store.begin().await?;
    let refused = check_in(&mut tx, quota, record).await?;
    if let Some(refusal) = refused {
        tx.rollback().await;
        return Err(refusal);
    }
    insert_in(&mut tx, record, content).await?;
    tx.commit().await?;
    Ok(())
}

async fn check_in(
    tx: &mut Tx,
    quota: UploadQuota,
    record: &AttachmentRecord,
) -> Result<Option<MarketError>, StoreError> {
    let owner = record.owner_user_id.as_str();
    let now = record.created_at;
    // The uploader's row, written first: a second upload of the same user waits here.
    sqlx::query(
        "INSERT INTO mkt_uploaders (user_id, touched_at) VALUES ($1, $2) \
         ON CONFLICT (user_id) DO UPDATE SET touched_at = excluded.touched_at",
    )
    .bind(owner)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    let row = sqlx::query(
        // SUM of BIGINT is NUMERIC on PostgreSQL: cast back.
        "SELECT CAST(COALESCE(SUM(CASE WHEN subject = '' THEN 1 ELSE 0 END), 0) AS BIGINT) \
         AS unattached, \
         CAST(COALESCE(SUM(CASE WHEN created_at > $2 THEN size ELSE 0 END), 0) AS BIGINT) \
         AS recent_bytes \
         FROM mkt_attachments WHERE owner_user_id = $1",
    )
    .bind(owner)
    .bind(now - DAY)
    .fetch_one(&mut **tx)
    .await?;
    let unattached: i64 = row.try_get("unattached")?;
    let recent_bytes: i64 = row.try_get("recent_bytes")?;
    if unattached >= quota.unattached {
        return Ok(Some(MarketError::QuotaExceeded(format!(
            "you hold {unattached} uploads not attached to anything (at most {}): attach \
             them to a step, or wait — unattached uploads are deleted after a day",
            quota.unattached
        ))));
    }
    if recent_bytes + record.size > quota.bytes_per_day {
        return Ok(Some(MarketError::QuotaExceeded(format!(
            "at most {} MiB of uploads in 24 hours: retry later",
            quota.bytes_per_day / (1024 * 1024)
        ))));
    }
    Ok(None)
}

async fn insert_in(
    tx: &mut Tx,
    record: &AttachmentRecord,
    content: &[u8],
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO mkt_attachments (id, owner_user_id, owner_tenant_id, subject, file_name, \
         content_type, size, sha256, created_at, content) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
    )
    .bind(&record.id)
    .bind(&record.owner_user_id)
    .bind(&record.owner_tenant_id)
    .bind(&record.subject)
    .bind(&record.file_name)
    .bind(&record.content_type)
    .bind(record.size)
    .bind(&record.sha256)
    .bind(record.created_at)
    .bind(base64::engine::general_purpose::STANDARD.encode(content))
    .execute(&mut **tx)
    .await?;
    Ok(())
}

impl MarketStore {
    /// Deletes the uploads left unattached for a day; how many went.
    pub async fn delete_stale_uploads(&self, now: i64) -> Result<u64, StoreError> {
        let deleted =
            sqlx::query("DELETE FROM mkt_attachments WHERE subject = '' AND created_at <= $1")
                .bind(now - UNATTACHED_FOR)
                .execute(self.pool())
                .await?;
        Ok(deleted.rows_affected())
    }
}

/// One pass of the sweep of unattached uploads.
pub async fn sweep(store: &MarketStore, now: i64) {
    match store.delete_stale_uploads(now).await {
        Ok(0) => {}
        Ok(n) => tracing::info!(deleted = n, "unattached uploads older than a day deleted"),
        Err(err) => tracing::warn!(error = %err, "cannot delete unattached uploads"),
    }
}
