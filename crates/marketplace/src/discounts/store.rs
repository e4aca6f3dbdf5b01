//! The partner plan's tables and the exclusive discounts with their log; every change
//! in the caller's transaction, discounts by a conditional UPDATE on the version read.

use sqlx::any::AnyRow;
use sqlx::Row;

use crate::discounts::machine::{Discount, State};
use crate::store::MarketStore;
use crate::workflow::listing::{count_and_page, Listing, Slice};
use crate::workflow::log::{self as workflow_log, LogRow, LogTable, RowKey};
use crate::workflow::sql::Cell;
use crate::workflow::versioned::{self, Change, Read};
use unilogin_core::store::durable::Tx;
use unilogin_core::store::StoreError;

pub const ACTIVE: &str = "active";
pub const REMOVED: &str = "removed";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartnerRecord {
    pub tenant_id: String,
    pub name: String,
    /// The distributor a reseller sells under.
    pub distributor: Option<String>,
    /// active or removed.
    pub state: String,
    /// (product id, authorized basis points paid).
    pub authorizations: Vec<(String, i64)>,
    pub created_at: i64,
    pub updated_at: i64,
}

impl PartnerRecord {
    pub fn authorized_for(&self, product_id: &str) -> Option<i64> {
        self.authorizations
            .iter()
            .find(|(p, _)| p == product_id)
            .map(|(_, bp)| *bp)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DiscountRecord {
    pub id: String,
    pub partner_tenant_id: String,
    pub partner_user_id: String,
    pub customer_user_id: String,
    pub product_id: String,
    pub product_name: String,
    pub seller_tenant_id: String,
    /// product (every SKU) or configuration (one SKU).
    pub quote_type: String,
    pub sku_code: Option<String>,
    pub paid_bp: i64,
    pub authorized_bp: i64,
    pub stored: State,
    pub link_token: String,
    pub valid_until: i64,
    pub order_id: Option<String>,
    pub comment: String,
    pub version: i64,
    pub created_at: i64,
}

impl DiscountRecord {
    pub fn discount(&self) -> Discount {
        Discount {
            stored: self.stored,
            valid_until: self.valid_until,
        }
    }
}

/// One change of a discount, for its log.
pub struct DiscountEvent<'a> {
    pub action: &'a str,
    pub actor: &'a str,
    pub actor_id: &'a str,
    pub from: &'a str,
    pub to: State,
    pub comment: &'a str,
    pub at: i64,
}

/// Which discounts a listing shows.
pub enum DiscountScope<'a> {
    /// A partner tenant's applications, of one state when given.
    Partner(&'a str, Option<State>),
    /// A partner tenant's effective discounts of one quote type at `now` (its tabs).
    Effective(&'a str, &'a str, i64),
    /// What waits for an operator at `now`.
    PendingReview(i64),
}

const COLUMNS: &str = "id, partner_tenant_id, partner_user_id, customer_user_id, product_id, \
     product_name, seller_tenant_id, quote_type, sku_code, paid_bp, authorized_bp, state, \
     link_token, valid_until, order_id, comment, version, created_at";

fn discount_of(row: &AnyRow) -> Result<DiscountRecord, StoreError> {
    let state: String = row.try_get("state")?;
    Ok(DiscountRecord {
        id: row.try_get("id")?,
        partner_tenant_id: row.try_get("partner_tenant_id")?,
        partner_user_id: row.try_get("partner_user_id")?,
        customer_user_id: row.try_get("customer_user_id")?,
        product_id: row.try_get("product_id")?,
        product_name: row.try_get("product_name")?,
        seller_tenant_id: row.try_get("seller_tenant_id")?,
        quote_type: row.try_get("quote_type")?,
        sku_code: row.try_get("sku_code")?,
        paid_bp: row.try_get("paid_bp")?,
        authorized_bp: row.try_get("authorized_bp")?,
        stored: State::parse(&state)
            .ok_or_else(|| StoreError::Corrupt(format!("discount state {state}")))?,
        link_token: row.try_get("link_token")?,
        valid_until: row.try_get("valid_until")?,
        order_id: row.try_get("order_id")?,
        comment: row.try_get("comment")?,
        version: row.try_get("version")?,
        created_at: row.try_get("created_at")?,
    })
}

const LOG: LogTable = LogTable {
    table: "mkt_discount_log",
    subject: "discount_id",
    key: RowKey::Id("dlog"),
};

impl LogRow for DiscountEvent<'_> {
    fn cells(&self) -> Vec<(&'static str, Cell<'_>)> {
        vec![
            ("action", self.action.into()),
            ("actor", self.actor.into()),
            ("actor_id", self.actor_id.into()),
            ("from_state", self.from.into()),
            ("to_state", self.to.as_str().into()),
            ("comment", self.comment.into()),
            ("at", self.at.into()),
        ]
    }
}

