//! Orders and their lines in the store.

use std::collections::HashMap;

use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use crate::store::{settle, MarketStore};
use crate::workflow::listing::{count_and_page, Listing, Slice};
use crate::workflow::sql::Cell;
use unilogin_core::store::durable::Tx;
use unilogin_core::store::StoreError;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderRecord {
    pub id: String,
    pub order_type: String,
    pub buyer_user_id: String,
    pub buyer_tenant_id: String,
    pub seller_tenant_id: String,
    pub related_order_id: Option<String>,
    pub idempotency_key: Option<String>,
    pub request_hash: Option<String>,
    /// JSON `{recipient, phone, address}` for hardware.
    pub shipping: Option<String>,
    pub amount: i64,
    pub currency: String,
    pub created_at: i64,
    pub lines: Vec<OrderLineRecord>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderLineRecord {
    pub id: String,
    pub product_id: String,
    pub product_name: String,
    pub sku_code: String,
    pub charging_mode: String,
    pub period_type: Option<String>,
    pub period_number: Option<i64>,
    pub quantity: i64,
    pub unit_price: i64,
    /// The pricing pipeline's steps (`pricing::Breakdown`): list price, what the
    /// exclusive discount and the voucher took off, and what is paid.
    pub list_amount: i64,
    pub discount_amount: i64,
    pub voucher_amount: i64,
    pub amount: i64,
    /// The buyer's voucher (claim) this line used.
    pub voucher_id: Option<String>,
    /// The exclusive discount this line was bought at, and its partner (bound to it).
    pub discount_id: Option<String>,
    pub partner_tenant_id: Option<String>,
    pub expire_time: Option<i64>,
    /// The subscription the line starts or follows.
    pub subscription_id: Option<String>,
    /// When the line's period starts (a renewal's where the period it extends ends).
    pub starts_at: Option<i64>,
}

const ORDER_COLUMNS: &str = "id, order_type, buyer_user_id, buyer_tenant_id, seller_tenant_id, \
     related_order_id, idempotency_key, request_hash, shipping, amount, currency, created_at";
const LINE_COLUMNS: &str = "id, product_id, product_name, sku_code, charging_mode, period_type, \
     period_number, quantity, unit_price, list_amount, discount_amount, voucher_amount, amount, \
     voucher_id, discount_id, partner_tenant_id, expire_time, subscription_id, starts_at";

fn order(row: &AnyRow) -> Result<OrderRecord, sqlx::Error> {
    Ok(OrderRecord {
        id: row.try_get("id")?,
        order_type: row.try_get("order_type")?,
        buyer_user_id: row.try_get("buyer_user_id")?,
        buyer_tenant_id: row.try_get("buyer_tenant_id")?,
        seller_tenant_id: row.try_get("seller_tenant_id")?,
        related_order_id: row.try_get("related_order_id")?,
        idempotency_key: row.try_get("idempotency_key")?,
        request_hash: row.try_get("request_hash")?,
        shipping: row.try_get("shipping")?,
        amount: row.try_get("amount")?,
        currency: row.try_get("currency")?,
        created_at: row.try_get("created_at")?,
        lines: Vec::new(),
    })
}

fn line(row: &AnyRow) -> Result<OrderLineRecord, sqlx::Error> {
    Ok(OrderLineRecord {
        id: row.try_get("id")?,
        product_id: row.try_get("product_id")?,
        product_name: row.try_get("product_name")?,
        sku_code: row.try_get("sku_code")?,
        charging_mode: row.try_get("charging_mode")?,
        period_type: row.try_get("period_type")?,
        period_number: row.try_get("period_number")?,
        quantity: row.try_get("quantity")?,
        unit_price: row.try_get("unit_price")?,
        list_amount: row.try_get("list_amount")?,
        discount_amount: row.try_get("discount_amount")?,
        voucher_amount: row.try_get("voucher_amount")?,
        amount: row.try_get("amount")?,
        voucher_id: row.try_get("voucher_id")?,
        discount_id: row.try_get("discount_id")?,
        partner_tenant_id: row.try_get("partner_tenant_id")?,
        expire_time: row.try_get("expire_time")?,
        subscription_id: row.try_get("subscription_id")?,
        starts_at: row.try_get("starts_at")?,
    })
}

/// Whose orders a listing shows.
/// Which of someone's orders a list shows; empty text and `None` let everything through.
#[derive(Debug, Clone, Copy, Default)]
pub struct OrderFilter<'a> {
    pub order_type: &'a str,
    pub order_id: &'a str,
    /// Placed at or after (unix seconds).
    pub from: Option<i64>,
    /// Placed at or before (unix seconds).
    pub to: Option<i64>,
}

