//! The marketplace as a resource server: callers identified by unilogin access tokens
//! verified locally, roles, access keys, review applications, the catalogue, orders,
//! the signed open API and its OpenAPI document. Shared helpers live here.

mod api_document;
mod billing_unsubscribe;
mod commerce_pages;
mod concurrency;
mod console_pages;
mod discounts;
mod home;
mod inbox;
mod kit_apps;
mod kit_chain;
mod kit_openings;
mod kit_production;
mod kit_restart;
mod kit_seller;
mod kit_upgrades;
mod open_api;
mod orders;
mod review;
mod roles;
mod subscriptions;
mod supervision;
mod unsubscribing;
mod upload_quota;
mod vouchers;
mod withdrawal;
mod work_orders;

use oauth2::TokenResponse;
use unilogin::domain::resource::MARKETPLACE_SCOPES;
use unilogin::marketplace::sealing::Sealer;
use unilogin::marketplace::store::MarketStore;

use crate::helpers::{browser, TestApp, PASSWORD};

const ME: &str = "/api/marketplace/v1/me";
const KEYS: &str = "/api/marketplace/v1/seller/access-keys";
const BUYER_UNSUBSCRIBE: &str = "/api/marketplace/v1/buyer/unsubscribe-requests";
const SELLER_UNSUBSCRIBE: &str = "/api/marketplace/v1/seller/unsubscribe-requests";

fn market(app: &TestApp) -> MarketStore {
    MarketStore::new(&app.durable, app.clock().clone())
}

/// Signs `username` in through the real flow (in a browser of its own) and returns an
/// access token.
pub(crate) async fn token_for(app: &mut TestApp, username: &str) -> String {
    token_with(app, username, &MARKETPLACE_SCOPES).await
}

/// Like `token_for`, asking for `scopes`.
async fn token_with(app: &mut TestApp, username: &str, scopes: &[&str]) -> String {
    app.browser = browser();
    let (url, _) = app.authorize_url(&app.client, scopes);
    let callback = app.login_at(&url, username, PASSWORD).await;
    app.exchange_code(&app.client, callback.code.as_deref().unwrap())
        .await
        .expect("code exchange")
        .access_token()
        .secret()
        .clone()
}

async fn call(
    app: &TestApp,
    method: reqwest::Method,
    path: &str,
    token: Option<&str>,
) -> (u16, serde_json::Value, reqwest::header::HeaderMap) {
    let mut request = app.backchannel.request(method, app.url(path));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let response = request.send().await.expect("request");
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let text = response.text().await.unwrap();
    let body = if text.is_empty() {
        serde_json::Value::Null
    } else {
        serde_json::from_str(&text).expect("JSON body")
    };
    (status, body, headers)
}

async fn send_json(
    app: &TestApp,
    method: reqwest::Method,
    path: &str,
    token: &str,
    body: &serde_json::Value,
) -> (u16, serde_json::Value) {
    let response = app
        .backchannel
        .request(method, app.url(path))
        .bearer_auth(token)
        .json(body)
        .send()
        .await
        .expect("request");
    let status = response.status().as_u16();
    let text = response.text().await.unwrap_or_default();
    (
        status,
        // A body that is not JSON is kept, so that a failing assertion shows it.
        serde_json::from_str(&text).unwrap_or_else(|_| serde_json::json!({ "raw": text })),
    )
}

pub(crate) fn product(name: &str) -> serde_json::Value {
    serde_json::json!({
        "name": name,
        "description": "Customer relationship management",
        "category": "software",
        "accessType": "saas",
        "securitySelfCheck": true,
        "specs": [
            {"name": "Basic", "skuCode": "basic", "chargingMode": "PERIOD", "price": 9900, "periodType": "month"},
            {"name": "Once", "skuCode": "once", "chargingMode": "ONE_TIME", "price": 50000}
        ]
    })
}

/// A product unsubscribed through a request the seller decides (the buyer centre): a
/// container, priced like `product`. SaaS and images are unsubscribed in the billing
/// centre instead.
pub(crate) fn buyer_centre_product(name: &str) -> serde_json::Value {
    let mut body = product(name);
    body["accessType"] = serde_json::json!("container");
    body
}

/// alice sells for tenant-a, bob for tenant-b, carol reviews (operator), dave only buys.
pub(crate) struct Cast {
    pub(crate) alice: String,
    pub(crate) bob: String,
    pub(crate) carol: String,
    pub(crate) dave: String,
}

