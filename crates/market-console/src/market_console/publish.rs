//! Publishing through the spec editor: a new product, a modification of one on sale, or
//! the latest rejected application edited and resubmitted. The form becomes the API's
//! product body, so it is checked exactly as the API checks it.

use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use serde_json::json;

use super::seller::mine;
use super::session::Member;
use super::texts::{MarketTexts, ACCESS_TYPES};
use super::{again, done, ok, refusal, Chrome, PageError};
use crate::console::form::Form;
use crate::marketplace::selling::api as review;
use crate::marketplace::selling::delivery::DeliveryFlow;
use crate::marketplace::selling::product::ProductContent;
use crate::marketplace::Marketplace;

/// Empty rows a new product's spec editor starts with; rows are added and removed with the
/// form's own buttons (no script), up to the most specs a product has.
const FIRST_ROWS: usize = 2;
use crate::marketplace::selling::product::MAX_SPECS;
const CHARGING_MODES: [&str; 7] = [
    "PERIOD",
    "ONE_TIME",
    "ON_DEMAND",
    "ON_DEMAND_PKG",
    "PER_CALL",
    "PER_CALL_PKG",
    "BY_QUANTITY",
];

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/seller/publish", web::get().to(publish_form))
        .route("/seller/publish", web::post().to(publish));
}

/// One row of the spec editor.
#[derive(Default, Clone)]
struct SpecRow {
    name: String,
    sku: String,
    mode: String,
    price: String,
    period: String,
}

#[derive(Default)]
struct ProductInput {
    name: String,
    description: String,
    category: String,
    access_type: String,
    self_check: bool,
    /// SaaS: under service supervision.
    supervised: bool,
    /// License and manual service: the delivery flow's code (empty: none named).
    delivery_flow: String,
    specs: Vec<SpecRow>,
    /// Resubmitting this rejected application, or modifying this product.
    application: String,
    product: String,
}

#[derive(Template)]
#[template(path = "market/publish.html")]
struct PublishPage<'a> {
    t: &'static MarketTexts,
    c: Chrome,
    m: &'a Member,
    input: ProductInput,
    categories: &'static [&'static str],
    /// Up to the most specs a product has: the add button shows while it can add.
    max_specs: usize,
    access_types: &'static [&'static str],
    modes: &'static [&'static str],
    periods: [&'static str; 3],
    delivery_flows: [&'static str; 3],
    error: Option<String>,
}

fn publish_page(
    member: &Member,
    mut input: ProductInput,
    error: Option<String>,
) -> PublishPage<'_> {
    if input.specs.is_empty() {
        input.specs.resize(FIRST_ROWS, SpecRow::default());
    }
    PublishPage {
        t: member.t,
        c: member.chrome("publish"),
        m: member,
        input,
        categories: &super::texts::CATEGORIES,
        max_specs: MAX_SPECS,
        access_types: &ACCESS_TYPES,
        modes: &CHARGING_MODES,
        periods: ["year", "month", "day"],
        delivery_flows: ["online", "offline_standard", "offline_delivery_acceptance"],
        error,
    }
}

fn input_of(content: &ProductContent) -> ProductInput {
    use crate::market_console::code_of as code;
    ProductInput {
        name: content.name.clone(),
        description: content.description.clone(),
        category: content.category.clone(),
        access_type: code(&content.access_type),
        self_check: content.security_self_check,
        supervised: content.supervised,
        delivery_flow: content
            .delivery_flow
            .map(|f| f.code().to_owned())
            .unwrap_or_default(),
        specs: content
            .specs
            .iter()
            .map(|s| SpecRow {
                name: s.name.clone(),
                sku: s.sku_code.clone(),
                mode: code(&s.charging_mode),
                price: super::yuan::field(s.price.max(0).unsigned_abs()),
                period: s.period_type.map(|p| code(&p)).unwrap_or_default(),
            })
            .collect(),
        ..ProductInput::default()
    }
}

