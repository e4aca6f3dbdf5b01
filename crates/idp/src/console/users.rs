//! Users: search, create (with a password, or a one-time set-password link shown once),
//! the detail page (profile and role, sessions, grants). The actions on a user are in
//! `user_actions`.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;

use super::clients::enc;
use super::form::{Errors, Form};
use super::texts::ConsoleTexts;
use super::{query, Admin, Chrome, Console, ConsoleError, PAGE_SIZE};
use crate::admin::{AdminError, MarketStanding, NewUserRequest, UserUpdate};
use crate::domain::{NewPassword, Role, TenantId, Username};
use crate::store::durable::{GrantRecord, SessionRecord, TenantRecord, UserRecord};

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/users", web::get().to(list))
        .route("/users", web::post().to(create))
        .route("/users/new", web::get().to(new))
        .route("/users/{id}", web::get().to(show))
        .route("/users/{id}", web::post().to(update))
        .route("/users/{id}/link", web::get().to(link))
        .configure(super::user_actions::routes)
        .configure(super::market_roles::routes);
}

#[derive(Template)]
#[template(path = "console/users.html")]
struct UserList {
    t: &'static ConsoleTexts,
    c: Chrome,
    q: String,
    users: Vec<UserRecord>,
    next: Option<String>,
}

async fn list(
    req: HttpRequest,
    admin: Admin,
    console: web::Data<Console>,
) -> Result<HttpResponse, ConsoleError> {
    let q = query(&req, "q");
    let after = query(&req, "after");
    let mut users = console.service.users(&q, &after, PAGE_SIZE + 1).await?;
    let next = super::one_page(&mut users, |u| u.id.clone());
    let page = UserList {
        t: admin.t,
        c: admin.chrome("users"),
        q,
        users,
        next,
    };
    Ok(super::ok(page.render()))
}

/// The profile fields as typed, to show them back.
#[derive(Default, Clone)]
struct Profile {
    username: String,
    tenant: String,
    name: String,
    email: String,
    mobile: String,
    role: String,
    org_code: String,
    org_name: String,
    project_name: String,
}

impl Profile {
    fn of(user: &UserRecord) -> Self {
        Self {
            username: user.username.clone(),
            tenant: user.tenant_id.clone(),
            name: user.name.clone(),
            email: user.email.clone(),
            mobile: user.mobile.clone(),
            role: user.role.clone(),
            org_code: user.org_code.clone(),
            org_name: user.org_name.clone(),
            project_name: user.project_name.clone(),
        }
    }

    fn read(form: &Form) -> Self {
        Self {
            username: form.get("username").to_owned(),
            tenant: form.get("tenant").to_owned(),
            name: form.get("name").to_owned(),
            email: form.get("email").to_owned(),
            mobile: form.get("mobile").to_owned(),
            role: form.get("role").to_owned(),
            org_code: form.get("org_code").to_owned(),
            org_name: form.get("org_name").to_owned(),
            project_name: form.get("project_name").to_owned(),
        }
    }
}

fn optional(value: &str) -> Option<String> {
    Some(value.to_owned()).filter(|v| !v.is_empty())
}

#[derive(Template)]
#[template(path = "console/user_new.html")]
struct NewUserPage {
    t: &'static ConsoleTexts,
    c: Chrome,
    f: Profile,
    errors: Errors,
    /// The tenants to pick from; empty when there are too many to list (the id is typed,
    /// and checked).
    tenants: Vec<TenantRecord>,
}

/// The most tenants the new-user form lists.
const TENANT_CHOICES: usize = 500;

async fn new_page(
    admin: &Admin,
    console: &Console,
    status: StatusCode,
    f: Profile,
    errors: Errors,
) -> Result<HttpResponse, ConsoleError> {
    let mut tenants = console
        .service
        .tenants("", TENANT_CHOICES as i64 + 1)
        .await?;
    if tenants.len() > TENANT_CHOICES {
        tenants.clear();
    }
    let page = NewUserPage {
        t: admin.t,
        c: admin.chrome("users"),
        f,
        errors,
        tenants,
    };
    Ok(super::page(status, page.render()))
}

