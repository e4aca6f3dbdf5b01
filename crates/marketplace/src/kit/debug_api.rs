//! `/api/marketplace/v1/seller/kit/apps/{appId}/debug-…`: the seller's interface
//! debugging. *Generate* shows the exact signed request of a scenario (a `curl`
//! command); *debug and save* sends it with `testFlag` "1", checks the answer as every
//! production call is checked (HTTP 200, JSON, `Body-Sign`, `resultCode` `000000`, the
//! required fields and their lengths) within 20 s, and saves the case only on success.
//! The listing names the required scenarios still missing: until they are saved, the
//! product's instances do not open.

use actix_web::{web, HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use url::Url;

use crate::http::caller::Caller;
use crate::http::error::MarketError;
use crate::http::request::json_body;
use crate::http::roles::Seller;
use crate::http::schema;
use crate::kit::app_store::KitApp;
use crate::kit::debug_cases::{sample, with_presets, SavedCase};
use crate::kit::dispatch::{debug_call, signed, Attempt, CALL_TIMEOUT};
use crate::kit::exchange::Activity;
use crate::selling::product::{ChargingMode, ProductContent};
use crate::state::Marketplace;

/// A scenario to debug, with the seller's preset values.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[schema(as = KitDebugRequest)]
#[schema(example = json!({"scenario": "newInstance", "params": {}}))]
struct DebugRequest {
    /// The activity: newInstance, refreshInstance, updateInstanceStatus, releaseInstance,
    /// upgrade, queryInstance, orderNotify, tenantSync, applicationSync or userSync.
    scenario: String,
    /// The URL and path to call; on the production URL's host. Default: the production URL.
    #[serde(default)]
    url: Option<String>,
    /// Values for the sample's fields (strings or numbers); `testFlag` stays "1".
    #[serde(default)]
    #[schema(value_type = Object)]
    params: Map<String, Value>,
}

/// The exact request a debug call sends.
#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = KitDebugGenerated)]
struct GeneratedView {
    url: String,
    headers: Vec<(String, String)>,
    body: String,
    curl: String,
}

#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = KitDebugCase)]
struct CaseView {
    scenario: &'static str,
    url: String,
    #[schema(value_type = Object)]
    params: Value,
    /// The seller's answer.
    #[schema(value_type = Object)]
    answer: Value,
    /// How long the production interface took to answer, in milliseconds.
    latency_ms: i64,
    saved_at: i64,
}

impl From<SavedCase> for CaseView {
    fn from(case: SavedCase) -> Self {
        Self {
            scenario: case.scenario.as_str(),
            url: case.url,
            params: case.params,
            answer: case.answer,
            latency_ms: case.latency_ms,
            saved_at: case.saved_at,
        }
    }
}

#[derive(Serialize, utoipa::ToSchema)]
struct CaseList {
    items: Vec<CaseView>,
    /// Required scenarios without a saved case: the product's instances wait for them.
    missing: Vec<&'static str>,
}

async fn own_app(seller: &Seller, market: &Marketplace, id: &str) -> Result<KitApp, MarketError> {
    crate::kit::apps::own_app(market, &seller.merchant, id).await
}

/// The scenario, the URL (on the production URL's origin) and the body to send.
fn prepared(
    market: &Marketplace,
    app: &KitApp,
    req: &HttpRequest,
    body: &[u8],
) -> Result<(Activity, String, Value, Value), MarketError> {
    json_body(req, body)?;
    let request: DebugRequest =
        serde_json::from_slice(body).map_err(|e| MarketError::Invalid(e.to_string()))?;
    let scenario = Activity::parse(&request.scenario).ok_or_else(|| {
        let names: Vec<&str> = Activity::ALL.iter().map(|a| a.as_str()).collect();
        MarketError::Invalid(format!("scenario is one of {}", names.join(", ")))
    })?;
    let url = match request.url {
        None => app.production_url.clone(),
        Some(raw) => {
            let given = Url::parse(&raw).map_err(|e| MarketError::Invalid(format!("url: {e}")))?;
            let production = Url::parse(&app.production_url).map_err(|_| MarketError::Internal)?;
            if given.origin() != production.origin() {
                return Err(MarketError::Invalid(format!(
                    "url must be on the production URL's host ({})",
                    production.origin().ascii_serialization()
                )));
            }
            raw
        }
    };
    let sample = sample(app, scenario, market.clock.now_unix()).map_err(MarketError::Invalid)?;
    let params = Value::Object(request.params.clone());
    let payload = with_presets(sample, &request.params).map_err(MarketError::Invalid)?;
    Ok((scenario, url, params, payload))
}

/// Generate the signed request of a debug scenario (nothing is sent)
#[utoipa::path(
    post,
    path = "/api/marketplace/v1/seller/kit/apps/{appId}/debug-requests",
    tag = "joint-operation kit",
    params(("appId" = String, Path)),
    request_body = DebugRequest,
    responses((status = 200, description = "The request, and as a curl command", body = GeneratedView), schema::Refusals, (status = 404, description = "not_found", body = schema::ErrorBody)),
    security(("bearer" = ["marketplace.seller"]))
)]
pub async fn generate(
    seller: Seller,
    req: HttpRequest,
    path: web::Path<String>,
    body: web::Bytes,
    market: web::Data<Marketplace>,
) -> Result<HttpResponse, MarketError> {
    let app = own_app(&seller, &market, &path).await?;
    let (scenario, url, _, payload) = prepared(&market, &app, &req, &body)?;
    let (request, _) = signed(&market, &app, &url, scenario, payload)
        .await
        .map_err(MarketError::Invalid)?;
    Ok(HttpResponse::Ok().json(GeneratedView {
        url: request.url.to_string(),
        headers: request
            .headers
            .iter()
            .map(|(n, v)| (n.to_string(), v.to_str().unwrap_or_default().to_owned()))
            .collect(),
        body: String::from_utf8_lossy(&request.body).into_owned(),
        curl: request.curl(),
    }))
}

