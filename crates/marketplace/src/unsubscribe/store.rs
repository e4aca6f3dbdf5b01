//! The `mkt_unsubscribe_requests` table and its log. At most one open request per
//! subscription (`open_key`, unique); every change a conditional UPDATE on the version
//! read with one log row, inside the caller's transaction.

use sqlx::any::AnyRow;
use sqlx::Row;

use crate::ids::UnsubscribeRequestId;
use crate::store::MarketStore;
use crate::unsubscribe::machine::{Action, Actor, Request, State};
use crate::unsubscribe::rules::{Channel, ReasonType, Rule};
use crate::workflow::listing::{count_and_page, Listing, Slice};
use crate::workflow::log::{self as workflow_log, LogEntry, LogTable, RowKey};
use crate::workflow::versioned::{self, Change, Read};
use unilogin_core::store::durable::Tx;
use unilogin_core::store::StoreError;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnsubscribeRecord {
    pub id: String,
    pub subscription_id: String,
    /// The order whose amount is refunded (the one that started the subscription, or a
    /// renewal not in effect).
    pub order_id: String,
    pub buyer_user_id: String,
    pub buyer_tenant_id: String,
    pub seller_tenant_id: String,
    pub product_name: String,
    pub request: Request,
    /// Where it was made: a request the seller decides, or the buyer's at once.
    pub channel: Channel,
    pub rule: Rule,
    pub reason_type: ReasonType,
    pub reason: String,
    /// Fixed by the rule, or set by the seller at approval when negotiated.
    pub refund_amount: Option<i64>,
    pub order_amount: i64,
    pub return_carrier: Option<String>,
    pub return_tracking: Option<String>,
    /// The UNSUBSCRIBE order placed when it completed.
    pub unsubscribe_order_id: Option<String>,
    pub version: i64,
    pub updated_at: i64,
}

/// One entry of the history.
pub type UnsubscribeEvent = LogEntry;

const LOG: LogTable = LogTable {
    table: "mkt_unsubscribe_log",
    subject: "request_id",
    key: RowKey::Id("ulog"),
};

/// Whose requests a listing shows.
pub enum RequestOwner<'a> {
    Buyer(&'a str),
    Seller(&'a str),
    /// The operators' queue: every request in the states asked for.
    Everyone,
}

const COLUMNS: &str = "id, subscription_id, order_id, buyer_user_id, buyer_tenant_id, \
     seller_tenant_id, product_name, hardware, rule, reason_type, reason, refund_amount, \
     order_amount, state, return_due_at, return_carrier, return_tracking, \
     unsubscribe_order_id, version, created_at, updated_at, channel";

fn record_of(row: &AnyRow) -> Result<UnsubscribeRecord, StoreError> {
    let corrupt =
        |what: &str, raw: &str| StoreError::Corrupt(format!("unsubscribe {what} {raw:?}"));
    let state: String = row.try_get("state")?;
    let rule: String = row.try_get("rule")?;
    let reason_type: String = row.try_get("reason_type")?;
    let hardware: i64 = row.try_get("hardware")?;
    let channel: String = row.try_get("channel")?;
    Ok(UnsubscribeRecord {
        id: row.try_get("id")?,
        subscription_id: row.try_get("subscription_id")?,
        order_id: row.try_get("order_id")?,
        buyer_user_id: row.try_get("buyer_user_id")?,
        buyer_tenant_id: row.try_get("buyer_tenant_id")?,
        seller_tenant_id: row.try_get("seller_tenant_id")?,
        product_name: row.try_get("product_name")?,
        request: Request {
            state: State::parse(&state).ok_or_else(|| corrupt("state", &state))?,
            hardware: hardware != 0,
            created_at: row.try_get("created_at")?,
            return_due_at: row.try_get("return_due_at")?,
        },
        channel: Channel::parse(&channel).ok_or_else(|| corrupt("channel", &channel))?,
        rule: Rule::parse(&rule).ok_or_else(|| corrupt("rule", &rule))?,
        reason_type: ReasonType::parse(&reason_type)
            .ok_or_else(|| corrupt("reason", &reason_type))?,
        reason: row.try_get("reason")?,
        refund_amount: row.try_get("refund_amount")?,
        order_amount: row.try_get("order_amount")?,
        return_carrier: row.try_get("return_carrier")?,
        return_tracking: row.try_get("return_tracking")?,
        unsubscribe_order_id: row.try_get("unsubscribe_order_id")?,
        version: row.try_get("version")?,
        updated_at: row.try_get("updated_at")?,
    })
}

fn open_key(record: &UnsubscribeRecord) -> Option<&str> {
    record
        .request
        .state
        .is_open()
        .then_some(record.subscription_id.as_str())
}

/// Who took a step and what they said with it.
pub struct Step<'a> {
    pub action: Action,
    pub actor: Actor,
    pub actor_id: &'a str,
    pub comment: &'a str,
    pub attachments: &'a [String],
}

impl MarketStore {
    pub async fn unsubscribe_request(
        &self,
        id: &UnsubscribeRequestId,
    ) -> Result<Option<UnsubscribeRecord>, StoreError> {
        let sql = format!("SELECT {COLUMNS} FROM mkt_unsubscribe_requests WHERE id = $1");
        let row = sqlx::query(&sql)
            .bind(id.as_str())
            .fetch_optional(self.pool())
            .await?;
        row.as_ref().map(record_of).transpose()
    }

    /// The open request of a subscription, if any.
    pub async fn open_unsubscribe_request(
        &self,
        subscription_id: &str,
    ) -> Result<Option<UnsubscribeRecord>, StoreError> {
        let sql = format!("SELECT {COLUMNS} FROM mkt_unsubscribe_requests WHERE open_key = $1");
        let row = sqlx::query(&sql)
            .bind(subscription_id)
            .fetch_optional(self.pool())
            .await?;
        row.as_ref().map(record_of).transpose()
    }

