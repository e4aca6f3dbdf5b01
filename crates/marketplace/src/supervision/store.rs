//! The `mkt_supervisions` table and its log: every change a conditional UPDATE on the
//! version read, with one log row, inside the caller's transaction.

use sqlx::any::AnyRow;
use sqlx::{Any, Row};

use crate::ids::SupervisionId;
use crate::store::MarketStore;
use crate::supervision::machine::{Actor, Appeal, Flow, Ground, State, Supervision};
use crate::workflow::listing::{count_and_page, Listing, Slice};
use crate::workflow::log::{self as workflow_log, LogEntry, LogTable, RowKey};
use crate::workflow::versioned::{self, Change, Read};
use unilogin_core::store::durable::Tx;
use unilogin_core::store::StoreError;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SupervisionRecord {
    pub id: String,
    pub order_id: String,
    pub order_line_id: String,
    pub subscription_id: Option<String>,
    pub product_id: String,
    pub product_name: String,
    pub access_type: String,
    pub buyer_user_id: String,
    pub buyer_tenant_id: String,
    pub seller_tenant_id: String,
    pub supervision: Supervision,
    /// Hardware delivery's logistics.
    pub carrier: Option<String>,
    pub tracking_number: Option<String>,
    /// The actual start the seller entered with the delivery.
    pub actual_start: Option<i64>,
    /// Where the validity period starts: the actual start, else the acceptance.
    pub valid_from: Option<i64>,
    pub completed_at: Option<i64>,
    /// `held` until completion, then `due`: the seller is settled only then.
    pub settlement: String,
    pub version: i64,
    pub created_at: i64,
    pub updated_at: i64,
}

/// One entry of the history.
pub type SupervisionEvent = LogEntry;

const LOG: LogTable = LogTable {
    table: "mkt_supervision_log",
    subject: "supervision_id",
    key: RowKey::Id("slog"),
};

