//! The buyer centre's shop window: the catalogue with search and filters, and a
//! product's specs with the order form.

use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use serde_json::json;

use super::session::Member;
use super::texts::{MarketTexts, ACCESS_TYPES};
use super::{again, done, ok, refusal, with_query, Chrome, PageError, Pager, PAGE_SIZE};
use crate::console::form::Form;
use crate::marketplace::catalogue::{self, ProductView, Search};
use crate::marketplace::product::AccessType;
use crate::marketplace::{orders, Marketplace, Role};

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/products/{id}", web::get().to(product))
        .route("/products/{id}/order", web::post().to(place));
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
        "/market/",
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
}

#[derive(Template)]
#[template(path = "market/product.html")]
struct ProductPage<'a> {
    t: &'static MarketTexts,
    c: Chrome,
    m: &'a Member,
    p: ProductView,
    hardware: bool,
    input: OrderInput,
    error: Option<String>,
}

fn product_page(
    member: &Member,
    p: ProductView,
    input: OrderInput,
    error: Option<String>,
) -> ProductPage<'_> {
    ProductPage {
        t: member.t,
        c: member.chrome("catalogue"),
        m: member,
        hardware: p.access_type == AccessType::Hardware,
        p,
        input,
        error,
    }
}

async fn product(
    member: Member,
    path: web::Path<String>,
    market: web::Data<Marketplace>,
) -> Result<HttpResponse, PageError> {
    buyer(&member)?;
    let p = catalogue::product(&market, &path.into_inner()).await?;
    let input = OrderInput {
        sku: p
            .specs
            .first()
            .map(|s| s.sku_code.clone())
            .unwrap_or_default(),
        quantity: "1".into(),
        periods: "1".into(),
        kind: "NEW".into(),
        // A retried submission of this form places the order once.
        key: crate::secret::random_id(24),
        ..OrderInput::default()
    };
    Ok(ok(product_page(&member, p, input, None).render()))
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
    let outcome = match order_body(&form, &p.id, hardware, periodic) {
        Err(message) => Err(message),
        Ok(body) => {
            let key = (!key.is_empty()).then(|| key.chars().take(64).collect());
            match orders::place_order(&market, &member.caller, &body, key).await {
                Ok((order, _)) => Ok(order),
                Err(err) => Err(refusal(err)?),
            }
        }
    };
    match outcome {
        Ok(order) => Ok(done(&format!("/market/orders/{}", order.id), "ordered")),
        Err(message) => {
            let input = OrderInput {
                sku: form.get("sku").into(),
                quantity: form.get("quantity").into(),
                periods: form.get("periods").into(),
                kind: form.get("kind").into(),
                recipient: form.get("recipient").into(),
                phone: form.get("phone").into(),
                address: form.get("address").into(),
                // A refused order stored nothing: the next try is a new one.
                key: crate::secret::random_id(24),
            };
            Ok(again(
                product_page(&member, p, input, Some(message)).render(),
            ))
        }
    }
}
