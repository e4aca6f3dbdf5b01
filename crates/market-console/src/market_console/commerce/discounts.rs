//! A partner's exclusive discounts: the effective ones on two tabs, every application,
//! the application form, and one discount with its private link and QR code.

use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;

use super::rate;
use super::texts::CommerceTexts;
use crate::console::form::Form;
use crate::market_console::session::Member;
use crate::market_console::texts::MarketTexts;
use crate::market_console::{
    again, done, ok, refusal, Chrome, MarketConsole, PageError, Pager, PAGE_SIZE,
};
use crate::marketplace::discounts::machine::{Action, State};
use crate::marketplace::discounts::service::{self, RawDiscount};
use crate::marketplace::discounts::store::{DiscountRecord, DiscountScope, PartnerRecord};
use crate::marketplace::orders::pricing::{price, Basis, DiscountRate};
use crate::marketplace::Marketplace;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/partner/discounts", web::get().to(list))
        .route("/partner/discounts", web::post().to(apply))
        .route("/partner/discounts/{id}", web::get().to(show))
        .route("/partner/discounts/{id}/qr.svg", web::get().to(qr_code))
        .route("/partner/discounts/{id}/withdraw", web::post().to(withdraw));
}

/// A unit price at a discount, as the pipeline computes it, for people.
pub fn discounted(list: &i64, paid_bp: &i64) -> String {
    let basis = Basis::Full {
        unit_price: *list,
        quantity: 1,
        periods: 1,
    };
    let amount =
        price(basis, Some(DiscountRate { paid_bp: *paid_bp }), None).map_or(*list, |b| b.amount);
    crate::market_console::money(&amount)
}

#[derive(Default)]
struct DiscountInput {
    /// The customer's username.
    customer: String,
    product_id: String,
    quote_type: String,
    sku_code: String,
    /// The rate in 折 ("8.5").
    rate: String,
    valid_days: String,
}

/// A product the plan authorizes the partner to discount, by name.
struct Authorized {
    id: String,
    name: String,
    /// The deepest rate authorized, in words.
    deepest: String,
}

/// A discount as its list shows it: the customer by username, the rate in words.
struct DiscountRow {
    d: DiscountRecord,
    customer: String,
    rate: String,
}

#[derive(Template)]
#[template(path = "market/partner_discounts.html")]
struct ListPage<'a> {
    t: &'static MarketTexts,
    ct: &'static CommerceTexts,
    c: Chrome,
    m: &'a Member,
    tab: String,
    now: i64,
    partner: PartnerRecord,
    authorized: Vec<Authorized>,
    discounts: Vec<DiscountRow>,
    input: DiscountInput,
    error: Option<String>,
    pager: Pager,
}

/// The product's name as on sale (or as last sold).
async fn product_name(market: &Marketplace, id: &str) -> Result<String, PageError> {
    let record = market.store.product_any_status(id).await?;
    Ok(record
        .and_then(|r| {
            serde_json::from_str::<crate::marketplace::selling::product::ProductContent>(&r.content)
                .ok()
        })
        .map_or_else(|| id.to_owned(), |c| c.name))
}

async fn list_page<'a>(
    req: &HttpRequest,
    member: &'a Member,
    market: &Marketplace,
    console: &MarketConsole,
    input: DiscountInput,
    error: Option<String>,
) -> Result<ListPage<'a>, PageError> {
    let partner = service::member(market, &member.caller).await?;
    let tab = match crate::console::query(req, "tab").as_str() {
        "configuration" => "configuration",
        "applications" => "applications",
        _ => "product",
    };
    let now = market.clock.now_unix();
    let offset = crate::market_console::offset_of(req);
    let scope = match tab {
        "applications" => DiscountScope::Partner(&partner.tenant_id, None),
        quote => DiscountScope::Effective(&partner.tenant_id, quote, now),
    };
    let (discounts, total) = market.store.discounts(scope, offset, PAGE_SIZE).await?;
    let mut authorized = Vec::with_capacity(partner.authorizations.len());
    for (id, bp) in &partner.authorizations {
        authorized.push(Authorized {
            name: product_name(market, id).await?,
            id: id.clone(),
            deepest: rate::words(*bp, member.lang),
        });
    }
    let mut rows = Vec::with_capacity(discounts.len());
    for d in discounts {
        let customer = match console.admins.user(&d.customer_user_id).await {
            Ok(user) => user.username,
            Err(_) => d.customer_user_id.clone(),
        };
        rows.push(DiscountRow {
            rate: rate::words(d.paid_bp, member.lang),
            customer,
            d,
        });
    }
    Ok(ListPage {
        t: member.t,
        ct: super::texts::texts(member.lang),
        c: member.chrome("partner-discounts"),
        m: member,
        tab: tab.to_owned(),
        now,
        authorized,
        discounts: rows,
        input,
        error,
        pager: Pager::new(
            &format!("/market/partner/discounts?tab={tab}"),
            total,
            offset,
        ),
        partner,
    })
}

