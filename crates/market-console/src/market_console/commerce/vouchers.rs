//! Vouchers in the console: a buyer claims one on the product page and keeps them on
//! three tabs; a seller publishes and stops them.

use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use serde_json::json;

use super::texts::CommerceTexts;
use crate::console::form::Form;
use crate::market_console::session::Member;
use crate::market_console::texts::MarketTexts;
use crate::market_console::{again, done, ok, refusal, Chrome, PageError, Pager, PAGE_SIZE};
use crate::marketplace::vouchers::claim_store::{ClaimRecord, Tab};
use crate::marketplace::vouchers::service;
use crate::marketplace::vouchers::store::VoucherRecord;
use crate::marketplace::{Marketplace, Role};

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route(
        "/products/{id}/vouchers/{voucher}/claim",
        web::post().to(claim),
    )
    .route("/vouchers", web::get().to(mine))
    .route("/seller/vouchers", web::get().to(seller_vouchers))
    .route("/seller/vouchers", web::post().to(publish))
    .route("/seller/vouchers/{id}/withdraw", web::post().to(withdraw));
}

async fn claim(
    member: Member,
    path: web::Path<(String, String)>,
    form: Form,
    market: web::Data<Marketplace>,
) -> Result<HttpResponse, PageError> {
    member.check(&form)?;
    let (product, voucher) = path.into_inner();
    match service::claim(&market, &member.caller, &voucher).await {
        Ok(_) => Ok(done(&format!("/market/products/{product}"), "claimed")),
        Err(err) => Err(err.into()),
    }
}

#[derive(Template)]
#[template(path = "market/vouchers.html")]
struct MinePage<'a> {
    t: &'static MarketTexts,
    ct: &'static CommerceTexts,
    c: Chrome,
    m: &'a Member,
    tab: &'static str,
    now: i64,
    coupons: Vec<ClaimRecord>,
    pager: Pager,
}

async fn mine(
    req: HttpRequest,
    member: Member,
    market: web::Data<Marketplace>,
) -> Result<HttpResponse, PageError> {
    let buyer = member.caller.buyer()?.to_owned();
    let tab = Tab::parse(&crate::console::query(&req, "tab")).unwrap_or(Tab::Available);
    let offset = crate::market_console::offset_of(&req);
    let now = market.clock.now_unix();
    let (coupons, total) = market
        .store
        .claims_of(&buyer, tab, now, offset, PAGE_SIZE)
        .await?;
    let page = MinePage {
        t: member.t,
        ct: super::texts::texts(member.lang),
        c: member.chrome("vouchers"),
        m: &member,
        tab: tab.as_str(),
        now,
        coupons,
        pager: Pager::new(
            &format!("/market/vouchers?tab={}", tab.as_str()),
            total,
            offset,
        ),
    };
    Ok(ok(page.render()))
}

/// What the publish form had in it.
#[derive(Default)]
struct VoucherInput {
    name: String,
    face_value: String,
    minimum_spend: String,
    valid_from: String,
    valid_until: String,
    scope: String,
    items: String,
    total_quantity: String,
    per_buyer_limit: String,
    combinable: bool,
}

#[derive(Template)]
#[template(path = "market/seller_vouchers.html")]
struct SellerPage<'a> {
    t: &'static MarketTexts,
    ct: &'static CommerceTexts,
    c: Chrome,
    m: &'a Member,
    vouchers: Vec<VoucherRecord>,
    input: VoucherInput,
    error: Option<String>,
    pager: Pager,
}

async fn seller_page<'a>(
    req: &HttpRequest,
    member: &'a Member,
    market: &Marketplace,
    input: VoucherInput,
    error: Option<String>,
) -> Result<SellerPage<'a>, PageError> {
    let tenant = member.seller_tenant()?;
    let offset = crate::market_console::offset_of(req);
    let (vouchers, total) = market
        .store
        .vouchers_of_seller(&tenant, offset, PAGE_SIZE)
        .await?;
    Ok(SellerPage {
        t: member.t,
        ct: super::texts::texts(member.lang),
        c: member.chrome("seller-vouchers"),
        m: member,
        vouchers,
        input,
        error,
        pager: Pager::new("/market/seller/vouchers", total, offset),
    })
}

