//! Client registrations through the API.

use reqwest::Method;
use unilogin::domain::resource::MARKETPLACE_BUYER;

use super::*;
use crate::helpers::TestClient;

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
    assert_eq!(created.headers()["cache-control"], "no-store");
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
    assert_eq!(
        rotated.headers()["cache-control"],
        "no-store",
        "a one-time secret is never cached"
    );
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
            "redirect_uris": {
                "from": ["https://shop.example/cb"],
                "to": ["https://shop.example/cb", "https://shop.example/cb2"],
            },
            "home_url": {"from": null, "to": "https://shop.example/"},
        }),
        "an update keeps what each field was and became"
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

#[tokio::test]
async fn a_rotation_with_a_grace_period_keeps_the_old_secret_valid_until_it_ends() {
    let Admin { app, token, .. } = administrator().await;
    let token = Some(token.as_str());
    let created = call(
        &app,
        Method::POST,
        CLIENTS,
        token,
        None,
        Some(serde_json::json!({"name": "Switching", "redirect_uris": ["https://s.example/cb"]})),
    )
    .await;
    assert_eq!(created.status(), 201);
    let body: serde_json::Value = created.json().await.unwrap();
    let id = body["client_id"].as_str().unwrap().to_owned();
    let old_secret = body["client_secret"].as_str().unwrap().to_owned();
    let rotate = |grace: serde_json::Value| {
        let (app, id) = (&app, &id);
        async move {
            call(
                app,
                Method::POST,
                &format!("{CLIENTS}/{id}/secret"),
                token,
                None,
                Some(serde_json::json!({ "grace_seconds": grace })),
            )
            .await
        }
    };
    let authenticates = |secret: String| {
        let (app, id) = (&app, &id);
        async move {
            app.token_raw(&[("grant_type", "client_credentials")], Some((id, &secret)))
                .await
                .status()
                .as_u16()
        }
    };

    // Longer than 30 days is refused and changes nothing.
    let refused = rotate(serde_json::json!(30 * 86_400 + 1)).await;
    assert_eq!(refused.status(), 422);
    assert_eq!(authenticates(old_secret.clone()).await, 200);

    // A day's grace: both secrets work, the answer says until when.
    let rotated = rotate(serde_json::json!(86_400)).await;
    assert_eq!(rotated.status(), 200);
    let rotated: serde_json::Value = rotated.json().await.unwrap();
    let new_secret = rotated["client_secret"].as_str().unwrap().to_owned();
    let until = rotated["previous_secret_valid_until"]
        .as_i64()
        .expect("until when");
    assert_eq!(until, app.clock().now_unix() + 86_400);
    assert_eq!(authenticates(old_secret.clone()).await, 200);
    assert_eq!(authenticates(new_secret.clone()).await, 200);
    let events = get_json(
        &app,
        "/api/admin/v1/audit-events?action=client.secret_rotated",
        token,
    )
    .await;
    assert!(
        events
            .to_string()
            .contains("\"previous_secret_grace_seconds\":86400"),
        "{events}"
    );

    // A rotation without grace ends every earlier secret (and the grace) at once.
    let now = rotate(serde_json::json!(0)).await;
    let now: serde_json::Value = now.json().await.unwrap();
    assert!(now.get("previous_secret_valid_until").is_none(), "{now}");
    let third = now["client_secret"].as_str().unwrap().to_owned();
    assert_eq!(authenticates(old_secret).await, 401);
    assert_eq!(authenticates(new_secret).await, 401);
    assert_eq!(authenticates(third.clone()).await, 200);

    // An hour's grace ends with the hour; the new secret goes on.
    let hour = rotate(serde_json::json!(3600)).await;
    let hour: serde_json::Value = hour.json().await.unwrap();
    let fourth = hour["client_secret"].as_str().unwrap().to_owned();
    assert_eq!(authenticates(third.clone()).await, 200, "within its hour");
    app.clock().advance(std::time::Duration::from_secs(3600));
    assert_eq!(authenticates(third).await, 401);
    assert_eq!(authenticates(fourth).await, 200);
}
