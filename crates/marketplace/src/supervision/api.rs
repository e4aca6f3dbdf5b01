//! Supervision's API: each side lists and reads its own supervisions (others get 404)
//! and takes its steps; operators work the appeal queue.

use actix_web::{web, HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};

use crate::http::caller::Caller;
use crate::http::error::MarketError;
use crate::http::request::{page, paged, parsed, query_pairs};
use crate::http::request::{prose_field, text_field};
use crate::http::roles::{Buyer, Operator, Seller};
use crate::http::schema::{self, Page};
use crate::ids::SupervisionId;
use crate::state::Marketplace;
use crate::supervision::machine::{Action, State};
use crate::supervision::service::{self as steps, Logistics, Step};
use crate::supervision::store::{SupervisionEvent, SupervisionOwner, SupervisionRecord};
use crate::workflow::attachments::checked_ids;
use crate::workflow::side_routes::{side_show, side_step};

/// How long operators have to resolve an appeal.
pub const APPEAL_WORKING_DAYS: u32 = 3;

pub use crate::http::caller::Side;

/// A step as sent: the action's name and what may come with it.
#[derive(Deserialize, Default, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[schema(as = SupervisionStep)]
#[schema(example = json!({"action": "submit_requirement", "comment": "需求说明见附件", "attachments": []}))]
pub struct StepBody {
    /// Buyer: submit_requirement, accept, reject_delivery, appeal. Seller:
    /// confirm_requirement, reject_requirement, deliver, appeal. Operator: resume,
    /// complete.
    pub action: String,
    /// Up to 1000 characters; required to reject, appeal and resolve.
    #[serde(default)]
    pub comment: String,
    /// Ids of the caller's uploads, at most 5: the requirement, the acceptance report or
    /// delivery proof, evidence.
    #[serde(default)]
    pub attachments: Vec<String>,
    /// Hardware delivery.
    #[serde(default)]
    pub carrier: Option<String>,
    #[serde(default)]
    pub tracking_number: Option<String>,
    /// Delivery: the actual start, yyyy-MM-dd; the validity period starts there (else at
    /// acceptance).
    #[serde(default)]
    pub actual_start_date: Option<String>,
    /// Operator's `resume`: awaiting_requirement, requirement_submitted,
    /// awaiting_delivery or delivered.
    #[serde(default)]
    pub resume_at: Option<String>,
}

/// The action a side asks for, or why it is not theirs (403) or unknown (400).
fn action_of(side: Side, body: &StepBody) -> Result<Action, MarketError> {
    let action = match body.action.as_str() {
        "submit_requirement" => Action::SubmitRequirement,
        "confirm_requirement" => Action::ConfirmRequirement,
        "reject_requirement" => Action::RejectRequirement,
        "deliver" => Action::Deliver,
        "accept" => Action::Accept,
        "reject_delivery" => Action::RejectDelivery,
        "appeal" => Action::Appeal,
        "complete" => Action::CompleteByOperator,
        "resume" => {
            let raw = body.resume_at.as_deref().unwrap_or_default();
            let node = State::parse(raw)
                .filter(|s| State::NODES.contains(s))
                .ok_or_else(|| {
                    MarketError::Invalid(
                        "resumeAt is awaiting_requirement, requirement_submitted, \
                         awaiting_delivery or delivered"
                            .into(),
                    )
                })?;
            Action::ResumeAt(node)
        }
        other => {
            return Err(MarketError::Invalid(format!(
                "unknown action {other:?}: see the SupervisionStep schema"
            )))
        }
    };
    if !matches!(action, Action::ResumeAt(_)) && body.resume_at.is_some() {
        return Err(MarketError::Invalid(
            "resumeAt comes with resume only".into(),
        ));
    }
    let whose = match action {
        Action::SubmitRequirement | Action::Accept | Action::RejectDelivery => Side::Buyer,
        Action::ConfirmRequirement | Action::RejectRequirement | Action::Deliver => Side::Seller,
        Action::ResumeAt(_) | Action::CompleteByOperator => Side::Operator,
        Action::Appeal if side != Side::Operator => side,
        Action::Appeal => Side::Buyer,
        Action::Close => Side::Operator,
    };
    if whose != side {
        return Err(MarketError::Forbidden(format!(
            "{} is the {}'s step",
            body.action,
            whose.actor().as_str()
        )));
    }
    Ok(action)
}

