//! Resource servers and their scopes (built-in and registered; register one), and the
//! signing keys (list, rotate).

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use askama::Template;

use super::form::{Errors, Form};
use super::texts::ConsoleTexts;
use super::{Admin, Chrome, Console, ConsoleError, Question};
use crate::domain::resource::is_builtin_identifier;
use crate::idp::Registry;
use crate::store::durable::ResourceServerRecord;
use crate::tokens::KeyInfo;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/resource-servers", web::get().to(resource_servers))
        .route("/resource-servers", web::post().to(register))
        .route("/keys", web::get().to(keys))
        .route("/keys/rotate", web::get().to(confirm_rotate))
        .route("/keys/rotate", web::post().to(rotate));
}

#[derive(Default)]
struct Fields {
    identifier: String,
    name: String,
    scopes: String,
}

#[derive(Template)]
#[template(path = "console/resource_servers.html")]
struct ResourceServers {
    t: &'static ConsoleTexts,
    c: Chrome,
    servers: Vec<(ResourceServerRecord, bool)>,
    f: Fields,
    errors: Errors,
}

async fn servers_page(
    admin: &Admin,
    console: &Console,
    status: StatusCode,
    f: Fields,
    errors: Errors,
) -> Result<HttpResponse, ConsoleError> {
    let stored = console.service.durable().list_resource_servers().await?;
    let registry = Registry::new(&console.issuer, stored);
    let servers = registry
        .servers()
        .iter()
        .map(|s| (s.clone(), is_builtin_identifier(&s.identifier)))
        .collect();
    let page = ResourceServers {
        t: admin.t,
        c: admin.chrome("resource-servers"),
        servers,
        f,
        errors,
    };
    Ok(super::page(status, page.render()))
}

async fn resource_servers(
    admin: Admin,
    console: web::Data<Console>,
) -> Result<HttpResponse, ConsoleError> {
    let f = Fields::default();
    servers_page(&admin, &console, StatusCode::OK, f, Errors::default()).await
}

async fn register(
    admin: Admin,
    console: web::Data<Console>,
    form: Form,
) -> Result<HttpResponse, ConsoleError> {
    admin.check_csrf(&form)?;
    let f = Fields {
        identifier: form.get("identifier").to_owned(),
        name: form.get("name").to_owned(),
        scopes: form.get("scopes").to_owned(),
    };
    let mut errors = Errors::default();
    for (field, value) in [
        ("identifier", &f.identifier),
        ("name", &f.name),
        ("scopes", &f.scopes),
    ] {
        if value.is_empty() {
            errors.add(field, admin.t.field_required);
        }
    }
    let unprocessable = StatusCode::UNPROCESSABLE_ENTITY;
    if !errors.is_empty() {
        return servers_page(&admin, &console, unprocessable, f, errors).await;
    }
    let scopes = f.scopes.split_whitespace().map(str::to_owned).collect();
    match console
        .service
        .create_resource_server(&admin.actor, &f.identifier, &f.name, scopes)
        .await
    {
        Ok(()) => Ok(super::done(
            "/console/resource-servers",
            "resource_server_created",
        )),
        Err(err) => {
            let errors = Errors::refusal(err, admin.t)?;
            servers_page(&admin, &console, unprocessable, f, errors).await
        }
    }
}

#[derive(Template)]
#[template(path = "console/keys.html")]
struct Keys {
    t: &'static ConsoleTexts,
    c: Chrome,
    keys: Vec<KeyInfo>,
    now: i64,
}

async fn keys(admin: Admin, console: web::Data<Console>) -> Result<HttpResponse, ConsoleError> {
    let page = Keys {
        t: admin.t,
        c: admin.chrome("keys"),
        keys: console.service.keys().await?,
        now: admin.now(),
    };
    Ok(super::ok(page.render()))
}

fn rotate_question(t: &ConsoleTexts) -> Question<'_> {
    Question {
        heading: t.rotate_keys,
        text: t.rotate_keys_text,
        target: "RS256 · ES256".into(),
        action: "/console/keys/rotate".into(),
        cancel: "/console/keys".into(),
        option: None,
        password: false,
        grace: false,
    }
}

async fn confirm_rotate(admin: Admin) -> Result<HttpResponse, ConsoleError> {
    let question = rotate_question(admin.t);
    super::confirm(&admin, "keys", &question, StatusCode::OK, None)
}

async fn rotate(
    admin: Admin,
    console: web::Data<Console>,
    form: Form,
) -> Result<HttpResponse, ConsoleError> {
    admin.check_csrf(&form)?;
    admin.require_recent_sign_in(&rotate_question(admin.t).action)?;
    let act = async {
        console.service.rotate_keys(&admin.actor, None).await?;
        Ok(super::done("/console/keys", "keys_rotated"))
    };
    super::once(&admin, &console, &form, "/console/keys", act).await
}
