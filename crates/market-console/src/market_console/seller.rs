//! The seller centre: my applications (filters, operation log, withdraw, resubmit the
//! latest rejected), publishing with a spec editor checked exactly as the API checks it,
//! the orders of my products (shipping hardware), and buyers' unsubscribe requests.

use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;

use super::orders::{order_list, order_page};
use super::session::Member;
use super::texts::MarketTexts;
use super::unsubscribes::{unsubscribe_list, unsubscribe_page};
use super::{again, done, ok, refusal, with_query, Chrome, PageError, Pager, PAGE_SIZE};
use crate::console::form::Form;
use crate::marketplace::ids::UnsubscribeRequestId;
use crate::marketplace::orders::fulfilment;
use crate::marketplace::orders::store::OrderOwner;
use crate::marketplace::selling::api as review;
use crate::marketplace::selling::catalogue::ProductView;
use crate::marketplace::selling::product::ProductContent;
use crate::marketplace::selling::products::ListingStatus;
use crate::marketplace::selling::queries::ApplicationFilter;
use crate::marketplace::selling::store::{ApplicationRecord, LogEntry, KINDS, STATUSES};
use crate::marketplace::unsubscribe::api::{visible, Side};
use crate::marketplace::unsubscribe::store::RequestOwner;
use crate::marketplace::Marketplace;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/seller/products", web::get().to(products))
        .route("/seller/applications", web::get().to(applications))
        .route("/seller/applications/{id}", web::get().to(application))
        .route(
            "/seller/applications/{id}/withdraw",
            web::post().to(withdraw),
        )
        .route("/seller/products/{id}/delist", web::post().to(delist))
        .route("/seller/orders", web::get().to(orders))
        .route("/seller/orders.csv", web::get().to(orders_csv))
        .route("/seller/subscriptions", web::get().to(subscriptions))
        .route("/seller/orders/{id}", web::get().to(order))
        .route("/seller/orders/{id}/ship", web::post().to(ship))
        .route("/seller/unsubscribes", web::get().to(unsubscribes))
        .route("/seller/unsubscribes/{id}", web::get().to(unsubscribe))
        .route(
            "/seller/unsubscribes/{id}/{step}",
            web::post().to(super::unsubscribes::seller_decides),
        );
}

#[derive(Template)]
#[template(path = "market/my_products.html")]
struct ProductsPage<'a> {
    t: &'static MarketTexts,
    c: Chrome,
    m: &'a Member,
    products: Vec<(ProductView, ListingStatus)>,
    /// A refusal of taking a product off sale, shown in its row.
    error: Option<(String, String)>,
}

async fn products_page(
    member: &Member,
    market: &Marketplace,
    error: Option<(String, String)>,
) -> Result<HttpResponse, PageError> {
    let products =
        crate::marketplace::selling::catalogue::seller_products(market, &member.caller).await?;
    let refused = error.is_some();
    let page = ProductsPage {
        t: member.t,
        c: member.chrome("products"),
        m: member,
        products,
        error,
    };
    Ok(super::answer(refused, page.render()))
}

async fn products(
    member: Member,
    market: web::Data<Marketplace>,
) -> Result<HttpResponse, PageError> {
    products_page(&member, &market, None).await
}

/// The seller's own product `id` is off sale already.
async fn already_off_sale(
    member: &Member,
    market: &Marketplace,
    id: &str,
) -> Result<bool, PageError> {
    let products =
        crate::marketplace::selling::catalogue::seller_products(market, &member.caller).await?;
    Ok(products
        .iter()
        .any(|(p, status)| p.id == id && *status == ListingStatus::Delisted))
}

/// Takes a product off sale (下架), once the seller ticked that buyers can no longer
/// order it.
async fn delist(
    member: Member,
    path: web::Path<String>,
    form: Form,
    market: web::Data<Marketplace>,
) -> Result<HttpResponse, PageError> {
    member.check(&form)?;
    let id = path.into_inner();
    let refusal_of = |message: String| Some((id.clone(), message));
    if !form.checked("confirm") {
        let error = refusal_of(member.t.must_confirm.to_owned());
        return products_page(&member, &market, error).await;
    }
    match crate::marketplace::selling::listing::take_off_sale(&market, &member.caller, &id).await {
        Ok(()) => Ok(done("/market/seller/products", "delisted")),
        // Submitted twice (a reload, a double click): the first took it off sale.
        Err(crate::marketplace::MarketError::NotFound(_))
            if already_off_sale(&member, &market, &id).await? =>
        {
            Ok(done("/market/seller/products", "delisted"))
        }
        Err(err) => {
            let error = refusal_of(refusal(err, member.t)?);
            products_page(&member, &market, error).await
        }
    }
}