async fn new(admin: Admin, console: web::Data<Console>) -> Result<HttpResponse, ConsoleError> {
    let f = Profile {
        role: Role::User.as_str().into(),
        ..Profile::default()
    };
    new_page(&admin, &console, StatusCode::OK, f, Errors::default()).await
}

#[derive(Template)]
#[template(path = "console/user_link.html")]
struct LinkPage<'a> {
    t: &'static ConsoleTexts,
    c: Chrome,
    user_id: &'a str,
    username: &'a str,
    link: &'a str,
}

async fn create(
    admin: Admin,
    console: web::Data<Console>,
    form: Form,
) -> Result<HttpResponse, ConsoleError> {
    admin.check_csrf(&form)?;
    let t = admin.t;
    let f = Profile::read(&form);
    let mut errors = Errors::default();
    let username = if f.username.is_empty() {
        errors.add("username", t.field_required);
        None
    } else {
        errors.take(t, "username", Username::parse(&f.username))
    };
    let tenant = if f.tenant.is_empty() {
        errors.add("tenant", t.field_required);
        None
    } else {
        errors.take(t, "tenant", TenantId::parse(&f.tenant))
    };
    let role = errors.take(t, "role", Role::parse(&f.role));
    let raw_password = form.raw("password");
    let link_wanted = raw_password.is_empty();
    // Replaced by one nobody knows when a link is wanted.
    let password = errors.take(
        t,
        "password",
        NewPassword::parse(if link_wanted {
            "unused-0"
        } else {
            raw_password
        }),
    );
    let unprocessable = StatusCode::UNPROCESSABLE_ENTITY;
    let (Some(username), Some(tenant), Some(role), Some(password)) =
        (username, tenant, role, password)
    else {
        return new_page(&admin, &console, unprocessable, f, errors).await;
    };
    let request = NewUserRequest {
        username,
        tenant,
        password,
        name: optional(&f.name),
        email: optional(&f.email),
        mobile: optional(&f.mobile),
        role,
        org_code: optional(&f.org_code),
        org_name: optional(&f.org_name),
        project_name: optional(&f.project_name),
    };
    let act = async {
        let created = if link_wanted {
            console
                .service
                .create_user_with_link(&admin.actor, request)
                .await
                .map(|(id, token)| (id, Some(token)))
        } else {
            console
                .service
                .create_user(&admin.actor, request)
                .await
                .map(|id| (id, None))
        };
        match created {
            Ok((id, Some(token))) => {
                let made = MadeLink {
                    user_id: id.clone(),
                    username: f.username.clone(),
                    link: format!(
                        "{}{}?token={}",
                        console.issuer,
                        crate::idp::SET_PASSWORD_PATH,
                        token.expose()
                    ),
                };
                let path = format!("/console/users/{}/link", enc(&id));
                super::show_once(&admin, &console, &path, &made).await
            }
            Ok((id, None)) => Ok(super::done(
                &format!("/console/users/{}", enc(&id)),
                "user_created",
            )),
            Err(err) => {
                let errors = Errors::refusal(err, t)?;
                new_page(&admin, &console, unprocessable, f.clone(), errors).await
            }
        }
    };
    super::once(&admin, &console, &form, "/console/users", act).await
}

/// A new user's set-password link, kept for the one page that shows it.
#[derive(serde::Serialize, serde::Deserialize)]
struct MadeLink {
    user_id: String,
    username: String,
    link: String,
}

