//! What a grant may become: API scopes, PKCE, a code that survives a wrong request, logouts racing exchanges, refresh checking the session, instances agreeing.

use super::*;

#[tokio::test]
async fn client_credentials_take_registered_api_scopes_only() {
    let app = TestApp::spawn().await;
    unilogin::admin::create_resource_server(
        &app.durable,
        "https://api.example/orders",
        "Orders API",
        vec!["api".into()],
    )
    .await
    .unwrap();
    let cc = |scope: &'static str| [("grant_type", "client_credentials"), ("scope", scope)];
    let (_, error, _) = error_of(app.token_raw(&cc("api"), app.basic()).await).await;
    assert_eq!(error, "invalid_scope", "not yet allowed to this client");
    unilogin::admin::set_client_scopes(&app.durable, &app.client.id, vec!["api".into()])
        .await
        .unwrap();
    // The registry is cached briefly, like client registrations.
    app.clock().advance(Duration::from_secs(3));
    let response = app.token_raw(&cc("api"), app.basic()).await;
    assert_eq!(response.status(), 200);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["scope"], "api");
    let claims = crate::oidc::jwt_payload(body["access_token"].as_str().unwrap());
    assert_eq!(claims["aud"], "https://api.example/orders");
    let (_, error, _) = error_of(app.token_raw(&cc("unregistered"), app.basic()).await).await;
    assert_eq!(error, "invalid_scope");
    let (_, error, _) = error_of(app.token_raw(&cc("openid"), app.basic()).await).await;
    assert_eq!(error, "invalid_scope");
    let discovery: serde_json::Value = app
        .get(&app.url("/.well-known/openid-configuration"))
        .await
        .json()
        .await
        .unwrap();
    let scopes = discovery["scopes_supported"].as_array().unwrap();
    for scope in ["openid", "marketplace.buyer", "marketplace.seller", "api"] {
        assert!(scopes.iter().any(|s| s == scope), "{scope} in {scopes:?}");
    }
}

#[tokio::test]
async fn a_public_app_gets_no_code_without_pkce() {
    let app = TestApp::spawn().await;
    let public = app
        .register_client("spa", &["https://spa.example/cb"], true)
        .await;
    // The portal refuses the public app with a readable page.
    let portal = app
        .get_with_language(
            &app.url(&format!(
                "/unified-login/portal-login?ind=UNOP&appId={}",
                public.app_id
            )),
            "en",
        )
        .await;
    assert_eq!(portal.status(), 400);
    let page = portal.text().await.unwrap();
    assert!(page.contains("<html") && page.contains("portal"), "{page}");
    // And a challenge-less code of a public client is never redeemed.
    let user = app
        .durable
        .find_user_by_username("alice")
        .await
        .unwrap()
        .unwrap();
    let code = app
        .app()
        .idp()
        .codes
        .issue(&CodeGrant {
            client_id: public.id.clone(),
            redirect_uri: public.redirect_uri.clone(),
            redirect_uri_sent: true,
            user_id: user.id.clone(),
            tenant_id: user.tenant_id.clone(),
            sid: "sid-1".into(),
            scope: "get_user_info".into(),
            auth_time: app.clock().now_unix(),
            code_challenge: None,
            nonce: None,
            audience: app.issuer().to_owned(),
            issued_at: app.clock().now_unix(),
        })
        .await
        .unwrap();
    let response = app
        .token_raw(
            &[
                ("grant_type", "authorization_code"),
                ("code", &code),
                ("redirect_uri", &public.redirect_uri),
                ("client_id", &public.id),
            ],
            None,
        )
        .await;
    assert_eq!(error_of(response).await.1, "invalid_grant");
}

