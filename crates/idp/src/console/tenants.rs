//! Tenants: list, create, rename or change the domain.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;

use super::clients::enc;
use super::form::{Errors, Form};
use super::texts::ConsoleTexts;
use super::{query, Admin, Chrome, Console, ConsoleError, PAGE_SIZE};
use crate::admin::{AdminError, TenantUpdate};
use crate::domain::TenantId;
use crate::store::durable::TenantRecord;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/tenants", web::get().to(list))
        .route("/tenants", web::post().to(create))
        .route("/tenants/{id}", web::get().to(show))
        .route("/tenants/{id}", web::post().to(update));
}

#[derive(Default)]
struct Fields {
    id: String,
    name: String,
    domain: String,
}

#[derive(Template)]
#[template(path = "console/tenants.html")]
struct TenantList {
    t: &'static ConsoleTexts,
    c: Chrome,
    tenants: Vec<TenantRecord>,
    next: Option<String>,
    f: Fields,
    errors: Errors,
}

async fn render_list(
    req: &HttpRequest,
    admin: &Admin,
    console: &Console,
    status: StatusCode,
    f: Fields,
    errors: Errors,
) -> Result<HttpResponse, ConsoleError> {
    let after = query(req, "after");
    let mut tenants = console.service.tenants(&after, PAGE_SIZE + 1).await?;
    let next = super::one_page(&mut tenants, |t| t.id.clone());
    let page = TenantList {
        t: admin.t,
        c: admin.chrome("tenants"),
        tenants,
        next,
        f,
        errors,
    };
    Ok(super::page(status, page.render()))
}

async fn list(
    req: HttpRequest,
    admin: Admin,
    console: web::Data<Console>,
) -> Result<HttpResponse, ConsoleError> {
    render_list(
        &req,
        &admin,
        &console,
        StatusCode::OK,
        Fields::default(),
        Errors::default(),
    )
    .await
}

async fn create(
    req: HttpRequest,
    admin: Admin,
    console: web::Data<Console>,
    form: Form,
) -> Result<HttpResponse, ConsoleError> {
    admin.check_csrf(&form)?;
    let f = Fields {
        id: form.get("id").to_owned(),
        name: form.get("name").to_owned(),
        domain: form.get("domain").to_owned(),
    };
    let mut errors = Errors::default();
    let id = if f.id.is_empty() {
        errors.add("id", admin.t.field_required);
        None
    } else {
        errors.take(admin.t, "id", TenantId::parse(&f.id))
    };
    if f.name.is_empty() {
        errors.add("name", admin.t.field_required);
    }
    let unprocessable = StatusCode::UNPROCESSABLE_ENTITY;
    let Some(id) = id.filter(|_| errors.is_empty()) else {
        return render_list(&req, &admin, &console, unprocessable, f, errors).await;
    };
    let domain = Some(f.domain.as_str()).filter(|d| !d.is_empty());
    match console
        .service
        .create_tenant(&admin.actor, &id, &f.name, domain)
        .await
    {
        Ok(()) => Ok(super::done(
            &format!("/console/tenants/{}", enc(id.as_str())),
            "tenant_created",
        )),
        Err(err) => {
            let errors = Errors::refusal(err, admin.t)?;
            render_list(&req, &admin, &console, unprocessable, f, errors).await
        }
    }
}

#[derive(Template)]
#[template(path = "console/tenant.html")]
struct TenantPage {
    t: &'static ConsoleTexts,
    c: Chrome,
    tenant: TenantRecord,
    f: Fields,
    errors: Errors,
}

fn tenant_page(
    admin: &Admin,
    status: StatusCode,
    tenant: TenantRecord,
    f: Fields,
    errors: Errors,
) -> HttpResponse {
    let page = TenantPage {
        t: admin.t,
        c: admin.chrome("tenants"),
        tenant,
        f,
        errors,
    };
    super::page(status, page.render())
}

fn fields_of(tenant: &TenantRecord) -> Fields {
    Fields {
        id: tenant.id.clone(),
        name: tenant.name.clone(),
        domain: tenant.domain_name.clone().unwrap_or_default(),
    }
}

async fn show(
    admin: Admin,
    console: web::Data<Console>,
    path: web::Path<String>,
) -> Result<HttpResponse, ConsoleError> {
    let tenant = console.service.tenant(&path).await?;
    let f = fields_of(&tenant);
    Ok(tenant_page(
        &admin,
        StatusCode::OK,
        tenant,
        f,
        Errors::default(),
    ))
}

async fn update(
    admin: Admin,
    console: web::Data<Console>,
    path: web::Path<String>,
    form: Form,
) -> Result<HttpResponse, ConsoleError> {
    admin.check_csrf(&form)?;
    let tenant = console.service.tenant(&path).await?;
    let f = Fields {
        id: tenant.id.clone(),
        name: form.get("name").to_owned(),
        domain: form.get("domain").to_owned(),
    };
    let unprocessable = StatusCode::UNPROCESSABLE_ENTITY;
    if f.name.is_empty() {
        let mut errors = Errors::default();
        errors.add("name", admin.t.field_required);
        return Ok(tenant_page(&admin, unprocessable, tenant, f, errors));
    }
    let update = TenantUpdate {
        name: Some(f.name.clone()),
        domain_name: Some(Some(f.domain.clone()).filter(|d| !d.is_empty())),
    };
    let version = form.get("version").parse::<i64>().unwrap_or(-1);
    match console
        .service
        .update_tenant(&admin.actor, &tenant.id, update, version)
        .await
    {
        Ok(updated) => Ok(super::done(
            &format!("/console/tenants/{}", enc(&updated.id)),
            "tenant_updated",
        )),
        Err(AdminError::Stale) => {
            let current = console.service.tenant(&tenant.id).await?;
            let errors = Errors::refusal(AdminError::Stale, admin.t)?;
            let f = fields_of(&current);
            Ok(tenant_page(
                &admin,
                StatusCode::CONFLICT,
                current,
                f,
                errors,
            ))
        }
        Err(err) => {
            let errors = Errors::refusal(err, admin.t)?;
            Ok(tenant_page(&admin, unprocessable, tenant, f, errors))
        }
    }
}
