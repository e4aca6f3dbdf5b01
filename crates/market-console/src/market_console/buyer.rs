//! The buyer centre's shop window: the catalogue with search and filters, and a
//! product's specs with the order form.

use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use serde_json::json;

use super::commerce::{self, texts::CommerceTexts};
use super::session::Member;
use super::texts::{MarketTexts, ACCESS_TYPES};
use super::{done, ok, refusal, with_query, Chrome, PageError, Pager, PAGE_SIZE};
use crate::console::form::Form;
use crate::marketplace::discounts::{self, store::DiscountRecord};
use crate::marketplace::orders::api as orders;
use crate::marketplace::orders::quotes::{self, QuoteView};
use crate::marketplace::selling::catalogue::{self, ProductView, Search};
use crate::marketplace::selling::product::AccessType;
use crate::marketplace::vouchers::{self, claim_store::Tab, service::OnOffer};
use crate::marketplace::{Marketplace, Role};

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/products/{id}", web::get().to(product))
        .route("/products/{id}/order", web::post().to(place))
        .route("/discounts/{token}", web::get().to(discount_link));
}

fn buyer(member: &Member) -> Result<(), PageError> {
    if member.has(Role::Buyer) {
        Ok(())
    } else {
        Err(PageError::Forbidden)
    }
}

#[derive(Template)]
#[template(path = "market/catalogue.html")]
struct CataloguePage<'a> {
    t: &'static MarketTexts,
    c: Chrome,
    m: &'a Member,
    products: Vec<ProductView>,
    q: String,
    access_type: String,
    category: String,
    categories: Vec<String>,
    access_types: &'static [&'static str],
    pager: Pager,
}

pub async fn catalogue(
    req: HttpRequest,
    member: Member,
    market: web::Data<Marketplace>,
) -> Result<HttpResponse, PageError> {
    buyer(&member)?;
    let q = crate::console::query(&req, "q");
    let access_type = crate::console::query(&req, "type");
    let category = crate::console::query(&req, "category");
    let pairs = [
        ("q".to_owned(), q.clone()),
        ("accessType".to_owned(), access_type.clone()),
        ("category".to_owned(), category.clone()),
    ];
    let search = Search::from_pairs(&pairs).unwrap_or_default();
    let offset = super::offset_of(&req);
    let (products, total, categories) =
        catalogue::search(&market, &search, offset, PAGE_SIZE).await?;
    let base = with_query(
        "/market/catalogue",
        &[("q", &q), ("type", &access_type), ("category", &category)],
    );
    let page = CataloguePage {
        t: member.t,
        c: member.chrome("catalogue"),
        m: &member,
        products,
        q,
        access_type,
        category,
        categories,
        access_types: &ACCESS_TYPES,
        pager: Pager::new(&base, total, offset),
    };
    Ok(ok(page.render()))
}

/// What the order form had in it (shown again after a refusal).
#[derive(Default)]
struct OrderInput {
    sku: String,
    quantity: String,
    periods: String,
    kind: String,
    recipient: String,
    phone: String,
    address: String,
    key: String,
    coupon: String,
    /// A partner's private link token, when the buyer came through one.
    link: String,
}

#[derive(Template)]
#[template(path = "market/product.html")]
struct ProductPage<'a> {
    t: &'static MarketTexts,
    ct: &'static CommerceTexts,
    c: Chrome,
    m: &'a Member,
    p: ProductView,
    hardware: bool,
    input: OrderInput,
    error: Option<String>,
    /// The seller's vouchers for this product, and the buyer's own to pay with.
    offers: Vec<OnOffer>,
    coupons: Vec<CouponChoice>,
    /// The price breakdown asked for.
    quote: Option<QuoteView>,
    /// The exclusive discount of the link the buyer came through.
    offer: Option<DiscountRecord>,
}

/// One of the buyer's vouchers in the order form.
pub struct CouponChoice {
    pub id: String,
    pub label: String,
}

/// How an order form's submission ended.
enum Outcome {
    Placed(String),
    /// Priced only: the breakdown, nothing stored.
    Quoted(QuoteView),
    Refused(String),
}

/// What the product page shows beside the product.
struct Extras {
    quote: Option<QuoteView>,
    offer: Option<DiscountRecord>,
}

async fn product_page<'a>(
    member: &'a Member,
    market: &Marketplace,
    p: ProductView,
    input: OrderInput,
    error: Option<String>,
    extras: Extras,
) -> Result<ProductPage<'a>, PageError> {
    let ct = commerce::texts::texts(member.lang);
    let offers = vouchers::service::on_offer(market, &member.caller, &p.id, &p.merchant).await?;
    let now = market.clock.now_unix();
    let (claims, _) = market
        .store
        .claims_of(&member.caller.claims.sub, Tab::Available, now, 0, 50)
        .await?;
    let coupons = claims
        .iter()
        .filter(|c| c.voucher.seller_tenant_id == p.merchant)
        .map(|c| CouponChoice {
            id: c.id.clone(),
            label: commerce::coupon_label(ct, &c.voucher),
        })
        .collect();
    Ok(ProductPage {
        t: member.t,
        ct,
        c: member.chrome("catalogue"),
        m: member,
        hardware: p.access_type == AccessType::Hardware,
        p,
        input,
        error,
        offers,
        coupons,
        quote: extras.quote,
        offer: extras.offer,
    })
}

