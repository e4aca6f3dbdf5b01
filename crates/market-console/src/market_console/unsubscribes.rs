//! Unsubscribe requests as each side sees them: the list, the request with its history,
//! and the steps (the buyer's withdraw, appeal and return; the seller's and operator's
//! decisions).

use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;

use super::session::Member;
use super::submitted::Submitted;
use super::texts::MarketTexts;
use super::{again, done, ok, refusal, with_query, Chrome, PageError, Pager, PAGE_SIZE};
use crate::console::form::Form;
use crate::marketplace::ids::UnsubscribeRequestId;
use crate::marketplace::orders::fulfilment;
use crate::marketplace::unsubscribe::api::{visible, Side};
use crate::marketplace::unsubscribe::machine::{Action, Actor, State};
use crate::marketplace::unsubscribe::service::{self as unsubscribing, Extras};
use crate::marketplace::unsubscribe::store::{
    RequestOwner, Step, UnsubscribeEvent, UnsubscribeRecord,
};
use crate::marketplace::workflow::attachments::{download_response, readable, store_upload};
use crate::marketplace::{MarketError, Marketplace};

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/unsubscribes", web::get().to(my_unsubscribes))
        .route("/unsubscribes/{id}", web::get().to(my_unsubscribe))
        .route("/unsubscribes/{id}/{step}", web::post().to(buyer_step))
        .route("/attachments/{id}", web::get().to(attachment));
}

#[derive(Template)]
#[template(path = "market/unsubscribes.html")]
pub struct UnsubscribesPage<'a> {
    pub t: &'static MarketTexts,
    pub c: Chrome,
    pub m: &'a Member,
    pub heading: &'static str,
    pub base: &'static str,
    pub requests: Vec<UnsubscribeRecord>,
    pub state: String,
    pub states: Vec<&'static str>,
    pub pager: Pager,
}

/// A list of unsubscribe requests, for any side.
pub async fn unsubscribe_list(
    req: &HttpRequest,
    member: &Member,
    market: &Marketplace,
    owner: RequestOwner<'_>,
    (section, heading, base): (&'static str, &'static str, &'static str),
    default: &[State],
) -> Result<HttpResponse, PageError> {
    let state = crate::console::query(req, "state");
    let states = match State::parse(&state) {
        Some(s) => vec![s],
        None => default.to_vec(),
    };
    let offset = super::offset_of(req);
    let (requests, total) = market
        .store
        .unsubscribe_requests(owner, &states, offset, PAGE_SIZE)
        .await?;
    let page = UnsubscribesPage {
        t: member.t,
        c: member.chrome(section),
        m: member,
        heading,
        base,
        requests,
        state: State::parse(&state)
            .map(|s| s.as_str().to_owned())
            .unwrap_or_default(),
        states: State::ALL.iter().map(|s| s.as_str()).collect(),
        pager: Pager::new(&with_query(base, &[("state", &state)]), total, offset),
    };
    Ok(ok(page.render()))
}

async fn my_unsubscribes(
    req: HttpRequest,
    member: Member,
    market: web::Data<Marketplace>,
) -> Result<HttpResponse, PageError> {
    let buyer_id = member.caller.buyer()?.to_owned();
    let what = (
        "unsubscribes",
        member.t.my_unsubscribes,
        "/market/unsubscribes",
    );
    unsubscribe_list(
        &req,
        &member,
        &market,
        RequestOwner::Buyer(&buyer_id),
        what,
        &[],
    )
    .await
}

#[derive(Template)]
#[template(path = "market/unsubscribe.html")]
pub struct UnsubscribePage<'a> {
    /// The file names of the history's attachments, by id.
    pub files: std::collections::HashMap<String, String>,
    pub t: &'static MarketTexts,
    pub c: Chrome,
    pub m: &'a Member,
    pub r: UnsubscribeRecord,
    pub history: Vec<UnsubscribeEvent>,
    pub side: &'static str,
    /// Where its forms post: `{base}/{id}/{step}`.
    pub base: &'static str,
    pub error: Option<String>,
}