pub(crate) async fn cast(app: &mut TestApp) -> Cast {
    for (user, tenant) in [
        ("bob", "tenant-b"),
        ("carol", "platform"),
        ("dave", "tenant-d"),
    ] {
        app.create_user(user, tenant).await;
    }
    market(app)
        .create_merchant("tenant-a", "Shop A")
        .await
        .unwrap();
    market(app)
        .create_merchant("tenant-b", "Shop B")
        .await
        .unwrap();
    let carol = app
        .durable
        .find_user_by_username("carol")
        .await
        .unwrap()
        .unwrap();
    market(app).grant_operator(&carol.id).await.unwrap();
    Cast {
        alice: token_for(app, "alice").await,
        bob: token_for(app, "bob").await,
        carol: token_for(app, "carol").await,
        dave: token_for(app, "dave").await,
    }
}

const PRODUCTS: &str = "/api/marketplace/v1/seller/products";
const MINE: &str = "/api/marketplace/v1/seller/applications";
const QUEUE: &str = "/api/marketplace/v1/operator/applications";
const CATALOGUE: &str = "/api/marketplace/v1/products";

const ORDERS: &str = "/api/marketplace/v1/buyer/orders";
const SELLER_ORDERS: &str = "/api/marketplace/v1/seller/orders";

/// Publishes `body` as `seller` and has carol approve it; the product id.
pub(crate) async fn on_sale(
    app: &TestApp,
    c: &Cast,
    seller: &str,
    body: &serde_json::Value,
) -> String {
    let (status, application) = send_json(app, reqwest::Method::POST, PRODUCTS, seller, body).await;
    assert_eq!(status, 201, "{application}");
    let id = application["id"].as_str().unwrap();
    let (status, _, _) = call(
        app,
        reqwest::Method::POST,
        &format!("{QUEUE}/{id}/approve"),
        Some(&c.carol),
    )
    .await;
    assert_eq!(status, 200);
    application["productId"].as_str().unwrap().to_owned()
}

async fn order(
    app: &TestApp,
    token: &str,
    body: serde_json::Value,
    key: Option<&str>,
) -> (u16, serde_json::Value) {
    let mut request = app
        .backchannel
        .post(app.url(ORDERS))
        .bearer_auth(token)
        .json(&body);
    if let Some(key) = key {
        request = request.header("idempotency-key", key);
    }
    let response = request.send().await.unwrap();
    (response.status().as_u16(), response.json().await.unwrap())
}

fn hardware() -> serde_json::Value {
    serde_json::json!({
        "name": "Gateway box", "category": "devices", "accessType": "hardware",
        "securitySelfCheck": true,
        "specs": [{"name": "Box", "skuCode": "box", "chargingMode": "ONE_TIME", "price": 120000}]
    })
}

async fn access_key(app: &TestApp, token: &str) -> (String, String) {
    let (status, created, _) = call(app, reqwest::Method::POST, KEYS, Some(token)).await;
    assert_eq!(status, 201);
    (
        created["accessKey"].as_str().unwrap().to_owned(),
        created["secretKey"].as_str().unwrap().to_owned(),
    )
}

/// Registers `tenant` as a merchant: its users become sellers.
pub async fn make_merchant(app: &TestApp, tenant: &str) {
    market(app)
        .create_merchant(tenant, &format!("Shop {tenant}"))
        .await
        .unwrap();
}

const ATTACHMENTS: &str = "/api/marketplace/v1/attachments";
const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR evidence";

/// A refusal: the status, and words its description must contain.
fn says(status: u16, body: &serde_json::Value, want: u16, words: &str) {
    assert_eq!(status, want, "{body}");
    let said = body["error_description"].as_str().unwrap_or_default();
    assert!(said.contains(words), "{said:?} should say {words:?}");
}

/// Uploads `content` as `name`; the status and the attachment (or the refusal).
async fn upload(
    app: &TestApp,
    token: &str,
    name: &str,
    content: Vec<u8>,
) -> (u16, serde_json::Value) {
    let response = app
        .backchannel
        .post(app.url(&format!("{ATTACHMENTS}?fileName={name}")))
        .bearer_auth(token)
        .body(content)
        .send()
        .await
        .unwrap();
    (response.status().as_u16(), response.json().await.unwrap())
}

/// An upload that must succeed: its id.
async fn uploaded(app: &TestApp, token: &str, name: &str) -> String {
    let (status, body) = upload(app, token, name, PNG.to_vec()).await;
    assert_eq!(status, 201, "{body}");
    body["attachmentId"].as_str().unwrap().to_owned()
}

/// The status of downloading attachment `id` as `token`'s user.
async fn download_status(app: &TestApp, token: &str, id: &str) -> u16 {
    app.backchannel
        .get(app.url(&format!("{ATTACHMENTS}/{id}")))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

/// A number of seconds measured on the test clock, which also runs while the test does.
#[track_caller]
fn about(value: &serde_json::Value, want: i64) {
    let got = value
        .as_i64()
        .unwrap_or_else(|| panic!("{value} is no number"));
    assert!((want..want + 5).contains(&got), "{got} is not about {want}");
}
