//! The voucher tables: published vouchers and one log row per change, each in the
//! caller's transaction; buyers' claims are `claim_store`'s.

use sqlx::any::AnyRow;
use sqlx::Row;

use crate::store::MarketStore;
use crate::vouchers::machine::{Action, Offer, OfferState};
use crate::vouchers::terms::{Scope, ScopeKind, Terms};
use crate::workflow::listing::{count_and_page, Listing, Slice};
use crate::workflow::log::{self as workflow_log, LogRow, LogTable, RowKey};
use crate::workflow::sql::Cell;
use crate::workflow::versioned::{self, Read};
use unilogin_core::store::durable::Tx;
use unilogin_core::store::StoreError;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VoucherRecord {
    pub id: String,
    pub seller_tenant_id: String,
    pub terms: Terms,
    pub claimed: i64,
    pub state: OfferState,
    pub version: i64,
    pub created_at: i64,
}

impl VoucherRecord {
    pub fn offer(&self) -> Offer {
        Offer {
            state: self.state,
            valid_until: self.terms.valid_until,
            total_quantity: self.terms.total_quantity,
            claimed: self.claimed,
            per_buyer_limit: self.terms.per_buyer_limit,
        }
    }
}

/// One change, for the log.
pub struct Change<'a> {
    /// A machine `Action`'s name, or `publish`.
    pub action: &'a str,
    pub actor: &'a str,
    pub actor_id: &'a str,
    pub from: &'a str,
    pub to: &'a str,
    pub order_id: &'a str,
    pub at: i64,
}

pub(crate) const VOUCHER_COLUMNS: &str = "v.id, v.seller_tenant_id, v.name, v.face_value, \
     v.minimum_spend, v.valid_from, v.valid_until, v.scope, v.scope_items, v.total_quantity, \
     v.per_buyer_limit, v.claimed, v.combinable, v.state, v.version, v.created_at";

pub(crate) fn voucher_of(row: &AnyRow) -> Result<VoucherRecord, StoreError> {
    let scope: String = row.try_get("scope")?;
    let items: String = row.try_get("scope_items")?;
    let state: String = row.try_get("state")?;
    let combinable: i64 = row.try_get("combinable")?;
    let corrupt = |what: &str| StoreError::Corrupt(format!("voucher {what}"));
    Ok(VoucherRecord {
        id: row.try_get("id")?,
        seller_tenant_id: row.try_get("seller_tenant_id")?,
        terms: Terms {
            name: row.try_get("name")?,
            face_value: row.try_get("face_value")?,
            minimum_spend: row.try_get("minimum_spend")?,
            valid_from: row.try_get("valid_from")?,
            valid_until: row.try_get("valid_until")?,
            scope: Scope {
                kind: ScopeKind::parse(&scope).ok_or_else(|| corrupt("scope"))?,
                items: serde_json::from_str(&items).map_err(|_| corrupt("scope items"))?,
            },
            total_quantity: row.try_get("total_quantity")?,
            per_buyer_limit: row.try_get("per_buyer_limit")?,
            combinable: combinable != 0,
        },
        claimed: row.try_get("claimed")?,
        state: OfferState::parse(&state).ok_or_else(|| corrupt("state"))?,
        version: row.try_get("version")?,
        created_at: row.try_get("created_at")?,
    })
}

const LOG: LogTable = LogTable {
    table: "mkt_voucher_log",
    subject: "voucher_id",
    key: RowKey::Id("vlog"),
};

/// A voucher's log row: a change of the voucher, or of one of its claims.
struct Logged<'a> {
    claim_id: Option<&'a str>,
    change: &'a Change<'a>,
}

impl LogRow for Logged<'_> {
    fn cells(&self) -> Vec<(&'static str, Cell<'_>)> {
        let change = self.change;
        vec![
            ("claim_id", self.claim_id.into()),
            ("action", change.action.into()),
            ("actor", change.actor.into()),
            ("actor_id", change.actor_id.into()),
            ("from_state", change.from.into()),
            ("to_state", change.to.into()),
            ("order_id", change.order_id.into()),
            ("at", change.at.into()),
        ]
    }
}

/// Appends `change` (of the voucher, or of its claim `claim_id`) to the voucher's log.
pub(crate) async fn log_change(
    tx: &mut Tx,
    voucher_id: &str,
    claim_id: Option<&str>,
    change: &Change<'_>,
) -> Result<(), StoreError> {
    workflow_log::append(tx, &LOG, voucher_id, &Logged { claim_id, change }).await
}

impl MarketStore {
    pub async fn voucher(&self, id: &str) -> Result<Option<VoucherRecord>, StoreError> {
        let row = sqlx::query(&format!(
            "SELECT {VOUCHER_COLUMNS} FROM mkt_vouchers v WHERE v.id = $1"
        ))
        .bind(id)
        .fetch_optional(self.pool())
        .await?;
        row.as_ref().map(voucher_of).transpose()
    }