/// Whose supervisions a listing shows.
pub enum SupervisionOwner<'a> {
    Buyer(&'a str),
    Seller(&'a str),
    Everyone,
}

const COLUMNS: &str = "id, order_id, order_line_id, subscription_id, product_id, product_name, \
     access_type, buyer_user_id, buyer_tenant_id, seller_tenant_id, flow, state, since, \
     rejections, delivered, appeal_by, appeal_ground, appeal_frozen_at, appealed_at, carrier, \
     tracking_number, actual_start, valid_from, completed_at, settlement, version, created_at, \
     updated_at";

fn actor_of(raw: &str) -> Option<Actor> {
    [Actor::Buyer, Actor::Seller, Actor::Operator, Actor::System]
        .into_iter()
        .find(|a| a.as_str() == raw)
}

fn record_of(row: &AnyRow) -> Result<SupervisionRecord, StoreError> {
    let corrupt =
        |what: &str, raw: &str| StoreError::Corrupt(format!("supervision {what} {raw:?}"));
    let state: String = row.try_get("state")?;
    let flow: String = row.try_get("flow")?;
    let appeal_by: Option<String> = row.try_get("appeal_by")?;
    let appeal = match appeal_by {
        None => None,
        Some(by) => {
            let ground: String = row
                .try_get::<Option<String>, _>("appeal_ground")?
                .unwrap_or_default();
            let frozen: String = row
                .try_get::<Option<String>, _>("appeal_frozen_at")?
                .unwrap_or_default();
            Some(Appeal {
                by: actor_of(&by).ok_or_else(|| corrupt("appeal by", &by))?,
                ground: Ground::parse(&ground).ok_or_else(|| corrupt("appeal ground", &ground))?,
                frozen_at: State::parse(&frozen).ok_or_else(|| corrupt("frozen at", &frozen))?,
                at: row
                    .try_get::<Option<i64>, _>("appealed_at")?
                    .unwrap_or_default(),
            })
        }
    };
    let rejections: i64 = row.try_get("rejections")?;
    let delivered: i64 = row.try_get("delivered")?;
    Ok(SupervisionRecord {
        id: row.try_get("id")?,
        order_id: row.try_get("order_id")?,
        order_line_id: row.try_get("order_line_id")?,
        subscription_id: row.try_get("subscription_id")?,
        product_id: row.try_get("product_id")?,
        product_name: row.try_get("product_name")?,
        access_type: row.try_get("access_type")?,
        buyer_user_id: row.try_get("buyer_user_id")?,
        buyer_tenant_id: row.try_get("buyer_tenant_id")?,
        seller_tenant_id: row.try_get("seller_tenant_id")?,
        supervision: Supervision {
            state: State::parse(&state).ok_or_else(|| corrupt("state", &state))?,
            flow: Flow::parse(&flow).ok_or_else(|| corrupt("flow", &flow))?,
            since: row.try_get("since")?,
            rejections: u32::try_from(rejections).unwrap_or(u32::MAX),
            delivered: delivered != 0,
            appeal,
        },
        carrier: row.try_get("carrier")?,
        tracking_number: row.try_get("tracking_number")?,
        actual_start: row.try_get("actual_start")?,
        valid_from: row.try_get("valid_from")?,
        completed_at: row.try_get("completed_at")?,
        settlement: row.try_get("settlement")?,
        version: row.try_get("version")?,
        created_at: row.try_get("created_at")?,
        updated_at: row.try_get("updated_at")?,
    })
}

impl MarketStore {
    pub async fn supervision(
        &self,
        id: &SupervisionId,
    ) -> Result<Option<SupervisionRecord>, StoreError> {
        let sql = format!("SELECT {COLUMNS} FROM mkt_supervisions WHERE id = $1");
        let row = sqlx::query(&sql)
            .bind(id.as_str())
            .fetch_optional(self.pool())
            .await?;
        row.as_ref().map(record_of).transpose()
    }

    /// The supervisions of an order's lines.
    pub async fn supervisions_of_order(
        &self,
        order_id: &str,
    ) -> Result<Vec<SupervisionRecord>, StoreError> {
        supervisions_of_order_with(self.pool(), order_id).await
    }

    /// A page, newest first (the operators' appeal queue: longest waiting first).
    pub async fn supervisions(
        &self,
        owner: SupervisionOwner<'_>,
        states: &[State],
        order_id: Option<&str>,
        offset: i64,
        limit: i64,
    ) -> Result<(Vec<SupervisionRecord>, i64), StoreError> {
        let (column, value, order) = match owner {
            SupervisionOwner::Buyer(user) => ("buyer_user_id", user, "created_at DESC, id DESC"),
            SupervisionOwner::Seller(tenant) => {
                ("seller_tenant_id", tenant, "created_at DESC, id DESC")
            }
            SupervisionOwner::Everyone => ("''", "", "appealed_at, since, id"),
        };
        // The states are ours (an enum), never the caller's text.
        let in_states = if states.is_empty() {
            String::new()
        } else {
            let names: Vec<String> = states.iter().map(|s| format!("'{}'", s.as_str())).collect();
            format!(" AND state IN ({})", names.join(", "))
        };
        let of_order = if order_id.is_some() {
            " AND order_id = $2"
        } else {
            ""
        };
        let filter = format!("{column} = $1{in_states}{of_order}");
        let mut values = vec![value.into()];
        if let Some(order_id) = order_id {
            values.push(order_id.into());
        }
        let listing = Listing {
            columns: COLUMNS,
            from: format!("FROM mkt_supervisions WHERE {filter}"),
            values,
            order_by: order,
        };
        let (rows, total) = count_and_page(self.pool(), listing, Slice { offset, limit }).await?;
        let items = rows.iter().map(record_of).collect::<Result<_, _>>()?;
        Ok((items, total))
    }

    /// A supervision's history, oldest first.
    pub async fn supervision_log(&self, id: &str) -> Result<Vec<SupervisionEvent>, StoreError> {
        workflow_log::read(self.pool(), &LOG, id).await
    }
}

/// `supervisions_of_order`, read inside the caller's transaction.
pub async fn supervisions_of_order_in(
    tx: &mut Tx,
    order_id: &str,
) -> Result<Vec<SupervisionRecord>, StoreError> {
    supervisions_of_order_with(&mut **tx, order_id).await
}

/// Writes `next` if the supervision is still at the version it was read at, with one
/// log row; false when another change came first.
pub async fn update_supervision_in(
    tx: &mut Tx,
    from: &SupervisionRecord,
    next: &SupervisionRecord,
    event: &SupervisionEvent,
) -> Result<bool, StoreError> {
    let s = &next.supervision;
    let appeal = s.appeal;
    let change = Change::set(vec![
        ("state", s.state.as_str().into()),
        ("since", s.since.into()),
        ("rejections", i64::from(s.rejections).into()),
        ("delivered", i64::from(s.delivered).into()),
        ("appeal_by", appeal.map(|a| a.by.as_str()).into()),
        ("appeal_ground", appeal.map(|a| a.ground.as_str()).into()),
        (
            "appeal_frozen_at",
            appeal.map(|a| a.frozen_at.as_str()).into(),
        ),
        ("appealed_at", appeal.map(|a| a.at).into()),
        ("carrier", (&next.carrier).into()),
        ("tracking_number", (&next.tracking_number).into()),
        ("actual_start", next.actual_start.into()),
        ("valid_from", next.valid_from.into()),
        ("completed_at", next.completed_at.into()),
        ("settlement", (&next.settlement).into()),
        ("updated_at", event.at.into()),
    ]);
    let read = Read {
        table: "mkt_supervisions",
        id: &from.id,
        version: from.version,
    };
    versioned::update_and_log(tx, read, change, &LOG, event).await
}

/// A new supervision with its first log row.
pub async fn insert_supervision_in(
    tx: &mut Tx,
    record: &SupervisionRecord,
) -> Result<(), StoreError> {
    let s = &record.supervision;
    sqlx::query(&format!(
        "INSERT INTO mkt_supervisions ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, \
         $9, $10, $11, $12, $13, $14, $15, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, \
         NULL, 'held', 0, $16, $16)"
    ))
    .bind(&record.id)
    .bind(&record.order_id)
    .bind(&record.order_line_id)
    .bind(&record.subscription_id)
    .bind(&record.product_id)
    .bind(&record.product_name)
    .bind(&record.access_type)
    .bind(&record.buyer_user_id)
    .bind(&record.buyer_tenant_id)
    .bind(&record.seller_tenant_id)
    .bind(s.flow.as_str())
    .bind(s.state.as_str())
    .bind(s.since)
    .bind(i64::from(s.rejections))
    .bind(i64::from(s.delivered))
    .bind(record.created_at)
    .execute(&mut **tx)
    .await?;
    let event = SupervisionEvent {
        action: "opened".into(),
        actor: Actor::System.as_str().into(),
        actor_id: String::new(),
        from_state: String::new(),
        to_state: s.state.as_str().into(),
        comment: String::new(),
        attachments: Vec::new(),
        at: record.created_at,
    };
    workflow_log::append(tx, &LOG, &record.id, &event).await
}

async fn supervisions_of_order_with<'e>(
    executor: impl sqlx::Executor<'e, Database = Any>,
    order_id: &str,
) -> Result<Vec<SupervisionRecord>, StoreError> {
    let sql = format!("SELECT {COLUMNS} FROM mkt_supervisions WHERE order_id = $1 ORDER BY id");
    let rows = sqlx::query(&sql).bind(order_id).fetch_all(executor).await?;
    rows.iter().map(record_of).collect()
}
