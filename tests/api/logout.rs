//! `GET /api/v1/logout` and OIDC RP-initiated logout (`/api/v1/oauth2/end_session`): end
//! the session, kill its tokens, redirect only where allowed.

use oauth2::TokenResponse;

use crate::helpers::{location, oauth_error, TestApp};

#[tokio::test]
async fn logout_kills_the_session_its_access_tokens_and_its_refresh_tokens() {
    let app = TestApp::spawn().await;
    let tokens = app.signed_in_tokens(&[]).await;
    let access = tokens.access_token().secret().clone();
    let refresh = tokens.refresh_token().unwrap().secret().clone();
    assert_eq!(app.userinfo(&access).await.status(), 200);

    let response = app.logout(Some(&app.client.post_logout_uri)).await;
    assert_eq!(response.status(), 302);
    assert_eq!(location(&response), app.client.post_logout_uri);
    let cleared = response
        .headers()
        .get_all("set-cookie")
        .iter()
        .any(|c| c.to_str().unwrap().starts_with("unilogin_session=;"));
    assert!(cleared, "the session cookie is cleared");

    assert_eq!(app.userinfo(&access).await.status(), 401);
    assert_eq!(
        oauth_error(app.refresh(&app.client, &refresh).await),
        "invalid_grant"
    );
    // The browser must sign in again.
    let (authorize, _) = app.authorize_url(&app.client, &[]);
    let again = app.get(&authorize).await;
    assert!(location(&again).starts_with("/unified-login/portal-login?req="));
}

#[tokio::test]
async fn logout_redirects_only_to_registered_post_logout_uris() {
    let app = TestApp::spawn().await;
    app.signed_in_tokens(&[]).await;
    for target in [
        "https://evil.example/phish",
        "https://partner.example/logged-out/extra",
        "javascript:alert(1)",
        "//evil.example",
    ] {
        let response = app.logout(Some(target)).await;
        assert_eq!(response.status(), 302, "{target}");
        assert_eq!(
            location(&response),
            "/unified-login/portal-login",
            "{target}"
        );
    }
    // Without a session no client is known: the login page, unless the app names itself.
    let response = app.logout(Some(&app.client.post_logout_uri)).await;
    assert_eq!(location(&response), "/unified-login/portal-login");
    let named = format!(
        "/api/v1/logout?client_id={}&redirect_url={}",
        app.client.id,
        url::form_urlencoded::byte_serialize(app.client.post_logout_uri.as_bytes())
            .collect::<String>()
    );
    let response = app.get(&app.url(&named)).await;
    assert_eq!(location(&response), app.client.post_logout_uri);
    let response = app.logout(None).await;
    assert_eq!(location(&response), "/unified-login/portal-login");
    let post = app
        .browser
        .post(app.url("/api/v1/logout"))
        .send()
        .await
        .unwrap();
    assert_eq!(post.status(), 302);
}

#[tokio::test]
async fn logout_in_one_browser_leaves_other_sessions_alone() {
    let mut app = TestApp::spawn().await;
    let first = app.signed_in_tokens(&[]).await;
    // A second browser signs in as the same user, then signs out.
    app.browser = crate::helpers::browser();
    let second = app.signed_in_tokens(&[]).await;
    app.logout(None).await;
    assert_eq!(
        app.userinfo(second.access_token().secret()).await.status(),
        401
    );
    assert_eq!(
        app.userinfo(first.access_token().secret()).await.status(),
        200
    );
    app.refresh(&app.client, first.refresh_token().unwrap().secret())
        .await
        .expect("the other session's refresh token still works");
}

fn end_session_url(app: &TestApp, params: &[(&str, &str)]) -> String {
    let mut url = url::Url::parse(&app.url("/api/v1/oauth2/end_session")).unwrap();
    url.query_pairs_mut().extend_pairs(params);
    url.to_string()
}

