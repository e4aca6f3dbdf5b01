//! The `kit_instances` table and its log. Every change is a conditional UPDATE on the
//! version read, with its log row, inside the caller's transaction (with the calls it
//! enqueues): of two instances of unilogin making the same change, one wins.

use sqlx::any::AnyRow;
use sqlx::{Any, Row};

use crate::kit::machine::{transition, Action, Actor, Effect, Instance, Refused, State};
use crate::store::MarketStore;
use crate::workflow::log::{self as workflow_log, LogRow, LogTable, RowKey};
use crate::workflow::sql::Cell;
use crate::workflow::versioned::{self, Change, Read};
use unilogin_core::store::durable::Tx;
use unilogin_core::store::StoreError;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InstanceRecord {
    pub id: String,
    pub app_id: String,
    pub seller_tenant_id: String,
    pub buyer_tenant_id: String,
    /// Who ordered it: the app's first administrator.
    pub buyer_user_id: String,
    pub order_id: String,
    pub order_line_id: String,
    pub instance: Instance,
    /// The seller's `instanceId` (empty until the opening is accepted).
    pub seller_instance_id: String,
    /// The tenant's client registration (registered when the instance opens).
    pub client_id: String,
    pub version: i64,
    pub created_at: i64,
    pub updated_at: i64,
}

impl InstanceRecord {
    /// The id the seller knows the instance by: its own once it answered, else ours.
    pub fn seller_id(&self) -> &str {
        if self.seller_instance_id.is_empty() {
            &self.id
        } else {
            &self.seller_instance_id
        }
    }
}

/// What applying an action to an instance came to.
#[derive(Debug)]
pub enum Applied {
    /// Written: the instance as it is now, and what else the change brings.
    Changed {
        record: Box<InstanceRecord>,
        effects: Vec<Effect>,
    },
    /// The state machine refuses the action in the current state.
    Refused(Refused),
    /// Another change came first.
    Stale,
}

/// One log row: what changed an instance, by whom, and a detail (an order id, a reason).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogEntry {
    pub action: String,
    pub actor: String,
    pub from_state: String,
    pub to_state: String,
    pub detail: String,
    pub at: i64,
}

const COLUMNS: &str = "id, app_id, seller_tenant_id, buyer_tenant_id, buyer_user_id, order_id, \
     order_line_id, state, seller_instance_id, client_id, expires_at, frozen_until, version, \
     created_at, updated_at";

fn record_of(row: &AnyRow) -> Result<InstanceRecord, StoreError> {
    let state: String = row.try_get("state")?;
    Ok(InstanceRecord {
        id: row.try_get("id")?,
        app_id: row.try_get("app_id")?,
        seller_tenant_id: row.try_get("seller_tenant_id")?,
        buyer_tenant_id: row.try_get("buyer_tenant_id")?,
        buyer_user_id: row.try_get("buyer_user_id")?,
        order_id: row.try_get("order_id")?,
        order_line_id: row.try_get("order_line_id")?,
        instance: Instance {
            state: State::parse(&state)
                .ok_or_else(|| StoreError::Corrupt(format!("instance state {state:?}")))?,
            expires_at: row.try_get("expires_at")?,
            frozen_until: row.try_get("frozen_until")?,
        },
        seller_instance_id: row.try_get("seller_instance_id")?,
        client_id: row.try_get("client_id")?,
        version: row.try_get("version")?,
        created_at: row.try_get("created_at")?,
        updated_at: row.try_get("updated_at")?,
    })
}

/// The unique key of an open instance; none once it is closed.
fn open_key(record: &InstanceRecord) -> Option<String> {
    matches!(
        record.instance.state,
        State::Opening | State::Live | State::Frozen
    )
    .then(|| format!("{}/{}", record.app_id, record.buyer_tenant_id))
}

fn actor_name(actor: Actor) -> &'static str {
    match actor {
        Actor::System => "system",
        Actor::Buyer => "buyer",
    }
}

const LOG: LogTable = LogTable {
    table: "kit_instance_log",
    subject: "instance_id",
    key: RowKey::Id("log"),
};

