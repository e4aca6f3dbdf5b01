//! The inbox tables: messages by audience, and who has read which.

use sqlx::Row;

use crate::store::MarketStore;
use crate::workflow::listing::{count_and_page, Listing, Slice};
use unilogin_core::store::StoreError;

/// Whose inbox: the user, the seller tenant they act for (if any), and whether they are
/// an operator.
#[derive(Debug, Clone)]
pub struct Reader<'a> {
    pub user_id: &'a str,
    pub seller_tenant: Option<&'a str>,
    pub operator: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InboxMessage {
    pub id: String,
    /// user, tenant (the seller's side) or operators: which side it speaks to.
    pub audience: String,
    pub event: String,
    pub subject_type: String,
    pub subject_id: String,
    pub subject_name: String,
    pub created_at: i64,
    pub read: bool,
}

/// The messages `reader` may see (bound as $1 user, $2 tenant, $3 operator flag).
const VISIBLE: &str = "((m.audience = 'user' AND m.recipient = $1) \
     OR (m.audience = 'tenant' AND m.recipient = $2) \
     OR (m.audience = 'operators' AND $3 = 1))";

fn flags(reader: &Reader<'_>) -> (String, String, i64) {
    (
        reader.user_id.to_owned(),
        // No tenant is named by an empty string.
        reader.seller_tenant.unwrap_or("").to_owned(),
        i64::from(reader.operator),
    )
}

fn message_of(row: &sqlx::any::AnyRow) -> Result<InboxMessage, sqlx::Error> {
    let read_at: Option<i64> = row.try_get("read_at")?;
    Ok(InboxMessage {
        id: row.try_get("id")?,
        audience: row.try_get("audience")?,
        event: row.try_get("event")?,
        subject_type: row.try_get("subject_type")?,
        subject_id: row.try_get("subject_id")?,
        subject_name: row.try_get("subject_name")?,
        created_at: row.try_get("created_at")?,
        read: read_at.is_some(),
    })
}

impl MarketStore {
    /// A page of the reader's messages, newest first, and how many there are.
    pub async fn inbox(
        &self,
        reader: &Reader<'_>,
        unread_only: bool,
        offset: i64,
        limit: i64,
    ) -> Result<(Vec<InboxMessage>, i64), StoreError> {
        let (user, tenant, operator) = flags(reader);
        let unread = if unread_only {
            " AND r.message_id IS NULL"
        } else {
            ""
        };
        let from = format!(
            "FROM mkt_inbox m LEFT JOIN mkt_inbox_reads r \
             ON r.message_id = m.id AND r.user_id = $1 WHERE {VISIBLE}{unread}"
        );
        let listing = Listing {
            columns: "m.id, m.audience, m.event, m.subject_type, m.subject_id, m.subject_name, \
                      m.created_at, r.read_at",
            from,
            values: vec![(&user).into(), (&tenant).into(), operator.into()],
            order_by: "m.id DESC",
        };
        let (rows, total) = count_and_page(self.pool(), listing, Slice { offset, limit }).await?;
        let items = rows
            .iter()
            .map(message_of)
            .collect::<Result<_, sqlx::Error>>()?;
        Ok((items, total))
    }

    pub async fn unread_count(&self, reader: &Reader<'_>) -> Result<i64, StoreError> {
        Ok(self.inbox(reader, true, 0, 1).await?.1)
    }

    /// Marks one of the reader's messages read (`None`: all of them); how many changed.
    /// A message the reader may not see is left alone.
    pub async fn mark_read(
        &self,
        reader: &Reader<'_>,
        message_id: Option<&str>,
    ) -> Result<u64, StoreError> {
        let (user, tenant, operator) = flags(reader);
        let one = if message_id.is_some() {
            " AND m.id = $5"
        } else {
            ""
        };
        let sql = format!(
            "INSERT INTO mkt_inbox_reads (message_id, user_id, read_at) \
             SELECT m.id, $1, $4 FROM mkt_inbox m WHERE {VISIBLE}{one} AND NOT EXISTS \
             (SELECT 1 FROM mkt_inbox_reads r WHERE r.message_id = m.id AND r.user_id = $1)"
        );
        let mut query = sqlx::query(&sql)
            .bind(&user)
            .bind(&tenant)
            .bind(operator)
            .bind(self.now());
        if let Some(id) = message_id {
            query = query.bind(id);
        }
        match query.execute(self.pool()).await {
            Ok(done) => Ok(done.rows_affected()),
            // Marked read at the same moment elsewhere: read either way.
            Err(err) => match StoreError::from(err) {
                StoreError::Conflict => Ok(0),
                other => Err(other),
            },
        }
    }

    /// The message, if the reader may see it.
    pub async fn inbox_message(
        &self,
        reader: &Reader<'_>,
        message_id: &str,
    ) -> Result<Option<InboxMessage>, StoreError> {
        let (user, tenant, operator) = flags(reader);
        let row = sqlx::query(&format!(
            "SELECT m.id, m.audience, m.event, m.subject_type, m.subject_id, m.subject_name, \
             m.created_at, r.read_at FROM mkt_inbox m LEFT JOIN mkt_inbox_reads r \
             ON r.message_id = m.id AND r.user_id = $1 WHERE {VISIBLE} AND m.id = $4"
        ))
        .bind(&user)
        .bind(&tenant)
        .bind(operator)
        .bind(message_id)
        .fetch_optional(self.pool())
        .await?;
        row.as_ref().map(message_of).transpose().map_err(Into::into)
    }
}