    /// Approved hardware requests whose return was not shipped by `now`.
    pub async fn returns_lapsed(&self, now: i64) -> Result<Vec<UnsubscribeRecord>, StoreError> {
        let sql = format!(
            "SELECT {COLUMNS} FROM mkt_unsubscribe_requests \
             WHERE state = 'awaiting_return' AND return_due_at < $1 ORDER BY id LIMIT 100"
        );
        let rows = sqlx::query(&sql).bind(now).fetch_all(self.pool()).await?;
        rows.iter().map(record_of).collect()
    }

    /// A page of requests, newest first, optionally in some states.
    pub async fn unsubscribe_requests(
        &self,
        owner: RequestOwner<'_>,
        states: &[State],
        offset: i64,
        limit: i64,
    ) -> Result<(Vec<UnsubscribeRecord>, i64), StoreError> {
        let (column, value) = match owner {
            RequestOwner::Buyer(user) => ("buyer_user_id", user),
            RequestOwner::Seller(tenant) => ("seller_tenant_id", tenant),
            RequestOwner::Everyone => ("''", ""),
        };
        // The states are ours (an enum), never the caller's text.
        let in_states = if states.is_empty() {
            String::new()
        } else {
            let names: Vec<String> = states.iter().map(|s| format!("'{}'", s.as_str())).collect();
            format!(" AND state IN ({})", names.join(", "))
        };
        let filter = format!("{column} = $1{in_states}");
        let listing = Listing {
            columns: COLUMNS,
            from: format!("FROM mkt_unsubscribe_requests WHERE {filter}"),
            values: vec![value.into()],
            order_by: "created_at DESC, id DESC",
        };
        let (rows, total) = count_and_page(self.pool(), listing, Slice { offset, limit }).await?;
        let items = rows.iter().map(record_of).collect::<Result<_, _>>()?;
        Ok((items, total))
    }

    /// A request's history, oldest first.
    pub async fn unsubscribe_log(&self, id: &str) -> Result<Vec<UnsubscribeEvent>, StoreError> {
        workflow_log::read(self.pool(), &LOG, id).await
    }
}

/// Writes `next` if the request is still at the version it was read at (`from`), with
/// one log row; false when another change came first.
pub async fn update_unsubscribe_in(
    tx: &mut Tx,
    from: &UnsubscribeRecord,
    next: &UnsubscribeRecord,
    step: &Step<'_>,
) -> Result<bool, StoreError> {
    let now = tx.now();
    let change = Change::set(vec![
        ("state", next.request.state.as_str().into()),
        ("open_key", open_key(next).into()),
        ("return_due_at", next.request.return_due_at.into()),
        ("return_carrier", (&next.return_carrier).into()),
        ("return_tracking", (&next.return_tracking).into()),
        ("refund_amount", next.refund_amount.into()),
        ("unsubscribe_order_id", (&next.unsubscribe_order_id).into()),
        ("updated_at", now.into()),
    ]);
    let event = UnsubscribeEvent {
        action: step.action.as_str().into(),
        actor: step.actor.as_str().into(),
        actor_id: step.actor_id.into(),
        from_state: from.request.state.as_str().into(),
        to_state: next.request.state.as_str().into(),
        comment: step.comment.into(),
        attachments: step.attachments.to_vec(),
        at: now,
    };
    let read = Read {
        table: "mkt_unsubscribe_requests",
        id: &from.id,
        version: from.version,
    };
    versioned::update_and_log(tx, read, change, &LOG, &event).await
}

/// A new request with its first log row; `Conflict` when the subscription has an open
/// one already.
pub async fn insert_unsubscribe_in(
    tx: &mut Tx,
    record: &UnsubscribeRecord,
    attachments: &[String],
) -> Result<(), StoreError> {
    sqlx::query(&format!(
        "INSERT INTO mkt_unsubscribe_requests ({COLUMNS}, open_key) VALUES ($1, $2, $3, $4, \
         $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, \
         $23)"
    ))
    .bind(&record.id)
    .bind(&record.subscription_id)
    .bind(&record.order_id)
    .bind(&record.buyer_user_id)
    .bind(&record.buyer_tenant_id)
    .bind(&record.seller_tenant_id)
    .bind(&record.product_name)
    .bind(i64::from(record.request.hardware))
    .bind(record.rule.as_str())
    .bind(record.reason_type.as_str())
    .bind(&record.reason)
    .bind(record.refund_amount)
    .bind(record.order_amount)
    .bind(record.request.state.as_str())
    .bind(record.request.return_due_at)
    .bind(&record.return_carrier)
    .bind(&record.return_tracking)
    .bind(&record.unsubscribe_order_id)
    .bind(record.version)
    .bind(record.request.created_at)
    .bind(record.updated_at)
    .bind(record.channel.as_str())
    .bind(open_key(record))
    .execute(&mut **tx)
    .await?;
    let (actor, actor_id) = match record.rule {
        Rule::FailedProvisioning => (Actor::System, ""),
        _ => (Actor::Buyer, record.buyer_user_id.as_str()),
    };
    let action = match record.channel {
        Channel::BuyerCentre => "requested",
        Channel::BillingCentre => "unsubscribed in the billing centre",
    };
    let event = UnsubscribeEvent {
        action: action.into(),
        actor: actor.as_str().into(),
        actor_id: actor_id.into(),
        from_state: String::new(),
        to_state: record.request.state.as_str().into(),
        comment: record.reason.clone(),
        attachments: attachments.to_vec(),
        at: record.request.created_at,
    };
    workflow_log::append(tx, &LOG, &record.id, &event).await
}
