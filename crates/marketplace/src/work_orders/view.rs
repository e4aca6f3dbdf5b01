//! A work order as the API shows it: its status, its SLA on both measures, and its
//! history.

use serde::Serialize;

use crate::work_orders::machine::{sla, Measure};
use crate::work_orders::store::{WorkOrderEvent, WorkOrderRecord};

#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = SlaMeasure)]
pub struct MeasureView {
    /// Seconds allowed.
    target: i64,
    /// Seconds of SLA time used (pauses excluded).
    used: i64,
    /// Reached, or the work order is over: the clock has stopped.
    done: bool,
    /// Standing still: waiting on the customer or paused by operations.
    paused: bool,
    breached: bool,
    /// When it falls due, while it runs.
    #[serde(skip_serializing_if = "Option::is_none")]
    due_at: Option<i64>,
}

impl MeasureView {
    fn of(m: Measure, now: i64) -> Self {
        Self {
            target: m.target,
            used: m.used,
            done: m.done,
            paused: m.paused,
            breached: m.breached(),
            due_at: m.due_at(now),
        }
    }
}

#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = WorkOrderSla)]
pub struct SlaView {
    acceptance: MeasureView,
    resolution: MeasureView,
}

#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = WorkOrderEvent)]
pub struct EventView {
    action: String,
    /// buyer, seller, operator.
    actor: String,
    from_status: i64,
    to_status: i64,
    /// 0 the customer's words, 1 support's; absent for an action without words.
    #[serde(skip_serializing_if = "Option::is_none")]
    message_type: Option<i64>,
    body: String,
    attachments: Vec<String>,
    at: i64,
}

#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = WorkOrder)]
pub struct WorkOrderView {
    work_order_id: String,
    /// The upstream code: 0 pending acceptance, 1 processing, 2 pending result
    /// confirmation, 3 completed, 4 cancelled, 5 paused, 12 invalid, 13 deleted, 17
    /// awaiting customer feedback.
    status: i64,
    status_name: String,
    title: String,
    description: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    order_id: Option<String>,
    product_id: String,
    product_name: String,
    buyer: String,
    buyer_tenant: String,
    seller_tenant: String,
    /// The seller's user handling it.
    #[serde(skip_serializing_if = "Option::is_none")]
    handler: Option<String>,
    escalated: bool,
    opened_at: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    accepted_at: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    resolved_at: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    ended_at: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    cause: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    solution: Option<String>,
    sla: SlaView,
    updated_at: i64,
    /// Every action and message, oldest first (one work order only).
    #[serde(skip_serializing_if = "Option::is_none")]
    history: Option<Vec<EventView>>,
}

impl WorkOrderView {
    pub fn of(r: &WorkOrderRecord, history: Option<Vec<WorkOrderEvent>>, now: i64) -> Self {
        let w = &r.work_order;
        let (acceptance, resolution) = sla(w, now);
        Self {
            work_order_id: r.id.clone(),
            status: w.status.code(),
            status_name: w.status.as_str().into(),
            title: r.title.clone(),
            description: r.description.clone(),
            order_id: r.order_id.clone(),
            product_id: r.product_id.clone(),
            product_name: r.product_name.clone(),
            buyer: r.buyer_user_id.clone(),
            buyer_tenant: r.buyer_tenant_id.clone(),
            seller_tenant: r.seller_tenant_id.clone(),
            handler: r.handler_name.clone(),
            escalated: w.escalated,
            opened_at: w.opened_at,
            accepted_at: w.accepted_at,
            resolved_at: w.resolved_at,
            ended_at: w.ended_at,
            cause: r.cause.clone(),
            solution: r.solution.clone(),
            sla: SlaView {
                acceptance: MeasureView::of(acceptance, now),
                resolution: MeasureView::of(resolution, now),
            },
            updated_at: r.updated_at,
            history: history.map(|events| {
                events
                    .into_iter()
                    .map(|e| EventView {
                        action: e.action,
                        actor: e.actor,
                        from_status: e.from_status,
                        to_status: e.to_status,
                        message_type: e.message_type,
                        body: e.body,
                        attachments: e.attachments,
                        at: e.at,
                    })
                    .collect()
            }),
        }
    }
}
