//! Products and their review applications in the store. Every state change is one
//! transaction: a conditional UPDATE (the arbiter between concurrent actors) and one
//! log entry; approving also puts the application's content on sale.

use sqlx::any::AnyRow;
use sqlx::Row;

use crate::inbox;
use crate::inbox::{Audience, Notice};
use crate::selling::machine::{transition, Action, Actor, Refused, State};
use crate::selling::products::{IN_REVIEW, ON_SALE};
use crate::store::{settle, MarketStore};
use crate::workflow::log::{self as workflow_log, LogRow, LogTable, RowKey};
use crate::workflow::sql::Cell;
use unilogin_core::store::durable::Tx;
use unilogin_core::store::StoreError;

pub const PENDING: &str = State::Pending.as_str();
pub const STATUSES: [&str; 4] = [
    State::Pending.as_str(),
    State::Approved.as_str(),
    State::Rejected.as_str(),
    State::Withdrawn.as_str(),
];
pub const KINDS: [&str; 2] = ["publish", "modify"];

#[derive(Debug, Clone)]
pub struct ApplicationRecord {
    pub id: String,
    pub product_id: String,
    pub tenant_id: String,
    pub seq: i64,
    pub kind: String,
    pub status: String,
    pub content: String,
    pub reason: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
}

#[derive(Debug, Clone)]
pub struct LogEntry {
    pub at: i64,
    pub actor: String,
    pub action: String,
    pub from_status: Option<String>,
    pub to_status: String,
    pub comment: String,
}

#[derive(Debug)]
pub enum ReviewError {
    NotFound,
    /// The application is not in the state the action needs; this is its state.
    WrongState(String),
    /// Only a product's latest application may be resubmitted.
    NotLatest,
    /// Not the acting party's step.
    NotYours(String),
    Store(StoreError),
}

impl From<StoreError> for ReviewError {
    fn from(err: StoreError) -> Self {
        Self::Store(err)
    }
}

impl From<sqlx::Error> for ReviewError {
    fn from(err: sqlx::Error) -> Self {
        Self::Store(err.into())
    }
}

pub(crate) const APPLICATION_COLUMNS: &str =
    "id, product_id, tenant_id, seq, kind, status, content, reason, created_at, updated_at";

pub(crate) fn application(row: &AnyRow) -> Result<ApplicationRecord, sqlx::Error> {
    Ok(ApplicationRecord {
        id: row.try_get("id")?,
        product_id: row.try_get("product_id")?,
        tenant_id: row.try_get("tenant_id")?,
        seq: row.try_get("seq")?,
        kind: row.try_get("kind")?,
        status: row.try_get("status")?,
        content: row.try_get("content")?,
        reason: row.try_get("reason")?,
        created_at: row.try_get("created_at")?,
        updated_at: row.try_get("updated_at")?,
    })
}

/// One application by id, in or out of a transaction.
pub(crate) async fn load<'e, E>(
    executor: E,
    id: &str,
) -> Result<Option<ApplicationRecord>, sqlx::Error>
where
    E: sqlx::Executor<'e, Database = sqlx::Any>,
{
    let row = sqlx::query(&format!(
        "SELECT {APPLICATION_COLUMNS} FROM mkt_applications WHERE id = $1"
    ))
    .bind(id)
    .fetch_optional(executor)
    .await?;
    row.as_ref().map(application).transpose()
}

fn new_id(prefix: &str) -> String {
    format!("{prefix}{}", unilogin_core::secret::random_id(18))
}

/// Who hears of an application as it now stands: operators of one to review, its
/// seller of the decision.
pub fn notices_of(record: &ApplicationRecord) -> Vec<Notice> {
    let state = State::parse(&record.status);
    let event = match state {
        Some(State::Pending) => "application.submitted",
        Some(State::Approved) => "application.approved",
        Some(State::Rejected) => "application.rejected",
        Some(State::Withdrawn) | None => return Vec::new(),
    };
    let audience = match state {
        Some(State::Pending) => Audience::Operators,
        _ => Audience::Tenant(record.tenant_id.clone()),
    };
    let name = serde_json::from_str::<serde_json::Value>(&record.content)
        .ok()
        .and_then(|c| c["name"].as_str().map(str::to_owned))
        .unwrap_or_else(|| record.product_id.clone());
    vec![Notice::new(
        audience,
        event,
        "application",
        &record.id,
        &name,
    )]
}

/// One state change, as `transition` applies it: the machine's action by an actor.
pub struct Transition<'a> {
    pub application_id: &'a str,
    /// Sellers act on their own tenant's applications only.
    pub tenant_id: Option<&'a str>,
    pub action: Action,
    pub role: Actor,
    /// The user who acts.
    pub actor: &'a str,
    pub comment: &'a str,
}