#[derive(Template)]
#[template(path = "market/applications.html")]
struct ApplicationsPage {
    t: &'static MarketTexts,
    c: Chrome,
    applications: Vec<(ApplicationRecord, String)>,
    status: String,
    kind: String,
    product: String,
    from: String,
    to: String,
    statuses: &'static [&'static str],
    kinds: &'static [&'static str],
    pager: Pager,
}

/// A date (yyyy-mm-dd, in the configured zone) as unix seconds at its start, or its last
/// second with `end`.
fn day(raw: &str, end: bool) -> Option<i64> {
    let calendar = crate::calendar::local();
    if end {
        calendar.parse_day_last(raw)
    } else {
        calendar.parse_day(raw)
    }
}

fn product_name(content: &str) -> String {
    serde_json::from_str::<ProductContent>(content)
        .map(|c| c.name)
        .unwrap_or_default()
}

async fn applications(
    req: HttpRequest,
    member: Member,
    market: web::Data<Marketplace>,
) -> Result<HttpResponse, PageError> {
    let tenant_id = member.seller_tenant()?;
    let q = |name| crate::console::query(&req, name);
    let (status, kind, product, from, to) =
        (q("status"), q("type"), q("product"), q("from"), q("to"));
    let offset = super::offset_of(&req);
    let filter = ApplicationFilter {
        tenant_id: Some(tenant_id),
        status: STATUSES.contains(&status.as_str()).then(|| status.clone()),
        kind: KINDS.contains(&kind.as_str()).then(|| kind.clone()),
        product_id: (!product.is_empty()).then(|| product.clone()),
        from: day(&from, false),
        to: day(&to, true),
        offset,
        limit: PAGE_SIZE,
    };
    let (records, total) = market.store.list_applications(&filter).await?;
    let base = with_query(
        "/market/seller/applications",
        &[
            ("status", &status),
            ("type", &kind),
            ("product", &product),
            ("from", &from),
            ("to", &to),
        ],
    );
    let page = ApplicationsPage {
        t: member.t,
        c: member.chrome("applications"),
        applications: records
            .into_iter()
            .map(|r| {
                let name = product_name(&r.content);
                (r, name)
            })
            .collect(),
        status,
        kind,
        product,
        from,
        to,
        statuses: &STATUSES,
        kinds: &KINDS,
        pager: Pager::new(&base, total, offset),
    };
    Ok(ok(page.render()))
}

#[derive(Template)]
#[template(path = "market/application.html")]
struct ApplicationPage<'a> {
    t: &'static MarketTexts,
    c: Chrome,
    m: &'a Member,
    a: ApplicationRecord,
    content: Option<ProductContent>,
    log: Vec<LogEntry>,
    error: Option<String>,
}

pub async fn mine(
    member: &Member,
    market: &Marketplace,
    id: &str,
) -> Result<ApplicationRecord, PageError> {
    let tenant_id = member.seller_tenant()?;
    market
        .store
        .application(id)
        .await?
        .filter(|a| a.tenant_id == tenant_id)
        .ok_or(PageError::NotFound)
}

async fn application_page(
    member: &Member,
    market: &Marketplace,
    a: ApplicationRecord,
    error: Option<String>,
) -> Result<HttpResponse, PageError> {
    let log = market.store.application_log(&a.id).await?;
    let failed = error.is_some();
    let page = ApplicationPage {
        t: member.t,
        c: member.chrome("applications"),
        m: member,
        content: serde_json::from_str(&a.content).ok(),
        a,
        log,
        error,
    };
    Ok(super::answer(failed, page.render()))
}

async fn application(
    member: Member,
    path: web::Path<String>,
    market: web::Data<Marketplace>,
) -> Result<HttpResponse, PageError> {
    let a = mine(&member, &market, &path.into_inner()).await?;
    application_page(&member, &market, a, None).await
}

