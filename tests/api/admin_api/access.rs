//! Who gets in: people through the console client and other admin-scoped clients,
//! automation through client credentials; read-only stays read-only; the served document.

use reqwest::Method;
use unilogin::domain::resource::{ADMIN_READ, ADMIN_WRITE, MARKETPLACE_BUYER};

use super::*;
use crate::helpers::{TestApp, TestClient, PASSWORD, TENANT};

/// The console's own registration is a public client: its tokens come from authorize with
/// PKCE, as the console gets them, and they carry the admin API's audience.
#[tokio::test]
async fn the_console_client_signs_a_person_in_with_pkce_for_the_admin_api() {
    let app = TestApp::spawn().await;
    app.make_platform_admin("alice").await;
    let console = TestClient {
        id: unilogin::admin::CONSOLE_CLIENT_ID.into(),
        secret: None,
        app_id: unilogin::admin::CONSOLE_CLIENT_ID.into(),
        redirect_uri: format!("{}/console/callback", app.issuer()),
        post_logout_uri: format!("{}/console/", app.issuer()),
    };
    let (challenge, verifier) = oauth2::PkceCodeChallenge::new_random_sha256();
    let (url, _) = app
        .oauth(&console)
        .authorize_url(oauth2::CsrfToken::new_random)
        .add_scope(oauth2::Scope::new(ADMIN_READ.into()))
        .set_pkce_challenge(challenge)
        .url();
    let callback = app.login_at(url.as_str(), "alice", PASSWORD).await;
    let tokens = app
        .oauth(&console)
        .exchange_code(oauth2::AuthorizationCode::new(callback.code.unwrap()))
        .set_pkce_verifier(verifier)
        .request_async(&app.backchannel)
        .await
        .expect("the console's code exchange");
    let token = oauth2::TokenResponse::access_token(&tokens)
        .secret()
        .clone();
    let tenants = get_json(&app, TENANTS, Some(&token)).await;
    assert_eq!(tenants["items"][0]["id"], TENANT);
    // Read-only: a change is refused.
    let refused = call(
        &app,
        Method::POST,
        TENANTS,
        Some(&token),
        None,
        Some(serde_json::json!({"id": "t-ro", "name": "Read only"})),
    )
    .await;
    problem(refused, 403).await;
    // The registration itself is unilogin's: the API may read it but not change it.
    let registration = get_json(&app, "/api/admin/v1/clients/unilogin-console", Some(&token)).await;
    assert_eq!(registration["public"], true);
}

#[tokio::test]
async fn only_administrators_and_admin_scoped_clients_get_in_and_read_only_stays_read_only() {
    let Admin {
        mut app,
        console,
        alice_id,
        token,
    } = administrator().await;
    // No token, a broken one.
    let missing = call(&app, Method::GET, TENANTS, None, None, None).await;
    assert!(missing.headers()["www-authenticate"]
        .to_str()
        .unwrap()
        .starts_with("Bearer"));
    problem(missing, 401).await;
    problem(
        call(&app, Method::GET, TENANTS, Some("not-a-token"), None, None).await,
        401,
    )
    .await;
    // A marketplace token is not for this API.
    let market = user_token(&mut app, &console, "alice", &[MARKETPLACE_BUYER]).await;
    let wrong = call(&app, Method::GET, TENANTS, Some(&market), None, None).await;
    assert!(wrong.headers()["www-authenticate"]
        .to_str()
        .unwrap()
        .contains("insufficient_scope"));
    problem(wrong, 403).await;
    // A user who is not a platform administrator, even with the scope.
    app.create_user("bob", TENANT).await;
    let bob = user_token(&mut app, &console, "bob", &[ADMIN_WRITE]).await;
    problem(
        call(&app, Method::GET, TENANTS, Some(&bob), None, None).await,
        403,
    )
    .await;

    // Automation: read-only can read and not write; read-write can write, as itself.
    let reader = app
        .register_client_with_scopes(
            "reader",
            &["https://reader.example/cb"],
            false,
            &[ADMIN_READ],
        )
        .await;
    let read_only = client_token(&app, &reader, ADMIN_READ).await;
    assert_eq!(
        call(&app, Method::GET, TENANTS, Some(&read_only), None, None)
            .await
            .status(),
        200
    );
    let new = serde_json::json!({"id": "robots", "name": "Robots"});
    let refused = call(
        &app,
        Method::POST,
        TENANTS,
        Some(&read_only),
        None,
        Some(new.clone()),
    )
    .await;
    assert!(refused.headers()["www-authenticate"]
        .to_str()
        .unwrap()
        .contains(r#"scope="admin.write""#));
    problem(refused, 403).await;
    let writer = app
        .register_client_with_scopes(
            "writer",
            &["https://writer.example/cb"],
            false,
            &[ADMIN_WRITE],
        )
        .await;
    let read_write = client_token(&app, &writer, ADMIN_WRITE).await;
    let created = call(
        &app,
        Method::POST,
        TENANTS,
        Some(&read_write),
        None,
        Some(new),
    )
    .await;
    assert_eq!(created.status(), 201);
    let events = app.durable.admin_events("robots").await.unwrap();
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].actor, format!("client:{}", writer.id));

    // Revoked administration takes effect on the very next request.
    assert_eq!(
        call(&app, Method::GET, TENANTS, Some(&token), None, None)
            .await
            .status(),
        200
    );
    app.durable
        .set_platform_admin(&alice_id, false)
        .await
        .unwrap();
    problem(
        call(&app, Method::GET, TENANTS, Some(&token), None, None).await,
        403,
    )
    .await;
}

#[tokio::test]
async fn the_generated_openapi_document_is_served_and_every_operation_in_it_answers() {
    let app = TestApp::spawn().await;
    let response = call(
        &app,
        Method::GET,
        "/api/admin/v1/openapi.json",
        None,
        None,
        None,
    )
    .await;
    assert_eq!(response.status(), 200);
    let document: serde_json::Value = response.json().await.unwrap();
    assert!(document["openapi"].as_str().unwrap().starts_with("3."));
    assert_eq!(document["info"]["title"], "unilogin admin API");
    assert_eq!(
        document["components"]["securitySchemes"]["bearer"]["scheme"],
        "bearer"
    );
    for schema in [
        "ClientView",
        "UserView",
        "TenantView",
        "Problem",
        "FieldError",
        "EventView",
    ] {
        assert!(
            document["components"]["schemas"].get(schema).is_some(),
            "{schema} is described"
        );
    }
    let all = [
        Method::GET,
        Method::POST,
        Method::PATCH,
        Method::DELETE,
        Method::PUT,
    ];
    for (path, operations) in document["paths"].as_object().unwrap() {
        let concrete = path
            .split('/')
            .map(|s| if s.starts_with('{') { "x" } else { s })
            .collect::<Vec<_>>()
            .join("/");
        for method in &all {
            let documented = operations.get(method.as_str().to_lowercase()).is_some();
            let status = call(&app, method.clone(), &concrete, None, None, None)
                .await
                .status()
                .as_u16();
            match (documented, path.ends_with("openapi.json")) {
                (true, true) => assert_eq!(status, 200),
                (true, false) => assert_eq!(status, 401, "{method} {path} without a token"),
                (false, _) => assert_eq!(status, 405, "{method} {path} is not served"),
            }
        }
    }
}
