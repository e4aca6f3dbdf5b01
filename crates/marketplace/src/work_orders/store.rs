//! The `mkt_work_orders` table and its log (actions and typed messages): every change a
//! conditional UPDATE on the version read, with one log row, in the caller's transaction.

use sqlx::any::AnyRow;
use sqlx::Row;

use crate::ids::WorkOrderId;
use crate::store::MarketStore;
use crate::work_orders::machine::{Status, WorkOrder};
use crate::workflow::listing::{count_and_page, Listing, Slice};
use crate::workflow::log::{self as workflow_log, LogRow, LogTable, RowKey};
use crate::workflow::sql::Cell;
use crate::workflow::versioned::{self, Change, Read};
use unilogin_core::store::durable::Tx;
use unilogin_core::store::StoreError;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkOrderRecord {
    pub id: String,
    pub buyer_user_id: String,
    pub buyer_tenant_id: String,
    pub seller_tenant_id: String,
    pub order_id: Option<String>,
    pub product_id: String,
    pub product_name: String,
    pub title: String,
    pub description: String,
    pub work_order: WorkOrder,
    pub handler_user_id: Option<String>,
    pub handler_name: Option<String>,
    pub cause: Option<String>,
    pub solution: Option<String>,
    pub version: i64,
    pub updated_at: i64,
}

/// One entry of a work order's log; messages carry their type (0 customer, 1 support).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkOrderEvent {
    pub action: String,
    pub actor: String,
    pub actor_id: String,
    pub from_status: i64,
    pub to_status: i64,
    pub message_type: Option<i64>,
    pub body: String,
    pub attachments: Vec<String>,
    pub at: i64,
}

/// Which work orders a listing shows.
pub enum WorkOrderScope<'a> {
    /// The customer's own (deleted ones left out).
    Customer(&'a str),
    /// The seller tenant's.
    Seller(&'a str),
    /// Handled by this user: assigned to them, or acted on by them as support.
    HandledBy(&'a str, &'a str),
    /// Escalated to the operators.
    Escalated,
}

const COLUMNS: &str = "id, buyer_user_id, buyer_tenant_id, seller_tenant_id, order_id, \
     product_id, product_name, title, description, status, handler_user_id, handler_name, \
     escalated, opened_at, accepted_at, resolved_at, ended_at, paused_since, paused_total, \
     last_urged_at, cause, solution, version, updated_at";

fn record_of(row: &AnyRow) -> Result<WorkOrderRecord, StoreError> {
    let code: i64 = row.try_get("status")?;
    let escalated: i64 = row.try_get("escalated")?;
    Ok(WorkOrderRecord {
        id: row.try_get("id")?,
        buyer_user_id: row.try_get("buyer_user_id")?,
        buyer_tenant_id: row.try_get("buyer_tenant_id")?,
        seller_tenant_id: row.try_get("seller_tenant_id")?,
        order_id: row.try_get("order_id")?,
        product_id: row.try_get("product_id")?,
        product_name: row.try_get("product_name")?,
        title: row.try_get("title")?,
        description: row.try_get("description")?,
        work_order: WorkOrder {
            status: Status::from_code(code)
                .ok_or_else(|| StoreError::Corrupt(format!("work order status {code}")))?,
            opened_at: row.try_get("opened_at")?,
            accepted_at: row.try_get("accepted_at")?,
            resolved_at: row.try_get("resolved_at")?,
            ended_at: row.try_get("ended_at")?,
            paused_since: row.try_get("paused_since")?,
            paused_total: row.try_get("paused_total")?,
            last_urged_at: row.try_get("last_urged_at")?,
            escalated: escalated != 0,
        },
        handler_user_id: row.try_get("handler_user_id")?,
        handler_name: row.try_get("handler_name")?,
        cause: row.try_get("cause")?,
        solution: row.try_get("solution")?,
        version: row.try_get("version")?,
        updated_at: row.try_get("updated_at")?,
    })
}

const LOG: LogTable = LogTable {
    table: "mkt_work_order_log",
    subject: "work_order_id",
    key: RowKey::Id("wlog"),
};

impl LogRow for WorkOrderEvent {
    fn cells(&self) -> Vec<(&'static str, Cell<'_>)> {
        vec![
            ("action", (&self.action).into()),
            ("actor", (&self.actor).into()),
            ("actor_id", (&self.actor_id).into()),
            ("from_status", self.from_status.into()),
            ("to_status", self.to_status.into()),
            ("message_type", self.message_type.into()),
            ("body", (&self.body).into()),
            ("attachments", Cell::Owned(self.attachments.join(","))),
            ("at", self.at.into()),
        ]
    }
}

impl MarketStore {
    pub async fn work_order(
        &self,
        id: &WorkOrderId,
    ) -> Result<Option<WorkOrderRecord>, StoreError> {
        let sql = format!("SELECT {COLUMNS} FROM mkt_work_orders WHERE id = $1");
        let row = sqlx::query(&sql)
            .bind(id.as_str())
            .fetch_optional(self.pool())
            .await?;
        row.as_ref().map(record_of).transpose()
    }

    /// A page, newest first, optionally with one status.
    pub async fn work_orders(
        &self,
        scope: WorkOrderScope<'_>,
        status: Option<Status>,
        offset: i64,
        limit: i64,
    ) -> Result<(Vec<WorkOrderRecord>, i64), StoreError> {
        let deleted = Status::Deleted.code();
        let (filter, first, second) = match scope {
            WorkOrderScope::Customer(user) => (
                format!("buyer_user_id = $1 AND status <> {deleted} AND '' = $2"),
                user,
                "",
            ),
            WorkOrderScope::Seller(tenant) => {
                ("seller_tenant_id = $1 AND '' = $2".to_owned(), tenant, "")
            }
            WorkOrderScope::HandledBy(tenant, user) => (
                "seller_tenant_id = $1 AND (handler_user_id = $2 OR EXISTS (SELECT 1 FROM \
                 mkt_work_order_log l WHERE l.work_order_id = mkt_work_orders.id \
                 AND l.actor_id = $2 AND l.actor = 'seller'))"
                    .to_owned(),
                tenant,
                user,
            ),
            WorkOrderScope::Escalated => {
                ("escalated = 1 AND '' = $1 AND '' = $2".to_owned(), "", "")
            }
        };
        // The status is ours (an enum's code), never the caller's text.
        let filter = match status {
            Some(s) => format!("{filter} AND status = {}", s.code()),
            None => filter,
        };
        let listing = Listing {
            columns: COLUMNS,
            from: format!("FROM mkt_work_orders WHERE {filter}"),
            values: vec![first.into(), second.into()],
            order_by: "opened_at DESC, id DESC",
        };
        let (rows, total) = count_and_page(self.pool(), listing, Slice { offset, limit }).await?;
        let items = rows.iter().map(record_of).collect::<Result<_, _>>()?;
        Ok((items, total))
    }

    /// A work order's log, oldest first.
    pub async fn work_order_log(&self, id: &str) -> Result<Vec<WorkOrderEvent>, StoreError> {
        let rows = sqlx::query(
            "SELECT action, actor, actor_id, from_status, to_status, message_type, body, \
             attachments, at FROM mkt_work_order_log WHERE work_order_id = $1 ORDER BY id",
        )
        .bind(id)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|row| {
                let attachments: String = row.try_get("attachments")?;
                Ok(WorkOrderEvent {
                    action: row.try_get("action")?,
                    actor: row.try_get("actor")?,
                    actor_id: row.try_get("actor_id")?,
                    from_status: row.try_get("from_status")?,
                    to_status: row.try_get("to_status")?,
                    message_type: row.try_get("message_type")?,
                    body: row.try_get("body")?,
                    attachments: crate::store::attachment_ids(&attachments),
                    at: row.try_get("at")?,
                })
            })
            .collect()
    }
}

