//! Buyers' claimed vouchers (coupons): claiming within the quantity and the per-buyer
//! limit, the tabs, and each use or recycling with its log row.

use sqlx::any::AnyRow;
use sqlx::Row;

use crate::store::{sequence_id, MarketStore};
use crate::vouchers::machine::{Action, Claim, Status};
use crate::vouchers::store::{log_change, voucher_of, Change, VoucherRecord, VOUCHER_COLUMNS};
use crate::workflow::listing::{count_and_page, Listing, Slice};
use crate::workflow::versioned::{self, Read};
use unilogin_core::store::durable::Tx;
use unilogin_core::store::StoreError;

const CLAIM_COLUMNS: &str = "c.id AS claim_id, c.buyer_user_id, c.status, c.order_id, \
     c.deducted, c.version AS claim_version, c.claimed_at";

/// A buyer's claimed voucher, with the voucher's terms.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClaimRecord {
    pub id: String,
    pub buyer_user_id: String,
    pub stored: Status,
    pub order_id: Option<String>,
    pub deducted: i64,
    pub version: i64,
    pub claimed_at: i64,
    pub voucher: VoucherRecord,
}

impl ClaimRecord {
    pub fn claim(&self) -> Claim {
        Claim {
            stored: self.stored,
            valid_from: self.voucher.terms.valid_from,
            valid_until: self.voucher.terms.valid_until,
        }
    }
}

/// The buyer's tabs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tab {
    Available,
    UsedUp,
    Expired,
}

impl Tab {
    pub fn parse(raw: &str) -> Option<Self> {
        match raw {
            "available" => Some(Self::Available),
            "used" => Some(Self::UsedUp),
            "expired" => Some(Self::Expired),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Available => "available",
            Self::UsedUp => "used",
            Self::Expired => "expired",
        }
    }
}

fn claim_of(row: &AnyRow) -> Result<ClaimRecord, StoreError> {
    let code: i64 = row.try_get("status")?;
    Ok(ClaimRecord {
        id: row.try_get("claim_id")?,
        buyer_user_id: row.try_get("buyer_user_id")?,
        stored: Status::from_code(code)
            .ok_or_else(|| StoreError::Corrupt(format!("voucher claim status {code}")))?,
        order_id: row.try_get("order_id")?,
        deducted: row.try_get("deducted")?,
        version: row.try_get("claim_version")?,
        claimed_at: row.try_get("claimed_at")?,
        voucher: voucher_of(row)?,
    })
}

fn claim_by_id() -> String {
    format!(
        "SELECT {CLAIM_COLUMNS}, {VOUCHER_COLUMNS} FROM mkt_voucher_claims c \
         JOIN mkt_vouchers v ON v.id = c.voucher_id WHERE c.id = $1"
    )
}

/// How a claim attempt ended inside its transaction.
pub enum Claimed {
    Taken(ClaimRecord),
    /// Nothing left, withdrawn or over: the voucher as it is (if any), to say why.
    NotOffered(Option<VoucherRecord>),
    /// The buyer holds `n` already.
    Held(i64),
}

impl MarketStore {
    pub async fn voucher_claim(&self, id: &str) -> Result<Option<ClaimRecord>, StoreError> {
        let row = sqlx::query(&claim_by_id())
            .bind(id)
            .fetch_optional(self.pool())
            .await?;
        row.as_ref().map(claim_of).transpose()
    }

    /// A page of the buyer's claims on one tab at `now`, newest first, and the count.
    pub async fn claims_of(
        &self,
        buyer_user_id: &str,
        tab: Tab,
        now: i64,
        offset: i64,
        limit: i64,
    ) -> Result<(Vec<ClaimRecord>, i64), StoreError> {
        let usable = "c.status IN (2, 5)";
        let filter = match tab {
            Tab::Available => format!("{usable} AND v.valid_until > $2"),
            Tab::UsedUp => "c.status = 3 AND $2 = $2".to_owned(),
            Tab::Expired => format!("{usable} AND v.valid_until <= $2"),
        };
        let from = format!(
            "FROM mkt_voucher_claims c JOIN mkt_vouchers v ON v.id = c.voucher_id \
             WHERE c.buyer_user_id = $1 AND {filter}"
        );
        let columns = format!("{CLAIM_COLUMNS}, {VOUCHER_COLUMNS}");
        let listing = Listing {
            columns: &columns,
            from,
            values: vec![buyer_user_id.into(), now.into()],
            order_by: "c.claimed_at DESC, c.id DESC",
        };
        let (rows, total) = count_and_page(self.pool(), listing, Slice { offset, limit }).await?;
        let claims = rows.iter().map(claim_of).collect::<Result<_, _>>()?;
        Ok((claims, total))
    }

    /// How many claims of a voucher are in each stored status: (unused, used, recycled).
    pub async fn voucher_usage(&self, voucher_id: &str) -> Result<(i64, i64, i64), StoreError> {
        let rows = sqlx::query(
            "SELECT status, COUNT(*) AS n FROM mkt_voucher_claims WHERE voucher_id = $1 \
             GROUP BY status",
        )
        .bind(voucher_id)
        .fetch_all(self.pool())
        .await?;
        let mut usage = (0, 0, 0);
        for row in &rows {
            let (status, n): (i64, i64) = (row.try_get("status")?, row.try_get("n")?);
            match Status::from_code(status) {
                Some(Status::Unused) => usage.0 = n,
                Some(Status::Used) => usage.1 = n,
                Some(Status::Recycled) => usage.2 = n,
                _ => {}
            }
        }
        Ok(usage)
    }
}