impl LogRow for LogEntry {
    fn cells(&self) -> Vec<(&'static str, Cell<'_>)> {
        vec![
            ("action", (&self.action).into()),
            ("actor", (&self.actor).into()),
            ("from_state", (&self.from_state).into()),
            ("to_state", (&self.to_state).into()),
            ("detail", (&self.detail).into()),
            ("at", self.at.into()),
        ]
    }
}

impl MarketStore {
    pub async fn instance(&self, id: &str) -> Result<Option<InstanceRecord>, StoreError> {
        instance_with(self.pool(), id).await
    }

    /// The open (opening, live or frozen) instance of `app_id` for `tenant`.
    pub async fn open_instance(
        &self,
        app_id: &str,
        tenant: &str,
    ) -> Result<Option<InstanceRecord>, StoreError> {
        open_instance_with(self.pool(), app_id, tenant).await
    }

    /// A tenant's instances, newest first.
    pub async fn instances_of_tenant(
        &self,
        tenant: &str,
    ) -> Result<Vec<InstanceRecord>, StoreError> {
        let sql = format!(
            "SELECT {COLUMNS} FROM kit_instances WHERE buyer_tenant_id = $1 \
             ORDER BY created_at DESC, id LIMIT 200"
        );
        let rows = sqlx::query(&sql)
            .bind(tenant)
            .fetch_all(self.pool())
            .await?;
        rows.iter().map(record_of).collect()
    }

    /// Live instances past their period and frozen ones past their freeze, at `now`.
    pub async fn instances_due(
        &self,
        now: i64,
        limit: i64,
    ) -> Result<Vec<InstanceRecord>, StoreError> {
        let sql = format!(
            "SELECT {COLUMNS} FROM kit_instances WHERE (state = 'live' AND expires_at <= $1) \
             OR (state = 'frozen' AND frozen_until <= $1) ORDER BY updated_at, id LIMIT $2"
        );
        let rows = sqlx::query(&sql)
            .bind(now)
            .bind(limit)
            .fetch_all(self.pool())
            .await?;
        rows.iter().map(record_of).collect()
    }

    /// Instances whose registration is enabled when it should not be (only a live
    /// instance signs anyone in), or the other way round: a change whose registration
    /// step was cut off.
    pub async fn instances_out_of_step(&self) -> Result<Vec<InstanceRecord>, StoreError> {
        let columns = COLUMNS
            .split(", ")
            .map(|c| format!("i.{c}"))
            .collect::<Vec<_>>()
            .join(", ");
        let sql = format!(
            "SELECT {columns} FROM kit_instances i JOIN clients c ON c.client_id = i.client_id \
             WHERE (i.state = 'live' AND c.disabled <> 0) \
             OR (i.state <> 'live' AND c.disabled = 0) LIMIT 50"
        );
        let rows = sqlx::query(&sql).fetch_all(self.pool()).await?;
        rows.iter().map(record_of).collect()
    }

    /// An instance's history, oldest first.
    pub async fn instance_log(&self, id: &str) -> Result<Vec<LogEntry>, StoreError> {
        let rows = sqlx::query(
            "SELECT action, actor, from_state, to_state, detail, at FROM kit_instance_log \
             WHERE instance_id = $1 ORDER BY at, id",
        )
        .bind(id)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|row| {
                Ok(LogEntry {
                    action: row.try_get("action")?,
                    actor: row.try_get("actor")?,
                    from_state: row.try_get("from_state")?,
                    to_state: row.try_get("to_state")?,
                    detail: row.try_get("detail")?,
                    at: row.try_get("at")?,
                })
            })
            .collect()
    }
}

/// Applies `action` to `current` (as read, at its version) inside `tx`: the transition
/// decided, the conditional update with its log row named `name`.
#[allow(clippy::too_many_arguments)]
pub async fn apply_in(
    tx: &mut Tx,
    current: &InstanceRecord,
    action: Action,
    actor: Actor,
    name: &str,
    detail: &str,
) -> Result<Applied, StoreError> {
    let (next, effects) = match transition(current.instance, action, actor, tx.now()) {
        Ok(decided) => decided,
        Err(refused) => return Ok(Applied::Refused(refused)),
    };
    let record = InstanceRecord {
        instance: next,
        ..current.clone()
    };
    let state = current.instance.state;
    if !update_instance_in(tx, &record, state, name, actor, detail).await? {
        return Ok(Applied::Stale);
    }
    Ok(Applied::Changed {
        record: Box::new(record),
        effects,
    })
}

