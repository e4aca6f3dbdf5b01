//! The client-authenticated back channel beyond the token exchange: `client_credentials`,
//! introspection (RFC 7662), revocation (RFC 7009), and their rate limits. Driven by the
//! `oauth2` crate where it has the call (its revocation call insists on https, so
//! revocation is posted by hand).

use oauth2::{TokenIntrospectionResponse, TokenResponse};

use crate::helpers::{error_of, oauth_error, TestApp, PASSWORD};

const INTROSPECT: &str = "/api/v1/oauth2/introspect";
const REVOKE: &str = "/api/v1/oauth2/revoke";
const TOKEN: &str = "/api/v1/oauth2/token";

#[tokio::test]
async fn client_credentials_give_an_app_token_without_user_or_refresh_token() {
    let app = TestApp::spawn().await;
    let tokens = app
        .oauth(&app.client)
        .exchange_client_credentials()
        .request_async(&app.backchannel)
        .await
        .expect("client credentials grant");
    assert!(tokens.refresh_token().is_none());
    assert_eq!(tokens.expires_in().unwrap().as_secs(), 7200);
    let token = tokens.access_token().secret();

    let info = app
        .oauth(&app.client)
        .introspect(tokens.access_token())
        .request_async(&app.backchannel)
        .await
        .expect("introspection");
    assert!(info.active());
    assert_eq!(info.sub(), Some(app.client.id.as_str()));
    assert_eq!(info.client_id().unwrap().as_str(), app.client.id);
    let raw = app.introspect(&app.client, token).await;
    assert!(raw.get("sid").is_none(), "no session: {raw}");

    // No user: userinfo refuses it exactly as it refuses any bad token.
    let refused = app.userinfo(token).await;
    assert_eq!(refused.status(), 401);

    // Scopes name a user's data; a public client has no credentials to present.
    let scoped = app
        .token_raw(
            &[("grant_type", "client_credentials"), ("scope", "openid")],
            app.basic(),
        )
        .await;
    assert_eq!(error_of(scoped).await.1, "invalid_scope");
    let public = app
        .register_client("spa", &["https://spa.example/cb"], true)
        .await;
    let public_attempt = app
        .token_raw(
            &[
                ("grant_type", "client_credentials"),
                ("client_id", &public.id),
            ],
            None,
        )
        .await;
    assert_eq!(
        error_of(public_attempt).await,
        (
            400,
            "unauthorized_client".into(),
            "A public client cannot use the client_credentials grant".into()
        )
    );
    let wrong_secret = app
        .token_raw(
            &[("grant_type", "client_credentials")],
            Some((&app.client.id, "wrong")),
        )
        .await;
    assert_eq!(error_of(wrong_secret).await.0, 401);
}

#[tokio::test]
async fn introspection_describes_live_tokens_and_nothing_else() {
    let app = TestApp::spawn().await;
    let tokens = app.signed_in_tokens(&["openid", "email"]).await;
    let access = tokens.access_token().secret();
    let refresh = tokens.refresh_token().unwrap().secret();

    let info = app.introspect(&app.client, access).await;
    assert_eq!(info["active"], true, "{info}");
    assert_eq!(info["token_type"], "Bearer");
    assert_eq!(info["scope"], "openid email");
    assert_eq!(info["client_id"], app.client.id);
    assert_eq!(info["iss"], app.issuer());
    assert_eq!(info["tenant"], "tenant-a");
    assert!(info["exp"].as_i64().unwrap() > info["iat"].as_i64().unwrap());
    assert!(info["sid"].as_str().is_some_and(|s| !s.is_empty()));
    let user_id = info["sub"].as_str().unwrap().to_owned();

    let refresh_info = app.introspect(&app.client, refresh).await;
    assert_eq!(refresh_info["active"], true, "{refresh_info}");
    assert_eq!(refresh_info["token_type"], "refresh_token");
    assert_eq!(refresh_info["sub"], user_id.as_str());

    // A resource server (another confidential client) may check the access token, but
    // learns nothing about a refresh token that is not its own.
    let other = app
        .register_client("other", &["https://other.example/cb"], false)
        .await;
    assert_eq!(app.introspect(&other, access).await["active"], true);
    assert_eq!(
        app.introspect(&other, refresh).await,
        serde_json::json!({"active": false})
    );

    for dead in ["garbage", "a.b.c", &"x".repeat(5000), "   "] {
        assert_eq!(
            app.introspect(&app.client, dead).await,
            serde_json::json!({"active": false}),
            "{dead:.20}"
        );
    }

    // Logged out: the same tokens are inactive.
    app.logout(None).await;
    assert_eq!(
        app.introspect(&app.client, access).await,
        serde_json::json!({"active": false})
    );
    assert_eq!(
        app.introspect(&app.client, refresh).await,
        serde_json::json!({"active": false})
    );
}

