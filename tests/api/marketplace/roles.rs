//! Who is calling: roles from the token and the tables, refusals like userinfo's, access keys.

use super::*;

#[tokio::test]
async fn roles_come_from_the_token_and_the_marketplace_tables() {
    let mut app = TestApp::spawn().await;
    app.create_user("bob", "tenant-b").await;
    let alice = token_for(&mut app, "alice").await;
    let bob = token_for(&mut app, "bob").await;

    let (status, me, _) = call(&app, reqwest::Method::GET, ME, Some(&alice)).await;
    assert_eq!(status, 200);
    assert_eq!(me["roles"], serde_json::json!(["buyer"]));
    assert_eq!(me["tenant"], "tenant-a");
    let (status, body, _) = call(&app, reqwest::Method::GET, KEYS, Some(&alice)).await;
    assert_eq!((status, body["error"].as_str()), (403, Some("forbidden")));

    market(&app)
        .create_merchant("tenant-a", "Shop A")
        .await
        .unwrap();
    let alice_id = me["userId"].as_str().unwrap().to_owned();
    market(&app).grant_operator(&alice_id).await.unwrap();
    let (_, me, _) = call(&app, reqwest::Method::GET, ME, Some(&alice)).await;
    assert_eq!(
        me["roles"],
        serde_json::json!(["buyer", "seller", "operator"])
    );
    assert_eq!(me["merchantName"], "Shop A");
    let (_, me, _) = call(&app, reqwest::Method::GET, ME, Some(&bob)).await;
    assert_eq!(
        me["roles"],
        serde_json::json!(["buyer"]),
        "another tenant's user"
    );

    // An application token (client credentials) for the marketplace is no person: no roles.
    let response = app
        .token_raw(
            &[
                ("grant_type", "client_credentials"),
                ("scope", "marketplace.buyer"),
            ],
            app.basic(),
        )
        .await;
    assert_eq!(response.status(), 200);
    let body: serde_json::Value = response.json().await.unwrap();
    let app_token = body["access_token"].as_str().unwrap().to_owned();
    let (status, me, _) = call(&app, reqwest::Method::GET, ME, Some(&app_token)).await;
    assert_eq!(status, 200);
    assert_eq!(me["roles"], serde_json::json!([]));
    assert_eq!(me["clientId"], app.client.id.as_str());
    let (status, _, _) = call(&app, reqwest::Method::POST, KEYS, Some(&app_token)).await;
    assert_eq!(status, 403);
}

#[tokio::test]
async fn a_bad_token_is_refused_exactly_as_userinfo_refuses_it() {
    let mut app = TestApp::spawn().await;
    let token = token_for(&mut app, "alice").await;
    for (label, bearer) in [
        ("missing", None),
        ("garbage", Some("not-a-token")),
        ("tampered", Some(&*format!("{token}x"))),
    ] {
        let (status, body, headers) = call(&app, reqwest::Method::GET, ME, bearer).await;
        let userinfo = match bearer {
            Some(t) => app.userinfo(t).await,
            None => app
                .backchannel
                .get(app.url("/api/v1/oauth2/userinfo"))
                .send()
                .await
                .unwrap(),
        };
        assert_eq!(status, 401, "{label}");
        assert_eq!(
            headers["www-authenticate"],
            userinfo.headers()["www-authenticate"],
            "{label}"
        );
        let expected: serde_json::Value = userinfo.json().await.unwrap();
        assert_eq!(body, expected, "{label}");
    }
    // Logged out: the session is revoked, and the marketplace sees it at once.
    let (status, _, _) = call(&app, reqwest::Method::GET, ME, Some(&token)).await;
    assert_eq!(status, 200);
    app.logout(None).await;
    let (status, body, _) = call(&app, reqwest::Method::GET, ME, Some(&token)).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (401, Some("unauthorized"))
    );
}

#[tokio::test]
async fn a_seller_creates_lists_and_deletes_access_keys_whose_secret_is_shown_once() {
    let mut app = TestApp::spawn().await;
    app.create_user("bob", "tenant-b").await;
    market(&app)
        .create_merchant("tenant-a", "Shop A")
        .await
        .unwrap();
    market(&app)
        .create_merchant("tenant-b", "Shop B")
        .await
        .unwrap();
    let alice = token_for(&mut app, "alice").await;
    let bob = token_for(&mut app, "bob").await;

    let (status, created, headers) = call(&app, reqwest::Method::POST, KEYS, Some(&alice)).await;
    assert_eq!(status, 201);
    assert_eq!(headers["cache-control"], "no-store");
    let ak = created["accessKey"].as_str().unwrap().to_owned();
    let sk = created["secretKey"].as_str().unwrap().to_owned();
    assert_eq!(ak.len(), 20);
    assert!(ak
        .chars()
        .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit()));
    assert_eq!(sk.len(), 40);

    let (status, listed, _) = call(&app, reqwest::Method::GET, KEYS, Some(&alice)).await;
    assert_eq!(status, 200);
    assert_eq!(listed["total"], 1);
    assert_eq!(listed["items"][0]["accessKey"], ak.as_str());
    assert!(!listed.to_string().contains(&sk), "never shown again");

    // Stored sealed: the row does not contain the secret, and the key in the key store
    // opens it.
    let record = market(&app).access_key(&ak).await.unwrap().unwrap();
    assert!(!record.secret_sealed.contains(&sk));
    let sealer = Sealer::load_or_create(&app.key_store().await, &app.settings.keys_dir)
        .await
        .unwrap();
    assert_eq!(
        sealer.open(&ak, &record.secret_sealed).unwrap().expose(),
        sk
    );

    // Another merchant sees none of it and cannot delete it.
    let (_, theirs, _) = call(&app, reqwest::Method::GET, KEYS, Some(&bob)).await;
    assert_eq!(theirs["total"], 0);
    let path = format!("{KEYS}/{ak}");
    let (status, body, _) = call(&app, reqwest::Method::DELETE, &path, Some(&bob)).await;
    assert_eq!((status, body["error"].as_str()), (404, Some("not_found")));
    assert!(market(&app).access_key(&ak).await.unwrap().is_some());

    let (status, _, _) = call(&app, reqwest::Method::DELETE, &path, Some(&alice)).await;
    assert_eq!(status, 204);
    let (status, _, _) = call(&app, reqwest::Method::DELETE, &path, Some(&alice)).await;
    assert_eq!(status, 404);

    // At most ten keys per merchant.
    for _ in 0..10 {
        let (status, _, _) = call(&app, reqwest::Method::POST, KEYS, Some(&alice)).await;
        assert_eq!(status, 201);
    }
    let (status, body, _) = call(&app, reqwest::Method::POST, KEYS, Some(&alice)).await;
    assert_eq!((status, body["error"].as_str()), (409, Some("conflict")));
    assert_eq!(
        market(&app).access_keys_of("tenant-a").await.unwrap().len(),
        10
    );

    let (status, body, _) = call(&app, reqwest::Method::PUT, KEYS, Some(&alice)).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (405, Some("method_not_allowed"))
    );
}