/// Debug a scenario against the production URL (testFlag 1) and save it if it succeeds
#[utoipa::path(
    post,
    path = "/api/marketplace/v1/seller/kit/apps/{appId}/debug-cases",
    tag = "joint-operation kit",
    params(("appId" = String, Path)),
    request_body = DebugRequest,
    responses((status = 201, description = "Succeeded and saved", body = CaseView), schema::Refusals, (status = 404, description = "not_found", body = schema::ErrorBody), (status = 422, description = "debug_failed: the documented reason (status, content type, Body-Sign, resultCode, a missing or too long field, unreachable, 20 s timeout); nothing saved", body = schema::ErrorBody)),
    security(("bearer" = ["marketplace.seller"]))
)]
pub async fn debug_and_save(
    seller: Seller,
    req: HttpRequest,
    path: web::Path<String>,
    body: web::Bytes,
    market: web::Data<Marketplace>,
) -> Result<HttpResponse, MarketError> {
    let app = own_app(&seller, &market, &path).await?;
    let (scenario, url, params, payload) = prepared(&market, &app, &req, &body)?;
    let case = run_case(&market, &app, scenario, url, params, payload).await?;
    Ok(HttpResponse::Created().json(CaseView::from(case)))
}

/// One debug run as the seller's console shows it: what was sent, what came back, how
/// long it took, and the case saved or why not.
#[derive(Debug)]
pub struct DebugRun {
    pub scenario: Activity,
    pub url: String,
    pub request: Value,
    pub status: Option<u16>,
    pub answer: Option<String>,
    pub latency_ms: i64,
    pub outcome: Result<SavedCase, String>,
}

impl DebugRun {
    /// The `resultCode` the answer carried, if it was JSON with one.
    pub fn result_code(&self) -> Option<String> {
        let answer: Value = serde_json::from_str(self.answer.as_deref()?).ok()?;
        answer["resultCode"].as_str().map(str::to_owned)
    }
}

/// Calls `url` with the scenario's `payload` (testFlag 1) and saves the case if the
/// answer holds.
pub async fn run(
    market: &Marketplace,
    app: &KitApp,
    scenario: Activity,
    url: String,
    params: Value,
    payload: Value,
) -> Result<DebugRun, MarketError> {
    let call = debug_call(market, app, &url, scenario, payload.clone(), CALL_TIMEOUT).await;
    let outcome = match call.attempt {
        Attempt::Accepted(accepted) if accepted.in_progress() => {
            Err("resultCode 000004 (in progress): a debug case needs 000000".to_owned())
        }
        Attempt::Accepted(accepted) => {
            let case = SavedCase {
                scenario,
                url: url.clone(),
                params,
                request: payload.clone(),
                answer: accepted.body,
                latency_ms: call.latency_ms,
                saved_at: market.clock.now_unix(),
            };
            market.store.save_debug_case(app, &case).await?;
            Ok(case)
        }
        Attempt::Failed(why) => Err(why),
    };
    Ok(DebugRun {
        scenario,
        url,
        request: payload,
        status: call.status,
        answer: call.answer,
        latency_ms: call.latency_ms,
        outcome,
    })
}

/// `run`, for the API: the saved case, or the documented reason it was not saved.
pub async fn run_case(
    market: &Marketplace,
    app: &KitApp,
    scenario: Activity,
    url: String,
    params: Value,
    payload: Value,
) -> Result<SavedCase, MarketError> {
    run(market, app, scenario, url, params, payload)
        .await?
        .outcome
        .map_err(MarketError::DebugFailed)
}