impl MarketStore {
    /// Takes a partner out of the plan; false when it is not in it.
    pub async fn remove_partner(&self, tenant_id: &str, now: i64) -> Result<bool, StoreError> {
        let updated = sqlx::query(
            "UPDATE mkt_partners SET state = $1, version = version + 1, updated_at = $2 \
             WHERE tenant_id = $3 AND state = $4",
        )
        .bind(REMOVED)
        .bind(now)
        .bind(tenant_id)
        .bind(ACTIVE)
        .execute(self.pool())
        .await?;
        Ok(updated.rows_affected() == 1)
    }

    async fn with_authorizations(&self, row: &AnyRow) -> Result<PartnerRecord, StoreError> {
        let tenant_id: String = row.try_get("tenant_id")?;
        let rows = sqlx::query(
            "SELECT product_id, paid_bp FROM mkt_partner_authorizations WHERE tenant_id = $1 \
             ORDER BY product_id",
        )
        .bind(&tenant_id)
        .fetch_all(self.pool())
        .await?;
        let authorizations = rows
            .iter()
            .map(|r| Ok((r.try_get("product_id")?, r.try_get("paid_bp")?)))
            .collect::<Result<_, sqlx::Error>>()?;
        Ok(PartnerRecord {
            tenant_id,
            name: row.try_get("name")?,
            distributor: row.try_get("distributor_tenant_id")?,
            state: row.try_get("state")?,
            authorizations,
            created_at: row.try_get("created_at")?,
            updated_at: row.try_get("updated_at")?,
        })
    }

    pub async fn partner(&self, tenant_id: &str) -> Result<Option<PartnerRecord>, StoreError> {
        let row = sqlx::query(
            "SELECT tenant_id, name, distributor_tenant_id, state, created_at, updated_at FROM mkt_partners \
             WHERE tenant_id = $1",
        )
        .bind(tenant_id)
        .fetch_optional(self.pool())
        .await?;
        match row {
            Some(row) => Ok(Some(self.with_authorizations(&row).await?)),
            None => Ok(None),
        }
    }

    /// A page of the plan's partners (removed ones too), by tenant, and the count.
    pub async fn partners(
        &self,
        offset: i64,
        limit: i64,
    ) -> Result<(Vec<PartnerRecord>, i64), StoreError> {
        let total: i64 = sqlx::query("SELECT COUNT(*) AS n FROM mkt_partners")
            .fetch_one(self.pool())
            .await?
            .try_get("n")?;
        let rows = sqlx::query(&format!(
            "SELECT tenant_id, name, distributor_tenant_id, state, created_at, updated_at FROM mkt_partners \
             ORDER BY tenant_id LIMIT {limit} OFFSET {offset}"
        ))
        .fetch_all(self.pool())
        .await?;
        let mut partners = Vec::with_capacity(rows.len());
        for row in &rows {
            partners.push(self.with_authorizations(row).await?);
        }
        Ok((partners, total))
    }

    async fn discount_where(
        &self,
        column: &str,
        value: &str,
    ) -> Result<Option<DiscountRecord>, StoreError> {
        let row = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM mkt_discounts WHERE {column} = $1"
        ))
        .bind(value)
        .fetch_optional(self.pool())
        .await?;
        row.as_ref().map(discount_of).transpose()
    }

    pub async fn discount(&self, id: &str) -> Result<Option<DiscountRecord>, StoreError> {
        self.discount_where("id", id).await
    }

    pub async fn discount_by_link(
        &self,
        token: &str,
    ) -> Result<Option<DiscountRecord>, StoreError> {
        self.discount_where("link_token", token).await
    }

    /// A page of discounts, newest first, and the count. (A partner's `state` filter is
    /// on what is stored: effective and pending ones past their validity read expired.)
    pub async fn discounts(
        &self,
        scope: DiscountScope<'_>,
        offset: i64,
        limit: i64,
    ) -> Result<(Vec<DiscountRecord>, i64), StoreError> {
        let (filter, values) = match scope {
            DiscountScope::Partner(tenant, state) => (
                "partner_tenant_id = $1 AND ($2 = '' OR state = $2)",
                vec![tenant.into(), state.map_or("", State::as_str).into()],
            ),
            DiscountScope::Effective(tenant, quote_type, now) => (
                "partner_tenant_id = $1 AND quote_type = $2 AND state = $3 AND valid_until > $4",
                vec![
                    tenant.into(),
                    quote_type.into(),
                    State::Effective.as_str().into(),
                    now.into(),
                ],
            ),
            DiscountScope::PendingReview(now) => (
                "state = $1 AND valid_until > $2",
                vec![State::PendingReview.as_str().into(), now.into()],
            ),
        };
        let listing = Listing {
            columns: COLUMNS,
            from: format!("FROM mkt_discounts WHERE {filter}"),
            values,
            order_by: "created_at DESC, id DESC",
        };
        let (rows, total) = count_and_page(self.pool(), listing, Slice { offset, limit }).await?;
        let discounts = rows.iter().map(discount_of).collect::<Result<_, _>>()?;
        Ok((discounts, total))
    }
}