/// A step body as the domain's step, checked at the edge.
pub fn parse_step<'a>(
    side: Side,
    actor_id: &'a str,
    body: &'a StepBody,
    comment: &'a str,
) -> Result<Step<'a>, MarketError> {
    let action = action_of(side, body)?;
    checked_ids(&body.attachments)?;
    let logistics = match (&body.carrier, &body.tracking_number) {
        (None, None) => None,
        (Some(carrier), Some(tracking)) => Some(Logistics {
            carrier: text_field(carrier, "carrier", 100)?,
            tracking_number: text_field(tracking, "trackingNumber", 100)?,
        }),
        _ => {
            return Err(MarketError::Invalid(
                "carrier and trackingNumber come together".into(),
            ))
        }
    };
    let actual_start =
        match body.actual_start_date.as_deref() {
            None | Some("") => None,
            Some(day) => Some(unilogin_core::calendar::local().parse_day(day).ok_or_else(
                || MarketError::Invalid("actualStartDate is a day, yyyy-MM-dd".into()),
            )?),
        };
    Ok(Step {
        action,
        actor: side.actor(),
        actor_id,
        comment,
        attachments: &body.attachments,
        logistics,
        actual_start,
    })
}

/// The comment, trimmed and checked (empty allowed here; the step decides).
pub fn comment_of(raw: &str) -> Result<String, MarketError> {
    if raw.trim().is_empty() {
        return Ok(String::new());
    }
    prose_field(raw, "comment", 1000)
}

#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = SupervisionEvent)]
pub struct EventView {
    action: String,
    actor: String,
    from_state: String,
    to_state: String,
    comment: String,
    attachments: Vec<String>,
    at: i64,
}

#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = SupervisionAppeal)]
pub struct AppealView {
    /// buyer or seller.
    by: String,
    /// seller_overdue, repeated_rejections, buyer_overdue or any_node.
    ground: String,
    /// The node the flow was frozen at.
    frozen_at: String,
    appealed_at: i64,
    /// Three working days after the appeal: operators' target.
    resolve_by: i64,
    /// Seconds it has waited so far.
    waited: i64,
    overdue: bool,
}

#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = Supervision)]
pub struct SupervisionView {
    supervision_id: String,
    order_id: String,
    order_line_id: String,
    product_name: String,
    access_type: String,
    /// requirement or delivery_first.
    flow: String,
    /// awaiting_requirement, requirement_submitted, awaiting_delivery, delivered,
    /// appealed, completed or closed.
    state: String,
    /// buyer, seller or operator; absent when it is over.
    #[serde(skip_serializing_if = "Option::is_none")]
    waiting_on: Option<String>,
    /// When the flow reached its node.
    since: i64,
    rejections: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    appeal: Option<AppealView>,
    #[serde(skip_serializing_if = "Option::is_none")]
    carrier: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    tracking_number: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    actual_start: Option<i64>,
    /// Where the validity period starts (set at completion).
    #[serde(skip_serializing_if = "Option::is_none")]
    valid_from: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    completed_at: Option<i64>,
    /// held until completion, then due.
    settlement: String,
    created_at: i64,
    updated_at: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    history: Option<Vec<EventView>>,
}