impl UnsubscribePage<'_> {
    fn file_name<'f>(&'f self, id: &'f str) -> &'f str {
        self.files.get(id).map_or(id, String::as_str)
    }
    fn open(&self) -> bool {
        self.r.request.state.is_open()
    }
    fn deciding(&self) -> bool {
        (self.side == "seller" && self.r.request.state == State::Pending)
            || (self.side == "operator" && self.r.request.state == State::Appealed)
    }
    fn negotiated(&self) -> bool {
        self.r.refund_amount.is_none()
    }
    fn awaiting_return(&self) -> bool {
        self.r.request.state == State::AwaitingReturn
    }
    fn appealable(&self) -> bool {
        self.r.request.hardware && self.r.request.state == State::Pending
    }
}

pub async fn unsubscribe_page<'a>(
    member: &'a Member,
    market: &Marketplace,
    r: UnsubscribeRecord,
    side: Side,
    error: Option<String>,
) -> Result<UnsubscribePage<'a>, PageError> {
    let history = market.store.unsubscribe_log(&r.id).await?;
    let mut files = std::collections::HashMap::new();
    for id in history.iter().flat_map(|e| e.attachments.iter()) {
        if let Some(record) = market.store.attachment(id).await? {
            files.insert(id.clone(), record.file_name);
        }
    }
    let (section, side, base) = match side {
        Side::Buyer => ("unsubscribes", "buyer", "/market/unsubscribes"),
        Side::Seller => (
            "seller-unsubscribes",
            "seller",
            "/market/seller/unsubscribes",
        ),
        Side::Operator => ("appeals", "operator", "/market/operator/appeals"),
    };
    Ok(UnsubscribePage {
        files,
        t: member.t,
        c: member.chrome(section),
        m: member,
        r,
        history,
        side,
        base,
        error,
    })
}

async fn my_unsubscribe(
    member: Member,
    path: web::Path<UnsubscribeRequestId>,
    market: web::Data<Marketplace>,
) -> Result<HttpResponse, PageError> {
    let r = visible(&market, &member.caller, Side::Buyer, &path.into_inner()).await?;
    Ok(ok(unsubscribe_page(&member, &market, r, Side::Buyer, None)
        .await?
        .render()))
}

/// One step on an unsubscribe request from `side`'s page: on to the request, or its page
/// again with the refusal.
/// The form's evidence file, kept as the member's upload: its id, to attach to the step.
pub async fn evidence(
    market: &Marketplace,
    member: &Member,
    submitted: &Submitted,
) -> Result<Vec<String>, MarketError> {
    match &submitted.file {
        None => Ok(Vec::new()),
        Some(file) => {
            let record =
                store_upload(market, &member.caller, &file.file_name, &file.content).await?;
            Ok(vec![record.id])
        }
    }
}

pub async fn take_step(
    member: &Member,
    market: &Marketplace,
    side: Side,
    id: &UnsubscribeRequestId,
    submitted: &Submitted,
    (action, actor): (Action, Actor),
    extras: Result<Extras, MarketError>,
) -> Result<HttpResponse, PageError> {
    let form = &submitted.form;
    let record = visible(market, &member.caller, side, id).await?;
    let comment = form.get("comment").to_owned();
    let outcome = async {
        let extras = extras?;
        let needs_comment = matches!(action, Action::Approve | Action::Reject | Action::Appeal);
        if needs_comment {
            fulfilment::text_field(&comment, "comment", 500)?;
        }
        let irreversible = matches!(action, Action::Approve | Action::Reject | Action::Withdraw);
        if irreversible && !form.checked("confirm") {
            return Err(MarketError::Invalid(member.t.must_confirm.into()));
        }
        let attachments = evidence(market, member, submitted).await?;
        let step = Step {
            action,
            actor,
            actor_id: &member.caller.claims.sub,
            comment: &comment,
            attachments: &attachments,
        };
        unsubscribing::step(market, &record, &step, extras).await
    }
    .await;
    match outcome {
        Ok(next) => {
            let base = match side {
                Side::Buyer => "/market/unsubscribes",
                Side::Seller => "/market/seller/unsubscribes",
                Side::Operator => "/market/operator/appeals",
            };
            Ok(done(&format!("{base}/{}", next.id), "changed"))
        }
        Err(err) => {
            let message = refusal(err, member.t)?;
            let page = unsubscribe_page(member, market, record, side, Some(message)).await?;
            Ok(again(page.render()))
        }
    }
}

