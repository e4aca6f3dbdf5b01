//! The identity lifecycle, written as the attacks it stops: every logout, revocation and
//! administrator action reaches every credential it should, at once, and stays in force;
//! codes are checked before they are spent; tokens are good only where they were issued
//! for. Time is moved on the app's clock, never slept.

use std::time::Duration;

use oauth2::TokenResponse;
use unilogin::domain::{NewPassword, Username};
use unilogin::store::ephemeral::CodeGrant;

use crate::helpers::{error_of, location, oauth_error, TestApp, PASSWORD};

mod grants;

const ME: &str = "/api/marketplace/v1/me";
const KEYS: &str = "/api/marketplace/v1/seller/access-keys";

/// Whether the browser's session still signs it in: authorize answers with a code
/// rather than the login page.
async fn sso_answers(app: &TestApp) -> bool {
    let (url, _) = app.authorize_url(&app.client, &[]);
    let response = app.get(&url).await;
    assert_eq!(response.status(), 302);
    !location(&response).starts_with("/unified-login/")
}

async fn marketplace(
    app: &TestApp,
    method: reqwest::Method,
    path: &str,
    token: &str,
) -> (u16, serde_json::Value) {
    let response = app
        .backchannel
        .request(method, app.url(path))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or_default())
}

#[tokio::test]
async fn a_revoked_session_stays_dead_after_the_access_token_lifetime() {
    let app = TestApp::spawn().await;
    let tokens = app.signed_in_tokens(&[]).await;
    let revoked = app
        .post_form(
            "/api/v1/oauth2/revoke",
            &[("token", tokens.access_token().secret())],
            app.basic(),
        )
        .await;
    assert_eq!(revoked.status(), 200);
    assert!(!sso_answers(&app).await, "revocation ends single sign-on");
    // The old revocation window (access-token lifetime + 60 s) has passed; the session
    // itself (8 hours) has not.
    app.clock().advance(Duration::from_secs(7200 + 120));
    assert!(!sso_answers(&app).await, "the session came back");
    app.clock().advance(Duration::from_secs(5 * 3600));
    assert!(!sso_answers(&app).await, "the session came back");
}

#[tokio::test]
async fn end_session_from_a_context_without_the_cookie_stays_in_force() {
    let app = TestApp::spawn().await;
    let body = app.signed_in_oidc().await;
    let hint = body["id_token"].as_str().unwrap();
    let mut url = url::Url::parse(&app.url("/api/v1/oauth2/end_session")).unwrap();
    url.query_pairs_mut().append_pair("id_token_hint", hint);
    let elsewhere = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    assert_eq!(elsewhere.get(url).send().await.unwrap().status(), 302);
    app.clock().advance(Duration::from_secs(3 * 3600));
    assert!(!sso_answers(&app).await, "the session came back");
}

#[tokio::test]
async fn a_password_change_ends_every_session_and_token_of_the_user() {
    let app = TestApp::spawn().await;
    let tokens = app.signed_in_tokens(&[]).await;
    let access = tokens.access_token().secret().clone();
    let refresh = tokens.refresh_token().unwrap().secret().clone();
    assert!(sso_answers(&app).await);
    unilogin::admin::set_password(
        &app.durable,
        &app.lifecycle(),
        &app.hasher,
        &Username::parse("alice").unwrap(),
        NewPassword::parse("an0ther-passw0rd").unwrap(),
    )
    .await
    .unwrap();
    assert_eq!(app.userinfo(&access).await.status(), 401);
    assert_eq!(app.introspect(&app.client, &access).await["active"], false);
    assert_eq!(app.introspect(&app.client, &refresh).await["active"], false);
    assert!(!sso_answers(&app).await, "the old session still signs in");
    assert_eq!(
        oauth_error(app.refresh(&app.client, &refresh).await),
        "invalid_grant"
    );
    // The user signs in again with the new password, at once.
    let (url, _) = app.authorize_url(&app.client, &[]);
    let callback = app.login_at(&url, "alice", "an0ther-passw0rd").await;
    let fresh = app
        .exchange_code(&app.client, callback.code.as_deref().unwrap())
        .await
        .unwrap();
    assert_eq!(
        app.userinfo(fresh.access_token().secret()).await.status(),
        200
    );
}