#[tokio::test]
async fn a_wrong_token_request_does_not_burn_the_code() {
    let app = TestApp::spawn().await;
    let other = app
        .register_client("other", &["https://other.example/cb"], false)
        .await;
    let callback = app.login(&app.client, &[]).await;
    let code = callback.code.unwrap();
    let attempts = [
        (
            vec![("redirect_uri", "https://partner.example/elsewhere")],
            app.basic(),
        ),
        (
            vec![("redirect_uri", app.client.redirect_uri.as_str())],
            Some((other.id.as_str(), other.secret.as_deref().unwrap())),
        ),
        (
            vec![
                ("redirect_uri", app.client.redirect_uri.as_str()),
                ("code_verifier", "x".repeat(43).leak() as &str),
            ],
            app.basic(),
        ),
    ];
    for (extra, basic) in attempts {
        let mut form = vec![
            ("grant_type", "authorization_code"),
            ("code", code.as_str()),
        ];
        form.extend(extra);
        let response = app.token_raw(&form, basic).await;
        assert_eq!(error_of(response).await.1, "invalid_grant");
    }
    let tokens = app
        .exchange_code(&app.client, &code)
        .await
        .expect("the rightful exchange");
    // A second use still revokes what the first produced.
    assert_eq!(
        oauth_error(app.exchange_code(&app.client, &code).await),
        "invalid_grant"
    );
    assert_eq!(
        app.introspect(&app.client, tokens.refresh_token().unwrap().secret())
            .await["active"],
        false
    );
}

#[tokio::test]
async fn a_logout_racing_a_code_exchange_never_leaves_a_live_grant() {
    let mut app = TestApp::spawn().await;
    for _ in 0..8 {
        app.browser = crate::helpers::browser();
        let callback = app.login(&app.client, &[]).await;
        let code = callback.code.unwrap();
        let (exchanged, logout) =
            tokio::join!(app.exchange_code(&app.client, &code), app.logout(None));
        assert_eq!(logout.status(), 302);
        if let Ok(tokens) = exchanged {
            let refresh = tokens.refresh_token().unwrap().secret().clone();
            assert_eq!(app.introspect(&app.client, &refresh).await["active"], false);
            assert_eq!(
                oauth_error(app.refresh(&app.client, &refresh).await),
                "invalid_grant"
            );
            assert_eq!(
                app.userinfo(tokens.access_token().secret()).await.status(),
                401
            );
        }
    }
}

#[tokio::test]
async fn refresh_checks_the_session_even_where_the_family_was_missed() {
    let app = TestApp::spawn().await;
    let tokens = app.signed_in_tokens(&[]).await;
    let refresh = tokens.refresh_token().unwrap().secret().clone();
    let sid = crate::oidc::jwt_payload(tokens.access_token().secret())["sid"]
        .as_str()
        .unwrap()
        .to_owned();
    app.lifecycle().revoke_session(&sid).await.unwrap();
    // The sweep of the session's families is undone, as if the family had been created
    // after it ran.
    sqlx::query("UPDATE grant_families SET revoked_at = NULL")
        .execute(app.durable.pool())
        .await
        .unwrap();
    assert_eq!(
        oauth_error(app.refresh(&app.client, &refresh).await),
        "invalid_grant"
    );
    assert_eq!(app.introspect(&app.client, &refresh).await["active"], false);
}

#[tokio::test]
async fn a_user_disabled_through_one_instance_is_refused_by_another() {
    let app = TestApp::spawn().await;
    let second = app.second_instance().await;
    let tokens = app.signed_in_tokens(&[]).await;
    let access = tokens.access_token().secret().clone();
    let userinfo = |base: String| {
        let client = app.backchannel.clone();
        let token = access.clone();
        async move {
            client
                .get(format!("{base}/api/v1/oauth2/userinfo"))
                .bearer_auth(token)
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        }
    };
    assert_eq!(userinfo(second.base.clone()).await, 200);
    unilogin::admin::disable_user(
        &app.durable,
        &app.lifecycle(),
        &Username::parse("alice").unwrap(),
    )
    .await
    .unwrap();
    if app.settings.redis_url.is_some() {
        // A shared ephemeral store: at once.
        assert_eq!(userinfo(second.base.clone()).await, 401);
    } else {
        // Instances that share only the database mirror it within a second.
        let mut status = 0;
        for _ in 0..40 {
            status = userinfo(second.base.clone()).await;
            if status == 401 {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        assert_eq!(status, 401);
    }
}