async fn seller_vouchers(
    req: HttpRequest,
    member: Member,
    market: web::Data<Marketplace>,
) -> Result<HttpResponse, PageError> {
    if !member.has(Role::Seller) {
        return Err(PageError::Forbidden);
    }
    let today = crate::marketplace::vouchers::api::day(market.clock.now_unix());
    let input = VoucherInput {
        valid_from: today.clone(),
        valid_until: today,
        scope: "all".into(),
        total_quantity: "100".into(),
        per_buyer_limit: "1".into(),
        minimum_spend: "0.00".into(),
        combinable: true,
        ..VoucherInput::default()
    };
    let page = seller_page(&req, &member, &market, input, None).await?;
    Ok(ok(page.render()))
}

/// The publish form as the API's body: the same checks then apply.
fn voucher_body(ct: &CommerceTexts, form: &Form) -> Result<Vec<u8>, String> {
    let number = |name: &str, label: &str| -> Result<i64, String> {
        form.get(name)
            .trim()
            .parse::<i64>()
            .map_err(|_| super::texts::fill(ct.not_whole_number, label))
    };
    let yuan = |name: &str, label: &str| -> Result<i64, String> {
        crate::market_console::yuan::parse(form.get(name))
            .ok_or_else(|| super::texts::fill(ct.not_yuan, label))
    };
    let items: Vec<serde_json::Value> = form
        .get("items")
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(|line| match line.split_once('/') {
            Some((product, sku)) => json!({"productId": product.trim(), "skuCode": sku.trim()}),
            None => json!({"productId": line}),
        })
        .collect();
    let body = json!({
        "name": form.get("name"),
        "faceValue": yuan("face_value", ct.face_value_yuan)?,
        "minimumSpend": yuan("minimum_spend", ct.minimum_spend_yuan)?,
        "validFrom": form.get("valid_from"),
        "validUntil": form.get("valid_until"),
        "scope": form.get("scope"),
        "items": items,
        "totalQuantity": number("total_quantity", ct.total_quantity)?,
        "perBuyerLimit": number("per_buyer_limit", ct.per_buyer_limit)?,
        "combinable": form.checked("combinable"),
    });
    Ok(body.to_string().into_bytes())
}

async fn publish(
    req: HttpRequest,
    member: Member,
    form: Form,
    market: web::Data<Marketplace>,
) -> Result<HttpResponse, PageError> {
    member.check(&form)?;
    let outcome = match voucher_body(super::texts::texts(member.lang), &form) {
        Err(message) => Err(message),
        Ok(body) => match service::publish(&market, &member.caller, &body).await {
            Ok(_) => Ok(()),
            Err(err) => Err(refusal(err, member.t)?),
        },
    };
    match outcome {
        Ok(()) => Ok(done("/market/seller/vouchers", "saved")),
        Err(message) => {
            let input = VoucherInput {
                name: form.get("name").into(),
                face_value: form.get("face_value").into(),
                minimum_spend: form.get("minimum_spend").into(),
                valid_from: form.get("valid_from").into(),
                valid_until: form.get("valid_until").into(),
                scope: form.get("scope").into(),
                items: form.get("items").into(),
                total_quantity: form.get("total_quantity").into(),
                per_buyer_limit: form.get("per_buyer_limit").into(),
                combinable: form.checked("combinable"),
            };
            let page = seller_page(&req, &member, &market, input, Some(message)).await?;
            Ok(again(page.render()))
        }
    }
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
    match service::withdraw(&market, &member.caller, &path.into_inner()).await {
        Ok(_) => Ok(done("/market/seller/vouchers", "changed")),
        Err(err) => Err(err.into()),
    }
}