#[tokio::test]
async fn a_disabled_user_is_refused_everywhere_at_once() {
    let mut app = TestApp::spawn().await;
    let tokens = app
        .signed_in_tokens(&["marketplace.buyer", "marketplace.seller"])
        .await;
    let access = tokens.access_token().secret().clone();
    crate::marketplace::make_merchant(&app, "tenant-a").await;
    assert_eq!(
        marketplace(&app, reqwest::Method::GET, ME, &access).await.0,
        200
    );
    unilogin::admin::disable_user(
        &app.durable,
        &app.lifecycle(),
        &Username::parse("alice").unwrap(),
    )
    .await
    .unwrap();
    assert_eq!(app.introspect(&app.client, &access).await["active"], false);
    assert_eq!(
        marketplace(&app, reqwest::Method::GET, ME, &access).await.0,
        401
    );
    assert_eq!(
        marketplace(&app, reqwest::Method::POST, KEYS, &access)
            .await
            .0,
        401
    );
    assert!(!sso_answers(&app).await);
    app.browser = crate::helpers::browser();
    assert!(!sso_answers(&app).await);
}

#[tokio::test]
async fn a_deleted_client_leaves_no_live_token() {
    let app = TestApp::spawn().await;
    let doomed = app
        .register_client("doomed", &["https://doomed.example/cb"], false)
        .await;
    let callback = app.login(&doomed, &["marketplace.buyer"]).await;
    let user_token = app
        .exchange_code(&doomed, callback.code.as_deref().unwrap())
        .await
        .unwrap();
    let user_token = user_token.access_token().secret().clone();
    let app_token = app
        .oauth(&doomed)
        .exchange_client_credentials()
        .add_scope(oauth2::Scope::new("marketplace.buyer".into()))
        .request_async(&app.backchannel)
        .await
        .unwrap();
    let app_token = app_token.access_token().secret().clone();
    for token in [&user_token, &app_token] {
        assert_eq!(app.introspect(&app.client, token).await["active"], true);
        assert_eq!(
            marketplace(&app, reqwest::Method::GET, ME, token).await.0,
            200
        );
    }
    unilogin::admin::delete_client(&app.durable, &app.lifecycle(), &doomed.id)
        .await
        .unwrap();
    for token in [&user_token, &app_token] {
        assert_eq!(app.introspect(&app.client, token).await["active"], false);
        assert_eq!(
            marketplace(&app, reqwest::Method::GET, ME, token).await.0,
            401
        );
    }
}

#[tokio::test]
async fn rotating_a_secret_keeps_tokens_unless_asked_to_revoke_them() {
    let app = TestApp::spawn().await;
    let token = app.client_credentials().await;
    let rotated = unilogin::admin::rotate_secret(
        &app.durable,
        &app.lifecycle(),
        &app.client.id,
        unilogin::admin::SecretRotation {
            revoke_tokens: false,
            grace_seconds: None,
        },
    )
    .await
    .unwrap();
    assert_eq!(
        app.introspect(&app.client_with(&rotated), &token).await["active"],
        true
    );
    let rotated = unilogin::admin::rotate_secret(
        &app.durable,
        &app.lifecycle(),
        &app.client.id,
        unilogin::admin::SecretRotation {
            revoke_tokens: true,
            grace_seconds: None,
        },
    )
    .await
    .unwrap();
    let client = app.client_with(&rotated);
    assert_eq!(app.introspect(&client, &token).await["active"], false);
    // A token issued with the new secret right away is live.
    let fresh = app
        .oauth(&client)
        .exchange_client_credentials()
        .request_async(&app.backchannel)
        .await
        .unwrap();
    assert_eq!(
        app.introspect(&client, fresh.access_token().secret()).await["active"],
        true
    );
}

