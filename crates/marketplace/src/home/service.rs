//! The to-dos of a caller, per role they hold.

use crate::http::caller::{Caller, Role};
use crate::http::error::MarketError;
use crate::state::Marketplace;
use crate::subscriptions::machine::Actor as SupervisionSide;
use crate::supervision::machine::State as SupervisionState;
use crate::unsubscribe::machine::State as UnsubscribeState;
use crate::work_orders::machine::Status as WorkOrderStatus;

/// A subscription ending within this many days is "ending soon".
pub const ENDING_SOON_DAYS: i64 = 30;
/// Operators review an application within three working days.
pub const REVIEW_WORKING_DAYS: u32 = 3;

/// What waits on a buyer.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct BuyerTodos {
    /// Live or trial subscriptions ending within `ENDING_SOON_DAYS` days.
    pub subscriptions_ending_soon: i64,
    /// Unsubscribe requests not yet finished (waiting for the seller, appealed, or
    /// awaiting the returned hardware).
    pub open_unsubscribe_requests: i64,
    /// Work orders waiting for the buyer's confirmation or feedback.
    pub work_orders_awaiting_you: i64,
    /// Supervised deliveries waiting for the buyer (requirements, acceptance).
    pub deliveries_awaiting_you: i64,
    pub unread_messages: i64,
}

/// What waits on a seller, and how this month sells.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SellerTodos {
    /// Products whose latest application was rejected.
    pub rejected_applications: i64,
    /// Supervised deliveries waiting on the seller, and hardware orders not yet shipped.
    pub orders_to_deliver: i64,
    /// Buyers' unsubscribe requests waiting for the seller's decision.
    pub unsubscribe_requests_to_decide: i64,
    /// Work orders not yet accepted.
    pub work_orders_to_accept: i64,
    /// Production-interface messages that failed and wait for a restart.
    pub failed_production_messages: i64,
    /// Orders placed this month (China Standard Time) and their amount in fen; refunds
    /// (unsubscribe orders) are not sales.
    pub month_orders: i64,
    pub month_amount: i64,
    /// When this month began (unix seconds).
    pub month_starts_at: i64,
}

/// What waits on operators.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct OperatorTodos {
    /// Applications waiting for review.
    pub review_queue: i64,
    /// When the longest-waiting application was submitted, and when its three working
    /// days run out.
    pub oldest_waiting_since: Option<i64>,
    pub oldest_due_at: Option<i64>,
    /// Applications waiting longer than three working days.
    pub overdue_applications: i64,
    pub unsubscribe_appeals: i64,
    pub supervision_appeals: i64,
    pub escalated_work_orders: i64,
}

/// The caller's to-dos, one group per role they hold.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Todos {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub buyer: Option<BuyerTodos>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub seller: Option<SellerTodos>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub operator: Option<OperatorTodos>,
}

/// Stored codes of the values `keep` picks.
fn codes<T: Copy>(all: &[T], keep: impl Fn(T) -> bool, code: impl Fn(T) -> String) -> Vec<String> {
    all.iter().copied().filter(|v| keep(*v)).map(code).collect()
}

pub(super) struct BuyerQuery {
    pub user_id: String,
    pub now: i64,
    pub soon_until: i64,
    pub open_unsubscribes: Vec<String>,
    pub work_orders_waiting: Vec<String>,
    pub supervisions_waiting: Vec<String>,
}

pub(super) struct SellerQuery {
    pub tenant_id: String,
    pub month_start: i64,
    pub supervisions_waiting: Vec<String>,
    pub work_orders_new: Vec<String>,
}

pub(super) struct OperatorQuery {
    /// Only what waited this long may be overdue: three working days are at least
    /// three calendar days.
    pub overdue_candidates_until: i64,
    pub escalated_open: Vec<String>,
}

fn supervision_states(side: SupervisionSide) -> Vec<String> {
    codes(
        &SupervisionState::ALL,
        |s| s.waits_on() == Some(side),
        |s| s.as_str().to_owned(),
    )
}

fn work_order_codes(keep: impl Fn(WorkOrderStatus) -> bool) -> Vec<String> {
    codes(&WorkOrderStatus::ALL, keep, |s| s.code().to_string())
}

/// What waits on the caller, for each role the caller holds.
pub async fn todos(market: &Marketplace, caller: &Caller) -> Result<Todos, MarketError> {
    let roles = caller.roles();
    let now = market.clock.now_unix();
    let mut todos = Todos::default();
    if roles.contains(&Role::Buyer) {
        let query = BuyerQuery {
            user_id: caller.buyer()?.to_owned(),
            now,
            soon_until: now + ENDING_SOON_DAYS * 86_400,
            open_unsubscribes: codes(
                &UnsubscribeState::ALL,
                |s| s.is_open(),
                |s| s.as_str().to_owned(),
            ),
            work_orders_waiting: work_order_codes(|s| {
                matches!(
                    s,
                    WorkOrderStatus::PendingConfirmation | WorkOrderStatus::AwaitingFeedback
                )
            }),
            supervisions_waiting: supervision_states(SupervisionSide::Buyer),
        };
        let mut buyer = market.store.buyer_todos(&query).await?;
        let reader = crate::inbox::api::reader_of(caller)?;
        buyer.unread_messages = market.store.unread_count(&reader).await?;
        todos.buyer = Some(buyer);
    }
    if roles.contains(&Role::Seller) {
        let query = SellerQuery {
            tenant_id: caller.seller()?.tenant_id.clone(),
            month_start: unilogin_core::calendar::local().month_start(now),
            supervisions_waiting: supervision_states(SupervisionSide::Seller),
            work_orders_new: work_order_codes(|s| s == WorkOrderStatus::PendingAcceptance),
        };
        todos.seller = Some(market.store.seller_todos(&query).await?);
    }
    if roles.contains(&Role::Operator) {
        let query = OperatorQuery {
            overdue_candidates_until: now - i64::from(REVIEW_WORKING_DAYS) * 86_400,
            escalated_open: work_order_codes(|s| !s.is_closed()),
        };
        let (mut operator, candidates) = market.store.operator_todos(&query).await?;
        let due =
            |at: i64| unilogin_core::calendar::local().add_working_days(at, REVIEW_WORKING_DAYS);
        operator.overdue_applications =
            candidates.into_iter().filter(|at| due(*at) < now).count() as i64;
        operator.oldest_due_at = operator.oldest_waiting_since.map(due);
        todos.operator = Some(operator);
    }
    Ok(todos)
}
