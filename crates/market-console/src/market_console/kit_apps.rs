//! Registering and changing a joint-operation app from the console: the form becomes the
//! API's app description, so it is checked exactly as the API checks it (a SaaS product
//! of the seller's, https production URL, an RSA key of at least 3072 bits, three
//! different access keys of the seller's).

use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use serde_json::json;

use super::session::Member;
use super::texts::MarketTexts;
use super::{done, refusal, Chrome, PageError};
use crate::console::form::Form;
use crate::marketplace::kit::apps::{own_app, save_app};
use crate::marketplace::selling::catalogue::{products_of, ProductView};
use crate::marketplace::selling::product::AccessType;
use crate::marketplace::Marketplace;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/seller/apps/new", web::get().to(new_app))
        .route("/seller/apps/new", web::post().to(save))
        .route("/seller/apps/{id}/edit", web::get().to(edit_app))
        .route("/seller/apps/{id}/edit", web::post().to(save));
}

/// What the form holds.
#[derive(Default)]
struct AppInput {
    product: String,
    name: String,
    home_url: String,
    redirect_uris: String,
    post_logout_uris: String,
    production_url: String,
    public_key: String,
    basic: String,
    kit_sync: String,
    generic: String,
}

#[derive(Template)]
#[template(path = "market/app_form.html")]
struct AppForm {
    t: &'static MarketTexts,
    c: Chrome,
    /// The app being changed (its product stays).
    app_id: Option<String>,
    input: AppInput,
    products: Vec<ProductView>,
    keys: Vec<String>,
    error: Option<String>,
}

impl AppForm {
    /// The three key choices: (field, label, chosen).
    fn key_fields(&self) -> [(&'static str, &'static str, &str); 3] {
        [
            ("basic", self.t.key_basic, &self.input.basic),
            ("kit_sync", self.t.key_kit_sync, &self.input.kit_sync),
            ("generic", self.t.key_generic, &self.input.generic),
        ]
    }
}

async fn form_page(
    member: &Member,
    market: &Marketplace,
    app_id: Option<String>,
    input: AppInput,
    error: Option<String>,
) -> Result<HttpResponse, PageError> {
    let tenant = member.seller_tenant()?;
    let products = products_of(market, &member.caller)
        .await?
        .into_iter()
        .filter(|p| p.access_type == AccessType::Saas)
        .collect();
    let keys = market
        .store
        .access_keys_of(&tenant)
        .await?
        .into_iter()
        .map(|k| k.access_key)
        .collect();
    let refused = error.is_some();
    let page = AppForm {
        t: member.t,
        c: member.chrome("apps"),
        app_id,
        input,
        products,
        keys,
        error,
    };
    Ok(super::answer(refused, page.render()))
}

async fn new_app(
    member: Member,
    market: web::Data<Marketplace>,
) -> Result<HttpResponse, PageError> {
    form_page(&member, &market, None, AppInput::default(), None).await
}

async fn edit_app(
    member: Member,
    path: web::Path<String>,
    market: web::Data<Marketplace>,
) -> Result<HttpResponse, PageError> {
    let merchant = member.caller.seller()?;
    let app = own_app(&market, merchant, &path.into_inner()).await?;
    let input = AppInput {
        product: app.product_id.clone(),
        name: app.name.clone(),
        home_url: app.home_url.clone(),
        redirect_uris: app.redirect_uris.join("\n"),
        post_logout_uris: app.post_logout_uris.join("\n"),
        production_url: app.production_url.clone(),
        public_key: app.public_key.clone(),
        basic: app.keys.basic.clone(),
        kit_sync: app.keys.kit_sync.clone(),
        generic: app.keys.generic.clone(),
    };
    form_page(&member, &market, Some(app.id), input, None).await
}

fn read(form: &Form) -> AppInput {
    AppInput {
        product: form.get("product").into(),
        name: form.get("name").into(),
        home_url: form.get("home_url").into(),
        redirect_uris: form.get("redirect_uris").into(),
        post_logout_uris: form.get("post_logout_uris").into(),
        production_url: form.get("production_url").into(),
        public_key: form.get("public_key").into(),
        basic: form.get("basic").into(),
        kit_sync: form.get("kit_sync").into(),
        generic: form.get("generic").into(),
    }
}

/// The form as the API's app description.
fn body(form: &Form, input: &AppInput) -> Vec<u8> {
    json!({
        "productId": input.product,
        "name": input.name,
        "homeUrl": input.home_url,
        "redirectUris": form.lines("redirect_uris"),
        "postLogoutUris": form.lines("post_logout_uris"),
        "productionUrl": input.production_url,
        "publicKey": input.public_key,
        "keys": {"basic": input.basic, "kitSync": input.kit_sync, "generic": input.generic},
    })
    .to_string()
    .into_bytes()
}

async fn save(
    req: HttpRequest,
    member: Member,
    form: Form,
    market: web::Data<Marketplace>,
) -> Result<HttpResponse, PageError> {
    member.check(&form)?;
    let app_id = req.match_info().get("id").map(str::to_owned);
    let input = read(&form);
    let ip = crate::web::client_ip(&req);
    match save_app(
        &market,
        &member.caller,
        &ip,
        app_id.as_deref(),
        &body(&form, &input),
    )
    .await
    {
        Ok(app) => Ok(done(&format!("/market/seller/apps/{}", app.id), "changed")),
        Err(err) => {
            let message = refusal(err, member.t)?;
            form_page(&member, &market, app_id, input, Some(message)).await
        }
    }
}