#[tokio::test]
async fn end_session_with_an_id_token_hint_logs_out_and_returns_to_the_registered_uri() {
    let app = TestApp::spawn().await;
    let tokens = app.signed_in_oidc().await;
    let id_token = tokens["id_token"].as_str().unwrap();
    let access = tokens["access_token"].as_str().unwrap();
    let refresh = tokens["refresh_token"].as_str().unwrap();

    let response = app
        .get(&end_session_url(
            &app,
            &[
                ("id_token_hint", id_token),
                ("post_logout_redirect_uri", &app.client.post_logout_uri),
                ("state", "s t&a<te>"),
            ],
        ))
        .await;
    assert_eq!(response.status(), 302);
    let target = url::Url::parse(&location(&response)).unwrap();
    assert_eq!(
        format!(
            "{}://{}{}",
            target.scheme(),
            target.host_str().unwrap(),
            target.path()
        ),
        app.client.post_logout_uri
    );
    assert_eq!(
        target.query_pairs().collect::<Vec<_>>(),
        [("state".into(), "s t&a<te>".into())]
    );
    assert_eq!(app.userinfo(access).await.status(), 401);
    assert_eq!(
        oauth_error(app.refresh(&app.client, refresh).await),
        "invalid_grant"
    );
    let (authorize, _) = app.authorize_url(&app.client, &[]);
    assert!(location(&app.get(&authorize).await).starts_with("/unified-login/portal-login?req="));
}

#[tokio::test]
async fn end_session_from_a_context_without_the_cookie_ends_the_hinted_session() {
    let mut app = TestApp::spawn().await;
    let tokens = app.signed_in_oidc().await;
    // The RP's server (no browser cookie) ends the session its ID token names.
    app.browser = crate::helpers::browser();
    let response = app
        .get(&end_session_url(
            &app,
            &[("id_token_hint", tokens["id_token"].as_str().unwrap())],
        ))
        .await;
    assert_eq!(location(&response), "/unified-login/portal-login");
    assert_eq!(
        app.userinfo(tokens["access_token"].as_str().unwrap())
            .await
            .status(),
        401
    );
}

#[tokio::test]
async fn end_session_refuses_bad_hints_and_unregistered_uris_and_changes_nothing() {
    let app = TestApp::spawn().await;
    let tokens = app.signed_in_oidc().await;
    let id_token = tokens["id_token"].as_str().unwrap();
    let access = tokens["access_token"].as_str().unwrap();
    let other = app
        .register_client("other", &["https://other.example/cb"], false)
        .await;
    let tampered = {
        let mut parts: Vec<String> = id_token.split('.').map(str::to_owned).collect();
        parts[2] = parts[2].chars().rev().collect();
        parts.join(".")
    };
    let cases: Vec<Vec<(&str, &str)>> = vec![
        // Another client's registered URI is not this client's.
        vec![
            ("id_token_hint", id_token),
            ("post_logout_redirect_uri", &other.post_logout_uri),
        ],
        vec![
            ("id_token_hint", id_token),
            ("post_logout_redirect_uri", "https://evil.example/"),
        ],
        // A redirect with nobody to check it against.
        vec![("post_logout_redirect_uri", &app.client.post_logout_uri)],
        vec![("id_token_hint", &tampered)],
        vec![("id_token_hint", access)],
        vec![("id_token_hint", "not-a-jwt")],
        vec![("id_token_hint", id_token), ("client_id", &other.id)],
        vec![("state", "a"), ("state", "b")],
    ];
    for case in &cases {
        let response = app.get(&end_session_url(&app, case)).await;
        assert_eq!(response.status(), 400, "{case:?}");
        let page = response.text().await.unwrap();
        assert!(page.contains("<html"), "a readable page: {case:?}");
        assert!(!page.contains("evil.example"), "{case:?}");
    }
    assert_eq!(
        app.userinfo(access).await.status(),
        200,
        "nothing was ended"
    );
    // With client_id instead of a hint, the client's own URI is fine.
    let response = app
        .get(&end_session_url(
            &app,
            &[
                ("client_id", &app.client.id),
                ("post_logout_redirect_uri", &app.client.post_logout_uri),
            ],
        ))
        .await;
    assert_eq!(location(&response), app.client.post_logout_uri);
    assert_eq!(app.userinfo(access).await.status(), 401);
}
