//! The joint-operation kit in the console: a buyer tenant's instances and who may use
//! them (granting by username, removing with a confirmation), and a seller's apps with
//! their debug cases (run one against the production URL, see what is still missing).

use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;

use super::session::Member;
use super::texts::MarketTexts;
use super::{done, ok, refusal, Chrome, PageError};
use crate::admin::AppRole;
use crate::console::form::Form;
use crate::marketplace::kit::app_store::KitApp;
use crate::marketplace::kit::buyer::{instance_users, set_user_role};
use crate::marketplace::kit::debug_api::{cases_of, debug_scenario, generated_curl, DebugRun};
use crate::marketplace::kit::debug_cases::SavedCase;
use crate::marketplace::kit::exchange::Activity;
use crate::marketplace::kit::store::InstanceRecord;
use crate::marketplace::{MarketError, Marketplace};

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/instances", web::get().to(instances))
        .route("/instances/{id}/users", web::post().to(grant))
        .route(
            "/instances/{id}/users/{user}/remove",
            web::post().to(remove),
        )
        .route("/seller/apps", web::get().to(apps))
        .route("/seller/apps/{id}", web::get().to(app))
        .route("/seller/apps/{id}/debug", web::post().to(debug))
        .route("/seller/apps/{id}/generate", web::post().to(generate));
}

/// An instance with its users, as (user id, username, role).
pub struct Shown {
    pub record: InstanceRecord,
    /// The app's name, as the buyer bought it.
    pub app_name: String,
    pub users: Vec<(String, String, String)>,
    /// The signed-in user administers it (and may manage its users while it is live).
    pub administers: bool,
}

#[derive(Template)]
#[template(path = "market/instances.html")]
struct InstancesPage<'a> {
    t: &'static MarketTexts,
    c: Chrome,
    m: &'a Member,
    instances: Vec<Shown>,
    error: Option<(String, String)>,
}

async fn instances_page(
    member: &Member,
    market: &Marketplace,
    error: Option<(String, String)>,
) -> Result<HttpResponse, PageError> {
    member.caller.buyer()?;
    let me = member.caller.claims.sub.clone();
    let mut instances = Vec::new();
    for record in market
        .store
        .instances_of_tenant(&member.caller.claims.tenant)
        .await?
    {
        let mut users = Vec::new();
        for (id, role) in instance_users(market, &record).await? {
            let username = market
                .admin
                .user(&id)
                .await
                .map(|u| u.username)
                .unwrap_or_else(|_| id.clone());
            users.push((id, username, role));
        }
        let administers = users
            .iter()
            .any(|(id, _, role)| *id == me && role == "admin");
        let app_name = match market.store.kit_app(&record.app_id).await? {
            Some(app) => app.name,
            None => record.app_id.clone(),
        };
        instances.push(Shown {
            app_name,
            record,
            users,
            administers,
        });
    }
    let failed = error.is_some();
    let page = InstancesPage {
        t: member.t,
        c: member.chrome("instances"),
        m: member,
        instances,
        error,
    };
    Ok(super::answer(failed, page.render()))
}

async fn instances(
    member: Member,
    market: web::Data<Marketplace>,
) -> Result<HttpResponse, PageError> {
    instances_page(&member, &market, None).await
}

/// A change of an instance's users: back to the list, or the list with the refusal.
async fn changed(
    member: &Member,
    market: &Marketplace,
    instance: String,
    outcome: Result<InstanceRecord, MarketError>,
) -> Result<HttpResponse, PageError> {
    match outcome {
        Ok(_) => Ok(done("/market/instances", "changed")),
        Err(err) => {
            let message = refusal(err, member.t)?;
            instances_page(member, market, Some((instance, message))).await
        }
    }
}

async fn grant(
    req: HttpRequest,
    member: Member,
    path: web::Path<String>,
    form: Form,
    market: web::Data<Marketplace>,
) -> Result<HttpResponse, PageError> {
    member.check(&form)?;
    let instance = path.into_inner();
    let outcome = async {
        let role = AppRole::parse(form.get("role"))
            .ok_or_else(|| MarketError::Invalid("the role is admin or user".into()))?;
        let user = market
            .admin
            .user_by_username(form.get("username"))
            .await
            .ok()
            .filter(|u| u.tenant_id == member.caller.claims.tenant)
            .ok_or_else(|| MarketError::Invalid("no such user in your tenant".into()))?;
        let ip = crate::web::client_ip(&req);
        set_user_role(
            &market,
            &member.caller,
            &ip,
            &instance,
            &user.id,
            Some(role),
        )
        .await
    }
    .await;
    changed(&member, &market, instance, outcome).await
}