/// `GET /market/seller/publish[?application=…|?product=…]`: an empty form, a rejected
/// application to edit and resubmit, or a product on sale to modify.
async fn publish_form(
    req: HttpRequest,
    member: Member,
    market: web::Data<Marketplace>,
) -> Result<HttpResponse, PageError> {
    member.seller_tenant()?;
    let application_id = crate::console::query(&req, "application");
    let product_id = crate::console::query(&req, "product");
    let mut input = ProductInput {
        self_check: false,
        ..ProductInput::default()
    };
    if !application_id.is_empty() {
        let a = mine(&member, &market, &application_id).await?;
        if let Ok(content) = serde_json::from_str::<ProductContent>(&a.content) {
            input = input_of(&content);
        }
        input.application = a.id;
    } else if !product_id.is_empty() {
        let p = crate::marketplace::selling::catalogue::product(&market, &product_id).await?;
        if p.merchant != member.seller_tenant()? {
            return Err(PageError::NotFound);
        }
        let content = ProductContent {
            name: p.name,
            description: p.description,
            category: p.category,
            access_type: p.access_type,
            specs: p.specs,
            security_self_check: true,
            supervised: p.supervised,
            delivery_flow: p.delivery_flow,
        };
        input = input_of(&content);
        input.product = p.id;
    }
    Ok(ok(publish_page(&member, input, None).render()))
}

fn read_input(form: &Form) -> ProductInput {
    ProductInput {
        name: form.get("name").into(),
        description: form.get("description").into(),
        category: form.get("category").into(),
        access_type: form.get("access_type").into(),
        self_check: form.checked("security_self_check"),
        supervised: form.checked("supervised"),
        delivery_flow: form.get("delivery_flow").into(),
        // The rows the page showed, less those ticked to be removed.
        specs: (0..rows_shown(form))
            .filter(|i| !form.checked(&format!("drop_{i}")))
            .map(|i| SpecRow {
                name: form.get(&format!("spec_name_{i}")).into(),
                sku: form.get(&format!("sku_{i}")).into(),
                mode: form.get(&format!("mode_{i}")).into(),
                price: form.get(&format!("price_{i}")).into(),
                period: form.get(&format!("period_{i}")).into(),
            })
            .collect(),
        application: form.get("application").into(),
        product: form.get("product").into(),
    }
}

/// How many spec rows the submitted page showed (its hidden `spec_rows`), at most the most
/// specs a product has.
fn rows_shown(form: &Form) -> usize {
    form.get("spec_rows")
        .parse::<usize>()
        .unwrap_or(FIRST_ROWS)
        .min(MAX_SPECS)
}

/// The form as the API's product body; rows left empty are not specs.
fn product_body(t: &MarketTexts, input: &ProductInput) -> Result<Vec<u8>, String> {
    let mut specs = Vec::new();
    for (i, row) in input.specs.iter().enumerate() {
        if row.name.is_empty() && row.sku.is_empty() && row.price.is_empty() {
            continue;
        }
        let price = super::yuan::parse(&row.price)
            .ok_or_else(|| t.price_not_yuan.replacen("{}", &(i + 1).to_string(), 1))?;
        let mut spec = json!({
            "name": row.name, "skuCode": row.sku, "chargingMode": row.mode, "price": price,
        });
        if !row.period.is_empty() {
            spec["periodType"] = json!(row.period);
        }
        specs.push(spec);
    }
    let mut body = json!({
        "name": input.name,
        "description": input.description,
        "category": input.category,
        "accessType": input.access_type,
        "securitySelfCheck": input.self_check,
        "supervised": input.supervised,
        "specs": specs,
    });
    if let Some(flow) = DeliveryFlow::from_code(&input.delivery_flow) {
        body["deliveryFlow"] = json!(flow);
    }
    Ok(body.to_string().into_bytes())
}

async fn publish(
    member: Member,
    form: Form,
    market: web::Data<Marketplace>,
) -> Result<HttpResponse, PageError> {
    member.check(&form)?;
    member.seller_tenant()?;
    let mut input = read_input(&form);
    // Editing the spec table: the same form again, one row more or the ticked ones fewer;
    // nothing is submitted.
    match form.get("edit") {
        "add" => {
            if input.specs.len() < MAX_SPECS {
                input.specs.push(SpecRow::default());
            }
            return Ok(ok(publish_page(&member, input, None).render()));
        }
        "drop" => return Ok(ok(publish_page(&member, input, None).render())),
        _ => {}
    }
    let outcome = match product_body(member.t, &input) {
        Err(message) => Err(message),
        Ok(body) => {
            let submitted = if !input.application.is_empty() {
                review::resubmit_product(&market, &member.caller, &input.application, &body).await
            } else {
                let product = (!input.product.is_empty()).then_some(input.product.as_str());
                review::submit_product(&market, &member.caller, &body, product).await
            };
            match submitted {
                Ok(record) => Ok(record),
                Err(err) => Err(refusal(err, member.t)?),
            }
        }
    };
    match outcome {
        Ok(record) => Ok(done(
            &format!("/market/seller/applications/{}", record.id),
            "published",
        )),
        Err(message) => Ok(again(publish_page(&member, input, Some(message)).render())),
    }
}
