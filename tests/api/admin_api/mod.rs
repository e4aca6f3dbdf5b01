//! The admin REST API, driven with tokens from real flows: a platform administrator
//! signed in through authorize (the console's way in), and automation through
//! client credentials, read-only and read-write kept apart. The helpers here; the tests
//! by resource in the files below.

mod access;
mod clients;
mod examples;
mod settings;
mod tenants;
mod users;

use reqwest::{Method, Response};
use unilogin::domain::resource::{ADMIN_READ, ADMIN_WRITE, MARKETPLACE_BUYER};

use crate::helpers::{browser, TestApp, TestClient, PASSWORD};

pub const TENANTS: &str = "/api/admin/v1/tenants";

/// A person's access token for `scopes`, signed in as `username` in a fresh browser.
pub async fn user_token(
    app: &mut TestApp,
    client: &TestClient,
    username: &str,
    scopes: &[&str],
) -> String {
    app.browser = browser();
    let (url, _) = app.authorize_url(client, scopes);
    let callback = app.login_at(&url, username, PASSWORD).await;
    let tokens = app
        .exchange_code(client, callback.code.as_deref().expect("a code"))
        .await
        .expect("code exchange");
    oauth2::TokenResponse::access_token(&tokens)
        .secret()
        .clone()
}

/// A client-credentials token of `client` for `scope`.
pub async fn client_token(app: &TestApp, client: &TestClient, scope: &str) -> String {
    let response = app
        .token_raw(
            &[("grant_type", "client_credentials"), ("scope", scope)],
            Some((&client.id, client.secret.as_deref().unwrap())),
        )
        .await;
    assert_eq!(response.status(), 200);
    let body: serde_json::Value = response.json().await.unwrap();
    body["access_token"].as_str().unwrap().to_owned()
}

pub async fn call(
    app: &TestApp,
    method: Method,
    path: &str,
    token: Option<&str>,
    if_match: Option<&str>,
    body: Option<serde_json::Value>,
) -> Response {
    let mut request = app.backchannel.request(method, app.url(path));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    if let Some(version) = if_match {
        request = request.header("if-match", version);
    }
    if let Some(body) = body {
        request = request.json(&body);
    }
    request.send().await.expect("admin API request")
}

/// A successful GET's JSON.
pub async fn get_json(app: &TestApp, path: &str, token: Option<&str>) -> serde_json::Value {
    let response = call(app, Method::GET, path, token, None, None).await;
    assert_eq!(response.status(), 200, "GET {path}");
    response.json().await.unwrap()
}

/// The problem document of an error answer, after checking its media type and status.
pub async fn problem(response: Response, status: u16) -> serde_json::Value {
    assert_eq!(response.status(), status);
    assert_eq!(
        response.headers()["content-type"],
        "application/problem+json"
    );
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["status"], status);
    assert!(body["type"]
        .as_str()
        .unwrap()
        .starts_with("urn:unilogin:problem:"));
    assert!(!body["detail"].as_str().unwrap().is_empty());
    body
}

pub fn etag(response: &Response) -> String {
    response.headers()["etag"].to_str().unwrap().to_owned()
}

pub struct Admin {
    pub app: TestApp,
    pub console: TestClient,
    pub alice_id: String,
    pub token: String,
}

/// alice made a platform administrator, signed in through a client allowed the admin
/// scopes (as the console is).
pub async fn administrator() -> Admin {
    let mut app = TestApp::spawn().await;
    let alice_id = app.make_platform_admin("alice").await;
    let console = app
        .register_client_with_scopes(
            "console",
            &["https://console.example/cb"],
            false,
            &[ADMIN_READ, ADMIN_WRITE, MARKETPLACE_BUYER],
        )
        .await;
    let token = user_token(&mut app, &console, "alice", &[ADMIN_WRITE]).await;
    Admin {
        app,
        console,
        alice_id,
        token,
    }
}

pub const CLIENTS: &str = "/api/admin/v1/clients";
pub const USERS: &str = "/api/admin/v1/users";

/// The session id an access token carries.
pub fn sid_of(jwt: &str) -> String {
    use base64::Engine;
    let payload = jwt.split('.').nth(1).unwrap();
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload)
        .unwrap();
    let claims: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
    claims["sid"].as_str().unwrap().to_owned()
}

/// Whether `browser` still has single sign-on: authorize answers straight to the app.
pub async fn signed_in(app: &mut TestApp, browser: &reqwest::Client, client: &TestClient) -> bool {
    app.browser = browser.clone();
    let (url, _) = app.authorize_url(client, &[]);
    let response = app.get(&url).await;
    crate::helpers::location(&response).starts_with("https://")
}