async fn remove(
    req: HttpRequest,
    member: Member,
    path: web::Path<(String, String)>,
    form: Form,
    market: web::Data<Marketplace>,
) -> Result<HttpResponse, PageError> {
    member.check(&form)?;
    let (instance, user) = path.into_inner();
    let outcome = if form.checked("confirm") {
        let ip = crate::web::client_ip(&req);
        set_user_role(&market, &member.caller, &ip, &instance, &user, None).await
    } else {
        Err(MarketError::Invalid(member.t.must_confirm.into()))
    };
    changed(&member, &market, instance, outcome).await
}

#[derive(Template)]
#[template(path = "market/apps.html")]
struct AppsPage {
    t: &'static MarketTexts,
    c: Chrome,
    apps: Vec<KitApp>,
}

async fn apps(member: Member, market: web::Data<Marketplace>) -> Result<HttpResponse, PageError> {
    let tenant = member.seller_tenant()?;
    let page = AppsPage {
        t: member.t,
        c: member.chrome("apps"),
        apps: market.store.kit_apps_of(&tenant).await?,
    };
    Ok(ok(page.render()))
}

#[derive(Template)]
#[template(path = "market/app.html")]
struct AppPage {
    t: &'static MarketTexts,
    c: Chrome,
    app: KitApp,
    cases: Vec<SavedCase>,
    missing: Vec<Activity>,
    scenarios: [Activity; 10],
    /// A generated request, as a curl command (nothing was sent).
    curl: Option<String>,
    error: Option<String>,
    /// A debug run that failed: what was sent and what came back.
    run: Option<DebugRun>,
}

async fn app_page(
    member: &Member,
    market: &Marketplace,
    id: &str,
    (curl, error): (Option<String>, Option<String>),
    run: Option<DebugRun>,
) -> Result<HttpResponse, PageError> {
    let merchant = member.caller.seller()?;
    let app = crate::marketplace::kit::apps::own_app(market, merchant, id).await?;
    let (cases, missing) = cases_of(market, &app).await?;
    let failed = error.is_some();
    let page = AppPage {
        t: member.t,
        c: member.chrome("apps"),
        app,
        cases,
        missing,
        scenarios: Activity::ALL,
        curl,
        error,
        run,
    };
    Ok(super::answer(failed, page.render()))
}

/// The `resultCode` a saved case's answer carried.
pub fn result_code(answer: &serde_json::Value) -> String {
    answer["resultCode"].as_str().unwrap_or("—").to_owned()
}

/// JSON for people: indented.
pub fn pretty(value: &serde_json::Value) -> String {
    serde_json::to_string_pretty(value).unwrap_or_default()
}

async fn app(
    member: Member,
    path: web::Path<String>,
    market: web::Data<Marketplace>,
) -> Result<HttpResponse, PageError> {
    app_page(&member, &market, &path.into_inner(), (None, None), None).await
}

async fn debug(
    member: Member,
    path: web::Path<String>,
    form: Form,
    market: web::Data<Marketplace>,
) -> Result<HttpResponse, PageError> {
    member.check(&form)?;
    let id = path.into_inner();
    let ran = debug_scenario(
        &market,
        &member.caller,
        &id,
        form.get("scenario"),
        form.get("path"),
    )
    .await;
    match ran {
        Ok(run) => match &run.outcome {
            Ok(_) => Ok(done(&format!("/market/seller/apps/{id}"), "changed")),
            Err(why) => {
                let message = refusal(MarketError::DebugFailed(why.clone()), member.t)?;
                app_page(&member, &market, &id, (None, Some(message)), Some(run)).await
            }
        },
        Err(err) => {
            let message = refusal(err, member.t)?;
            app_page(&member, &market, &id, (None, Some(message)), None).await
        }
    }
}

async fn generate(
    member: Member,
    path: web::Path<String>,
    form: Form,
    market: web::Data<Marketplace>,
) -> Result<HttpResponse, PageError> {
    member.check(&form)?;
    let id = path.into_inner();
    let scenario = form.get("scenario");
    let generated = generated_curl(&market, &member.caller, &id, scenario, form.get("path")).await;
    match generated {
        Ok(curl) => app_page(&member, &market, &id, (Some(curl), None), None).await,
        Err(err) => {
            let message = refusal(err, member.t)?;
            app_page(&member, &market, &id, (None, Some(message)), None).await
        }
    }
}