impl SupervisionView {
    pub fn of(r: &SupervisionRecord, history: Option<Vec<SupervisionEvent>>, now: i64) -> Self {
        let s = &r.supervision;
        Self {
            supervision_id: r.id.clone(),
            order_id: r.order_id.clone(),
            order_line_id: r.order_line_id.clone(),
            product_name: r.product_name.clone(),
            access_type: r.access_type.clone(),
            flow: s.flow.as_str().into(),
            state: s.state.as_str().into(),
            waiting_on: s.state.waits_on().map(|a| a.as_str().into()),
            since: s.since,
            rejections: s.rejections,
            appeal: s.appeal.map(|a| {
                let resolve_by =
                    unilogin_core::calendar::local().add_working_days(a.at, APPEAL_WORKING_DAYS);
                AppealView {
                    by: a.by.as_str().into(),
                    ground: a.ground.as_str().into(),
                    frozen_at: a.frozen_at.as_str().into(),
                    appealed_at: a.at,
                    resolve_by,
                    waited: now - a.at,
                    overdue: now > resolve_by,
                }
            }),
            carrier: r.carrier.clone(),
            tracking_number: r.tracking_number.clone(),
            actual_start: r.actual_start,
            valid_from: r.valid_from,
            completed_at: r.completed_at,
            settlement: r.settlement.clone(),
            created_at: r.created_at,
            updated_at: r.updated_at,
            history: history.map(|events| {
                events
                    .into_iter()
                    .map(|e| EventView {
                        action: e.action,
                        actor: e.actor,
                        from_state: e.from_state,
                        to_state: e.to_state,
                        comment: e.comment,
                        attachments: e.attachments,
                        at: e.at,
                    })
                    .collect()
            }),
        }
    }
}

/// The supervision, if the caller may see it from `side` (else 404).
pub async fn visible(
    market: &Marketplace,
    caller: &Caller,
    side: Side,
    id: &SupervisionId,
) -> Result<SupervisionRecord, MarketError> {
    caller.act_as(side)?;
    match market.store.supervision(id).await? {
        Some(r) if caller.sees(side, &r.buyer_user_id, &r.seller_tenant_id)? => Ok(r),
        _ => Err(MarketError::NotFound("No such supervision".into())),
    }
}

fn states_filter(pairs: &[(String, String)]) -> Result<Vec<State>, MarketError> {
    match pairs.iter().find(|(k, _)| k == "state") {
        None => Ok(Vec::new()),
        Some((_, v)) => State::parse(v).map(|s| vec![s]).ok_or_else(|| {
            MarketError::Invalid(
                "state is one of awaiting_requirement, requirement_submitted, \
                 awaiting_delivery, delivered, appealed, completed, closed"
                    .into(),
            )
        }),
    }
}

async fn listing(
    req: &HttpRequest,
    market: &Marketplace,
    owner: SupervisionOwner<'_>,
    default_states: &[State],
) -> Result<HttpResponse, MarketError> {
    let pairs = query_pairs(req, &["state", "orderId", "offset", "limit"])?;
    let (offset, limit) = page(&pairs)?;
    let mut states = states_filter(&pairs)?;
    let order_id = pairs
        .iter()
        .find(|(k, _)| k == "orderId")
        .map(|(_, v)| v.as_str());
    // One order's supervisions are shown whatever their state.
    if states.is_empty() && order_id.is_none() {
        states = default_states.to_vec();
    }
    let (items, total) = market
        .store
        .supervisions(owner, &states, order_id, offset, limit)
        .await?;
    let now = market.clock.now_unix();
    let views: Vec<SupervisionView> = items
        .iter()
        .map(|r| SupervisionView::of(r, None, now))
        .collect();
    Ok(paged(views, total, offset, limit))
}

/// The supervisions of my orders, newest first
#[utoipa::path(
    get,
    path = "/api/marketplace/v1/buyer/supervisions",
    tag = "supervision",
    params(("state" = Option<String>, Query), ("orderId" = Option<String>, Query, description = "one order's"), ("offset" = Option<i64>, Query, minimum = 0), ("limit" = Option<i64>, Query, minimum = 1, maximum = 100)),
    responses((status = 200, description = "A page", body = Page<SupervisionView>), schema::Refusals),
    security(("bearer" = ["marketplace.buyer"]))
)]
pub async fn buyer_list(
    buyer: Buyer,
    req: HttpRequest,
    market: web::Data<Marketplace>,
) -> Result<HttpResponse, MarketError> {
    listing(&req, &market, SupervisionOwner::Buyer(buyer.user_id()), &[]).await
}

