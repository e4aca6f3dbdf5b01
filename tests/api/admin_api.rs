//! The admin REST API, driven with tokens from real flows: a platform administrator
//! signed in through authorize (the console's way in), and automation through
//! client credentials, read-only and read-write kept apart.

use reqwest::{Method, Response};
use unilogin::domain::resource::{ADMIN_READ, ADMIN_WRITE, MARKETPLACE_BUYER};

use crate::helpers::{browser, TestApp, TestClient, PASSWORD, TENANT};

const TENANTS: &str = "/api/admin/v1/tenants";

/// A person's access token for `scopes`, signed in as `username` in a fresh browser.
async fn user_token(
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
async fn client_token(app: &TestApp, client: &TestClient, scope: &str) -> String {
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

async fn call(
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
async fn get_json(app: &TestApp, path: &str, token: Option<&str>) -> serde_json::Value {
    let response = call(app, Method::GET, path, token, None, None).await;
    assert_eq!(response.status(), 200, "GET {path}");
    response.json().await.unwrap()
}

/// The problem document of an error answer, after checking its media type and status.
async fn problem(response: Response, status: u16) -> serde_json::Value {
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

fn etag(response: &Response) -> String {
    response.headers()["etag"].to_str().unwrap().to_owned()
}

struct Admin {
    app: TestApp,
    console: TestClient,
    alice_id: String,
    token: String,
}

/// alice made a platform administrator, signed in through a client allowed the admin
/// scopes (as the console is).
async fn administrator() -> Admin {
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
async fn an_administrator_creates_pages_reads_and_updates_tenants_with_versions() {
    let Admin {
        app,
        token,
        alice_id,
        ..
    } = administrator().await;
    let token = Some(token.as_str());
    let created = call(
        &app,
        Method::POST,
        TENANTS,
        token,
        None,
        Some(serde_json::json!({"id": "acme", "name": "Acme", "domain_name": "https://acme.example"})),
    )
    .await;
    assert_eq!(created.status(), 201);
    assert_eq!(created.headers()["location"], "/api/admin/v1/tenants/acme");
    assert_eq!(etag(&created), "\"1\"");
    let body: serde_json::Value = created.json().await.unwrap();
    assert_eq!(body["name"], "Acme");

    let read = call(
        &app,
        Method::GET,
        "/api/admin/v1/tenants/acme",
        token,
        None,
        None,
    )
    .await;
    assert_eq!(read.status(), 200);
    let version = etag(&read);

    // Renamed by one administrator...
    let renamed = call(
        &app,
        Method::PATCH,
        "/api/admin/v1/tenants/acme",
        token,
        Some(&version),
        Some(serde_json::json!({"name": "Acme Inc"})),
    )
    .await;
    assert_eq!(renamed.status(), 200);
    assert_eq!(etag(&renamed), "\"2\"");
    // ...then a second one, who read version 1, cannot overwrite it.
    let stale = call(
        &app,
        Method::PATCH,
        "/api/admin/v1/tenants/acme",
        token,
        Some(&version),
        Some(serde_json::json!({"name": "Acme Old"})),
    )
    .await;
    problem(stale, 412).await;
    let blind = call(
        &app,
        Method::PATCH,
        "/api/admin/v1/tenants/acme",
        token,
        None,
        Some(serde_json::json!({"name": "Acme Blind"})),
    )
    .await;
    problem(blind, 428).await;
    let no_domain = call(
        &app,
        Method::PATCH,
        "/api/admin/v1/tenants/acme",
        token,
        Some("\"2\""),
        Some(serde_json::json!({"domain_name": null})),
    )
    .await;
    assert_eq!(no_domain.status(), 200);
    let body: serde_json::Value = no_domain.json().await.unwrap();
    assert_eq!(body["name"], "Acme Inc");
    assert_eq!(body["domain_name"], serde_json::Value::Null);
    assert_eq!(body["version"], 3);

    // One audit event per change, naming the administrator and the address.
    let events = app.durable.admin_events("acme").await.unwrap();
    let actions: Vec<&str> = events.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(
        actions,
        ["tenant.created", "tenant.updated", "tenant.updated"]
    );
    for event in &events {
        assert_eq!(event.actor, format!("user:{alice_id}"));
        assert_eq!(event.address, "127.0.0.1");
    }
    assert_eq!(events[1].changes, r#"{"name":"Acme Inc"}"#);

    // Paging: one at a time, by id, until the cursor runs out.
    let mut seen = Vec::new();
    let mut path = format!("{TENANTS}?limit=1");
    loop {
        let page: serde_json::Value = get_json(&app, &path, token).await;
        let items = page["items"].as_array().unwrap();
        assert!(items.len() <= 1);
        seen.extend(items.iter().map(|t| t["id"].as_str().unwrap().to_owned()));
        match page["next_cursor"].as_str() {
            Some(cursor) => path = format!("{TENANTS}?limit=1&cursor={cursor}"),
            None => break,
        }
    }
    assert_eq!(seen, ["acme", TENANT]);
}

#[tokio::test]
async fn mistakes_are_problem_documents_that_name_the_field_and_change_nothing() {
    let Admin { app, token, .. } = administrator().await;
    let token = Some(token.as_str());
    let tenants_before = app.count("tenants").await;
    let events_before = app.count("audit_events").await;
    for (body, field) in [
        (serde_json::json!({"id": "bad id!", "name": "X"}), "id"),
        (serde_json::json!({"id": "fine", "name": 5}), "name"),
        (
            serde_json::json!({"id": "fine", "name": "X", "domain_name": "ftp://x"}),
            "",
        ),
        (
            serde_json::json!({"id": "fine", "name": "X", "colour": "red"}),
            "colour",
        ),
    ] {
        let refused = call(&app, Method::POST, TENANTS, token, None, Some(body.clone())).await;
        let document = problem(refused, 422).await;
        if !field.is_empty() {
            assert_eq!(document["errors"][0]["field"], field, "{body}");
        }
    }
    let duplicate = call(
        &app,
        Method::POST,
        TENANTS,
        token,
        None,
        Some(serde_json::json!({"id": TENANT, "name": "Again"})),
    )
    .await;
    problem(duplicate, 409).await;
    problem(
        call(
            &app,
            Method::GET,
            "/api/admin/v1/tenants/nobody",
            token,
            None,
            None,
        )
        .await,
        404,
    )
    .await;
    problem(
        call(
            &app,
            Method::GET,
            &format!("{TENANTS}?limit=0"),
            token,
            None,
            None,
        )
        .await,
        422,
    )
    .await;
    problem(
        call(
            &app,
            Method::GET,
            &format!("{TENANTS}?cursor=%%%"),
            token,
            None,
            None,
        )
        .await,
        422,
    )
    .await;
    problem(
        call(&app, Method::DELETE, TENANTS, token, None, None).await,
        405,
    )
    .await;
    problem(
        call(
            &app,
            Method::GET,
            "/api/admin/v1/nothing-here",
            token,
            None,
            None,
        )
        .await,
        404,
    )
    .await;
    assert_eq!(app.count("tenants").await, tenants_before);
    assert_eq!(app.count("audit_events").await, events_before);
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

const CLIENTS: &str = "/api/admin/v1/clients";

#[tokio::test]
async fn a_client_registered_through_the_api_signs_users_in_and_every_change_is_versioned() {
    let Admin {
        app,
        token,
        alice_id,
        ..
    } = administrator().await;
    let token = Some(token.as_str());
    let created = call(
        &app,
        Method::POST,
        CLIENTS,
        token,
        None,
        Some(serde_json::json!({
            "name": "Shop",
            "redirect_uris": ["https://shop.example/cb"],
            "post_logout_uris": ["https://shop.example/bye"],
            "scopes": [MARKETPLACE_BUYER],
        })),
    )
    .await;
    assert_eq!(created.status(), 201);
    assert_eq!(etag(&created), "\"1\"");
    let body: serde_json::Value = created.json().await.unwrap();
    let id = body["client_id"].as_str().unwrap().to_owned();
    let secret = body["client_secret"].as_str().unwrap().to_owned();
    let path = format!("{CLIENTS}/{id}");
    let read: serde_json::Value = get_json(&app, &path, token).await;
    assert!(
        read.get("client_secret").is_none(),
        "the secret is shown once"
    );
    assert_eq!(read["scopes"], serde_json::json!([MARKETPLACE_BUYER]));

    // The new registration works for a partner app at once.
    let shop = TestClient {
        id: id.clone(),
        secret: Some(secret.clone()),
        app_id: body["app_id"].as_str().unwrap().to_owned(),
        redirect_uri: "https://shop.example/cb".into(),
        post_logout_uri: "https://shop.example/bye".into(),
    };
    let callback = app.login(&shop, &[]).await;
    let tokens = app
        .exchange_code(&shop, callback.code.as_deref().unwrap())
        .await
        .expect("the new client redeems its code");
    let access = oauth2::TokenResponse::access_token(&tokens)
        .secret()
        .clone();

    // A second redirect URI, against the version read; the stale write is refused.
    let patched = call(
        &app,
        Method::PATCH,
        &path,
        token,
        Some("\"1\""),
        Some(serde_json::json!({
            "redirect_uris": ["https://shop.example/cb", "https://shop.example/cb2"],
            "home_url": "https://shop.example/",
        })),
    )
    .await;
    assert_eq!(patched.status(), 200);
    assert_eq!(etag(&patched), "\"2\"");
    problem(
        call(
            &app,
            Method::PATCH,
            &path,
            token,
            Some("\"1\""),
            Some(serde_json::json!({"name": "Lost update"})),
        )
        .await,
        412,
    )
    .await;
    problem(
        call(
            &app,
            Method::PATCH,
            &path,
            token,
            Some("\"2\""),
            Some(serde_json::json!({"redirect_uris": ["not a uri"]})),
        )
        .await,
        422,
    )
    .await;

    // Rotation with revocation: the old secret and the old tokens stop at once.
    let rotated = call(
        &app,
        Method::POST,
        &format!("{path}/secret"),
        token,
        None,
        Some(serde_json::json!({"revoke_tokens": true})),
    )
    .await;
    assert_eq!(rotated.status(), 200);
    let rotated: serde_json::Value = rotated.json().await.unwrap();
    let new_secret = rotated["client_secret"].as_str().unwrap();
    assert_ne!(new_secret, secret);
    assert_eq!(rotated["version"], 3);
    let old = app
        .token_raw(
            &[("grant_type", "client_credentials")],
            Some((&id, &secret)),
        )
        .await;
    assert_eq!(old.status(), 401);
    let new = app
        .token_raw(
            &[("grant_type", "client_credentials")],
            Some((&id, new_secret)),
        )
        .await;
    assert_eq!(new.status(), 200);
    assert_eq!(app.userinfo(&access).await.status(), 401);

    // Delete, guarded by the version too.
    problem(
        call(&app, Method::DELETE, &path, token, Some("\"2\""), None).await,
        412,
    )
    .await;
    let deleted = call(&app, Method::DELETE, &path, token, Some("\"3\""), None).await;
    assert_eq!(deleted.status(), 204);
    problem(call(&app, Method::GET, &path, token, None, None).await, 404).await;

    let events = app.durable.admin_events(&id).await.unwrap();
    let actions: Vec<&str> = events.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(
        actions,
        [
            "client.created",
            "client.updated",
            "client.secret_rotated",
            "client.deleted"
        ]
    );
    assert!(events.iter().all(|e| e.actor == format!("user:{alice_id}")));
    let changed: serde_json::Value = serde_json::from_str(&events[1].changes).unwrap();
    assert_eq!(
        changed,
        serde_json::json!({
            "redirect_uris": ["https://shop.example/cb", "https://shop.example/cb2"],
            "home_url": "https://shop.example/",
        })
    );
    let trail = format!("{events:?}");
    assert!(!trail.contains(&secret) && !trail.contains(new_secret));
}

#[tokio::test]
async fn a_client_turns_public_and_back_and_lists_page_by_id() {
    let Admin { app, token, .. } = administrator().await;
    let token = Some(token.as_str());
    let path = format!("{CLIENTS}/{}", app.client.id);
    let version = etag(&call(&app, Method::GET, &path, token, None, None).await);
    let public = call(
        &app,
        Method::PATCH,
        &path,
        token,
        Some(&version),
        Some(serde_json::json!({"public": true})),
    )
    .await;
    assert_eq!(public.status(), 200);
    let version = etag(&public);
    let body: serde_json::Value = public.json().await.unwrap();
    assert_eq!(body["public"], true);
    assert!(body.get("client_secret").is_none());
    let confidential = call(
        &app,
        Method::PATCH,
        &path,
        token,
        Some(&version),
        Some(serde_json::json!({"public": false})),
    )
    .await;
    let body: serde_json::Value = confidential.json().await.unwrap();
    let secret = body["client_secret"].as_str().expect("a new secret, once");
    let works = app
        .token_raw(
            &[("grant_type", "client_credentials")],
            Some((&app.client.id, secret)),
        )
        .await;
    assert_eq!(works.status(), 200);

    for name in ["b", "c", "d"] {
        app.register_client(name, &[&format!("https://{name}.example/cb")], false)
            .await;
    }
    let mut seen = Vec::new();
    let mut page_path = format!("{CLIENTS}?limit=2");
    loop {
        let page: serde_json::Value = get_json(&app, &page_path, token).await;
        for client in page["items"].as_array().unwrap() {
            assert!(client.get("client_secret").is_none());
            assert!(!client["redirect_uris"].as_array().unwrap().is_empty());
            seen.push(client["client_id"].as_str().unwrap().to_owned());
        }
        match page["next_cursor"].as_str() {
            Some(cursor) => page_path = format!("{CLIENTS}?limit=2&cursor={cursor}"),
            None => break,
        }
    }
    let mut sorted = seen.clone();
    sorted.sort();
    assert_eq!(seen, sorted);
    assert_eq!(seen.len() as i64, app.count("clients").await);
}

#[tokio::test]
async fn client_mistakes_name_the_field_and_register_nothing() {
    let Admin { app, token, .. } = administrator().await;
    let token = Some(token.as_str());
    let before = app.count("clients").await;
    for (body, field) in [
        (
            serde_json::json!({"name": "X", "redirect_uris": ["https://ok.example/cb", "nope"]}),
            "redirect_uris[1]",
        ),
        (
            serde_json::json!({"name": "X", "redirect_uris": []}),
            "redirect_uris",
        ),
        (
            serde_json::json!({"redirect_uris": ["https://ok.example/cb"]}),
            "",
        ),
        (
            serde_json::json!({"name": "X", "redirect_uris": ["https://ok.example/cb"], "scopes": ["no.such"]}),
            "",
        ),
        (
            serde_json::json!({"name": "X", "redirect_uris": ["https://ok.example/cb"], "id_token_alg": "HS256"}),
            "",
        ),
    ] {
        let document = problem(
            call(&app, Method::POST, CLIENTS, token, None, Some(body.clone())).await,
            422,
        )
        .await;
        if !field.is_empty() {
            assert_eq!(document["errors"][0]["field"], field, "{body}");
        }
    }
    assert_eq!(app.count("clients").await, before);
}

const USERS: &str = "/api/admin/v1/users";

#[tokio::test]
async fn an_administrator_manages_a_user_from_creation_to_grants_disable_and_password() {
    let Admin { mut app, token, .. } = administrator().await;
    let admin = token;
    let token = Some(admin.as_str());
    let first = PASSWORD;
    let created = call(
        &app,
        Method::POST,
        USERS,
        token,
        None,
        Some(serde_json::json!({
            "username": "carol", "tenant": TENANT, "password": first,
            "name": "Carol", "email": "carol@example.com",
        })),
    )
    .await;
    assert_eq!(created.status(), 201);
    let body: serde_json::Value = created.json().await.unwrap();
    assert!(body.get("password").is_none() && body.get("password_hash").is_none());
    let id = body["id"].as_str().unwrap().to_owned();
    let path = format!("{USERS}/{id}");

    // Search and paging.
    let found: serde_json::Value = get_json(&app, &format!("{USERS}?q=CAR"), token).await;
    let names: Vec<&str> = found["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["username"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["carol"]);
    let none: serde_json::Value = get_json(&app, &format!("{USERS}?q=%25"), token).await;
    assert_eq!(
        none["items"],
        serde_json::json!([]),
        "% is searched for, not a wildcard"
    );

    // Profile and role, versioned.
    let updated = call(
        &app,
        Method::PATCH,
        &path,
        token,
        Some("\"1\""),
        Some(serde_json::json!({"email": "carol@acme.example", "role": "admin"})),
    )
    .await;
    assert_eq!(updated.status(), 200);
    let version = etag(&updated);
    assert_eq!(version, "\"2\"");
    problem(
        call(
            &app,
            Method::PATCH,
            &path,
            token,
            Some("\"1\""),
            Some(serde_json::json!({"name": "Stale"})),
        )
        .await,
        412,
    )
    .await;
    let bad_role = problem(
        call(
            &app,
            Method::PATCH,
            &path,
            token,
            Some(&version),
            Some(serde_json::json!({"role": "emperor"})),
        )
        .await,
        422,
    )
    .await;
    assert_eq!(bad_role["errors"][0]["field"], "role");

    // Carol signs in; her grant is listed and revoked.
    let partner = app.client.clone();
    let carol = user_token(&mut app, &partner, "carol", &[]).await;
    assert_eq!(app.userinfo(&carol).await.status(), 200);
    let grants: serde_json::Value = get_json(&app, &format!("{path}/grants"), token).await;
    let grant = grants["items"][0]["id"].as_str().unwrap().to_owned();
    assert_eq!(grants["items"][0]["client_id"], app.client.id.as_str());
    let revoked = call(
        &app,
        Method::DELETE,
        &format!("{path}/grants/{grant}"),
        token,
        None,
        None,
    )
    .await;
    assert_eq!(revoked.status(), 204);
    assert_eq!(
        app.userinfo(&carol).await.status(),
        401,
        "the grant's token ended"
    );
    problem(
        call(
            &app,
            Method::DELETE,
            &format!("{path}/grants/{grant}"),
            token,
            None,
            None,
        )
        .await,
        404,
    )
    .await;

    // Disabled: her new token stops at once and she cannot sign in; enabled: she can.
    let carol = user_token(&mut app, &partner, "carol", &[]).await;
    let disabled = call(
        &app,
        Method::POST,
        &format!("{path}/disable"),
        token,
        None,
        None,
    )
    .await;
    assert_eq!(disabled.status(), 200);
    let body: serde_json::Value = disabled.json().await.unwrap();
    assert_eq!(body["disabled"], true);
    assert_eq!(app.userinfo(&carol).await.status(), 401);
    app.browser = browser();
    let refused = app
        .submit_login(&app.url("/unified-login/portal-login"), "carol", first)
        .await;
    assert_ne!(refused.status(), 302, "a disabled user does not sign in");
    assert_eq!(
        call(
            &app,
            Method::POST,
            &format!("{path}/enable"),
            token,
            None,
            None
        )
        .await
        .status(),
        200
    );
    problem(
        call(
            &app,
            Method::POST,
            &format!("{path}/enable"),
            token,
            None,
            None,
        )
        .await,
        409,
    )
    .await;
    user_token(&mut app, &partner, "carol", &[]).await;

    // A new password: the old one stops, the new one signs in.
    let second = "carol-new-passw0rd!";
    problem(
        call(
            &app,
            Method::POST,
            &format!("{path}/password"),
            token,
            None,
            Some(serde_json::json!({"password": "short"})),
        )
        .await,
        422,
    )
    .await;
    let changed = call(
        &app,
        Method::POST,
        &format!("{path}/password"),
        token,
        None,
        Some(serde_json::json!({"password": second})),
    )
    .await;
    assert_eq!(changed.status(), 204);
    app.browser = browser();
    let old = app
        .submit_login(&app.url("/unified-login/portal-login"), "carol", first)
        .await;
    assert_ne!(old.status(), 302);
    app.browser = browser();
    let (url, _) = app.authorize_url(&partner, &[]);
    app.login_at(&url, "carol", second).await;

    let events = app.durable.admin_events(&id).await.unwrap();
    let actions: Vec<&str> = events.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(
        actions,
        [
            "user.created",
            "user.updated",
            "user.grant_revoked",
            "user.disabled",
            "user.enabled",
            "user.password_set"
        ]
    );
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&events[1].changes).unwrap(),
        serde_json::json!({"email": "carol@acme.example", "role": "admin"})
    );
    let trail = format!("{events:?}");
    assert!(!trail.contains(first) && !trail.contains(second));
}

#[tokio::test]
async fn the_audit_trail_filters_pages_newest_first_and_exports_csv() {
    let Admin {
        app,
        token,
        alice_id,
        ..
    } = administrator().await;
    let token = Some(token.as_str());
    for (id, name) in [
        ("t1", "=SUM(A1)"),
        ("t2", "Two, \"quoted\""),
        ("t3", "Three"),
    ] {
        let created = call(
            &app,
            Method::POST,
            TENANTS,
            token,
            None,
            Some(serde_json::json!({"id": id, "name": name})),
        )
        .await;
        assert_eq!(created.status(), 201);
    }
    let events = |query: String| {
        let app = &app;
        async move {
            let page: serde_json::Value =
                get_json(app, &format!("/api/admin/v1/audit-events{query}"), token).await;
            page
        }
    };
    let all = events(String::new()).await;
    let targets: Vec<&str> = all["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["target"].as_str().unwrap())
        .collect();
    // Oldest of all: unilogin registering its console at start.
    assert_eq!(
        targets,
        ["t3", "t2", "t1", "unilogin-console"],
        "newest first"
    );
    assert_eq!(all["items"][3]["actor"], "system");
    assert_eq!(all["items"][0]["actor"], format!("user:{alice_id}"));
    assert_eq!(all["items"][0]["changes"]["name"], "Three");

    let one = events("?target=t2".into()).await;
    assert_eq!(one["items"].as_array().unwrap().len(), 1);
    let none = events("?action=client.deleted".into()).await;
    assert_eq!(none["items"], serde_json::json!([]));
    let by_actor = events(format!("?actor=user:{alice_id}&action=tenant.created")).await;
    assert_eq!(by_actor["items"].as_array().unwrap().len(), 3);
    let future = events("?from=4102444800".into()).await;
    assert_eq!(future["items"], serde_json::json!([]));

    let first = events("?limit=2".into()).await;
    assert_eq!(first["items"].as_array().unwrap().len(), 2);
    let cursor = first["next_cursor"].as_str().unwrap();
    let rest = events(format!("?limit=2&cursor={cursor}")).await;
    assert_eq!(rest["items"][0]["target"], "t1");
    assert_eq!(rest["items"][1]["target"], "unilogin-console");
    assert_eq!(rest["next_cursor"], serde_json::Value::Null);

    for bad in ["?from=yesterday", "?from=10&to=5", "?colour=red"] {
        problem(
            call(
                &app,
                Method::GET,
                &format!("/api/admin/v1/audit-events{bad}"),
                token,
                None,
                None,
            )
            .await,
            422,
        )
        .await;
    }

    let csv = call(
        &app,
        Method::GET,
        "/api/admin/v1/audit-events.csv?action=tenant.created",
        token,
        None,
        None,
    )
    .await;
    assert_eq!(csv.status(), 200);
    assert_eq!(csv.headers()["content-type"], "text/csv; charset=utf-8");
    let text = csv.text().await.unwrap();
    let lines: Vec<&str> = text.split("\r\n").filter(|l| !l.is_empty()).collect();
    assert_eq!(lines[0], "id,at,actor,address,action,target,changes");
    assert_eq!(lines.len(), 4);
    assert!(
        lines[2].ends_with(r#",t2,"{""domain_name"":null,""name"":""Two, \""quoted\""""}""#),
        "{}",
        lines[2]
    );
}

#[tokio::test]
async fn resource_servers_and_signing_keys_are_managed_through_the_api() {
    let Admin {
        app,
        token,
        alice_id,
        ..
    } = administrator().await;
    let token = Some(token.as_str());
    let servers: serde_json::Value = get_json(&app, "/api/admin/v1/resource-servers", token).await;
    let builtin: Vec<&str> = servers["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["builtin"] == true)
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert_eq!(builtin, ["Marketplace", "Admin API"]);
    let billing = serde_json::json!({
        "identifier": "https://billing.example/api",
        "name": "Billing",
        "scopes": ["billing.read", "billing.write"],
    });
    let created = call(
        &app,
        Method::POST,
        "/api/admin/v1/resource-servers",
        token,
        None,
        Some(billing.clone()),
    )
    .await;
    assert_eq!(created.status(), 201);
    problem(
        call(
            &app,
            Method::POST,
            "/api/admin/v1/resource-servers",
            token,
            None,
            Some(billing),
        )
        .await,
        409,
    )
    .await;
    problem(
        call(
            &app,
            Method::POST,
            "/api/admin/v1/resource-servers",
            token,
            None,
            Some(serde_json::json!({
                "identifier": "https://x.example/api", "name": "X", "scopes": ["admin.read"],
            })),
        )
        .await,
        422,
    )
    .await;
    let servers: serde_json::Value = get_json(&app, "/api/admin/v1/resource-servers", token).await;
    assert_eq!(servers["items"].as_array().unwrap().len(), 3);

    // Keys: rotate RS256; this instance signs with the new key at once, and publishes it.
    let keys: serde_json::Value = get_json(&app, "/api/admin/v1/keys", token).await;
    let active_rs256 = |keys: &serde_json::Value| -> String {
        keys["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|k| k["alg"] == "RS256" && k["status"] == "active")
            .unwrap()["kid"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    let old = active_rs256(&keys);
    problem(
        call(
            &app,
            Method::POST,
            "/api/admin/v1/keys/rotate",
            token,
            None,
            Some(serde_json::json!({"alg": "HS256"})),
        )
        .await,
        422,
    )
    .await;
    let rotated = call(
        &app,
        Method::POST,
        "/api/admin/v1/keys/rotate",
        token,
        None,
        Some(serde_json::json!({"alg": "RS256"})),
    )
    .await;
    assert_eq!(rotated.status(), 200);
    let rotated: serde_json::Value = rotated.json().await.unwrap();
    let new = active_rs256(&rotated);
    assert_ne!(new, old);
    assert!(rotated["items"]
        .as_array()
        .unwrap()
        .iter()
        .any(|k| k["kid"] == old.as_str() && k["status"] == "retiring"));
    let published = crate::helpers::jwks_kids(&app.base).await;
    assert!(published.contains(&new) && published.contains(&old));
    let events = app.durable.admin_events(&new).await.unwrap();
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].action, "keys.rotated");
    assert_eq!(events[0].actor, format!("user:{alice_id}"));
}

/// The session id an access token carries.
fn sid_of(jwt: &str) -> String {
    use base64::Engine;
    let payload = jwt.split('.').nth(1).unwrap();
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload)
        .unwrap();
    let claims: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
    claims["sid"].as_str().unwrap().to_owned()
}

/// Whether `browser` still has single sign-on: authorize answers straight to the app.
async fn signed_in(app: &mut TestApp, browser: &reqwest::Client, client: &TestClient) -> bool {
    app.browser = browser.clone();
    let (url, _) = app.authorize_url(client, &[]);
    let response = app.get(&url).await;
    crate::helpers::location(&response).starts_with("https://")
}

#[tokio::test]
async fn an_administrator_lists_and_ends_a_users_sessions() {
    let Admin {
        mut app,
        token,
        alice_id,
        ..
    } = administrator().await;
    let admin = Some(token.as_str());
    app.create_user("dave", TENANT).await;
    let dave = app
        .durable
        .find_user_by_username("dave")
        .await
        .unwrap()
        .unwrap();
    let partner = app.client.clone();
    let laptop_token = user_token(&mut app, &partner, "dave", &[]).await;
    let laptop = app.browser.clone();
    let phone_token = user_token(&mut app, &partner, "dave", &[]).await;
    let phone = app.browser.clone();
    let path = format!("{USERS}/{}/sessions", dave.id);
    let listed: serde_json::Value = get_json(&app, &path, admin).await;
    let sessions = listed["items"].as_array().unwrap();
    assert_eq!(sessions.len(), 2);
    assert_eq!(sessions[0]["address"], "127.0.0.1");
    let newest = sid_of(&phone_token);
    assert!(sessions.iter().any(|s| s["sid"] == newest.as_str()));

    // Ending the phone's session leaves the laptop signed in.
    let ended = call(
        &app,
        Method::DELETE,
        &format!("{path}/{newest}"),
        admin,
        None,
        None,
    )
    .await;
    assert_eq!(ended.status(), 204);
    assert!(!signed_in(&mut app, &phone, &partner).await);
    assert_eq!(app.userinfo(&phone_token).await.status(), 401);
    assert!(signed_in(&mut app, &laptop, &partner).await);
    assert_eq!(app.userinfo(&laptop_token).await.status(), 200);
    problem(
        call(
            &app,
            Method::DELETE,
            &format!("{path}/{newest}"),
            admin,
            None,
            None,
        )
        .await,
        404,
    )
    .await;

    // Ending them all signs the laptop out too.
    assert_eq!(
        call(&app, Method::DELETE, &path, admin, None, None)
            .await
            .status(),
        204
    );
    assert!(!signed_in(&mut app, &laptop, &partner).await);
    assert_eq!(app.userinfo(&laptop_token).await.status(), 401);
    let listed: serde_json::Value = get_json(&app, &path, admin).await;
    assert_eq!(listed["items"], serde_json::json!([]));

    // A session that ends by logout leaves the list too.
    user_token(&mut app, &partner, "dave", &[]).await;
    assert!(!app.logout(None).await.status().is_client_error());
    let listed: serde_json::Value = get_json(&app, &path, admin).await;
    assert_eq!(listed["items"], serde_json::json!([]));

    let actions: Vec<String> = app
        .durable
        .admin_events(&dave.id)
        .await
        .unwrap()
        .into_iter()
        .map(|e| {
            assert_eq!(e.actor, format!("user:{alice_id}"));
            e.action
        })
        .collect();
    assert_eq!(actions, ["user.session_ended", "user.sessions_ended"]);
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

#[tokio::test]
async fn a_user_created_without_a_password_sets_one_through_the_one_time_link() {
    let Admin { mut app, token, .. } = administrator().await;
    let created = call(
        &app,
        Method::POST,
        USERS,
        Some(&token),
        None,
        Some(serde_json::json!({"username": "erin", "tenant": TENANT, "name": "Erin"})),
    )
    .await;
    assert_eq!(created.status(), 201);
    let body: serde_json::Value = created.json().await.unwrap();
    let id = body["id"].as_str().unwrap().to_owned();
    let link = body["set_password_url"]
        .as_str()
        .expect("the link, once")
        .to_owned();
    assert!(link.starts_with(&format!(
        "{}/unified-login/set-password?token=",
        app.issuer()
    )));
    let read = get_json(&app, &format!("{USERS}/{id}"), Some(&token)).await;
    assert!(read.get("set_password_url").is_none(), "shown once");

    // The link opens the form for erin, in the browser's language.
    app.browser = browser();
    let page = app.get_with_language(&link, "en").await;
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(
        html.contains(r#"<strong id="username">erin</strong>"#),
        "{html}"
    );
    let fields = crate::helpers::hidden_fields(&html);
    let post = |password: &str, confirm: &str| {
        let mut form = fields.clone();
        form.push(("password".into(), password.into()));
        form.push(("confirm".into(), confirm.into()));
        let browser = app.browser.clone();
        let url = app.url("/unified-login/set-password");
        async move { browser.post(url).form(&form).send().await.unwrap() }
    };
    let differ = post("erin-passw0rd!", "erin-passw0rd?").await;
    assert_eq!(differ.status(), 422);
    assert!(differ
        .text()
        .await
        .unwrap()
        .contains("The two passwords differ"));
    let weak = post("short", "short").await;
    assert_eq!(weak.status(), 422);
    let done = post("erin-passw0rd!", "erin-passw0rd!").await;
    assert_eq!(done.status(), 200);
    assert!(done.text().await.unwrap().contains(r#"id="password-set""#));

    // Spent: neither the page nor the form takes it again.
    assert_eq!(app.get(&link).await.status(), 410);
    assert_eq!(post("erin-passw0rd!", "erin-passw0rd!").await.status(), 410);
    assert_eq!(
        app.get(&app.url("/unified-login/set-password?token=nope"))
            .await
            .status(),
        410
    );

    // erin signs in with it.
    app.browser = browser();
    let partner = app.client.clone();
    let (url, _) = app.authorize_url(&partner, &[]);
    app.login_at(&url, "erin", "erin-passw0rd!").await;

    let events = app.durable.admin_events(&id).await.unwrap();
    let actions: Vec<&str> = events.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(actions, ["user.created", "user.password_set"]);
    assert_eq!(events[1].actor, format!("user:{id}"));
    let trail = format!("{events:?}");
    assert!(!trail.contains("erin-passw0rd!") && !trail.contains(link.split('=').nth(1).unwrap()));
}

#[tokio::test]
async fn the_set_password_form_needs_its_csrf_cookie() {
    let Admin { mut app, token, .. } = administrator().await;
    let body = get_json(&app, USERS, Some(&token)).await;
    assert!(body["items"].is_array());
    let created: serde_json::Value = call(
        &app,
        Method::POST,
        USERS,
        Some(&token),
        None,
        Some(serde_json::json!({"username": "frank", "tenant": TENANT})),
    )
    .await
    .json()
    .await
    .unwrap();
    let link = created["set_password_url"].as_str().unwrap();
    let token_value = link.split("token=").nth(1).unwrap();
    app.browser = browser();
    let forged = app
        .browser
        .post(app.url("/unified-login/set-password"))
        .form(&[
            ("token", token_value),
            ("csrf_token", "x".repeat(43).as_str()),
            ("password", "frank-passw0rd!"),
            ("confirm", "frank-passw0rd!"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), 403);
    // The link still works for frank himself.
    assert_eq!(app.get(link).await.status(), 200);
}
