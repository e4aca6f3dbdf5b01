//! The to-do counts, one query per role: a subquery per count, read in one round trip.

use sqlx::Row;
use unilogin_core::store::StoreError;

use super::service::{BuyerQuery, OperatorQuery, SellerQuery};
use super::{BuyerTodos, OperatorTodos, SellerTodos};
use crate::store::MarketStore;

/// `'a', 'b'` for an `IN` list of the workflows' own codes (never input): each is checked
/// to be a plain word, so nothing but a code reaches the SQL text.
fn codes(values: &[String]) -> String {
    assert!(
        !values.is_empty()
            && values.iter().all(|v| {
                !v.is_empty()
                    && v.bytes()
                        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
            }),
        "state codes are words: {values:?}"
    );
    values
        .iter()
        .map(|v| format!("'{v}'"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Work-order statuses are stored as numbers.
fn numbers(values: &[String]) -> String {
    assert!(
        !values.is_empty() && values.iter().all(|v| v.parse::<i64>().is_ok()),
        "status codes are numbers: {values:?}"
    );
    values.join(", ")
}

/// Orders that sell (refunds are UNSUBSCRIBE orders).
const SALES: &str = "('NEW', 'RENEW', 'CHANGE', 'TRIAL_TO_FORMAL')";

impl MarketStore {
    pub(super) async fn buyer_todos(&self, q: &BuyerQuery) -> Result<BuyerTodos, StoreError> {
        let sql = format!(
            "SELECT \
             (SELECT COUNT(*) FROM mkt_subscriptions WHERE buyer_user_id = $1 \
              AND state IN ('live', 'trial') AND expires_at > $2 AND expires_at <= $3) AS ending, \
             (SELECT COUNT(*) FROM mkt_unsubscribe_requests WHERE buyer_user_id = $1 \
              AND state IN ({})) AS unsubscribes, \
             (SELECT COUNT(*) FROM mkt_work_orders WHERE buyer_user_id = $1 \
              AND status IN ({})) AS work_orders, \
             (SELECT COUNT(*) FROM mkt_supervisions WHERE buyer_user_id = $1 \
              AND state IN ({})) AS deliveries",
            codes(&q.open_unsubscribes),
            numbers(&q.work_orders_waiting),
            codes(&q.supervisions_waiting),
        );
        let row = sqlx::query(&sql)
            .bind(&q.user_id)
            .bind(q.now)
            .bind(q.soon_until)
            .fetch_one(self.pool())
            .await?;
        Ok(BuyerTodos {
            subscriptions_ending_soon: row.try_get("ending")?,
            open_unsubscribe_requests: row.try_get("unsubscribes")?,
            work_orders_awaiting_you: row.try_get("work_orders")?,
            deliveries_awaiting_you: row.try_get("deliveries")?,
            unread_messages: 0,
        })
    }

    pub(super) async fn seller_todos(&self, q: &SellerQuery) -> Result<SellerTodos, StoreError> {
        let sql = format!(
            "SELECT \
             (SELECT COUNT(*) FROM mkt_applications a WHERE a.tenant_id = $1 \
              AND a.status = 'rejected' AND NOT EXISTS (SELECT 1 FROM mkt_applications b \
              WHERE b.product_id = a.product_id AND b.seq > a.seq)) AS rejected, \
             (SELECT COUNT(*) FROM mkt_supervisions WHERE seller_tenant_id = $1 \
              AND state IN ({})) AS to_deliver, \
             (SELECT COUNT(*) FROM mkt_orders o WHERE o.seller_tenant_id = $1 \
              AND o.order_type = 'NEW' AND o.shipping IS NOT NULL AND NOT EXISTS \
              (SELECT 1 FROM mkt_shipments s WHERE s.order_id = o.id)) AS to_ship, \
             (SELECT COUNT(*) FROM mkt_unsubscribe_requests WHERE seller_tenant_id = $1 \
              AND state = 'pending') AS to_decide, \
             (SELECT COUNT(*) FROM mkt_work_orders WHERE seller_tenant_id = $1 \
              AND status IN ({})) AS to_accept, \
             (SELECT COUNT(*) FROM kit_jobs WHERE seller_tenant_id = $1 \
              AND status = 'failed') AS failed, \
             (SELECT COUNT(*) FROM mkt_orders WHERE seller_tenant_id = $1 \
              AND order_type IN {SALES} AND created_at >= $2) AS month_orders, \
             (SELECT CAST(COALESCE(SUM(amount), 0) AS BIGINT) FROM mkt_orders \
              WHERE seller_tenant_id = $1 AND order_type IN {SALES} AND created_at >= $2) \
              AS month_amount",
            codes(&q.supervisions_waiting),
            numbers(&q.work_orders_new),
        );
        let row = sqlx::query(&sql)
            .bind(&q.tenant_id)
            .bind(q.month_start)
            .fetch_one(self.pool())
            .await?;
        let to_deliver: i64 = row.try_get("to_deliver")?;
        let to_ship: i64 = row.try_get("to_ship")?;
        Ok(SellerTodos {
            rejected_applications: row.try_get("rejected")?,
            orders_to_deliver: to_deliver + to_ship,
            unsubscribe_requests_to_decide: row.try_get("to_decide")?,
            work_orders_to_accept: row.try_get("to_accept")?,
            failed_production_messages: row.try_get("failed")?,
            month_orders: row.try_get("month_orders")?,
            month_amount: row.try_get("month_amount")?,
            month_starts_at: q.month_start,
        })
    }

    /// The operator's counts, and when each application that may be overdue was
    /// submitted (whether it is depends on the working-day calendar).
    pub(super) async fn operator_todos(
        &self,
        q: &OperatorQuery,
    ) -> Result<(OperatorTodos, Vec<i64>), StoreError> {
        let sql = format!(
            "SELECT \
             (SELECT COUNT(*) FROM mkt_applications WHERE status = 'pending') AS queue, \
             (SELECT MIN(created_at) FROM mkt_applications WHERE status = 'pending') AS oldest, \
             (SELECT COUNT(*) FROM mkt_unsubscribe_requests WHERE state = 'appealed') \
              AS unsubscribe_appeals, \
             (SELECT COUNT(*) FROM mkt_supervisions WHERE state = 'appealed') \
              AS supervision_appeals, \
             (SELECT COUNT(*) FROM mkt_work_orders WHERE escalated = 1 \
              AND status IN ({})) AS escalated",
            numbers(&q.escalated_open),
        );
        let row = sqlx::query(&sql).fetch_one(self.pool()).await?;
        let candidates = sqlx::query(
            "SELECT created_at FROM mkt_applications WHERE status = 'pending' \
             AND created_at <= $1",
        )
        .bind(q.overdue_candidates_until)
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(|row| row.try_get("created_at"))
        .collect::<Result<Vec<i64>, _>>()?;
        let todos = OperatorTodos {
            review_queue: row.try_get("queue")?,
            oldest_waiting_since: row.try_get("oldest")?,
            oldest_due_at: None,
            overdue_applications: 0,
            unsubscribe_appeals: row.try_get("unsubscribe_appeals")?,
            supervision_appeals: row.try_get("supervision_appeals")?,
            escalated_work_orders: row.try_get("escalated")?,
        };
        Ok((todos, candidates))
    }
}