#[tokio::test]
async fn introspection_and_revocation_require_client_authentication() {
    let app = TestApp::spawn().await;
    for path in [INTROSPECT, REVOKE] {
        let anonymous = app.post_form(path, &[("token", "x")], None).await;
        assert_eq!(error_of(anonymous).await.0, 401, "{path}");
        let wrong = app
            .post_form(path, &[("token", "x")], Some((&app.client.id, "nope")))
            .await;
        assert_eq!(
            wrong.headers()["www-authenticate"],
            "Basic realm=\"unilogin\""
        );
        assert_eq!(error_of(wrong).await.1, "invalid_client", "{path}");
        let missing = app.post_form(path, &[], app.basic()).await;
        assert_eq!(
            error_of(missing).await,
            (400, "invalid_request".into(), "Missing token".into()),
            "{path}"
        );
        let twice = app
            .post_form(path, &[("token", "a"), ("token", "b")], app.basic())
            .await;
        assert_eq!(error_of(twice).await.1, "invalid_request", "{path}");
        let get = app.get(&app.url(path)).await;
        assert_eq!(get.status(), 405, "{path}");
    }
    let public = app
        .register_client("spa", &["https://spa.example/cb"], true)
        .await;
    let by_public = app
        .post_form(
            INTROSPECT,
            &[("token", "x"), ("client_id", &public.id)],
            None,
        )
        .await;
    assert_eq!(error_of(by_public).await.1, "unauthorized_client");
}

#[tokio::test]
async fn revoking_a_refresh_token_ends_its_family() {
    let app = TestApp::spawn().await;
    let tokens = app.signed_in_tokens(&[]).await;
    let refresh = tokens.refresh_token().unwrap().clone();
    // Another grant of the same session survives: only this family dies.
    let second = app.signed_in_tokens(&[]).await;

    let revoked = app
        .post_form(
            REVOKE,
            &[
                ("token", refresh.secret()),
                ("token_type_hint", "refresh_token"),
            ],
            app.basic(),
        )
        .await;
    assert_eq!(revoked.status(), 200);
    assert_eq!(revoked.headers()["cache-control"], "no-store");
    assert_eq!(
        oauth_error(app.refresh(&app.client, refresh.secret()).await),
        "invalid_grant"
    );
    assert_eq!(
        app.userinfo(tokens.access_token().secret()).await.status(),
        401
    );
    assert_eq!(
        app.userinfo(second.access_token().secret()).await.status(),
        200
    );
    // Revoking again, or something unknown, is still a plain 200.
    for token in [refresh.secret().as_str(), "never-issued"] {
        let again = app
            .post_form(REVOKE, &[("token", token)], app.basic())
            .await;
        assert_eq!(again.status(), 200);
    }
}

#[tokio::test]
async fn revoking_an_access_token_ends_its_session() {
    let app = TestApp::spawn().await;
    let tokens = app.signed_in_tokens(&[]).await;
    let other = app
        .register_client("other", &["https://other.example/cb"], false)
        .await;

    // Another client cannot revoke it: 200, and nothing happens.
    let foreign = app
        .post_form(
            REVOKE,
            &[
                ("token", tokens.access_token().secret()),
                ("token_type_hint", "access_token"),
            ],
            Some((&other.id, other.secret.as_deref().unwrap())),
        )
        .await;
    assert_eq!(foreign.status(), 200);
    assert_eq!(
        app.userinfo(tokens.access_token().secret()).await.status(),
        200
    );

    let revoked = app
        .post_form(
            REVOKE,
            &[("token", tokens.access_token().secret())],
            app.basic(),
        )
        .await;
    assert_eq!(revoked.status(), 200);
    assert_eq!(
        app.userinfo(tokens.access_token().secret()).await.status(),
        401
    );
    assert_eq!(
        oauth_error(
            app.refresh(&app.client, tokens.refresh_token().unwrap().secret())
                .await
        ),
        "invalid_grant"
    );
    // The browser session went with it: the next authorize shows the login page again.
    let (url, _) = app.authorize_url(&app.client, &[]);
    let response = app.get(&url).await;
    assert!(crate::helpers::location(&response).starts_with("/unified-login/portal-login?req="));
    let callback = app.login_at(&url, "alice", PASSWORD).await;
    assert!(callback.code.is_some());

    // A client-credentials token is revoked on its own.
    let app_token = app.client_credentials().await;
    let kept = app.client_credentials().await;
    let revoked = app
        .post_form(REVOKE, &[("token", &app_token)], app.basic())
        .await;
    assert_eq!(revoked.status(), 200);
    assert_eq!(
        app.introspect(&app.client, &app_token).await["active"],
        false
    );
    assert_eq!(app.introspect(&app.client, &kept).await["active"], true);
}