async fn buyer_step(
    member: Member,
    path: web::Path<(UnsubscribeRequestId, String)>,
    submitted: Submitted,
    market: web::Data<Marketplace>,
) -> Result<HttpResponse, PageError> {
    let form = &submitted.form;
    member.check(form)?;
    let (id, step) = path.into_inner();
    let (action, extras) = match step.as_str() {
        "withdraw" => (Action::Withdraw, Ok(Extras::default())),
        "appeal" => (Action::Appeal, Ok(Extras::default())),
        "return" => {
            let shipment =
                fulfilment::text_field(form.get("carrier"), "carrier", 60).and_then(|carrier| {
                    let tracking =
                        fulfilment::text_field(form.get("tracking_number"), "trackingNumber", 60)?;
                    Ok(Extras {
                        return_shipment: Some((carrier, tracking)),
                        ..Extras::default()
                    })
                });
            (Action::ReturnShipped, shipment)
        }
        _ => return Err(PageError::NotFound),
    };
    take_step(
        &member,
        &market,
        Side::Buyer,
        &id,
        &submitted,
        (action, Actor::Buyer),
        extras,
    )
    .await
}

/// An attachment, as a download, for whoever may read it (the API's rule).
async fn attachment(
    member: Member,
    path: web::Path<String>,
    market: web::Data<Marketplace>,
) -> Result<HttpResponse, PageError> {
    let (record, content) = readable(&market, &member.caller, &path.into_inner()).await?;
    Ok(download_response(&record, content))
}

/// The refund a decision form names (negotiated requests only).
fn refund_of(t: &MarketTexts, form: &Form) -> Result<Extras, MarketError> {
    let raw = form.get("refund");
    let refund = match raw {
        "" => None,
        raw => Some(
            super::yuan::parse(raw)
                .ok_or_else(|| MarketError::Invalid(t.refund_not_yuan.into()))?,
        ),
    };
    Ok(Extras {
        refund,
        ..Extras::default()
    })
}

/// A decision from `side`'s page: approve (with the refund when negotiated) or reject.
async fn decide(
    member: Member,
    path: web::Path<(UnsubscribeRequestId, String)>,
    submitted: Submitted,
    market: web::Data<Marketplace>,
    (side, actor): (Side, Actor),
) -> Result<HttpResponse, PageError> {
    let form = &submitted.form;
    member.check(form)?;
    let (id, step) = path.into_inner();
    let (action, extras) = match step.as_str() {
        "approve" => (Action::Approve, refund_of(member.t, form)),
        "reject" => (Action::Reject, Ok(Extras::default())),
        _ => return Err(PageError::NotFound),
    };
    take_step(
        &member,
        &market,
        side,
        &id,
        &submitted,
        (action, actor),
        extras,
    )
    .await
}

pub async fn seller_decides(
    member: Member,
    path: web::Path<(UnsubscribeRequestId, String)>,
    submitted: Submitted,
    market: web::Data<Marketplace>,
) -> Result<HttpResponse, PageError> {
    decide(
        member,
        path,
        submitted,
        market,
        (Side::Seller, Actor::Seller),
    )
    .await
}

pub async fn operator_decides(
    member: Member,
    path: web::Path<(UnsubscribeRequestId, String)>,
    submitted: Submitted,
    market: web::Data<Marketplace>,
) -> Result<HttpResponse, PageError> {
    decide(
        member,
        path,
        submitted,
        market,
        (Side::Operator, Actor::Operator),
    )
    .await
}