/// The claim an order used, read inside the order's unsubscription.
pub async fn claim_used_by_in(
    tx: &mut Tx,
    order_id: &str,
) -> Result<Option<ClaimRecord>, StoreError> {
    let row = sqlx::query(&format!(
        "SELECT {CLAIM_COLUMNS}, {VOUCHER_COLUMNS} FROM mkt_voucher_claims c \
         JOIN mkt_vouchers v ON v.id = c.voucher_id WHERE c.order_id = $1 AND c.status = 3"
    ))
    .bind(order_id)
    .fetch_optional(&mut **tx)
    .await?;
    row.as_ref().map(claim_of).transpose()
}

/// Moves a claim from the status read to `to`, naming the order; false when another
/// change came first (the same voucher on two orders at once).
pub async fn set_claim_status_in(
    tx: &mut Tx,
    current: &ClaimRecord,
    to: Status,
    change: &Change<'_>,
    deducted: i64,
) -> Result<bool, StoreError> {
    let read = Read {
        table: "mkt_voucher_claims",
        id: &current.id,
        version: current.version,
    };
    let update = versioned::Change::set(vec![
        ("status", to.code().into()),
        ("order_id", change.order_id.into()),
        ("deducted", deducted.into()),
        ("updated_at", change.at.into()),
    ]);
    if !versioned::update(tx, &read, update).await? {
        return Ok(false);
    }
    log_change(tx, &current.voucher.id, Some(&current.id), change).await?;
    Ok(true)
}

/// `voucher_claim`, read inside the caller's transaction.
pub async fn voucher_claim_in(tx: &mut Tx, id: &str) -> Result<Option<ClaimRecord>, StoreError> {
    let row = sqlx::query(&claim_by_id())
        .bind(id)
        .fetch_optional(&mut **tx)
        .await?;
    row.as_ref().map(claim_of).transpose()
}

/// Takes one of the voucher for the buyer. The first statement is the conditional
/// UPDATE of the quantity: it takes the row's write lock before anything is read, so
/// concurrent claims queue there and each then counts what the others committed;
/// the unique (voucher, buyer, slot) index is the per-buyer limit whatever happens.
pub async fn claim_voucher_in(
    tx: &mut Tx,
    voucher_id: &str,
    buyer: (&str, &str),
    now: i64,
) -> Result<Claimed, StoreError> {
    let (buyer_user_id, buyer_tenant_id) = buyer;
    let taken = sqlx::query(
        "UPDATE mkt_vouchers SET claimed = claimed + 1, updated_at = $1 WHERE id = $2 \
         AND state = 'active' AND valid_until > $1 AND claimed < total_quantity",
    )
    .bind(now)
    .bind(voucher_id)
    .execute(&mut **tx)
    .await?;
    // Read in the transaction: a second connection per claim could exhaust the pool
    // while every connection waits in a claim.
    let row = sqlx::query(&format!(
        "SELECT {VOUCHER_COLUMNS} FROM mkt_vouchers v WHERE v.id = $1"
    ))
    .bind(voucher_id)
    .fetch_optional(&mut **tx)
    .await?;
    let voucher = row.as_ref().map(voucher_of).transpose()?;
    let voucher = match voucher {
        Some(voucher) if taken.rows_affected() == 1 => voucher,
        other => return Ok(Claimed::NotOffered(other)),
    };
    let held: i64 = sqlx::query(
        "SELECT COUNT(*) AS n FROM mkt_voucher_claims WHERE voucher_id = $1 \
         AND buyer_user_id = $2",
    )
    .bind(voucher_id)
    .bind(buyer_user_id)
    .fetch_one(&mut **tx)
    .await?
    .try_get("n")?;
    if held >= voucher.terms.per_buyer_limit {
        return Ok(Claimed::Held(held));
    }
    let id = sequence_id("vc", tx.now_millis());
    sqlx::query(
        "INSERT INTO mkt_voucher_claims (id, voucher_id, buyer_user_id, buyer_tenant_id, \
         slot, status, order_id, deducted, version, claimed_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, NULL, 0, 0, $7, $7)",
    )
    .bind(&id)
    .bind(voucher_id)
    .bind(buyer_user_id)
    .bind(buyer_tenant_id)
    .bind(held + 1)
    .bind(Status::Unused.code())
    .bind(now)
    .execute(&mut **tx)
    .await?;
    let change = Change {
        action: Action::Claim.as_str(),
        actor: "buyer",
        actor_id: buyer_user_id,
        from: "",
        to: Status::Unused.as_str(),
        order_id: "",
        at: now,
    };
    log_change(tx, voucher_id, Some(&id), &change).await?;
    Ok(Claimed::Taken(ClaimRecord {
        id,
        buyer_user_id: buyer_user_id.to_owned(),
        stored: Status::Unused,
        order_id: None,
        deducted: 0,
        version: 0,
        claimed_at: now,
        voucher,
    }))
}