const NO_EXTRAS: Extras = Extras {
    quote: None,
    offer: None,
};

async fn product(
    member: Member,
    path: web::Path<String>,
    market: web::Data<Marketplace>,
) -> Result<HttpResponse, PageError> {
    buyer(&member)?;
    let p = catalogue::product(&market, &path.into_inner()).await?;
    let input = fresh_input(&p, String::new(), None);
    let page = product_page(&member, &market, p, input, None, NO_EXTRAS).await?;
    Ok(ok(page.render()))
}

fn fresh_input(p: &ProductView, link: String, sku: Option<&str>) -> OrderInput {
    OrderInput {
        sku: sku
            .map(str::to_owned)
            .or_else(|| p.specs.first().map(|s| s.sku_code.clone()))
            .unwrap_or_default(),
        quantity: "1".into(),
        periods: "1".into(),
        kind: "NEW".into(),
        // A retried submission of this form places the order once.
        key: crate::secret::random_id(24),
        link,
        ..OrderInput::default()
    }
}

/// A partner's private link: the product at the designated customer's price, for that
/// customer only (another account gets the refusal page).
async fn discount_link(
    member: Member,
    path: web::Path<String>,
    market: web::Data<Marketplace>,
) -> Result<HttpResponse, PageError> {
    buyer(&member)?;
    let token = path.into_inner();
    let offer = discounts::service::offer(&market, &member.caller, &token).await?;
    let p = catalogue::product(&market, &offer.product_id).await?;
    let input = fresh_input(&p, token, offer.sku_code.as_deref());
    let extras = Extras {
        quote: None,
        offer: Some(offer),
    };
    let page = product_page(&member, &market, p, input, None, extras).await?;
    Ok(ok(page.render()))
}

/// The order form as the API's order body: the same checks then apply.
fn order_body(
    form: &Form,
    product_id: &str,
    hardware: bool,
    periodic: bool,
) -> Result<Vec<u8>, String> {
    let number = |name: &str| -> Result<i64, String> {
        form.get(name)
            .parse::<i64>()
            .map_err(|_| format!("{name}: a whole number, please"))
    };
    let mut body = json!({
        "productId": product_id,
        "skuCode": form.get("sku"),
        "quantity": number("quantity")?,
        "orderType": form.get("kind"),
    });
    if periodic {
        body["periodNumber"] = json!(number("periods")?);
    }
    if !form.get("coupon").is_empty() {
        body["couponId"] = json!(form.get("coupon"));
    }
    if !form.get("link").is_empty() {
        body["discountLink"] = json!(form.get("link"));
    }
    if hardware {
        body["shipping"] = json!({
            "recipient": form.get("recipient"),
            "phone": form.get("phone"),
            "address": form.get("address"),
        });
    }
    Ok(body.to_string().into_bytes())
}

async fn place(
    member: Member,
    path: web::Path<String>,
    form: Form,
    market: web::Data<Marketplace>,
) -> Result<HttpResponse, PageError> {
    member.check(&form)?;
    buyer(&member)?;
    let p = catalogue::product(&market, &path.into_inner()).await?;
    let hardware = p.access_type == AccessType::Hardware;
    let periodic = p
        .specs
        .iter()
        .find(|s| s.sku_code == form.get("sku"))
        .is_some_and(|s| s.period_type.is_some());
    let key = form.get("key");
    let quoting = form.get("step") == "quote";
    let outcome = match order_body(&form, &p.id, hardware, periodic) {
        Err(message) => Outcome::Refused(message),
        Ok(body) if quoting => match quotes::price_order(&market, &member.caller, &body).await {
            Ok(priced) => Outcome::Quoted(priced),
            Err(err) => Outcome::Refused(refusal(err, member.t)?),
        },
        Ok(body) => {
            let key = (!key.is_empty()).then(|| key.chars().take(64).collect());
            match orders::place_order(&market, &member.caller, &body, key).await {
                Ok((order, _)) => Outcome::Placed(order.id),
                Err(err) => Outcome::Refused(refusal(err, member.t)?),
            }
        }
    };
    let (quote, error) = match outcome {
        Outcome::Placed(id) => return Ok(done(&format!("/market/orders/{id}"), "ordered")),
        Outcome::Quoted(quote) => (Some(quote), None),
        Outcome::Refused(message) => (None, Some(message)),
    };
    let input = OrderInput {
        sku: form.get("sku").into(),
        quantity: form.get("quantity").into(),
        periods: form.get("periods").into(),
        kind: form.get("kind").into(),
        recipient: form.get("recipient").into(),
        phone: form.get("phone").into(),
        address: form.get("address").into(),
        coupon: form.get("coupon").into(),
        link: form.get("link").into(),
        // A quote stored nothing, and neither did a refused order: the next try is
        // a new one.
        key: crate::secret::random_id(24),
    };
    let offer = match input.link.as_str() {
        "" => None,
        token => discounts::service::offer(&market, &member.caller, token)
            .await
            .ok(),
    };
    let refused = quote.is_none();
    let extras = Extras { quote, offer };
    let page = product_page(&member, &market, p, input, error, extras).await?;
    Ok(super::answer(refused, page.render()))
}