/// The machine's refusal as the store reports it.
fn refused(refusal: Refused) -> ReviewError {
    match refusal {
        Refused::WrongState(state) => ReviewError::WrongState(state.as_str().into()),
        Refused::NotYours(_) => ReviewError::NotYours(refusal.to_string()),
    }
}

/// The state an application is stored in.
fn state_of(record: &ApplicationRecord) -> Result<State, ReviewError> {
    State::parse(&record.status).ok_or_else(|| {
        ReviewError::Store(StoreError::Corrupt(format!(
            "application status {:?}",
            record.status
        )))
    })
}

impl MarketStore {
    /// Submits `content` for review: a new product when `product_id` is `None`, else a
    /// modification (or, for a product not yet on sale, a new publication) of it.
    pub async fn submit_application(
        &self,
        tenant_id: &str,
        product_id: Option<&str>,
        content: &str,
        actor: &str,
    ) -> Result<ApplicationRecord, ReviewError> {
        let now = self.now();
        let mut tx = self.begin().await?;
        let result: Result<_, ReviewError> = async {
            let (product_id, kind, seq) = match product_id {
                None => {
                    let id = new_id("P");
                    sqlx::query(
                        "INSERT INTO mkt_products (id, tenant_id, status, content, created_at, \
                     updated_at) VALUES ($1, $2, $3, NULL, $4, $4)",
                    )
                    .bind(&id)
                    .bind(tenant_id)
                    .bind(IN_REVIEW)
                    .bind(now)
                    .execute(&mut *tx)
                    .await?;
                    (id, "publish", 1)
                }
                Some(id) => {
                    let product =
                        sqlx::query("SELECT tenant_id, status FROM mkt_products WHERE id = $1")
                            .bind(id)
                            .fetch_optional(&mut *tx)
                            .await?;
                    let Some(product) = product else {
                        return Err(ReviewError::NotFound);
                    };
                    if product.try_get::<String, _>("tenant_id")? != tenant_id {
                        return Err(ReviewError::NotFound);
                    }
                    let on_sale = product.try_get::<String, _>("status")? == ON_SALE;
                    let pending = sqlx::query(
                    "SELECT 1 AS found FROM mkt_applications WHERE product_id = $1 AND status = $2",
                )
                .bind(id)
                .bind(PENDING)
                .fetch_optional(&mut *tx)
                .await?;
                    if pending.is_some() {
                        return Err(ReviewError::WrongState(PENDING.into()));
                    }
                    let next: i64 = sqlx::query(
                        "SELECT COALESCE(MAX(seq), 0) + 1 AS next FROM mkt_applications \
                     WHERE product_id = $1",
                    )
                    .bind(id)
                    .fetch_one(&mut *tx)
                    .await?
                    .try_get("next")?;
                    (
                        id.to_owned(),
                        if on_sale { "modify" } else { "publish" },
                        next,
                    )
                }
            };
            let record = ApplicationRecord {
                id: new_id("APP"),
                product_id,
                tenant_id: tenant_id.to_owned(),
                seq,
                kind: kind.to_owned(),
                status: PENDING.to_owned(),
                content: content.to_owned(),
                reason: None,
                created_at: now,
                updated_at: now,
            };
            let inserted = sqlx::query(&format!(
                "INSERT INTO mkt_applications ({APPLICATION_COLUMNS}) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, NULL, $8, $8)"
            ))
            .bind(&record.id)
            .bind(&record.product_id)
            .bind(&record.tenant_id)
            .bind(record.seq)
            .bind(&record.kind)
            .bind(&record.status)
            .bind(&record.content)
            .bind(now)
            .execute(&mut *tx)
            .await;
            if let Err(err) = inserted {
                // A concurrent submission for the same product took this sequence number.
                return Err(match StoreError::from(err) {
                    StoreError::Conflict => ReviewError::WrongState(PENDING.into()),
                    other => ReviewError::Store(other),
                });
            }
            log(
                &mut tx,
                now,
                &record.id,
                actor,
                "submitted",
                None,
                PENDING,
                "",
            )
            .await?;
            inbox::notify_in(&mut tx, &notices_of(&record)).await?;
            Ok(record)
        }
        .await;
        settle(tx, result).await
    }

