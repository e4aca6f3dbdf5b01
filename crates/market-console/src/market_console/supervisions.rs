//! Service supervision as each side sees it: the list, one supervision with its history,
//! and the steps. A step's form is shown only when the state machine would take it from
//! this side now, so the page offers exactly what the API allows.

use std::collections::HashMap;

use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;

use super::session::Member;
use super::submitted::Submitted;
use super::texts::MarketTexts;
use super::unsubscribes::evidence;
use super::{again, done, ok, refusal, with_query, Chrome, PageError, Pager, PAGE_SIZE};
use crate::marketplace::http::caller::Side;
use crate::marketplace::ids::SupervisionId;
use crate::marketplace::supervision::api::{
    comment_of, parse_step, visible, StepBody, APPEAL_WORKING_DAYS,
};
use crate::marketplace::supervision::machine::{transition, Action, State};
use crate::marketplace::supervision::service as steps;
use crate::marketplace::supervision::store::{
    SupervisionEvent, SupervisionOwner, SupervisionRecord,
};
use crate::marketplace::{MarketError, Marketplace};

pub fn routes(cfg: &mut web::ServiceConfig) {
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
                      id: web::Path<SupervisionId>,
                      market: web::Data<Marketplace>| {
                    show(member, id, market, side)
                },
            ),
        )
        .route(
            &format!("{path}/{{id}}/{{step}}"),
            web::post().to(
                move |member: Member,
                      ids: web::Path<(SupervisionId, String)>,
                      submitted: Submitted,
                      market: web::Data<Marketplace>| {
                    take_step(member, ids, submitted, market, side)
                },
            ),
        );
    }
}

/// Where a side's pages live: (navigation section, list path).
fn place(side: Side) -> (&'static str, &'static str) {
    match side {
        Side::Buyer => ("supervisions", "/market/supervisions"),
        Side::Seller => ("seller-supervisions", "/market/seller/supervisions"),
        Side::Operator => ("supervision-appeals", "/market/operator/supervisions"),
    }
}

/// An appeal as the pages show it, with the operators' 3-working-day target.
pub struct AppealFacts {
    pub by: &'static str,
    pub ground: &'static str,
    pub frozen_at: &'static str,
    pub at: i64,
    pub resolve_by: i64,
    /// Whole hours it has waited.
    pub waited_hours: i64,
    pub overdue: bool,
}

fn appeal_of(r: &SupervisionRecord, now: i64) -> Option<AppealFacts> {
    r.supervision.appeal.map(|a| {
        let resolve_by = crate::calendar::local().add_working_days(a.at, APPEAL_WORKING_DAYS);
        AppealFacts {
            by: a.by.as_str(),
            ground: a.ground.as_str(),
            frozen_at: a.frozen_at.as_str(),
            at: a.at,
            resolve_by,
            waited_hours: (now - a.at) / 3600,
            overdue: now > resolve_by,
        }
    })
}

pub struct Row {
    pub r: SupervisionRecord,
    pub appeal: Option<AppealFacts>,
}

#[derive(Template)]
#[template(path = "market/supervisions.html")]
pub struct SupervisionsPage<'a> {
    pub t: &'static MarketTexts,
    pub c: Chrome,
    pub m: &'a Member,
    pub heading: &'static str,
    pub base: &'static str,
    pub operator: bool,
    pub rows: Vec<Row>,
    pub state: String,
    pub states: Vec<&'static str>,
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
    let owner = match side {
        Side::Buyer => SupervisionOwner::Buyer(&member.caller.claims.sub),
        Side::Seller => SupervisionOwner::Seller(&tenant),
        Side::Operator => SupervisionOwner::Everyone,
    };
    let state = crate::console::query(&req, "state");
    let chosen = State::parse(&state);
    let states = match (chosen, side) {
        (Some(s), _) => vec![s],
        (None, Side::Operator) => vec![State::Appealed],
        (None, _) => Vec::new(),
    };
    let offset = super::offset_of(&req);
    let (records, total) = market
        .store
        .supervisions(owner, &states, None, offset, PAGE_SIZE)
        .await?;
    let now = market.clock.now_unix();
    let (section, base) = place(side);
    let t = member.t;
    let page = SupervisionsPage {
        t,
        c: member.chrome(section),
        m: &member,
        heading: match side {
            Side::Buyer => t.supervisions,
            Side::Seller => t.sold_supervisions,
            Side::Operator => t.supervision_appeals,
        },
        base,
        operator: side == Side::Operator,
        rows: records
            .into_iter()
            .map(|r| Row {
                appeal: appeal_of(&r, now),
                r,
            })
            .collect(),
        state: chosen.map(|s| s.as_str().to_owned()).unwrap_or_default(),
        states: State::ALL.iter().map(|s| s.as_str()).collect(),
        pager: Pager::new(&with_query(base, &[("state", &state)]), total, offset),
    };
    Ok(ok(page.render()))
}

/// The steps this side may take now (the state machine's answer), by their form names.
pub struct Offered {
    pub submit_requirement: bool,
    pub confirm_requirement: bool,
    pub reject_requirement: bool,
    pub deliver: bool,
    pub accept: bool,
    pub reject_delivery: bool,
    pub appeal: bool,
    pub resume_at: Vec<&'static str>,
    pub complete: bool,
}

