//! Work orders as each side sees them: a buyer opens one about an order or a product and
//! follows it; the seller's users work their tenant's ("handled by me" among them);
//! operators take the escalated ones. The page offers the actions the state machine
//! would take from this side now, and the conversation with its SLA.

use std::collections::HashMap;

use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;

use super::session::Member;
use super::submitted::Submitted;
use super::supervisions::file_names;
use super::texts::MarketTexts;
use super::unsubscribes::evidence;
use super::{again, done, ok, refusal, with_query, Chrome, PageError, Pager, PAGE_SIZE};
use crate::marketplace::http::caller::Side;
use crate::marketplace::ids::WorkOrderId;
use crate::marketplace::work_orders::api::{
    act, open_as, side_of, status_filter, visible, ActionBody, NewWorkOrder,
};
use crate::marketplace::work_orders::machine::{sla, transition, Action, Measure, Status};
use crate::marketplace::work_orders::store::{WorkOrderEvent, WorkOrderRecord, WorkOrderScope};
use crate::marketplace::{MarketError, Marketplace};

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/work-orders", web::post().to(open))
        .route("/work-orders/new", web::get().to(new_form));
    for side in [Side::Buyer, Side::Seller, Side::Operator] {
        // Paths inside the console's /market scope.
        let path = place(side).1.trim_start_matches("/market");
        cfg.route(
            path,
            web::get().to(
                move |req: HttpRequest, member: Member, market: web::Data<Marketplace>| {
                    list(req, member, market, side)
                },
            ),
        )
        .route(
            &format!("{path}/{{id}}"),
            web::get().to(
                move |member: Member,
                      id: web::Path<WorkOrderId>,
                      market: web::Data<Marketplace>| {
                    show(member, id, market, side)
                },
            ),
        )
        .route(
            &format!("{path}/{{id}}/act"),
            web::post().to(
                move |member: Member,
                      id: web::Path<WorkOrderId>,
                      submitted: Submitted,
                      market: web::Data<Marketplace>| {
                    take(member, id, submitted, market, side)
                },
            ),
        );
    }
}

fn place(side: Side) -> (&'static str, &'static str) {
    match side {
        Side::Buyer => ("work-orders", "/market/work-orders"),
        Side::Seller => ("seller-work-orders", "/market/seller/work-orders"),
        Side::Operator => ("escalated", "/market/operator/work-orders"),
    }
}

/// A target of the SLA as the pages show it.
pub struct SlaFacts {
    /// SLA time used, `h:mm`.
    pub used: String,
    pub target_hours: i64,
    pub due_at: Option<i64>,
    pub paused: bool,
    pub done: bool,
    pub breached: bool,
}

impl SlaFacts {
    fn of(m: Measure, now: i64) -> Self {
        Self {
            used: format!("{}:{:02}", m.used / 3600, m.used % 3600 / 60),
            target_hours: m.target / 3600,
            due_at: m.due_at(now),
            paused: m.paused,
            done: m.done,
            breached: m.breached(),
        }
    }
}

pub struct Row {
    pub r: WorkOrderRecord,
    pub acceptance: SlaFacts,
    pub resolution: SlaFacts,
}

#[derive(Template)]
#[template(path = "market/work_orders.html")]
pub struct WorkOrdersPage<'a> {
    pub t: &'static MarketTexts,
    pub c: Chrome,
    pub m: &'a Member,
    pub heading: &'static str,
    pub base: &'static str,
    pub side: &'static str,
    /// The seller's views: all, handled_by_me.
    pub view: String,
    pub rows: Vec<Row>,
    pub status: String,
    pub statuses: Vec<&'static str>,
    pub pager: Pager,
}