    /// A page of a seller's vouchers, newest first, and how many there are.
    pub async fn vouchers_of_seller(
        &self,
        tenant_id: &str,
        offset: i64,
        limit: i64,
    ) -> Result<(Vec<VoucherRecord>, i64), StoreError> {
        let listing = Listing {
            columns: VOUCHER_COLUMNS,
            from: "FROM mkt_vouchers v WHERE v.seller_tenant_id = $1".to_owned(),
            values: vec![tenant_id.into()],
            order_by: "v.created_at DESC, v.id DESC",
        };
        let (rows, total) = count_and_page(self.pool(), listing, Slice { offset, limit }).await?;
        let vouchers = rows.iter().map(voucher_of).collect::<Result<_, _>>()?;
        Ok((vouchers, total))
    }

    /// A seller's active vouchers still claimable at `now` (the product page filters by
    /// scope).
    pub async fn claimable_vouchers(
        &self,
        tenant_id: &str,
        now: i64,
    ) -> Result<Vec<VoucherRecord>, StoreError> {
        let rows = sqlx::query(&format!(
            "SELECT {VOUCHER_COLUMNS} FROM mkt_vouchers v WHERE v.seller_tenant_id = $1 \
             AND v.state = 'active' AND v.valid_until > $2 AND v.claimed < v.total_quantity \
             ORDER BY v.created_at DESC, v.id DESC LIMIT 100"
        ))
        .bind(tenant_id)
        .bind(now)
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(voucher_of).collect()
    }

    /// How many of each of these vouchers the buyer holds.
    pub async fn held_by(&self, buyer_user_id: &str) -> Result<Vec<(String, i64)>, StoreError> {
        let rows = sqlx::query(
            "SELECT voucher_id, COUNT(*) AS n FROM mkt_voucher_claims \
             WHERE buyer_user_id = $1 GROUP BY voucher_id",
        )
        .bind(buyer_user_id)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| Ok((r.try_get("voucher_id")?, r.try_get("n")?)))
            .collect()
    }
}

/// The seller withdraws `current` if unchanged since read; false otherwise.
pub async fn withdraw_voucher_in(
    tx: &mut Tx,
    current: &VoucherRecord,
    seller_user_id: &str,
    now: i64,
) -> Result<bool, StoreError> {
    let change = Change {
        action: Action::Withdraw.as_str(),
        actor: "seller",
        actor_id: seller_user_id,
        from: current.state.as_str(),
        to: OfferState::Withdrawn.as_str(),
        order_id: "",
        at: now,
    };
    let read = Read {
        table: "mkt_vouchers",
        id: &current.id,
        version: current.version,
    };
    let update = versioned::Change::set(vec![
        ("state", OfferState::Withdrawn.as_str().into()),
        ("updated_at", now.into()),
    ])
    .only_if("state", current.state.as_str());
    let logged = Logged {
        claim_id: None,
        change: &change,
    };
    versioned::update_and_log(tx, read, update, &LOG, &logged).await
}

/// A published voucher with its first log row.
pub async fn insert_voucher_in(
    tx: &mut Tx,
    record: &VoucherRecord,
    seller_user_id: &str,
) -> Result<(), StoreError> {
    let t = &record.terms;
    let items =
        serde_json::to_string(&t.scope.items).map_err(|e| StoreError::Backend(e.to_string()))?;
    sqlx::query(
        "INSERT INTO mkt_vouchers (id, seller_tenant_id, name, face_value, minimum_spend, \
         valid_from, valid_until, scope, scope_items, total_quantity, per_buyer_limit, \
         claimed, combinable, state, version, created_at, updated_at) VALUES ($1, $2, $3, \
         $4, $5, $6, $7, $8, $9, $10, $11, 0, $12, $13, 0, $14, $14)",
    )
    .bind(&record.id)
    .bind(&record.seller_tenant_id)
    .bind(&t.name)
    .bind(t.face_value)
    .bind(t.minimum_spend)
    .bind(t.valid_from)
    .bind(t.valid_until)
    .bind(t.scope.kind.as_str())
    .bind(items)
    .bind(t.total_quantity)
    .bind(t.per_buyer_limit)
    .bind(i64::from(t.combinable))
    .bind(record.state.as_str())
    .bind(record.created_at)
    .execute(&mut **tx)
    .await?;
    let change = Change {
        action: "publish",
        actor: "seller",
        actor_id: seller_user_id,
        from: "",
        to: record.state.as_str(),
        order_id: "",
        at: record.created_at,
    };
    log_change(tx, &record.id, None, &change).await
}
