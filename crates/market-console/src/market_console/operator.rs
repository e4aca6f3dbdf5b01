//! The operators' pages: the review queue (approve, reject with a reason) and appealed
//! unsubscribe requests, decided in the seller's place.

use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;

use super::session::Member;
use super::texts::MarketTexts;
use super::unsubscribes::{unsubscribe_list, unsubscribe_page};
use super::{done, ok, refusal, Chrome, PageError, Pager, PAGE_SIZE};
use crate::console::form::Form;
use crate::marketplace::ids::UnsubscribeRequestId;
use crate::marketplace::selling::api as review;
use crate::marketplace::selling::product::ProductContent;
use crate::marketplace::selling::queries::ApplicationFilter;
use crate::marketplace::selling::store::{ApplicationRecord, KINDS, PENDING};
use crate::marketplace::unsubscribe::api::{visible, Side};
use crate::marketplace::unsubscribe::machine::State;
use crate::marketplace::unsubscribe::store::RequestOwner;
use crate::marketplace::Marketplace;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/operator/review", web::get().to(queue))
        .route(
            "/operator/review/{id}/{decision}",
            web::post().to(review_decision),
        )
        .route("/operator/appeals", web::get().to(appeals))
        .route("/operator/appeals/{id}", web::get().to(appeal))
        .route(
            "/operator/appeals/{id}/{step}",
            web::post().to(super::unsubscribes::operator_decides),
        );
}

fn operator(member: &Member) -> Result<(), PageError> {
    member.caller.operator().map_err(PageError::from)
}

#[derive(Template)]
#[template(path = "market/queue.html")]
struct QueuePage<'a> {
    t: &'static MarketTexts,
    c: Chrome,
    m: &'a Member,
    applications: Vec<Queued>,
    pager: Pager,
    /// The type filter (publish, modify), empty for both.
    kind: String,
    error: Option<(String, String)>,
}

/// An application in the queue, with who submitted it and how long it has waited
/// against the three-working-day target.
struct Queued {
    a: ApplicationRecord,
    content: Option<ProductContent>,
    seller: String,
    waited: String,
    due: String,
    late: bool,
}

/// "2 天 3 小时" / "2 d 3 h".
fn waited_for(t: &MarketTexts, seconds: i64) -> String {
    let hours = seconds.max(0) / 3600;
    t.days_hours
        .replacen("{}", &(hours / 24).to_string(), 1)
        .replacen("{}", &(hours % 24).to_string(), 1)
}

async fn queue_page(
    req: &HttpRequest,
    member: &Member,
    market: &Marketplace,
    error: Option<(String, String)>,
) -> Result<HttpResponse, PageError> {
    let offset = super::offset_of(req);
    let kind = crate::console::query(req, "type");
    let kind = if KINDS.contains(&kind.as_str()) {
        kind
    } else {
        String::new()
    };
    let filter = ApplicationFilter {
        status: Some(PENDING.into()),
        kind: (!kind.is_empty()).then(|| kind.clone()),
        offset,
        limit: PAGE_SIZE,
        ..ApplicationFilter::default()
    };
    let (records, total) = market.store.list_applications(&filter).await?;
    let now = market.clock.now_unix();
    let mut sellers: std::collections::HashMap<String, String> = Default::default();
    let mut applications = Vec::with_capacity(records.len());
    for a in records {
        if !sellers.contains_key(&a.tenant_id) {
            let name = market
                .store
                .merchant(&a.tenant_id)
                .await?
                .map_or_else(|| a.tenant_id.clone(), |m| m.name);
            sellers.insert(a.tenant_id.clone(), name);
        }
        let due_at = crate::calendar::local().add_working_days(
            a.created_at,
            crate::marketplace::home::service::REVIEW_WORKING_DAYS,
        );
        applications.push(Queued {
            content: serde_json::from_str(&a.content).ok(),
            seller: sellers[&a.tenant_id].clone(),
            waited: waited_for(member.t, now - a.created_at),
            due: super::when(&due_at),
            late: due_at < now,
            a,
        });
    }
    let failed = error.is_some();
    let page = QueuePage {
        t: member.t,
        c: member.chrome("review"),
        m: member,
        applications,
        pager: Pager::new(
            &super::with_query("/market/operator/review", &[("type", &kind)]),
            total,
            offset,
        ),
        kind,
        error,
    };
    Ok(super::answer(failed, page.render()))
}

async fn queue(
    req: HttpRequest,
    member: Member,
    market: web::Data<Marketplace>,
) -> Result<HttpResponse, PageError> {
    operator(&member)?;
    queue_page(&req, &member, &market, None).await
}

async fn review_decision(
    req: HttpRequest,
    member: Member,
    path: web::Path<(String, String)>,
    form: Form,
    market: web::Data<Marketplace>,
) -> Result<HttpResponse, PageError> {
    member.check(&form)?;
    operator(&member)?;
    let (id, decision) = path.into_inner();
    let rejection = match decision.as_str() {
        "approve" => None,
        "reject" => Some(form.get("reason")),
        _ => return Err(PageError::NotFound),
    };
    if !form.checked("confirm") {
        let error = Some((id, member.t.must_confirm.to_owned()));
        return queue_page(&req, &member, &market, error).await;
    }
    match review::decide_application(&market, &member.caller, &id, rejection).await {
        Ok(_) => Ok(done("/market/operator/review", "changed")),
        Err(err) => {
            let error = Some((id, refusal(err, member.t)?));
            queue_page(&req, &member, &market, error).await
        }
    }
}

async fn appeals(
    req: HttpRequest,
    member: Member,
    market: web::Data<Marketplace>,
) -> Result<HttpResponse, PageError> {
    operator(&member)?;
    let what = ("appeals", member.t.appeals, "/market/operator/appeals");
    unsubscribe_list(
        &req,
        &member,
        &market,
        RequestOwner::Everyone,
        what,
        &[State::Appealed],
    )
    .await
}

async fn appeal(
    member: Member,
    path: web::Path<UnsubscribeRequestId>,
    market: web::Data<Marketplace>,
) -> Result<HttpResponse, PageError> {
    let r = visible(&market, &member.caller, Side::Operator, &path.into_inner()).await?;
    Ok(ok(unsubscribe_page(
        &member,
        &market,
        r,
        Side::Operator,
        None,
    )
    .await?
    .render()))
}