    /// Applies `t.action` as the machine decides, with a log entry; approving puts the
    /// content on sale. Refused with the current state when the action is not possible.
    pub async fn transition(&self, t: &Transition<'_>) -> Result<ApplicationRecord, ReviewError> {
        let now = self.now();
        let mut tx = self.begin().await?;
        let result: Result<_, ReviewError> = async {
            let current = load(&mut *tx, t.application_id)
                .await?
                .ok_or(ReviewError::NotFound)?;
            if t.tenant_id
                .is_some_and(|tenant| tenant != current.tenant_id)
            {
                return Err(ReviewError::NotFound);
            }
            let from = state_of(&current)?;
            let to = transition(from, t.action, t.role).map_err(refused)?;
            let reason = (to == State::Rejected).then_some(t.comment);
            let updated = sqlx::query(
                "UPDATE mkt_applications SET status = $1, reason = $2, updated_at = $3 \
             WHERE id = $4 AND status = $5",
            )
            .bind(to.as_str())
            .bind(reason)
            .bind(now)
            .bind(t.application_id)
            .bind(from.as_str())
            .execute(&mut *tx)
            .await?;
            if updated.rows_affected() != 1 {
                let status: String =
                    sqlx::query("SELECT status FROM mkt_applications WHERE id = $1")
                        .bind(t.application_id)
                        .fetch_one(&mut *tx)
                        .await?
                        .try_get("status")?;
                return Err(ReviewError::WrongState(status));
            }
            log(
                &mut tx,
                now,
                t.application_id,
                t.actor,
                t.action.logged(),
                Some(from.as_str()),
                to.as_str(),
                t.comment,
            )
            .await?;
            if to == State::Approved {
                sqlx::query(
                "UPDATE mkt_products SET status = $1, content = $2, updated_at = $3 WHERE id = $4",
            )
            .bind(ON_SALE)
            .bind(&current.content)
            .bind(now)
            .bind(&current.product_id)
            .execute(&mut *tx)
            .await?;
            }
            let record = ApplicationRecord {
                status: to.as_str().to_owned(),
                reason: reason.map(str::to_owned),
                updated_at: now,
                ..current
            };
            inbox::notify_in(&mut tx, &notices_of(&record)).await?;
            Ok(record)
        }
        .await;
        let decided = settle(tx, result).await;
        if decided
            .as_ref()
            .is_ok_and(|r| r.status == State::Approved.as_str())
        {
            self.catalogue_changed();
        }
        decided
    }

    /// Edits and resubmits a rejected application: only the product's latest one.
    pub async fn resubmit(
        &self,
        application_id: &str,
        tenant_id: &str,
        content: &str,
        actor: &str,
    ) -> Result<ApplicationRecord, ReviewError> {
        let now = self.now();
        let mut tx = self.begin().await?;
        let result: Result<_, ReviewError> = async {
            let current = load(&mut *tx, application_id)
                .await?
                .ok_or(ReviewError::NotFound)?;
            if current.tenant_id != tenant_id {
                return Err(ReviewError::NotFound);
            }
            let from = state_of(&current)?;
            let to = transition(from, Action::Resubmit, Actor::Seller).map_err(refused)?;
            let latest: i64 = sqlx::query(
                "SELECT MAX(seq) AS latest FROM mkt_applications WHERE product_id = $1",
            )
            .bind(&current.product_id)
            .fetch_one(&mut *tx)
            .await?
            .try_get("latest")?;
            if latest != current.seq {
                return Err(ReviewError::NotLatest);
            }
            let updated = sqlx::query(
                "UPDATE mkt_applications SET status = $1, content = $2, reason = NULL, \
             updated_at = $3 WHERE id = $4 AND status = $5",
            )
            .bind(to.as_str())
            .bind(content)
            .bind(now)
            .bind(application_id)
            .bind(from.as_str())
            .execute(&mut *tx)
            .await?;
            if updated.rows_affected() != 1 {
                return Err(ReviewError::WrongState(to.as_str().into()));
            }
            log(
                &mut tx,
                now,
                application_id,
                actor,
                Action::Resubmit.logged(),
                Some(from.as_str()),
                to.as_str(),
                "",
            )
            .await?;
            let record = ApplicationRecord {
                status: to.as_str().to_owned(),
                content: content.to_owned(),
                reason: None,
                updated_at: now,
                ..current
            };
            inbox::notify_in(&mut tx, &notices_of(&record)).await?;
            Ok(record)
        }
        .await;
        settle(tx, result).await
    }
}

const LOG: LogTable = LogTable {
    table: "mkt_application_log",
    subject: "application_id",
    key: RowKey::Sequence,
};

/// One review step, as the application's log records it.
struct Logged<'a> {
    at: i64,
    actor: &'a str,
    action: &'a str,
    from: Option<&'a str>,
    to: &'a str,
    comment: &'a str,
}

impl LogRow for Logged<'_> {
    fn cells(&self) -> Vec<(&'static str, Cell<'_>)> {
        vec![
            ("at", self.at.into()),
            ("actor", self.actor.into()),
            ("action", self.action.into()),
            ("from_status", self.from.into()),
            ("to_status", self.to.into()),
            ("comment", self.comment.into()),
        ]
    }
}

#[allow(clippy::too_many_arguments)]
async fn log(
    tx: &mut Tx,
    at: i64,
    application_id: &str,
    actor: &str,
    action: &str,
    from: Option<&str>,
    to: &str,
    comment: &str,
) -> Result<(), StoreError> {
    let row = Logged {
        at,
        actor,
        action,
        from,
        to,
        comment,
    };
    workflow_log::append(tx, &LOG, application_id, &row).await
}