async fn list(
    req: HttpRequest,
    member: Member,
    market: web::Data<Marketplace>,
    side: Side,
) -> Result<HttpResponse, PageError> {
    member.caller.act_as(side)?;
    let tenant = match side {
        Side::Seller => member.seller_tenant()?,
        _ => String::new(),
    };
    let user = member.caller.claims.sub.clone();
    let view = crate::console::query(&req, "view");
    let handled_by_me = side == Side::Seller && view == "handled_by_me";
    let scope = match side {
        Side::Buyer => WorkOrderScope::Customer(&user),
        Side::Seller if handled_by_me => WorkOrderScope::HandledBy(&tenant, &user),
        Side::Seller => WorkOrderScope::Seller(&tenant),
        Side::Operator => WorkOrderScope::Escalated,
    };
    let status = crate::console::query(&req, "status");
    let chosen = status_filter(&status).unwrap_or(None);
    let offset = super::offset_of(&req);
    let (records, total) = market
        .store
        .work_orders(scope, chosen, offset, PAGE_SIZE)
        .await?;
    let now = market.clock.now_unix();
    let (section, base) = place(side);
    let t = member.t;
    let view = if handled_by_me { "handled_by_me" } else { "" };
    let page = WorkOrdersPage {
        t,
        c: member.chrome(section),
        m: &member,
        heading: match side {
            Side::Buyer => t.my_work_orders,
            Side::Seller if handled_by_me => t.handled_by_me,
            Side::Seller => t.work_orders,
            Side::Operator => t.escalated_work_orders,
        },
        base,
        side: side.actor().as_str(),
        view: view.to_owned(),
        rows: records
            .into_iter()
            .map(|r| {
                let (acceptance, resolution) = sla(&r.work_order, now);
                Row {
                    acceptance: SlaFacts::of(acceptance, now),
                    resolution: SlaFacts::of(resolution, now),
                    r,
                }
            })
            .collect(),
        status: chosen.map(|s| s.as_str().to_owned()).unwrap_or_default(),
        statuses: Status::ALL
            .iter()
            .filter(|s| side != Side::Buyer || **s != Status::Deleted)
            .map(|s| s.as_str())
            .collect(),
        pager: Pager::new(
            &with_query(base, &[("view", view), ("status", &status)]),
            total,
            offset,
        ),
    };
    Ok(ok(page.render()))
}

#[derive(Template)]
#[template(path = "market/work_order_new.html")]
pub struct NewPage {
    pub t: &'static MarketTexts,
    pub c: Chrome,
    pub order_id: String,
    pub product_id: String,
    /// What it is about, for people: the product's name.
    pub about: String,
    pub title: String,
    pub description: String,
    pub error: Option<String>,
}

/// The product an opening is about (the order's, or the one named), for the form.
async fn about(
    market: &Marketplace,
    member: &Member,
    order_id: &str,
    product_id: &str,
) -> Result<String, PageError> {
    if !order_id.is_empty() {
        let order =
            crate::marketplace::orders::fulfilment::buyers_order(&member.caller, market, order_id)
                .await?;
        return Ok(order
            .lines
            .first()
            .map(|l| l.product_name.clone())
            .unwrap_or_default());
    }
    if !product_id.is_empty() {
        return Ok(
            crate::marketplace::selling::catalogue::product(market, product_id)
                .await?
                .name,
        );
    }
    Err(PageError::NotFound)
}

async fn new_form(
    req: HttpRequest,
    member: Member,
    market: web::Data<Marketplace>,
) -> Result<HttpResponse, PageError> {
    member.caller.buyer()?;
    let order_id = crate::console::query(&req, "order");
    let product_id = crate::console::query(&req, "product");
    let about = about(&market, &member, &order_id, &product_id).await?;
    let page = NewPage {
        t: member.t,
        c: member.chrome("work-orders"),
        order_id,
        product_id,
        about,
        title: String::new(),
        description: String::new(),
        error: None,
    };
    Ok(ok(page.render()))
}

async fn open(
    member: Member,
    submitted: Submitted,
    market: web::Data<Marketplace>,
) -> Result<HttpResponse, PageError> {
    let form = &submitted.form;
    member.check(form)?;
    member.caller.buyer()?;
    let order_id = form.get("order_id").to_owned();
    let product_id = form.get("product_id").to_owned();
    let mut body = NewWorkOrder {
        order_id: Some(order_id.clone()),
        product_id: Some(product_id.clone()),
        title: form.get("title").to_owned(),
        description: form.get("description").to_owned(),
        attachments: Vec::new(),
    };
    let outcome = async {
        // Read before the upload is kept, so a refused form stores nothing.
        crate::marketplace::orders::fulfilment::text_field(&body.title, "title", 100)?;
        crate::marketplace::orders::fulfilment::prose_field(
            &body.description,
            "description",
            2000,
        )?;
        body.attachments = evidence(&market, &member, &submitted).await?;
        open_as(&market, &member.caller, &body).await
    }
    .await;
    match outcome {
        Ok(record) => Ok(done(
            &format!("/market/work-orders/{}", record.id),
            "opened",
        )),
        Err(err) => {
            let message = refusal(err, member.t)?;
            let page = NewPage {
                t: member.t,
                c: member.chrome("work-orders"),
                about: about(&market, &member, &order_id, &product_id).await?,
                order_id,
                product_id,
                title: body.title,
                description: body.description,
                error: Some(message),
            };
            Ok(again(page.render()))
        }
    }
}

/// What this side may do now, by action name (the state machine's answer).
fn offered(r: &WorkOrderRecord, side: Side, now: i64) -> Vec<&'static str> {
    Action::ALL
        .into_iter()
        .filter(|action| side_of(*action).contains(&side))
        .filter(|action| transition(r.work_order, *action, side.actor(), now).is_ok())
        .map(Action::as_str)
        .collect()
}

