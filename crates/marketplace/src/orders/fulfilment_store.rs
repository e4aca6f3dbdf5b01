//! The tables of what follows an order: invoice requests and shipments.

use sqlx::Row;

use crate::orders::store::OrderRecord;
use crate::store::MarketStore;
use unilogin_core::store::durable::Tx;
use unilogin_core::store::StoreError;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shipment {
    pub carrier: String,
    pub tracking_number: String,
    pub shipped_at: i64,
    pub received_at: Option<i64>,
}

impl MarketStore {
    pub async fn invoice_requested(&self, order_id: &str) -> Result<bool, StoreError> {
        Ok(
            sqlx::query("SELECT order_id FROM mkt_invoice_requests WHERE order_id = $1")
                .bind(order_id)
                .fetch_optional(self.pool())
                .await?
                .is_some(),
        )
    }

    pub async fn shipment(&self, order_id: &str) -> Result<Option<Shipment>, StoreError> {
        let row = sqlx::query(
            "SELECT carrier, tracking_number, shipped_at, received_at FROM mkt_shipments \
             WHERE order_id = $1",
        )
        .bind(order_id)
        .fetch_optional(self.pool())
        .await?;
        row.map(|row| {
            Ok(Shipment {
                carrier: row.try_get("carrier")?,
                tracking_number: row.try_get("tracking_number")?,
                shipped_at: row.try_get("shipped_at")?,
                received_at: row.try_get("received_at")?,
            })
        })
        .transpose()
    }

    pub(crate) async fn insert_shipment(
        &self,
        order_id: &str,
        s: &Shipment,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO mkt_shipments (order_id, carrier, tracking_number, shipped_at) \
             VALUES ($1, $2, $3, $4)",
        )
        .bind(order_id)
        .bind(&s.carrier)
        .bind(&s.tracking_number)
        .bind(s.shipped_at)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// Marks the shipment received; false if it was not in transit.
    pub(crate) async fn receive_shipment(&self, order_id: &str) -> Result<bool, StoreError> {
        let updated = sqlx::query(
            "UPDATE mkt_shipments SET received_at = $1 WHERE order_id = $2 AND received_at IS NULL",
        )
        .bind(self.now())
        .bind(order_id)
        .execute(self.pool())
        .await?;
        Ok(updated.rows_affected() == 1)
    }
}

/// Records a supervised hardware delivery's logistics as the order's shipment, in
/// the delivery's transaction, unless the order was shipped already.
pub async fn ship_with_delivery_in(
    tx: &mut Tx,
    order_id: &str,
    carrier: &str,
    tracking_number: &str,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO mkt_shipments (order_id, carrier, tracking_number, shipped_at) \
         VALUES ($1, $2, $3, $4) ON CONFLICT (order_id) DO NOTHING",
    )
    .bind(order_id)
    .bind(carrier)
    .bind(tracking_number)
    .bind(tx.now())
    .execute(&mut **tx)
    .await?;
    Ok(())
}

pub(crate) async fn insert_invoice_request_in(
    tx: &mut Tx,
    order: &OrderRecord,
    title: &str,
    tax_id: &str,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO mkt_invoice_requests (order_id, buyer_user_id, title, tax_id, \
         requested_at) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(&order.id)
    .bind(&order.buyer_user_id)
    .bind(title)
    .bind(tax_id)
    .bind(tx.now())
    .execute(&mut **tx)
    .await?;
    Ok(())
}