async fn list(
    req: HttpRequest,
    member: Member,
    market: web::Data<Marketplace>,
    console: web::Data<MarketConsole>,
) -> Result<HttpResponse, PageError> {
    let input = DiscountInput {
        quote_type: "product".into(),
        valid_days: service::DEFAULT_VALID_DAYS.to_string(),
        ..DiscountInput::default()
    };
    Ok(ok(list_page(&req, &member, &market, &console, input, None)
        .await?
        .render()))
}

async fn apply(
    req: HttpRequest,
    member: Member,
    form: Form,
    market: web::Data<Marketplace>,
    console: web::Data<MarketConsole>,
) -> Result<HttpResponse, PageError> {
    member.check(&form)?;
    let ct = super::texts::texts(member.lang);
    let username = form.get("customer").trim();
    let customer = if username.is_empty() {
        None
    } else {
        console.admins.user_by_username(username).await.ok()
    };
    let days = form.get("valid_days").trim();
    let outcome = match (rate::parse(form.get("rate")), customer) {
        (None, _) => Err(ct.bad_rate.to_owned()),
        (_, None) => Err(ct.no_such_customer.to_owned()),
        (Some(paid), Some(customer)) => {
            let raw = RawDiscount {
                customer_id: customer.id,
                product_id: form.get("product_id").trim().to_owned(),
                quote_type: form.get("quote_type").to_owned(),
                sku_code: Some(form.get("sku_code").trim().to_owned()).filter(|s| !s.is_empty()),
                paid_basis_points: paid,
                valid_days: if days.is_empty() {
                    None
                } else {
                    Some(days.parse().unwrap_or(0))
                },
            };
            match service::apply(&market, &member.caller, raw).await {
                Ok(discount) => Ok(discount.id),
                Err(err) => Err(refusal(err, member.t)?),
            }
        }
    };
    match outcome {
        Ok(id) => Ok(done(&format!("/market/partner/discounts/{id}"), "saved")),
        Err(message) => {
            let input = DiscountInput {
                customer: form.get("customer").into(),
                product_id: form.get("product_id").into(),
                quote_type: form.get("quote_type").into(),
                sku_code: form.get("sku_code").into(),
                rate: form.get("rate").into(),
                valid_days: form.get("valid_days").into(),
            };
            let page = list_page(&req, &member, &market, &console, input, Some(message)).await?;
            Ok(again(page.render()))
        }
    }
}

async fn own(member: &Member, market: &Marketplace, id: &str) -> Result<DiscountRecord, PageError> {
    let partner = service::member(market, &member.caller).await?;
    market
        .store
        .discount(id)
        .await?
        .filter(|d| d.partner_tenant_id == partner.tenant_id)
        .ok_or(PageError::NotFound)
}

#[derive(Template)]
#[template(path = "market/partner_discount.html")]
struct ShowPage<'a> {
    t: &'static MarketTexts,
    ct: &'static CommerceTexts,
    c: Chrome,
    m: &'a Member,
    d: DiscountRecord,
    state: &'static str,
    link: Option<String>,
}

async fn show(
    member: Member,
    path: web::Path<String>,
    market: web::Data<Marketplace>,
) -> Result<HttpResponse, PageError> {
    let d = own(&member, &market, &path.into_inner()).await?;
    let state = d.discount().state_at(market.clock.now_unix());
    let link = (state == State::Effective).then(|| service::link(&market, &d));
    let page = ShowPage {
        t: member.t,
        ct: super::texts::texts(member.lang),
        c: member.chrome("partner-discounts"),
        m: &member,
        state: state.as_str(),
        link,
        d,
    };
    Ok(ok(page.render()))
}

async fn qr_code(
    member: Member,
    path: web::Path<String>,
    market: web::Data<Marketplace>,
) -> Result<HttpResponse, PageError> {
    let d = own(&member, &market, &path.into_inner()).await?;
    if d.discount().state_at(market.clock.now_unix()) != State::Effective {
        return Err(PageError::NotFound);
    }
    let svg = service::qr_svg(&service::link(&market, &d))?;
    Ok(HttpResponse::Ok()
        .content_type("image/svg+xml")
        .insert_header(("Cache-Control", "private, no-store"))
        .body(svg))
}

async fn withdraw(
    member: Member,
    path: web::Path<String>,
    form: Form,
    market: web::Data<Marketplace>,
) -> Result<HttpResponse, PageError> {
    member.check(&form)?;
    if !form.checked("confirm") {
        return Err(PageError::Refused(member.t.must_confirm.to_owned()));
    }
    let id = path.into_inner();
    match service::step(&market, &member.caller, &id, Action::Withdraw, "").await {
        Ok(_) => Ok(done(&format!("/market/partner/discounts/{id}"), "changed")),
        Err(err) => Err(err.into()),
    }
}
