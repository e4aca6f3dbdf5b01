//! `GET /api/v1/logout`: ends the session, kills its tokens, redirects only where allowed.

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
    // Without a session it still redirects by the same rules.
    let response = app.logout(Some(&app.client.post_logout_uri)).await;
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
