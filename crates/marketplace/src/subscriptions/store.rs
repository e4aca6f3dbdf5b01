//! The `mkt_subscriptions` table and its log. Every change is a conditional UPDATE on the
//! version read, with one log row, inside the caller's transaction: of two changes racing
//! (two requests, or two unilogin instances sweeping), one wins.

use sqlx::any::AnyRow;
use sqlx::{Any, Row};

use crate::store::MarketStore;
use crate::subscriptions::machine::{
    transition, Action, Actor, Billing, Refused, State, Subscription,
};
use crate::workflow::listing::{count_and_page, Listing, Slice};
use crate::workflow::log::{self as workflow_log, LogRow, LogTable, RowKey};
use crate::workflow::sql::Cell;
use crate::workflow::versioned::{self, Change, Read};
use unilogin_core::store::durable::Tx;
use unilogin_core::store::StoreError;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubscriptionRecord {
    pub id: String,
    /// The order that started it (NEW or TRIAL) and its line.
    pub order_id: String,
    pub order_line_id: String,
    pub product_id: String,
    pub product_name: String,
    /// The SKU now (a CHANGE moves it).
    pub sku_code: String,
    pub buyer_user_id: String,
    pub buyer_tenant_id: String,
    pub seller_tenant_id: String,
    pub subscription: Subscription,
    pub version: i64,
    pub created_at: i64,
    pub updated_at: i64,
}

/// What applying an action came to.
#[derive(Debug)]
pub enum Applied {
    Changed(Box<SubscriptionRecord>),
    Refused(Refused),
    /// Another change came first.
    Stale,
}

/// One step in a subscription's history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubscriptionEvent {
    pub action: String,
    pub actor: String,
    pub from_state: String,
    pub to_state: String,
    pub order_id: String,
    pub at: i64,
}

/// Whose subscriptions a listing shows.
pub enum SubscriptionOwner<'a> {
    Buyer(&'a str),
    Seller(&'a str),
}

const COLUMNS: &str = "id, order_id, order_line_id, product_id, product_name, sku_code, \
     buyer_user_id, buyer_tenant_id, seller_tenant_id, billing, state, expires_at, \
     frozen_until, version, created_at, updated_at";

fn billing_name(billing: Billing) -> &'static str {
    match billing {
        Billing::Period => "period",
        Billing::Once => "once",
    }
}

fn record_of(row: &AnyRow) -> Result<SubscriptionRecord, StoreError> {
    let state: String = row.try_get("state")?;
    let billing: String = row.try_get("billing")?;
    Ok(SubscriptionRecord {
        id: row.try_get("id")?,
        order_id: row.try_get("order_id")?,
        order_line_id: row.try_get("order_line_id")?,
        product_id: row.try_get("product_id")?,
        product_name: row.try_get("product_name")?,
        sku_code: row.try_get("sku_code")?,
        buyer_user_id: row.try_get("buyer_user_id")?,
        buyer_tenant_id: row.try_get("buyer_tenant_id")?,
        seller_tenant_id: row.try_get("seller_tenant_id")?,
        subscription: Subscription {
            state: State::parse(&state)
                .ok_or_else(|| StoreError::Corrupt(format!("subscription state {state:?}")))?,
            billing: match billing.as_str() {
                "period" => Billing::Period,
                "once" => Billing::Once,
                other => return Err(StoreError::Corrupt(format!("billing {other:?}"))),
            },
            expires_at: row.try_get("expires_at")?,
            frozen_until: row.try_get("frozen_until")?,
        },
        version: row.try_get("version")?,
        created_at: row.try_get("created_at")?,
        updated_at: row.try_get("updated_at")?,
    })
}

const LOG: LogTable = LogTable {
    table: "mkt_subscription_log",
    subject: "subscription_id",
    key: RowKey::Id("slog"),
};

impl LogRow for SubscriptionEvent {
    fn cells(&self) -> Vec<(&'static str, Cell<'_>)> {
        vec![
            ("action", (&self.action).into()),
            ("actor", (&self.actor).into()),
            ("from_state", (&self.from_state).into()),
            ("to_state", (&self.to_state).into()),
            ("order_id", (&self.order_id).into()),
            ("at", self.at.into()),
        ]
    }
}

impl MarketStore {
    pub async fn subscription(&self, id: &str) -> Result<Option<SubscriptionRecord>, StoreError> {
        subscription_with(self.pool(), id).await
    }

    /// The subscription an order belongs to (the one it started or follows).
    pub async fn subscription_of_order(
        &self,
        order_id: &str,
    ) -> Result<Option<SubscriptionRecord>, StoreError> {
        subscription_of_order_with(self.pool(), order_id).await
    }