/// Writes `next` over the instance if it is still at the version `next` was read
/// at, with one log row; false when another change came first.
pub async fn update_instance_in(
    tx: &mut Tx,
    next: &InstanceRecord,
    from: State,
    action: &str,
    actor: Actor,
    detail: &str,
) -> Result<bool, StoreError> {
    let now = tx.now();
    let open_key = open_key(next);
    let change = Change::set(vec![
        ("state", next.instance.state.as_str().into()),
        ("open_key", open_key.as_deref().into()),
        ("seller_instance_id", (&next.seller_instance_id).into()),
        ("expires_at", next.instance.expires_at.into()),
        ("frozen_until", next.instance.frozen_until.into()),
        ("updated_at", now.into()),
    ]);
    let entry = LogEntry {
        action: action.to_owned(),
        actor: actor_name(actor).into(),
        from_state: from.as_str().into(),
        to_state: next.instance.state.as_str().into(),
        detail: detail.to_owned(),
        at: now,
    };
    let read = Read {
        table: "kit_instances",
        id: &next.id,
        version: next.version,
    };
    versioned::update_and_log(tx, read, change, &LOG, &entry).await
}

/// Stores a new instance (`Conflict`: the tenant has an open one of the app, or the
/// order line has one).
pub async fn insert_instance_in(
    tx: &mut Tx,
    record: &InstanceRecord,
    detail: &str,
) -> Result<(), StoreError> {
    sqlx::query(&format!(
        "INSERT INTO kit_instances ({COLUMNS}, open_key) VALUES ($1, $2, $3, $4, $5, $6, \
         $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)"
    ))
    .bind(&record.id)
    .bind(&record.app_id)
    .bind(&record.seller_tenant_id)
    .bind(&record.buyer_tenant_id)
    .bind(&record.buyer_user_id)
    .bind(&record.order_id)
    .bind(&record.order_line_id)
    .bind(record.instance.state.as_str())
    .bind(&record.seller_instance_id)
    .bind(&record.client_id)
    .bind(record.instance.expires_at)
    .bind(record.instance.frozen_until)
    .bind(record.version)
    .bind(record.created_at)
    .bind(record.updated_at)
    .bind(open_key(record))
    .execute(&mut **tx)
    .await?;
    let entry = LogEntry {
        action: "ordered".into(),
        actor: actor_name(Actor::Buyer).into(),
        from_state: String::new(),
        to_state: record.instance.state.as_str().into(),
        detail: detail.to_owned(),
        at: record.created_at,
    };
    workflow_log::append(tx, &LOG, &record.id, &entry).await
}

/// `instance` inside the caller's transaction.
pub async fn instance_in(tx: &mut Tx, id: &str) -> Result<Option<InstanceRecord>, StoreError> {
    instance_with(&mut **tx, id).await
}

/// `open_instance` inside the caller's transaction.
pub async fn open_instance_in(
    tx: &mut Tx,
    app_id: &str,
    tenant: &str,
) -> Result<Option<InstanceRecord>, StoreError> {
    open_instance_with(&mut **tx, app_id, tenant).await
}

async fn instance_with<'e>(
    executor: impl sqlx::Executor<'e, Database = Any>,
    id: &str,
) -> Result<Option<InstanceRecord>, StoreError> {
    let sql = format!("SELECT {COLUMNS} FROM kit_instances WHERE id = $1");
    let row = sqlx::query(&sql).bind(id).fetch_optional(executor).await?;
    row.as_ref().map(record_of).transpose()
}

async fn open_instance_with<'e>(
    executor: impl sqlx::Executor<'e, Database = Any>,
    app_id: &str,
    tenant: &str,
) -> Result<Option<InstanceRecord>, StoreError> {
    let sql = format!("SELECT {COLUMNS} FROM kit_instances WHERE open_key = $1");
    let row = sqlx::query(&sql)
        .bind(format!("{app_id}/{tenant}"))
        .fetch_optional(executor)
        .await?;
    row.as_ref().map(record_of).transpose()
}