/// The supervisions of my products' orders, newest first
#[utoipa::path(
    get,
    path = "/api/marketplace/v1/seller/supervisions",
    tag = "supervision",
    params(("state" = Option<String>, Query), ("orderId" = Option<String>, Query, description = "one order's"), ("offset" = Option<i64>, Query, minimum = 0), ("limit" = Option<i64>, Query, minimum = 1, maximum = 100)),
    responses((status = 200, description = "A page", body = Page<SupervisionView>), schema::Refusals),
    security(("bearer" = ["marketplace.seller"]))
)]
pub async fn seller_list(
    Seller { merchant, .. }: Seller,
    req: HttpRequest,
    market: web::Data<Marketplace>,
) -> Result<HttpResponse, MarketError> {
    let tenant = merchant.tenant_id;
    listing(&req, &market, SupervisionOwner::Seller(&tenant), &[]).await
}

/// Appealed supervisions, longest waiting first (or, with `state`, any)
#[utoipa::path(
    get,
    path = "/api/marketplace/v1/operator/supervisions",
    tag = "supervision",
    params(("state" = Option<String>, Query, description = "default appealed"), ("orderId" = Option<String>, Query, description = "one order's"), ("offset" = Option<i64>, Query, minimum = 0), ("limit" = Option<i64>, Query, minimum = 1, maximum = 100)),
    responses((status = 200, description = "A page", body = Page<SupervisionView>), schema::Refusals),
    security(("bearer" = ["marketplace.operator"]))
)]
pub async fn operator_list(
    _: Operator,
    req: HttpRequest,
    market: web::Data<Marketplace>,
) -> Result<HttpResponse, MarketError> {
    listing(
        &req,
        &market,
        SupervisionOwner::Everyone,
        &[State::Appealed],
    )
    .await
}

/// The supervision with its history, as JSON.
pub async fn shown(
    market: &Marketplace,
    record: &SupervisionRecord,
) -> Result<HttpResponse, MarketError> {
    let history = market.store.supervision_log(&record.id).await?;
    let now = market.clock.now_unix();
    Ok(HttpResponse::Ok().json(SupervisionView::of(record, Some(history), now)))
}

async fn show_on(
    caller: Caller,
    id: SupervisionId,
    market: &Marketplace,
    side: Side,
) -> Result<HttpResponse, MarketError> {
    let record = visible(market, &caller, side, &id).await?;
    shown(market, &record).await
}

async fn step_on(
    caller: Caller,
    req: &HttpRequest,
    id: SupervisionId,
    body: &web::Bytes,
    market: &Marketplace,
    side: Side,
) -> Result<HttpResponse, MarketError> {
    let current = visible(market, &caller, side, &id).await?;
    let raw: StepBody = parsed(req, body, "step")?;
    let comment = comment_of(&raw.comment)?;
    let step = parse_step(side, &caller.claims.sub, &raw, &comment)?;
    let next = steps::step(market, &current, &step).await?;
    tracing::info!(supervision = %next.id, action = %raw.action, "supervision step");
    shown(market, &next).await
}

side_show! {
    tag: "supervision", id: "supervisionId" as SupervisionId, view: SupervisionView,
    doc: "One supervision with its history", run: show_on,
    Side::Buyer => buyer_show at "/api/marketplace/v1/buyer/supervisions/{supervisionId}"
        for "marketplace.buyer",
    Side::Seller => seller_show at "/api/marketplace/v1/seller/supervisions/{supervisionId}"
        for "marketplace.seller",
    Side::Operator => operator_show at "/api/marketplace/v1/operator/supervisions/{supervisionId}"
        for "marketplace.operator",
}

side_step! {
    tag: "supervision", id: "supervisionId" as SupervisionId, body: StepBody, view: SupervisionView,
    doc: "Take a step: the state machine decides whether it is allowed now, and says why not",
    conflict: "conflict: not allowed in this state, and why", run: step_on,
    Side::Buyer => buyer_step at "/api/marketplace/v1/buyer/supervisions/{supervisionId}/steps"
        for "marketplace.buyer",
    Side::Seller => seller_step at "/api/marketplace/v1/seller/supervisions/{supervisionId}/steps"
        for "marketplace.seller",
    Side::Operator => operator_step
        at "/api/marketplace/v1/operator/supervisions/{supervisionId}/steps"
        for "marketplace.operator",
}