async fn withdraw(
    member: Member,
    path: web::Path<String>,
    form: Form,
    market: web::Data<Marketplace>,
) -> Result<HttpResponse, PageError> {
    member.check(&form)?;
    let id = path.into_inner();
    let a = mine(&member, &market, &id).await?;
    if !form.checked("confirm") {
        return application_page(&member, &market, a, Some(member.t.must_confirm.into())).await;
    }
    match review::withdraw_application(&market, &member.caller, &id).await {
        Ok(_) => Ok(done(
            &format!("/market/seller/applications/{id}"),
            "changed",
        )),
        Err(err) => application_page(&member, &market, a, Some(refusal(err, member.t)?)).await,
    }
}

async fn orders(
    req: HttpRequest,
    member: Member,
    market: web::Data<Marketplace>,
) -> Result<HttpResponse, PageError> {
    let tenant_id = member.seller_tenant()?;
    let what = ("sold", member.t.sold_orders, "/market/seller/orders");
    order_list(&req, &member, &market, OrderOwner::Seller(&tenant_id), what).await
}

async fn orders_csv(
    req: HttpRequest,
    member: Member,
    market: web::Data<Marketplace>,
) -> Result<HttpResponse, PageError> {
    let tenant_id = member.seller_tenant()?;
    let owner = OrderOwner::Seller(&tenant_id);
    super::orders::order_export(&req, &member, &market, owner, "sold-orders.csv").await
}

async fn subscriptions(
    req: HttpRequest,
    member: Member,
    market: web::Data<Marketplace>,
) -> Result<HttpResponse, PageError> {
    let tenant_id = member.seller_tenant()?;
    let owner = crate::marketplace::subscriptions::store::SubscriptionOwner::Seller(&tenant_id);
    let what = (
        "sold-subscriptions",
        member.t.sold_subscriptions,
        "/market/seller/subscriptions",
    );
    super::orders::subscription_list(&req, &member, &market, owner, what).await
}

async fn sold_order(
    member: &Member,
    market: &Marketplace,
    id: &str,
) -> Result<crate::marketplace::orders::store::OrderRecord, PageError> {
    let tenant_id = member.seller_tenant()?;
    market
        .store
        .order(id)
        .await?
        .filter(|o| o.seller_tenant_id == tenant_id)
        .ok_or(PageError::NotFound)
}

async fn order(
    member: Member,
    path: web::Path<String>,
    market: web::Data<Marketplace>,
) -> Result<HttpResponse, PageError> {
    let o = sold_order(&member, &market, &path.into_inner()).await?;
    Ok(ok(order_page(&member, &market, o, true, None)
        .await?
        .render()))
}

async fn ship(
    member: Member,
    path: web::Path<String>,
    form: Form,
    market: web::Data<Marketplace>,
) -> Result<HttpResponse, PageError> {
    member.check(&form)?;
    let id = path.into_inner();
    let shipped = fulfilment::ship_order(
        &market,
        &member.caller,
        &id,
        form.get("carrier"),
        form.get("tracking_number"),
    )
    .await;
    match shipped {
        Ok(_) => Ok(done(&format!("/market/seller/orders/{id}"), "changed")),
        Err(err) => {
            let message = refusal(err, member.t)?;
            let o = sold_order(&member, &market, &id).await?;
            Ok(again(
                order_page(&member, &market, o, true, Some(message))
                    .await?
                    .render(),
            ))
        }
    }
}

async fn unsubscribes(
    req: HttpRequest,
    member: Member,
    market: web::Data<Marketplace>,
) -> Result<HttpResponse, PageError> {
    let tenant_id = member.seller_tenant()?;
    let what = (
        "seller-unsubscribes",
        member.t.seller_unsubscribes,
        "/market/seller/unsubscribes",
    );
    unsubscribe_list(
        &req,
        &member,
        &market,
        RequestOwner::Seller(&tenant_id),
        what,
        &[],
    )
    .await
}

async fn unsubscribe(
    member: Member,
    path: web::Path<UnsubscribeRequestId>,
    market: web::Data<Marketplace>,
) -> Result<HttpResponse, PageError> {
    let r = visible(&market, &member.caller, Side::Seller, &path.into_inner()).await?;
    Ok(ok(unsubscribe_page(
        &member,
        &market,
        r,
        Side::Seller,
        None,
    )
    .await?
    .render()))
}