pub enum OrderOwner<'a> {
    Buyer(&'a str),
    Seller(&'a str),
}

impl MarketStore {
    /// Stores an order and its lines in one transaction; `Conflict` when the buyer's
    /// idempotency key is already taken (a concurrent retry won).
    pub async fn insert_order(&self, order: &OrderRecord) -> Result<(), StoreError> {
        let mut tx = self.begin().await?;
        let result = insert_order_in(&mut tx, order).await;
        settle(tx, result).await
    }

    pub async fn order(&self, id: &str) -> Result<Option<OrderRecord>, StoreError> {
        self.order_where("id = $1", &[id]).await
    }

    pub async fn order_by_idempotency_key(
        &self,
        buyer_user_id: &str,
        key: &str,
    ) -> Result<Option<OrderRecord>, StoreError> {
        self.order_where(
            "buyer_user_id = $1 AND idempotency_key = $2",
            &[buyer_user_id, key],
        )
        .await
    }

    async fn order_where(
        &self,
        condition: &str,
        values: &[&str],
    ) -> Result<Option<OrderRecord>, StoreError> {
        let mut conn = self.pool().acquire().await?;
        order_where(&mut conn, condition, values).await
    }

    /// A page of someone's orders that `filter` lets through, newest first, and how many
    /// there are.
    pub async fn orders_of(
        &self,
        owner: OrderOwner<'_>,
        filter: &OrderFilter<'_>,
        offset: i64,
        limit: i64,
    ) -> Result<(Vec<OrderRecord>, i64), StoreError> {
        let (column, value) = match owner {
            OrderOwner::Buyer(user) => ("buyer_user_id", user),
            OrderOwner::Seller(tenant) => ("seller_tenant_id", tenant),
        };
        let condition = format!(
            "{column} = $1 AND ($2 = '' OR order_type = $2) AND ($3 = '' OR id = $3) \
             AND created_at >= $4 AND created_at <= $5"
        );
        let listing = Listing {
            columns: ORDER_COLUMNS,
            from: format!("FROM mkt_orders WHERE {condition}"),
            values: vec![
                value.into(),
                filter.order_type.into(),
                filter.order_id.into(),
                Cell::Int(filter.from.unwrap_or(i64::MIN)),
                Cell::Int(filter.to.unwrap_or(i64::MAX)),
            ],
            order_by: "created_at DESC, id DESC",
        };
        let (rows, total) = count_and_page(self.pool(), listing, Slice { offset, limit }).await?;
        let mut conn = self.pool().acquire().await?;
        let mut orders = Vec::with_capacity(rows.len());
        for row in &rows {
            orders.push(with_lines(&mut conn, order(row)?).await?);
        }
        Ok((orders, total))
    }

    /// The state of each subscription named (what an order list shows as its status).
    pub async fn subscription_states(
        &self,
        ids: &[&str],
    ) -> Result<HashMap<String, String>, StoreError> {
        if ids.is_empty() {
            return Ok(HashMap::new());
        }
        let placeholders: Vec<String> = (1..=ids.len()).map(|n| format!("${n}")).collect();
        let sql = format!(
            "SELECT id, state FROM mkt_subscriptions WHERE id IN ({})",
            placeholders.join(", ")
        );
        let mut query = sqlx::query(&sql);
        for id in ids {
            query = query.bind(*id);
        }
        let rows = query.fetch_all(self.pool()).await?;
        rows.iter()
            .map(|row| Ok((row.try_get("id")?, row.try_get("state")?)))
            .collect::<Result<_, sqlx::Error>>()
            .map_err(StoreError::from)
    }
}

/// Moves the periods of a subscription's lines `by` seconds later (a supervised
/// delivery's validity starts at acceptance, not at the order).
pub async fn shift_periods_in(
    tx: &mut Tx,
    subscription_id: &str,
    by: i64,
) -> Result<(), StoreError> {
    sqlx::query(
        "UPDATE mkt_order_lines SET starts_at = starts_at + $1, \
         expire_time = expire_time + $1 WHERE subscription_id = $2",
    )
    .bind(by)
    .bind(subscription_id)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// `insert_order` inside the caller's transaction.
pub async fn insert_order_in(tx: &mut Tx, order: &OrderRecord) -> Result<(), StoreError> {
    sqlx::query(&format!(
        "INSERT INTO mkt_orders ({ORDER_COLUMNS}) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)"
    ))
    .bind(&order.id)
    .bind(&order.order_type)
    .bind(&order.buyer_user_id)
    .bind(&order.buyer_tenant_id)
    .bind(&order.seller_tenant_id)
    .bind(&order.related_order_id)
    .bind(&order.idempotency_key)
    .bind(&order.request_hash)
    .bind(&order.shipping)
    .bind(order.amount)
    .bind(&order.currency)
    .bind(order.created_at)
    .execute(&mut **tx)
    .await?;
    for l in &order.lines {
        sqlx::query(&format!(
            "INSERT INTO mkt_order_lines (order_id, {LINE_COLUMNS}) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20)"
        ))
        .bind(&order.id)
        .bind(&l.id)
        .bind(&l.product_id)
        .bind(&l.product_name)
        .bind(&l.sku_code)
        .bind(&l.charging_mode)
        .bind(&l.period_type)
        .bind(l.period_number)
        .bind(l.quantity)
        .bind(l.unit_price)
        .bind(l.list_amount)
        .bind(l.discount_amount)
        .bind(l.voucher_amount)
        .bind(l.amount)
        .bind(&l.voucher_id)
        .bind(&l.discount_id)
        .bind(&l.partner_tenant_id)
        .bind(l.expire_time)
        .bind(&l.subscription_id)
        .bind(l.starts_at)
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

/// `order` inside the caller's transaction.
pub async fn order_in(tx: &mut Tx, id: &str) -> Result<Option<OrderRecord>, StoreError> {
    order_where(tx, "id = $1", &[id]).await
}

async fn order_where(
    conn: &mut AnyConnection,
    condition: &str,
    values: &[&str],
) -> Result<Option<OrderRecord>, StoreError> {
    let sql = format!("SELECT {ORDER_COLUMNS} FROM mkt_orders WHERE {condition}");
    let mut query = sqlx::query(&sql);
    for value in values {
        query = query.bind(*value);
    }
    let row = query.fetch_optional(&mut *conn).await?;
    match row.as_ref().map(order).transpose()? {
        Some(found) => Ok(Some(with_lines(conn, found).await?)),
        None => Ok(None),
    }
}

async fn with_lines(
    conn: &mut AnyConnection,
    mut order: OrderRecord,
) -> Result<OrderRecord, StoreError> {
    let rows = sqlx::query(&format!(
        "SELECT {LINE_COLUMNS} FROM mkt_order_lines WHERE order_id = $1 ORDER BY id"
    ))
    .bind(&order.id)
    .fetch_all(conn)
    .await?;
    order.lines = rows.iter().map(line).collect::<Result<_, _>>()?;
    Ok(order)
}