#[tokio::test]
async fn each_authenticated_client_has_a_request_budget_of_its_own() {
    let app = TestApp::spawn_with(|s| s.limits.requests_per_client = 4).await;
    // Budgets are per minute: start at the top of one, so that the five requests below
    // cannot straddle two.
    let into_minute = app.clock().now_unix().rem_euclid(60) as u64;
    app.clock()
        .advance(std::time::Duration::from_secs(60 - into_minute));
    let cc = [("grant_type", "client_credentials")];
    for _ in 0..4 {
        assert_eq!(app.token_raw(&cc, app.basic()).await.status(), 200);
    }
    let limited = app
        .post_form(INTROSPECT, &[("token", "x")], app.basic())
        .await;
    assert_eq!(limited.status(), 429);
    let wait: u64 = limited.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=60).contains(&wait), "{wait}");
    assert_eq!(error_of(limited).await.1, "too_many_requests");
    // Another client, from the same address, is not held back.
    let other = app
        .register_client("other", &["https://other.example/cb"], false)
        .await;
    let other_basic = Some((other.id.as_str(), other.secret.as_deref().unwrap()));
    assert_eq!(app.token_raw(&cc, other_basic).await.status(), 200);
}

/// A back-channel client on another loopback address (the whole of 127/8 is ours).
fn from_address(last_octet: u8) -> reqwest::Client {
    reqwest::Client::builder()
        .local_address(std::net::IpAddr::from([127, 0, 0, last_octet]))
        .build()
        .unwrap()
}

#[tokio::test]
async fn failed_client_authentications_lock_the_attacker_not_the_client() {
    let app = TestApp::spawn_with(|s| {
        s.limits.client_auth_failures = 3;
        s.limits.client_auth_failures_per_ip = 5;
    })
    .await;
    let attacker = from_address(2);
    let cc = [("grant_type", "client_credentials")];
    let guess = |client: &str| {
        attacker
            .post(app.url(TOKEN))
            .basic_auth(client, Some("wrong-secret"))
            .form(&cc)
            .send()
    };
    for _ in 0..3 {
        assert_eq!(guess(&app.client.id).await.unwrap().status(), 401);
    }
    let locked = guess(&app.client.id).await.unwrap();
    assert_eq!(locked.status(), 429);
    assert!(locked.headers().contains_key("retry-after"));
    // Even the right secret from the attacker's address waits...
    let right_from_attacker = attacker
        .post(app.url(TOKEN))
        .basic_auth(&app.client.id, app.client.secret.as_deref())
        .form(&cc)
        .send()
        .await
        .unwrap();
    assert_eq!(right_from_attacker.status(), 429);
    // ...while the client itself, from its own address, is served.
    assert_eq!(app.token_raw(&cc, app.basic()).await.status(), 200);
    assert_eq!(
        app.introspect(&app.client, "x").await["active"],
        false,
        "introspection still answers the client"
    );
    // Spraying other client ids from the same address hits the per-address bar.
    // (three failures so far from this address; the fifth locks it)
    assert_eq!(guess("someone-else").await.unwrap().status(), 401);
    assert_eq!(guess("someone-else").await.unwrap().status(), 401);
    assert_eq!(guess("another-one").await.unwrap().status(), 429);
    let other = app
        .register_client("other", &["https://other.example/cb"], false)
        .await;
    let other_from_elsewhere = from_address(3)
        .post(app.url(TOKEN))
        .basic_auth(&other.id, other.secret.as_deref())
        .form(&cc)
        .send()
        .await
        .unwrap();
    assert_eq!(other_from_elsewhere.status(), 200);
}

#[tokio::test]
async fn a_client_credentials_token_carries_no_empty_user_claims() {
    let app = TestApp::spawn().await;
    let response = app
        .token_raw(&[("grant_type", "client_credentials")], app.basic())
        .await;
    let body: serde_json::Value = response.json().await.unwrap();
    assert!(
        body.get("scope").is_none() && body.get("refresh_token").is_none(),
        "{body}"
    );
    let claims = crate::oidc::jwt_payload(body["access_token"].as_str().unwrap());
    assert_eq!(claims["sub"], app.client.id.as_str());
    assert_eq!(claims["client_id"], app.client.id.as_str());
    for absent in ["sid", "tenant", "scope", "auth_time"] {
        assert!(claims.get(absent).is_none(), "{absent}: {claims}");
    }
}