/// `GET /console/users/{id}/link?shown=…`: the set-password link of a user just
/// created, once; asked for again, the user's page (where a new link can be made by
/// setting a password).
async fn link(
    req: HttpRequest,
    admin: Admin,
    console: web::Data<Console>,
    path: web::Path<String>,
) -> Result<HttpResponse, ConsoleError> {
    let made = super::shown::<MadeLink>(&admin, &console, &req)
        .await?
        .filter(|m| m.user_id == *path);
    let Some(made) = made else {
        return Ok(super::first_party::see_other(&format!(
            "/console/users/{}",
            enc(&path)
        )));
    };
    let page = LinkPage {
        t: admin.t,
        c: admin.chrome("users"),
        user_id: &made.user_id,
        username: &made.username,
        link: &made.link,
    };
    Ok(super::ok(page.render()))
}

#[derive(Template)]
#[template(path = "console/user.html")]
struct UserPage {
    t: &'static ConsoleTexts,
    c: Chrome,
    user: UserRecord,
    f: Profile,
    errors: Errors,
    sessions: Vec<SessionRecord>,
    grants: Vec<GrantRecord>,
    /// Where the user stands in the marketplace, when there is one.
    market: Option<MarketStanding>,
}

async fn user_page(
    admin: &Admin,
    console: &Console,
    status: StatusCode,
    user: UserRecord,
    f: Profile,
    errors: Errors,
) -> Result<HttpResponse, ConsoleError> {
    let sessions = console.service.sessions(&user.id).await?;
    let grants = console.service.grants(&user.id).await?;
    let market = console.service.market_standing(&user).await?;
    let page = UserPage {
        market,
        t: admin.t,
        c: admin.chrome("users"),
        user,
        f,
        errors,
        sessions,
        grants,
    };
    Ok(super::page(status, page.render()))
}

/// The user's page (the profile as stored) with what was wrong with one of its forms.
pub(super) async fn page_with_errors(
    admin: &Admin,
    console: &Console,
    status: StatusCode,
    user: UserRecord,
    errors: Errors,
) -> Result<HttpResponse, ConsoleError> {
    let f = Profile::of(&user);
    user_page(admin, console, status, user, f, errors).await
}

async fn show(
    admin: Admin,
    console: web::Data<Console>,
    path: web::Path<String>,
) -> Result<HttpResponse, ConsoleError> {
    let user = console.service.user(&path).await?;
    let f = Profile::of(&user);
    user_page(&admin, &console, StatusCode::OK, user, f, Errors::default()).await
}

async fn update(
    admin: Admin,
    console: web::Data<Console>,
    path: web::Path<String>,
    form: Form,
) -> Result<HttpResponse, ConsoleError> {
    admin.check_csrf(&form)?;
    let user = console.service.user(&path).await?;
    let mut f = Profile::read(&form);
    f.username = user.username.clone();
    f.tenant = user.tenant_id.clone();
    let mut errors = Errors::default();
    let role = errors.take(admin.t, "role", Role::parse(&f.role));
    let unprocessable = StatusCode::UNPROCESSABLE_ENTITY;
    let Some(role) = role else {
        return user_page(&admin, &console, unprocessable, user, f, errors).await;
    };
    let update = UserUpdate {
        name: Some(f.name.clone()),
        email: Some(f.email.clone()),
        mobile: Some(f.mobile.clone()),
        role: Some(role),
        org_code: Some(f.org_code.clone()),
        org_name: Some(f.org_name.clone()),
        project_name: Some(f.project_name.clone()),
    };
    let version = form.get("version").parse::<i64>().unwrap_or(-1);
    match console
        .service
        .update_user(&admin.actor, &user.id, update, version)
        .await
    {
        Ok(updated) => Ok(super::done(
            &format!("/console/users/{}", enc(&updated.id)),
            "user_updated",
        )),
        Err(AdminError::Stale) => {
            let current = console.service.user(&user.id).await?;
            let errors = Errors::refusal(AdminError::Stale, admin.t)?;
            let f = Profile::of(&current);
            user_page(&admin, &console, StatusCode::CONFLICT, current, f, errors).await
        }
        Err(err) => {
            let errors = Errors::refusal(err, admin.t)?;
            user_page(&admin, &console, unprocessable, user, f, errors).await
        }
    }
}
