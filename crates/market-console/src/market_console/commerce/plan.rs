//! The operators' side of exclusive discounts: the customer service provider plan's
//! partners with their authorized discounts, and the manual review of deeper discounts.

use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;

use super::texts::CommerceTexts;
use crate::console::form::Form;
use crate::market_console::session::Member;
use crate::market_console::texts::MarketTexts;
use crate::market_console::{again, done, ok, refusal, Chrome, PageError, Pager, PAGE_SIZE};
use crate::marketplace::discounts::machine::Action;
use crate::marketplace::discounts::service::{self, Authorization, RawPartner};
use crate::marketplace::discounts::store::{DiscountRecord, DiscountScope, PartnerRecord};
use crate::marketplace::{Marketplace, Role};

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/operator/partners", web::get().to(partners))
        .route("/operator/partners", web::post().to(register))
        .route("/operator/partners/{tenant}/remove", web::post().to(remove))
        .route("/operator/discounts", web::get().to(queue))
        .route("/operator/discounts/{id}/approve", web::post().to(approve))
        .route("/operator/discounts/{id}/reject", web::post().to(reject));
}

fn operator(member: &Member) -> Result<(), PageError> {
    if member.has(Role::Operator) {
        Ok(())
    } else {
        Err(PageError::Forbidden)
    }
}

#[derive(Default)]
struct PartnerInput {
    tenant_id: String,
    name: String,
    distributor: String,
    authorizations: String,
}

#[derive(Template)]
#[template(path = "market/operator_partners.html")]
struct PartnersPage<'a> {
    t: &'static MarketTexts,
    ct: &'static CommerceTexts,
    c: Chrome,
    m: &'a Member,
    partners: Vec<PartnerRecord>,
    input: PartnerInput,
    error: Option<String>,
    pager: Pager,
}

async fn partners_page<'a>(
    req: &HttpRequest,
    member: &'a Member,
    market: &Marketplace,
    input: PartnerInput,
    error: Option<String>,
) -> Result<PartnersPage<'a>, PageError> {
    operator(member)?;
    let offset = crate::market_console::offset_of(req);
    let (partners, total) = market.store.partners(offset, PAGE_SIZE).await?;
    Ok(PartnersPage {
        t: member.t,
        ct: super::texts::texts(member.lang),
        c: member.chrome("partners"),
        m: member,
        partners,
        input,
        error,
        pager: Pager::new("/market/operator/partners", total, offset),
    })
}

async fn partners(
    req: HttpRequest,
    member: Member,
    market: web::Data<Marketplace>,
) -> Result<HttpResponse, PageError> {
    let page = partners_page(&req, &member, &market, PartnerInput::default(), None).await?;
    Ok(ok(page.render()))
}

/// "productId basisPoints" lines, as the API's authorizations.
fn authorizations(text: &str) -> Result<Vec<Authorization>, String> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(|line| {
            let mut parts = line.split_whitespace();
            match (
                parts.next(),
                parts.next().map(str::parse::<i64>),
                parts.next(),
            ) {
                (Some(product), Some(Ok(bp)), None) => Ok(Authorization {
                    product_id: product.to_owned(),
                    paid_basis_points: bp,
                }),
                _ => Err(format!("{line:?}: a product ID, a space, basis points")),
            }
        })
        .collect()
}

async fn register(
    req: HttpRequest,
    member: Member,
    form: Form,
    market: web::Data<Marketplace>,
) -> Result<HttpResponse, PageError> {
    member.check(&form)?;
    operator(&member)?;
    let outcome = match authorizations(form.get("authorizations")) {
        Err(message) => Err(message),
        Ok(authorizations) => {
            let raw = RawPartner {
                name: form.get("name").to_owned(),
                authorizations,
                distributor_tenant_id: Some(form.get("distributor").trim().to_owned())
                    .filter(|d| !d.is_empty()),
            };
            let tenant = form.get("tenant_id").trim();
            match service::put_partner(&market, &member.caller, tenant, raw).await {
                Ok(_) => Ok(()),
                Err(err) => Err(refusal(err, member.t)?),
            }
        }
    };
    match outcome {
        Ok(()) => Ok(done("/market/operator/partners", "saved")),
        Err(message) => {
            let input = PartnerInput {
                tenant_id: form.get("tenant_id").into(),
                name: form.get("name").into(),
                distributor: form.get("distributor").into(),
                authorizations: form.get("authorizations").into(),
            };
            let page = partners_page(&req, &member, &market, input, Some(message)).await?;
            Ok(again(page.render()))
        }
    }
}

async fn remove(
    member: Member,
    path: web::Path<String>,
    form: Form,
    market: web::Data<Marketplace>,
) -> Result<HttpResponse, PageError> {
    member.check(&form)?;
    operator(&member)?;
    if !form.checked("confirm") {
        return Err(PageError::Refused(member.t.must_confirm.to_owned()));
    }
    let now = market.clock.now_unix();
    if !market.store.remove_partner(&path.into_inner(), now).await? {
        return Err(PageError::NotFound);
    }
    Ok(done("/market/operator/partners", "changed"))
}

#[derive(Template)]
#[template(path = "market/operator_discounts.html")]
struct QueuePage<'a> {
    t: &'static MarketTexts,
    ct: &'static CommerceTexts,
    c: Chrome,
    m: &'a Member,
    discounts: Vec<DiscountRecord>,
    pager: Pager,
}

async fn queue(
    req: HttpRequest,
    member: Member,
    market: web::Data<Marketplace>,
) -> Result<HttpResponse, PageError> {
    operator(&member)?;
    let offset = crate::market_console::offset_of(&req);
    let scope = DiscountScope::PendingReview(market.clock.now_unix());
    let (discounts, total) = market.store.discounts(scope, offset, PAGE_SIZE).await?;
    let page = QueuePage {
        t: member.t,
        ct: super::texts::texts(member.lang),
        c: member.chrome("discount-review"),
        m: &member,
        discounts,
        pager: Pager::new("/market/operator/discounts", total, offset),
    };
    Ok(ok(page.render()))
}

async fn decide(
    member: Member,
    id: String,
    form: Form,
    market: web::Data<Marketplace>,
    action: Action,
) -> Result<HttpResponse, PageError> {
    member.check(&form)?;
    operator(&member)?;
    let comment = form.get("comment").trim();
    match service::step(&market, &member.caller, &id, action, comment).await {
        Ok(_) => Ok(done("/market/operator/discounts", "changed")),
        Err(err) => Err(err.into()),
    }
}

async fn approve(
    member: Member,
    path: web::Path<String>,
    form: Form,
    market: web::Data<Marketplace>,
) -> Result<HttpResponse, PageError> {
    decide(member, path.into_inner(), form, market, Action::Approve).await
}

async fn reject(
    member: Member,
    path: web::Path<String>,
    form: Form,
    market: web::Data<Marketplace>,
) -> Result<HttpResponse, PageError> {
    decide(member, path.into_inner(), form, market, Action::Reject).await
}