#[tokio::test]
async fn a_partner_apps_token_is_no_marketplace_credential() {
    let app = TestApp::spawn().await;
    crate::marketplace::make_merchant(&app, "tenant-a").await;
    let plain = app.signed_in_tokens(&["openid"]).await;
    let plain = plain.access_token().secret().clone();
    let (status, body) = marketplace(&app, reqwest::Method::POST, KEYS, &plain).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (403, Some("insufficient_scope"))
    );
    assert_eq!(
        marketplace(&app, reqwest::Method::GET, ME, &plain).await.0,
        403
    );
    assert_eq!(
        app.userinfo(&plain).await.status(),
        200,
        "userinfo is what it was issued for"
    );

    // A buyer token does not sell.
    let buyer = app.signed_in_tokens(&["marketplace.buyer"]).await;
    let buyer = buyer.access_token().secret().clone();
    assert_eq!(
        marketplace(&app, reqwest::Method::GET, ME, &buyer).await.0,
        200
    );
    let (status, body) = marketplace(&app, reqwest::Method::POST, KEYS, &buyer).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (403, Some("insufficient_scope"))
    );
    // A marketplace-only token (RFC 8707 resource) is refused by userinfo.
    let market_only = app.issuer().to_owned() + "/api/marketplace";
    let (url, _) = app.authorize_url(&app.client, &["openid", "marketplace.seller"]);
    let url = format!("{url}&resource={}", urlencode(&market_only));
    let callback = app.login_at(&url, "alice", PASSWORD).await;
    let seller = app
        .exchange_code(&app.client, callback.code.as_deref().unwrap())
        .await
        .unwrap();
    let seller = seller.access_token().secret().clone();
    let claims = crate::oidc::jwt_payload(&seller);
    assert_eq!(claims["aud"], market_only.as_str());
    assert_eq!(app.userinfo(&seller).await.status(), 401);
    assert_eq!(
        marketplace(&app, reqwest::Method::POST, KEYS, &seller)
            .await
            .0,
        201
    );

    // A client not allowed the marketplace scopes cannot ask for them.
    let stranger = app
        .register_client_with_scopes("stranger", &["https://stranger.example/cb"], false, &[])
        .await;
    let (url, _) = app.authorize_url(&stranger, &["marketplace.seller"]);
    let refused = crate::helpers::Callback::parse(&location(&app.get(&url).await));
    assert_eq!(refused.error.as_deref(), Some("invalid_scope"));
}

fn urlencode(value: &str) -> String {
    url::form_urlencoded::byte_serialize(value.as_bytes()).collect()
}

#[tokio::test]
async fn minting_an_access_key_needs_a_recent_sign_in() {
    let app = TestApp::spawn().await;
    crate::marketplace::make_merchant(&app, "tenant-a").await;
    let seller = app.signed_in_tokens(&["marketplace.seller"]).await;
    let seller = seller.access_token().secret().clone();
    app.clock().advance(Duration::from_secs(16 * 60));
    let (status, body) = marketplace(&app, reqwest::Method::POST, KEYS, &seller).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (403, Some("insufficient_user_authentication"))
    );
    assert_eq!(
        marketplace(&app, reqwest::Method::GET, KEYS, &seller)
            .await
            .0,
        200
    );
    // Step-up: max_age sends the user through the login page again.
    let (url, _) = app.authorize_url(&app.client, &["marketplace.seller"]);
    let callback = app
        .login_at(&format!("{url}&max_age=900"), "alice", PASSWORD)
        .await;
    let fresh = app
        .exchange_code(&app.client, callback.code.as_deref().unwrap())
        .await
        .unwrap();
    let (status, _) = marketplace(
        &app,
        reqwest::Method::POST,
        KEYS,
        fresh.access_token().secret(),
    )
    .await;
    assert_eq!(status, 201);
}
