//! The one writer of every workflow's history. Each workflow keeps its own log table (their
//! columns differ: a work order logs messages, a voucher its claims); each names its
//! columns through [`LogRow`] and this module writes them, inside the step's transaction.
//! Supervisions and unsubscribe requests share one entry shape, [`LogEntry`], read here too.

use sqlx::{AnyPool, Row};

use super::sql::{bind_all, placeholders, Cell};
use crate::store::{attachment_ids, sequence_id};
use unilogin_core::store::durable::Tx;
use unilogin_core::store::StoreError;

/// A log table: its name, the column naming its subject, and how its rows are keyed.
pub struct LogTable {
    pub table: &'static str,
    pub subject: &'static str,
    pub key: RowKey,
}

pub enum RowKey {
    /// An `id` column of time-ordered ids with this prefix.
    Id(&'static str),
    /// A `seq` column numbering each subject's rows 1, 2, 3…
    Sequence,
}

/// What one log row holds besides its key and subject: (column, value) pairs.
pub trait LogRow {
    fn cells(&self) -> Vec<(&'static str, Cell<'_>)>;
}

/// Appends `row` to `log` for `subject_id`, in the caller's transaction.
pub async fn append(
    tx: &mut Tx,
    log: &LogTable,
    subject_id: &str,
    row: &impl LogRow,
) -> Result<(), StoreError> {
    let cells = row.cells();
    let names: Vec<&str> = cells.iter().map(|(name, _)| *name).collect();
    let mut values = Vec::with_capacity(cells.len() + 2);
    let (key_column, key_value) = match log.key {
        RowKey::Id(prefix) => {
            values.push(Cell::Owned(sequence_id(prefix, tx.now_millis())));
            ("id", "$1".to_owned())
        }
        RowKey::Sequence => (
            "seq",
            format!(
                "(SELECT COALESCE(MAX(seq), 0) + 1 FROM {} WHERE {} = ${})",
                log.table,
                log.subject,
                values.len() + 1
            ),
        ),
    };
    values.push(Cell::Text(subject_id));
    let subject_at = values.len();
    let sql = format!(
        "INSERT INTO {} ({key_column}, {}, {}) VALUES ({key_value}, ${subject_at}, {})",
        log.table,
        log.subject,
        names.join(", "),
        placeholders(subject_at + 1, cells.len())
    );
    values.extend(cells.into_iter().map(|(_, cell)| cell));
    bind_all(sqlx::query(&sql), &values)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// One step of a workflow with comments and evidence (a supervision, an unsubscribe
/// request): who took it, from which state to which, what they said and attached.
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

impl LogRow for LogEntry {
    fn cells(&self) -> Vec<(&'static str, Cell<'_>)> {
        vec![
            ("action", (&self.action).into()),
            ("actor", (&self.actor).into()),
            ("actor_id", (&self.actor_id).into()),
            ("from_state", (&self.from_state).into()),
            ("to_state", (&self.to_state).into()),
            ("comment", (&self.comment).into()),
            ("attachments", Cell::Owned(self.attachments.join(","))),
            ("at", self.at.into()),
        ]
    }
}

/// The history of a [`LogEntry`] log, oldest first.
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