    /// The latest renewal of a subscription that has not started by `now` and was not
    /// refunded.
    pub async fn pending_renewal(
        &self,
        subscription_id: &str,
        now: i64,
    ) -> Result<Option<String>, StoreError> {
        let row = sqlx::query(
            "SELECT l.order_id FROM mkt_order_lines l JOIN mkt_orders o ON o.id = l.order_id \
             WHERE l.subscription_id = $1 AND o.order_type = 'RENEW' AND l.starts_at > $2 \
             AND NOT EXISTS (SELECT 1 FROM mkt_orders u WHERE u.related_order_id = o.id \
             AND u.order_type = 'UNSUBSCRIBE') ORDER BY l.starts_at DESC LIMIT 1",
        )
        .bind(subscription_id)
        .bind(now)
        .fetch_optional(self.pool())
        .await?;
        Ok(row.map(|row| row.try_get("order_id")).transpose()?)
    }

    /// Whether an UNSUBSCRIBE order refunded this order already.
    pub async fn refunded(&self, order_id: &str) -> Result<bool, StoreError> {
        Ok(sqlx::query(
            "SELECT id FROM mkt_orders WHERE related_order_id = $1 AND order_type = 'UNSUBSCRIBE'",
        )
        .bind(order_id)
        .fetch_optional(self.pool())
        .await?
        .is_some())
    }

    /// Trials and live subscriptions past their period, frozen ones past their freeze.
    pub async fn subscriptions_due(
        &self,
        now: i64,
        limit: i64,
    ) -> Result<Vec<SubscriptionRecord>, StoreError> {
        let sql = format!(
            "SELECT {COLUMNS} FROM mkt_subscriptions \
             WHERE (state IN ('trial', 'live') AND expires_at <= $1) \
             OR (state = 'frozen' AND frozen_until <= $1) ORDER BY updated_at, id LIMIT $2"
        );
        let rows = sqlx::query(&sql)
            .bind(now)
            .bind(limit)
            .fetch_all(self.pool())
            .await?;
        rows.iter().map(record_of).collect()
    }

    /// A page of someone's subscriptions, newest first, optionally in one state.
    pub async fn subscriptions_of(
        &self,
        owner: SubscriptionOwner<'_>,
        state: Option<State>,
        offset: i64,
        limit: i64,
    ) -> Result<(Vec<SubscriptionRecord>, i64), StoreError> {
        let (column, value) = match owner {
            SubscriptionOwner::Buyer(user) => ("buyer_user_id", user),
            SubscriptionOwner::Seller(tenant) => ("seller_tenant_id", tenant),
        };
        let filter = format!("{column} = $1 AND ($2 = '' OR state = $2)",);
        let state = state.map(State::as_str).unwrap_or("");
        let listing = Listing {
            columns: COLUMNS,
            from: format!("FROM mkt_subscriptions WHERE {filter}"),
            values: vec![value.into(), state.into()],
            order_by: "created_at DESC, id DESC",
        };
        let (rows, total) = count_and_page(self.pool(), listing, Slice { offset, limit }).await?;
        let items = rows.iter().map(record_of).collect::<Result<_, _>>()?;
        Ok((items, total))
    }

    /// A subscription's history, oldest first.
    pub async fn subscription_log(&self, id: &str) -> Result<Vec<SubscriptionEvent>, StoreError> {
        let rows = sqlx::query(
            "SELECT action, actor, from_state, to_state, order_id, at FROM mkt_subscription_log \
             WHERE subscription_id = $1 ORDER BY id",
        )
        .bind(id)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|row| {
                Ok(SubscriptionEvent {
                    action: row.try_get("action")?,
                    actor: row.try_get("actor")?,
                    from_state: row.try_get("from_state")?,
                    to_state: row.try_get("to_state")?,
                    order_id: row.try_get("order_id")?,
                    at: row.try_get("at")?,
                })
            })
            .collect()
    }
}

/// Takes the buyer's one trial of a product; false if it was taken before.
pub async fn claim_trial_in(
    tx: &mut Tx,
    buyer_key: &str,
    product_id: &str,
    order_id: &str,
) -> Result<bool, StoreError> {
    let taken: Option<String> =
        sqlx::query("SELECT order_id FROM mkt_trials WHERE buyer_key = $1 AND product_id = $2")
            .bind(buyer_key)
            .bind(product_id)
            .fetch_optional(&mut **tx)
            .await?
            .map(|row| row.try_get("order_id"))
            .transpose()?;
    if taken.is_some() {
        return Ok(false);
    }
    match sqlx::query(
        "INSERT INTO mkt_trials (buyer_key, product_id, order_id) VALUES ($1, $2, $3)",
    )
    .bind(buyer_key)
    .bind(product_id)
    .bind(order_id)
    .execute(&mut **tx)
    .await
    {
        Ok(_) => Ok(true),
        Err(err) => match StoreError::from(err) {
            // A concurrent trial took it between the read and the write.
            StoreError::Conflict => Ok(false),
            other => Err(other),
        },
    }
}

/// `subscription`, read inside the caller's transaction.
pub async fn subscription_in(
    tx: &mut Tx,
    id: &str,
) -> Result<Option<SubscriptionRecord>, StoreError> {
    subscription_with(&mut **tx, id).await
}

