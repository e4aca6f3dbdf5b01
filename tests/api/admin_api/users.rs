//! Users: from creation to grants, disable and password; sessions; the one-time link.

use reqwest::Method;

use super::*;
use crate::helpers::{browser, PASSWORD, TENANT};

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

    // An unknown tenant is refused, not made on the way.
    let tenants = app.count("tenants").await;
    let refused = call(
        &app,
        Method::POST,
        USERS,
        token,
        None,
        Some(serde_json::json!({"username": "dora", "tenant": "tenant-typo", "password": first})),
    )
    .await;
    let said = problem(refused, 422).await;
    assert_eq!(
        said["detail"],
        "tenant tenant-typo does not exist: create it first"
    );
    assert_eq!(app.count("tenants").await, tenants);
    assert!(app
        .durable
        .find_user_by_username("dora")
        .await
        .unwrap()
        .is_none());
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
        serde_json::json!({
            "email": {"from": "carol@example.com", "to": "carol@acme.example"},
            "role": {"from": "user", "to": "admin"},
        })
    );
    let trail = format!("{events:?}");
    assert!(!trail.contains(first) && !trail.contains(second));
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
