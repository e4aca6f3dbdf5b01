//! The history of a workflow with comments and evidence (a supervision, an unsubscribe
//! request): one row per step, written in the step's transaction, read oldest first.

use sqlx::{AnyPool, Row};

use crate::store::{attachment_ids, sequence_id};
use unilogin_core::store::durable::Tx;
use unilogin_core::store::StoreError;

/// One step: who took it, from which state to which, what they said and attached.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogEntry {
    pub action: String,
    pub actor: String,
    pub actor_id: String,
    pub from_state: String,
    pub to_state: String,
    pub comment: String,
    pub attachments: Vec<String>,
    pub at: i64,
}

/// A log table, the column naming its subject, and its row ids' prefix (names of ours,
/// never input).
pub struct LogTable {
    pub table: &'static str,
    pub subject: &'static str,
    pub prefix: &'static str,
}

pub async fn write(
    tx: &mut Tx,
    log: &LogTable,
    subject_id: &str,
    entry: &LogEntry,
    now_ms: i64,
) -> Result<(), StoreError> {
    sqlx::query(&format!(
        "INSERT INTO {} (id, {}, action, actor, actor_id, from_state, to_state, comment, \
         attachments, at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        log.table, log.subject
    ))
    .bind(sequence_id(log.prefix, now_ms))
    .bind(subject_id)
    .bind(&entry.action)
    .bind(&entry.actor)
    .bind(&entry.actor_id)
    .bind(&entry.from_state)
    .bind(&entry.to_state)
    .bind(&entry.comment)
    .bind(entry.attachments.join(","))
    .bind(entry.at)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

pub async fn read(
    pool: &AnyPool,
    log: &LogTable,
    subject_id: &str,
) -> Result<Vec<LogEntry>, StoreError> {
    let rows = sqlx::query(&format!(
        "SELECT action, actor, actor_id, from_state, to_state, comment, attachments, at \
         FROM {} WHERE {} = $1 ORDER BY id",
        log.table, log.subject
    ))
    .bind(subject_id)
    .fetch_all(pool)
    .await?;
    rows.iter()
        .map(|row| {
            let attachments: String = row.try_get("attachments")?;
            Ok(LogEntry {
                action: row.try_get("action")?,
                actor: row.try_get("actor")?,
                actor_id: row.try_get("actor_id")?,
                from_state: row.try_get("from_state")?,
                to_state: row.try_get("to_state")?,
                comment: row.try_get("comment")?,
                attachments: attachment_ids(&attachments),
                at: row.try_get("at")?,
            })
        })
        .collect()
}