/// Applies `action` to `current` (as read, at its version) inside `tx`: the transition
/// decided, then the conditional update with one log row. `sku_code` is the SKU
/// after the change (a CHANGE's).
pub async fn apply_subscription_in(
    tx: &mut Tx,
    current: &SubscriptionRecord,
    change: (Action, Actor),
    sku_code: &str,
    order_id: &str,
) -> Result<Applied, StoreError> {
    let (action, actor) = change;
    let now = tx.now();
    let next = match transition(current.subscription, action, actor, now) {
        Ok(next) => next,
        Err(refused) => return Ok(Applied::Refused(refused)),
    };
    let set = Change::set(vec![
        ("state", next.state.as_str().into()),
        ("sku_code", sku_code.into()),
        ("expires_at", next.expires_at.into()),
        ("frozen_until", next.frozen_until.into()),
        ("updated_at", now.into()),
    ]);
    let event = SubscriptionEvent {
        action: action_name(action).into(),
        actor: actor.as_str().into(),
        from_state: current.subscription.state.as_str().into(),
        to_state: next.state.as_str().into(),
        order_id: order_id.to_owned(),
        at: now,
    };
    let read = Read {
        table: "mkt_subscriptions",
        id: &current.id,
        version: current.version,
    };
    if !versioned::update_and_log(tx, read, set, &LOG, &event).await? {
        return Ok(Applied::Stale);
    }
    Ok(Applied::Changed(Box::new(SubscriptionRecord {
        subscription: next,
        sku_code: sku_code.to_owned(),
        version: current.version + 1,
        updated_at: now,
        ..current.clone()
    })))
}

/// A new subscription with its first log row, in the order's transaction.
pub async fn insert_subscription_in(
    tx: &mut Tx,
    record: &SubscriptionRecord,
) -> Result<(), StoreError> {
    let s = &record.subscription;
    sqlx::query(&format!(
        "INSERT INTO mkt_subscriptions ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, \
         $9, $10, $11, $12, $13, $14, $15, $16)"
    ))
    .bind(&record.id)
    .bind(&record.order_id)
    .bind(&record.order_line_id)
    .bind(&record.product_id)
    .bind(&record.product_name)
    .bind(&record.sku_code)
    .bind(&record.buyer_user_id)
    .bind(&record.buyer_tenant_id)
    .bind(&record.seller_tenant_id)
    .bind(billing_name(s.billing))
    .bind(s.state.as_str())
    .bind(s.expires_at)
    .bind(s.frozen_until)
    .bind(record.version)
    .bind(record.created_at)
    .bind(record.updated_at)
    .execute(&mut **tx)
    .await?;
    let event = SubscriptionEvent {
        action: "ordered".into(),
        actor: Actor::Buyer.as_str().into(),
        from_state: String::new(),
        to_state: s.state.as_str().into(),
        order_id: record.order_id.clone(),
        at: record.created_at,
    };
    workflow_log::append(tx, &LOG, &record.id, &event).await
}

fn action_name(action: Action) -> &'static str {
    match action {
        Action::Renew { .. } => "renewed",
        Action::Change => "changed",
        Action::ToFormal { .. } => "turned formal",
        Action::Expire => "expired",
        Action::Release => "released",
        Action::RequestUnsubscribe => "unsubscribe requested",
        Action::WithdrawUnsubscribe => "unsubscribe withdrawn",
        Action::ApproveUnsubscribe { restore: None } => "unsubscribed",
        Action::ApproveUnsubscribe { restore: Some(_) } => "renewal refunded",
        Action::RejectUnsubscribe => "unsubscribe rejected",
        Action::Unsubscribe { restore: None } => "unsubscribed in the billing centre",
        Action::Unsubscribe { restore: Some(_) } => "renewal refunded in the billing centre",
        Action::ProvisioningFailed => "provisioning failed",
        Action::StartPeriod { .. } => "period started at acceptance",
    }
}

/// `subscription_of_order` inside the caller's transaction.
pub async fn subscription_of_order_in(
    tx: &mut Tx,
    order_id: &str,
) -> Result<Option<SubscriptionRecord>, StoreError> {
    subscription_of_order_with(&mut **tx, order_id).await
}

async fn subscription_of_order_with<'e>(
    executor: impl sqlx::Executor<'e, Database = Any>,
    order_id: &str,
) -> Result<Option<SubscriptionRecord>, StoreError> {
    let sql = format!(
        "SELECT {COLUMNS} FROM mkt_subscriptions WHERE id = (SELECT MIN(subscription_id) \
         FROM mkt_order_lines WHERE order_id = $1)"
    );
    let row = sqlx::query(&sql)
        .bind(order_id)
        .fetch_optional(executor)
        .await?;
    row.as_ref().map(record_of).transpose()
}

async fn subscription_with<'e>(
    executor: impl sqlx::Executor<'e, Database = Any>,
    id: &str,
) -> Result<Option<SubscriptionRecord>, StoreError> {
    let sql = format!("SELECT {COLUMNS} FROM mkt_subscriptions WHERE id = $1");
    let row = sqlx::query(&sql).bind(id).fetch_optional(executor).await?;
    row.as_ref().map(record_of).transpose()
}