#[derive(Template)]
#[template(path = "market/work_order.html")]
pub struct WorkOrderPage<'a> {
    pub t: &'static MarketTexts,
    pub c: Chrome,
    pub m: &'a Member,
    pub r: WorkOrderRecord,
    pub acceptance: SlaFacts,
    pub resolution: SlaFacts,
    pub history: Vec<WorkOrderEvent>,
    pub files: HashMap<String, String>,
    pub base: &'static str,
    pub offered: Vec<&'static str>,
    pub error: Option<String>,
}

impl WorkOrderPage<'_> {
    fn can(&self, action: &str) -> bool {
        self.offered.contains(&action)
    }
    fn file_name<'f>(&'f self, id: &'f str) -> &'f str {
        self.files.get(id).map_or(id, String::as_str)
    }
    fn action_label(&self, code: &str) -> String {
        super::texts::action_label(self.m.lang, code)
    }
    fn status_label(&self, code: &i64) -> String {
        Status::from_code(*code).map_or_else(|| code.to_string(), |s| self.m.label(s.as_str()))
    }
    /// A conversation entry's class: the customer's words, support's, or an action.
    fn kind(&self, e: &WorkOrderEvent) -> &'static str {
        match e.message_type {
            Some(0) => "customer",
            Some(_) => "support",
            None => "event",
        }
    }
}

async fn page<'a>(
    member: &'a Member,
    market: &Marketplace,
    r: WorkOrderRecord,
    side: Side,
    error: Option<String>,
) -> Result<WorkOrderPage<'a>, PageError> {
    let history = market.store.work_order_log(&r.id).await?;
    let files = file_names(market, history.iter().flat_map(|e| e.attachments.iter())).await?;
    let now = market.clock.now_unix();
    let (acceptance, resolution) = sla(&r.work_order, now);
    let (section, base) = place(side);
    Ok(WorkOrderPage {
        t: member.t,
        c: member.chrome(section),
        m: member,
        acceptance: SlaFacts::of(acceptance, now),
        resolution: SlaFacts::of(resolution, now),
        offered: offered(&r, side, now),
        r,
        history,
        files,
        base,
        error,
    })
}

async fn show(
    member: Member,
    path: web::Path<WorkOrderId>,
    market: web::Data<Marketplace>,
    side: Side,
) -> Result<HttpResponse, PageError> {
    let r = visible(&market, &member.caller, side, &path.into_inner()).await?;
    Ok(ok(page(&member, &market, r, side, None).await?.render()))
}

/// Actions that end the work order (or remove it) ask for the ticked confirmation.
fn irreversible(action: &str) -> bool {
    matches!(action, "cancel" | "close" | "delete" | "mark_invalid")
}

/// One action from `side`'s page (the form names it): on to the work order — or, once
/// deleted, to the list — or its page again with the refusal.
async fn take(
    member: Member,
    path: web::Path<WorkOrderId>,
    submitted: Submitted,
    market: web::Data<Marketplace>,
    side: Side,
) -> Result<HttpResponse, PageError> {
    let form = &submitted.form;
    member.check(form)?;
    let current = visible(&market, &member.caller, side, &path.into_inner()).await?;
    let action = form.get("action").to_owned();
    let optional = |name: &str| Some(form.get(name).to_owned()).filter(|v| !v.trim().is_empty());
    let outcome = async {
        if irreversible(&action) && !form.checked("confirm") {
            return Err(MarketError::Invalid(member.t.must_confirm.into()));
        }
        let asked = Action::parse(&action)
            .ok_or_else(|| MarketError::Invalid(format!("unknown action {action:?}")))?;
        let now = market.clock.now_unix();
        // Refused before the upload is kept, so a refused form stores nothing.
        transition(current.work_order, asked, side.actor(), now)
            .map_err(|refused| MarketError::Conflict(refused.to_string()))?;
        let body = ActionBody {
            action: action.clone(),
            message: form.get("message").to_owned(),
            attachments: evidence(&market, &member, &submitted).await?,
            assignee: optional("assignee"),
            cause: optional("cause"),
            solution: optional("solution"),
        };
        act(&market, &member.caller, side, &current, &body).await
    }
    .await;
    let base = place(side).1;
    match outcome {
        Ok(next) if next.work_order.status == Status::Deleted => Ok(done(base, "changed")),
        Ok(next) => Ok(done(&format!("{base}/{}", next.id), "changed")),
        Err(err) => {
            let message = refusal(err, member.t)?;
            let shown = page(&member, &market, current, side, Some(message)).await?;
            Ok(again(shown.render()))
        }
    }
}