/// Writes the discount's new state if it is still at the version read, with one log
/// row; false when another change came first.
pub async fn update_discount_in(
    tx: &mut Tx,
    current: &DiscountRecord,
    event: &DiscountEvent<'_>,
    order_id: Option<&str>,
) -> Result<bool, StoreError> {
    let comment = if event.comment.is_empty() {
        &current.comment
    } else {
        event.comment
    };
    let change = Change::set(vec![
        ("state", event.to.as_str().into()),
        ("comment", comment.into()),
        ("order_id", order_id.or(current.order_id.as_deref()).into()),
        ("updated_at", event.at.into()),
    ]);
    let read = Read {
        table: "mkt_discounts",
        id: &current.id,
        version: current.version,
    };
    versioned::update_and_log(tx, read, change, &LOG, event).await
}

/// `discount`, read inside the caller's transaction.
pub async fn discount_in(tx: &mut Tx, id: &str) -> Result<Option<DiscountRecord>, StoreError> {
    let row = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM mkt_discounts WHERE id = $1"
    ))
    .bind(id)
    .fetch_optional(&mut **tx)
    .await?;
    row.as_ref().map(discount_of).transpose()
}

pub async fn insert_discount_in(tx: &mut Tx, d: &DiscountRecord) -> Result<(), StoreError> {
    sqlx::query(&format!(
        "INSERT INTO mkt_discounts ({COLUMNS}, updated_at) VALUES ($1, $2, $3, $4, $5, $6, \
         $7, $8, $9, $10, $11, $12, $13, $14, NULL, '', 0, $15, $15)"
    ))
    .bind(&d.id)
    .bind(&d.partner_tenant_id)
    .bind(&d.partner_user_id)
    .bind(&d.customer_user_id)
    .bind(&d.product_id)
    .bind(&d.product_name)
    .bind(&d.seller_tenant_id)
    .bind(&d.quote_type)
    .bind(&d.sku_code)
    .bind(d.paid_bp)
    .bind(d.authorized_bp)
    .bind(d.stored.as_str())
    .bind(&d.link_token)
    .bind(d.valid_until)
    .bind(d.created_at)
    .execute(&mut **tx)
    .await?;
    let event = DiscountEvent {
        action: "apply",
        actor: "partner",
        actor_id: &d.partner_user_id,
        from: "",
        to: d.stored,
        comment: "",
        at: d.created_at,
    };
    workflow_log::append(tx, &LOG, &d.id, &event).await
}

/// Registers `tenant_id` in the plan (again), with exactly these authorizations.
pub async fn put_partner_in(
    tx: &mut Tx,
    partner: &PartnerRecord,
    operator_id: &str,
) -> Result<(), StoreError> {
    let updated = sqlx::query(
        "UPDATE mkt_partners SET name = $1, state = $2, registered_by = $3, \
         version = version + 1, updated_at = $4, distributor_tenant_id = $6 \
         WHERE tenant_id = $5",
    )
    .bind(&partner.name)
    .bind(ACTIVE)
    .bind(operator_id)
    .bind(partner.updated_at)
    .bind(&partner.tenant_id)
    .bind(&partner.distributor)
    .execute(&mut **tx)
    .await?;
    if updated.rows_affected() == 0 {
        sqlx::query(
            "INSERT INTO mkt_partners (tenant_id, name, state, registered_by, version, \
             created_at, updated_at, distributor_tenant_id) \
             VALUES ($1, $2, $3, $4, 0, $5, $5, $6)",
        )
        .bind(&partner.tenant_id)
        .bind(&partner.name)
        .bind(ACTIVE)
        .bind(operator_id)
        .bind(partner.updated_at)
        .bind(&partner.distributor)
        .execute(&mut **tx)
        .await?;
    }
    sqlx::query("DELETE FROM mkt_partner_authorizations WHERE tenant_id = $1")
        .bind(&partner.tenant_id)
        .execute(&mut **tx)
        .await?;
    for (product_id, paid_bp) in &partner.authorizations {
        sqlx::query(
            "INSERT INTO mkt_partner_authorizations (tenant_id, product_id, paid_bp) \
             VALUES ($1, $2, $3)",
        )
        .bind(&partner.tenant_id)
        .bind(product_id)
        .bind(paid_bp)
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}