/// Writes `next` if the work order is still at the version read, with one log row;
/// false when another change came first.
pub async fn update_work_order_in(
    tx: &mut Tx,
    from: &WorkOrderRecord,
    next: &WorkOrderRecord,
    event: &WorkOrderEvent,
) -> Result<bool, StoreError> {
    let w = &next.work_order;
    let change = Change::set(vec![
        ("status", w.status.code().into()),
        ("handler_user_id", (&next.handler_user_id).into()),
        ("handler_name", (&next.handler_name).into()),
        ("escalated", w.escalated.into()),
        ("accepted_at", w.accepted_at.into()),
        ("resolved_at", w.resolved_at.into()),
        ("ended_at", w.ended_at.into()),
        ("paused_since", w.paused_since.into()),
        ("paused_total", w.paused_total.into()),
        ("last_urged_at", w.last_urged_at.into()),
        ("cause", (&next.cause).into()),
        ("solution", (&next.solution).into()),
        ("updated_at", event.at.into()),
    ]);
    let read = Read {
        table: "mkt_work_orders",
        id: &from.id,
        version: from.version,
    };
    versioned::update_and_log(tx, read, change, &LOG, event).await
}

/// A new work order with its first log row (the description, as the customer's
/// first message).
pub async fn insert_work_order_in(
    tx: &mut Tx,
    record: &WorkOrderRecord,
    attachments: &[String],
) -> Result<(), StoreError> {
    let w = &record.work_order;
    sqlx::query(&format!(
        "INSERT INTO mkt_work_orders ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, \
         $9, $10, NULL, NULL, 0, $11, NULL, NULL, NULL, NULL, 0, NULL, NULL, NULL, 0, $11)"
    ))
    .bind(&record.id)
    .bind(&record.buyer_user_id)
    .bind(&record.buyer_tenant_id)
    .bind(&record.seller_tenant_id)
    .bind(&record.order_id)
    .bind(&record.product_id)
    .bind(&record.product_name)
    .bind(&record.title)
    .bind(&record.description)
    .bind(w.status.code())
    .bind(w.opened_at)
    .execute(&mut **tx)
    .await?;
    let event = WorkOrderEvent {
        action: "open".into(),
        actor: "buyer".into(),
        actor_id: record.buyer_user_id.clone(),
        from_status: w.status.code(),
        to_status: w.status.code(),
        message_type: Some(0),
        body: record.description.clone(),
        attachments: attachments.to_vec(),
        at: w.opened_at,
    };
    workflow_log::append(tx, &LOG, &record.id, &event).await
}