fn offered(r: &SupervisionRecord, side: Side, now: i64) -> Offered {
    let actor = side.actor();
    let allows = |action: Action| {
        let theirs = match action {
            Action::SubmitRequirement | Action::Accept | Action::RejectDelivery => {
                side == Side::Buyer
            }
            Action::ConfirmRequirement | Action::RejectRequirement | Action::Deliver => {
                side == Side::Seller
            }
            Action::Appeal => side != Side::Operator,
            Action::ResumeAt(_) | Action::CompleteByOperator => side == Side::Operator,
            Action::Close => false,
        };
        theirs && transition(r.supervision, action, actor, now).is_ok()
    };
    Offered {
        submit_requirement: allows(Action::SubmitRequirement),
        confirm_requirement: allows(Action::ConfirmRequirement),
        reject_requirement: allows(Action::RejectRequirement),
        deliver: allows(Action::Deliver),
        accept: allows(Action::Accept),
        reject_delivery: allows(Action::RejectDelivery),
        appeal: allows(Action::Appeal),
        resume_at: State::NODES
            .into_iter()
            .filter(|node| allows(Action::ResumeAt(*node)))
            .map(State::as_str)
            .collect(),
        complete: allows(Action::CompleteByOperator),
    }
}

#[derive(Template)]
#[template(path = "market/supervision.html")]
pub struct SupervisionPage<'a> {
    pub t: &'static MarketTexts,
    pub c: Chrome,
    pub m: &'a Member,
    pub r: SupervisionRecord,
    pub appeal: Option<AppealFacts>,
    pub history: Vec<SupervisionEvent>,
    /// The file names of the history's attachments, by id.
    pub files: HashMap<String, String>,
    pub side: &'static str,
    /// Where its forms post: `{base}/{id}/{step}`.
    pub base: &'static str,
    pub offered: Offered,
    pub hardware: bool,
    pub error: Option<String>,
}

impl SupervisionPage<'_> {
    fn file_name<'f>(&'f self, id: &'f str) -> &'f str {
        self.files.get(id).map_or(id, String::as_str)
    }
    fn action_label(&self, code: &str) -> String {
        super::texts::action_label(self.m.lang, code)
    }
}

/// The names of the attachments a history shows, by id.
pub async fn file_names<'e>(
    market: &Marketplace,
    ids: impl Iterator<Item = &'e String>,
) -> Result<HashMap<String, String>, PageError> {
    let mut files = HashMap::new();
    for id in ids {
        if let Some(record) = market.store.attachment(id).await? {
            files.insert(id.clone(), record.file_name);
        }
    }
    Ok(files)
}

async fn page<'a>(
    member: &'a Member,
    market: &Marketplace,
    r: SupervisionRecord,
    side: Side,
    error: Option<String>,
) -> Result<SupervisionPage<'a>, PageError> {
    let history = market.store.supervision_log(&r.id).await?;
    let files = file_names(market, history.iter().flat_map(|e| e.attachments.iter())).await?;
    let now = market.clock.now_unix();
    let (section, base) = place(side);
    Ok(SupervisionPage {
        t: member.t,
        c: member.chrome(section),
        m: member,
        appeal: appeal_of(&r, now),
        offered: offered(&r, side, now),
        hardware: r.access_type == "hardware",
        r,
        history,
        files,
        side: side.actor().as_str(),
        base,
        error,
    })
}

async fn show(
    member: Member,
    path: web::Path<SupervisionId>,
    market: web::Data<Marketplace>,
    side: Side,
) -> Result<HttpResponse, PageError> {
    let r = visible(&market, &member.caller, side, &path.into_inner()).await?;
    Ok(ok(page(&member, &market, r, side, None).await?.render()))
}

/// Steps that settle the flow for good ask for the ticked confirmation.
fn irreversible(step: &str) -> bool {
    matches!(step, "accept" | "complete")
}

/// One step from `side`'s page: on to the supervision, or its page again with the
/// refusal.
async fn take_step(
    member: Member,
    path: web::Path<(SupervisionId, String)>,
    submitted: Submitted,
    market: web::Data<Marketplace>,
    side: Side,
) -> Result<HttpResponse, PageError> {
    let form = &submitted.form;
    member.check(form)?;
    let (id, step) = path.into_inner();
    let current = visible(&market, &member.caller, side, &id).await?;
    let optional = |name: &str| Some(form.get(name).to_owned()).filter(|v| !v.trim().is_empty());
    let outcome = async {
        if irreversible(&step) && !form.checked("confirm") {
            return Err(MarketError::Invalid(member.t.must_confirm.into()));
        }
        let comment = comment_of(form.get("comment"))?;
        let mut body = StepBody {
            action: step.clone(),
            comment: comment.clone(),
            carrier: optional("carrier"),
            tracking_number: optional("tracking_number"),
            actual_start_date: optional("actual_start_date"),
            resume_at: optional("resume_at"),
            ..StepBody::default()
        };
        // Checked before the upload is kept, so a refused form stores nothing.
        let asked = parse_step(side, &member.caller.claims.sub, &body, &comment)?;
        let now = market.clock.now_unix();
        transition(current.supervision, asked.action, side.actor(), now)
            .map_err(|refused| MarketError::Conflict(refused.to_string()))?;
        body.attachments = evidence(&market, &member, &submitted).await?;
        let taken = parse_step(side, &member.caller.claims.sub, &body, &comment)?;
        steps::step(&market, &current, &taken).await
    }
    .await;
    match outcome {
        Ok(next) => Ok(done(&format!("{}/{}", place(side).1, next.id), "changed")),
        Err(err) => {
            let message = refusal(err, member.t)?;
            let shown = page(&member, &market, current, side, Some(message)).await?;
            Ok(again(shown.render()))
        }
    }
}