/// The calling seller's app, a scenario of it and the URL (the production URL, or a
/// `path` on its host) with the scenario's sample, as the console's forms name them.
async fn scenario_of(
    market: &Marketplace,
    caller: &Caller,
    app_id: &str,
    scenario: &str,
    path: &str,
) -> Result<(KitApp, Activity, String, Value), MarketError> {
    let app = crate::kit::apps::own_app(market, caller.seller()?, app_id).await?;
    let scenario = Activity::parse(scenario)
        .ok_or_else(|| MarketError::Invalid("choose a scenario".into()))?;
    let url = if path.is_empty() {
        app.production_url.clone()
    } else {
        let production = Url::parse(&app.production_url).map_err(|_| MarketError::Internal)?;
        production
            .join(path)
            .ok()
            .filter(|u| u.origin() == production.origin())
            .ok_or_else(|| {
                MarketError::Invalid("the path must stay on the production host".into())
            })?
            .to_string()
    };
    let payload = sample(&app, scenario, market.clock.now_unix()).map_err(MarketError::Invalid)?;
    Ok((app, scenario, url, payload))
}

/// The calling seller debugs `scenario` of its app with the sample as it is, saving the
/// case if it holds.
pub async fn debug_scenario(
    market: &Marketplace,
    caller: &Caller,
    app_id: &str,
    scenario: &str,
    path: &str,
) -> Result<DebugRun, MarketError> {
    let (app, scenario, url, payload) = scenario_of(market, caller, app_id, scenario, path).await?;
    run(
        market,
        &app,
        scenario,
        url,
        Value::Object(Default::default()),
        payload,
    )
    .await
}

/// The signed request of a scenario as a curl command; nothing is sent.
pub async fn generated_curl(
    market: &Marketplace,
    caller: &Caller,
    app_id: &str,
    scenario: &str,
    path: &str,
) -> Result<String, MarketError> {
    let (app, scenario, url, payload) = scenario_of(market, caller, app_id, scenario, path).await?;
    let (request, _) = signed(market, &app, &url, scenario, payload)
        .await
        .map_err(MarketError::Invalid)?;
    Ok(request.curl())
}

/// An app's saved cases and the required scenarios still missing.
pub async fn cases_of(
    market: &Marketplace,
    app: &KitApp,
) -> Result<(Vec<SavedCase>, Vec<Activity>), MarketError> {
    let period = period_billing(market, &app.product_id).await?;
    let missing = market.store.missing_debug_cases(&app.id, period).await?;
    Ok((market.store.debug_cases(&app.id).await?, missing))
}

/// Whether the product bills by period (its required cases are four, else two).
pub async fn period_billing(market: &Marketplace, product_id: &str) -> Result<bool, MarketError> {
    let Some(product) = market.store.product_on_sale(product_id).await? else {
        return Ok(true);
    };
    let content: ProductContent =
        serde_json::from_str(&product.content).map_err(|_| MarketError::Internal)?;
    Ok(content
        .specs
        .iter()
        .any(|s| s.charging_mode == ChargingMode::Period))
}

/// My saved debug cases of an app, and the required ones still missing
#[utoipa::path(
    get,
    path = "/api/marketplace/v1/seller/kit/apps/{appId}/debug-cases",
    tag = "joint-operation kit",
    params(("appId" = String, Path)),
    responses((status = 200, description = "The saved cases", body = CaseList), schema::Refusals, (status = 404, description = "not_found", body = schema::ErrorBody)),
    security(("bearer" = ["marketplace.seller"]))
)]
pub async fn list(
    seller: Seller,
    path: web::Path<String>,
    market: web::Data<Marketplace>,
) -> Result<HttpResponse, MarketError> {
    let app = own_app(&seller, &market, &path).await?;
    let period = period_billing(&market, &app.product_id).await?;
    let missing = market
        .store
        .missing_debug_cases(&app.id, period)
        .await?
        .into_iter()
        .map(Activity::as_str)
        .collect();
    let items = market
        .store
        .debug_cases(&app.id)
        .await?
        .into_iter()
        .map(CaseView::from)
        .collect();
    Ok(HttpResponse::Ok().json(CaseList { items, missing }))
}

/// A joint-operation app's product goes on sale only once its required debug cases are
/// saved (§4.5); products without an app are not held.
pub async fn debugged_for_sale(
    market: &Marketplace,
    application: &crate::selling::store::ApplicationRecord,
) -> Result<(), MarketError> {
    let Some(app) = market
        .store
        .kit_app_of_product(&application.product_id)
        .await?
    else {
        return Ok(());
    };
    let period = serde_json::from_str::<ProductContent>(&application.content)
        .map(|c| {
            c.specs
                .iter()
                .any(|s| s.charging_mode == ChargingMode::Period)
        })
        .unwrap_or(true);
    let missing = market.store.missing_debug_cases(&app.id, period).await?;
    if missing.is_empty() {
        return Ok(());
    }
    let names: Vec<&str> = missing.iter().map(|a| a.as_str()).collect();
    Err(MarketError::Conflict(format!(
        "the product's joint-operation app {} lacks saved debug cases ({}): the seller \
         debugs them first",
        app.id,
        names.join(", ")
    )))
}
