//! `POST /api/v1/oauth2/token` with `authorization_code`: both client authentication
//! methods, the exact error bodies, single-use codes.

use oauth2::{PkceCodeChallenge, TokenResponse};

use crate::helpers::{error_of, location, oauth_error, Callback, TestApp};

#[tokio::test]
async fn the_code_exchanges_for_tokens_with_basic_and_with_post_authentication() {
    let app = TestApp::spawn().await;
    let basic = app.login(&app.client, &[]).await;
    let tokens = app
        .exchange_code(&app.client, basic.code.as_deref().unwrap())
        .await
        .expect("client_secret_basic");
    assert_eq!(tokens.expires_in().unwrap().as_secs(), 7200);
    assert_eq!(tokens.token_type().as_ref(), "bearer");
    assert_eq!(tokens.scopes().unwrap()[0].as_str(), "get_user_info");
    assert_eq!(tokens.refresh_token().unwrap().secret().len(), 43);

    // An RFC 9068 JWT: typ at+jwt, ES256, kid, and the documented claims.
    let jwt = tokens.access_token().secret();
    let header = jsonwebtoken::decode_header(jwt).unwrap();
    assert_eq!(header.typ.as_deref(), Some("at+jwt"));
    assert_eq!(header.alg, jsonwebtoken::Algorithm::ES256);
    let claims: serde_json::Value = {
        use base64::Engine;
        let payload = jwt.split('.').nth(1).unwrap();
        serde_json::from_slice(
            &base64::engine::general_purpose::URL_SAFE_NO_PAD
                .decode(payload)
                .unwrap(),
        )
        .unwrap()
    };
    for claim in [
        "iss",
        "sub",
        "aud",
        "client_id",
        "scope",
        "sid",
        "tenant",
        "iat",
        "exp",
        "jti",
    ] {
        assert!(claims.get(claim).is_some(), "claim {claim}");
    }
    assert_eq!(claims["iss"], app.issuer());
    assert_eq!(claims["client_id"], app.client.id.as_str());
    assert_eq!(
        claims["exp"].as_i64().unwrap() - claims["iat"].as_i64().unwrap(),
        7200
    );

    let post = app.login(&app.client, &[]).await;
    app.exchange_code_in_body(&app.client, post.code.as_deref().unwrap())
        .await
        .expect("client_secret_post");
}

#[tokio::test]
async fn token_responses_are_never_cached() {
    let app = TestApp::spawn().await;
    let callback = app.login(&app.client, &[]).await;
    let response = app
        .redeem_raw(callback.code.as_deref().unwrap(), app.basic())
        .await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["cache-control"], "no-store");
    assert_eq!(response.headers()["pragma"], "no-cache");
}

#[tokio::test]
async fn wrong_client_credentials_are_401_invalid_client() {
    let app = TestApp::spawn().await;
    let callback = app.login(&app.client, &[]).await;
    let code = callback.code.unwrap();
    let form = [
        ("grant_type", "authorization_code"),
        ("code", code.as_str()),
        ("redirect_uri", "https://partner.example/callback"),
    ];

    let basic = app
        .token_raw(&form, Some((&app.client.id, "wrong-secret")))
        .await;
    assert_eq!(
        basic.headers()["www-authenticate"],
        "Basic realm=\"unilogin\""
    );
    assert_eq!(basic.headers()["cache-control"], "no-store");
    assert_eq!(
        error_of(basic).await,
        (
            401,
            "invalid_client".into(),
            "Bad client credentials".into()
        )
    );

    let mut post = form.to_vec();
    post.push(("client_id", &app.client.id));
    post.push(("client_secret", "wrong-secret"));
    let post = app.token_raw(&post, None).await;
    assert!(post.headers().get("www-authenticate").is_none());
    assert_eq!(error_of(post).await.0, 401);

    let unknown = app.token_raw(&form, Some(("no-such-client", "x"))).await;
    assert_eq!(error_of(unknown).await.1, "invalid_client");

    // The failed attempts did not burn the code: the right client still redeems it.
    app.exchange_code(&app.client, &code)
        .await
        .expect("still valid");
}

#[tokio::test]
async fn a_replayed_code_is_refused_and_revokes_what_it_produced() {
    let app = TestApp::spawn().await;
    let callback = app.login(&app.client, &[]).await;
    let code = callback.code.unwrap();
    let tokens = app
        .exchange_code(&app.client, &code)
        .await
        .expect("first use");
    assert_eq!(
        app.userinfo(tokens.access_token().secret()).await.status(),
        200
    );

    let replay = app.redeem_raw(&code, app.basic()).await;
    assert_eq!(
        error_of(replay).await,
        (
            400,
            "invalid_grant".into(),
            "Invalid authorization code".into()
        )
    );
    assert_eq!(
        app.userinfo(tokens.access_token().secret()).await.status(),
        401
    );
    let refresh = app
        .refresh(&app.client, tokens.refresh_token().unwrap().secret())
        .await;
    assert_eq!(oauth_error(refresh), "invalid_grant");
}

#[tokio::test]
async fn a_code_is_bound_to_its_client_and_redirect_uri() {
    let app = TestApp::spawn().await;
    let other = app
        .register_client("other", &["https://other.example/callback"], false)
        .await;
    let callback = app.login(&app.client, &[]).await;
    let stolen = app
        .redeem_raw(
            callback.code.as_deref().unwrap(),
            Some((&other.id, other.secret.as_deref().unwrap())),
        )
        .await;
    assert_eq!(error_of(stolen).await.1, "invalid_grant");

    let second = app.login(&app.client, &[]).await;
    let mut client = app.client.clone();
    client.redirect_uri = "https://partner.example/elsewhere".into();
    let mismatch = app
        .exchange_code(&client, second.code.as_deref().unwrap())
        .await;
    assert_eq!(oauth_error(mismatch), "invalid_grant");
}

#[tokio::test]
async fn malformed_token_requests_get_the_rfc_errors_and_change_nothing() {
    let app = TestApp::spawn().await;
    let secret = app.client.secret.clone().unwrap();
    let auth = Some((app.client.id.as_str(), secret.as_str()));
    let families = app.count("grant_families").await;
    for (form, status, error) in [
        (vec![("code", "x")], 400, "invalid_request"),
        (
            vec![("grant_type", "authorization_code")],
            400,
            "invalid_request",
        ),
        (
            vec![("grant_type", "password"), ("username", "a")],
            400,
            "unsupported_grant_type",
        ),
        (
            vec![("grant_type", "authorization_code"), ("code", "garbage")],
            400,
            "invalid_grant",
        ),
        (
            vec![
                ("grant_type", "authorization_code"),
                ("code", "a"),
                ("code", "b"),
            ],
            400,
            "invalid_request",
        ),
        (
            vec![
                ("grant_type", "authorization_code"),
                ("grant_type", "refresh_token"),
            ],
            400,
            "invalid_request",
        ),
        (
            vec![("grant_type", "refresh_token")],
            400,
            "invalid_request",
        ),
        (
            vec![
                ("grant_type", "refresh_token"),
                ("refresh_token", "x"),
                ("scope", "root"),
            ],
            400,
            "invalid_scope",
        ),
    ] {
        let response = app.token_raw(&form, auth).await;
        let (got_status, got_error, description) = error_of(response).await;
        assert_eq!(
            (got_status, got_error.as_str()),
            (status, error),
            "{form:?}"
        );
        assert!(!description.is_empty());
    }
    let json = app
        .backchannel
        .post(app.url("/api/v1/oauth2/token"))
        .basic_auth(&app.client.id, Some(&secret))
        .json(&serde_json::json!({"grant_type": "authorization_code", "code": "x"}))
        .send()
        .await
        .unwrap();
    assert_eq!(error_of(json).await.1, "invalid_request");
    let get = app.get(&app.url("/api/v1/oauth2/token")).await;
    assert_eq!(get.status(), 405);
    let not_utf8 = app
        .backchannel
        .post(app.url("/api/v1/oauth2/token"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(&b"grant_type=authorization_code&code=%ff%fe"[..])
        .send()
        .await
        .unwrap();
    assert_eq!(error_of(not_utf8).await.1, "invalid_request");
    let too_big = app
        .backchannel
        .post(app.url("/api/v1/oauth2/token"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!(
            "grant_type=authorization_code&code={}",
            "a".repeat(70 * 1024)
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(too_big.status(), 413);
    assert_eq!(app.count("grant_families").await, families);
}

#[tokio::test]
async fn a_public_client_redeems_its_code_with_the_pkce_verifier() {
    let app = TestApp::spawn().await;
    let public = app
        .register_client("spa", &["https://spa.example/cb"], true)
        .await;
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let (url, _state) = app
        .oauth(&public)
        .authorize_url(oauth2::CsrfToken::new_random)
        .set_pkce_challenge(challenge)
        .url();
    let callback = app
        .login_at(url.as_str(), "alice", crate::helpers::PASSWORD)
        .await;
    let code = callback.code.unwrap();

    let without = app
        .token_raw(
            &[
                ("grant_type", "authorization_code"),
                ("code", &code),
                ("client_id", &public.id),
            ],
            None,
        )
        .await;
    assert_eq!(error_of(without).await.1, "invalid_grant");

    // The failed attempt consumed the code; a new login with the verifier succeeds.
    let (challenge, verifier2) = PkceCodeChallenge::new_random_sha256();
    let (url, _) = app
        .oauth(&public)
        .authorize_url(oauth2::CsrfToken::new_random)
        .set_pkce_challenge(challenge)
        .url();
    let response = app.get(url.as_str()).await;
    let code = Callback::parse(&location(&response)).code.unwrap();
    let wrong = app
        .oauth(&public)
        .exchange_code(oauth2::AuthorizationCode::new(code.clone()))
        .set_pkce_verifier(verifier)
        .request_async(&app.backchannel)
        .await;
    assert_eq!(oauth_error(wrong), "invalid_grant");

    let (challenge, verifier3) = PkceCodeChallenge::new_random_sha256();
    let (url, _) = app
        .oauth(&public)
        .authorize_url(oauth2::CsrfToken::new_random)
        .set_pkce_challenge(challenge)
        .url();
    let code = Callback::parse(&location(&app.get(url.as_str()).await))
        .code
        .unwrap();
    let tokens = app
        .oauth(&public)
        .exchange_code(oauth2::AuthorizationCode::new(code))
        .set_pkce_verifier(verifier3)
        .request_async(&app.backchannel)
        .await
        .expect("PKCE exchange");
    assert_eq!(
        app.userinfo(tokens.access_token().secret()).await.status(),
        200
    );
    drop(verifier2);
}

#[tokio::test]
async fn a_confidential_client_that_sent_a_challenge_must_send_the_verifier() {
    let app = TestApp::spawn().await;
    let app = &app;
    let login = |challenge: PkceCodeChallenge| {
        let (url, _) = app
            .oauth(&app.client)
            .authorize_url(oauth2::CsrfToken::new_random)
            .set_pkce_challenge(challenge)
            .url();
        async move {
            app.login_at(url.as_str(), "alice", crate::helpers::PASSWORD)
                .await
                .code
                .unwrap()
        }
    };
    let (challenge, _) = PkceCodeChallenge::new_random_sha256();
    let code = login(challenge).await;
    let without = app.redeem_raw(&code, app.basic()).await;
    assert_eq!(
        error_of(without).await,
        (400, "invalid_grant".into(), "Missing code_verifier".into())
    );

    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let code = login(challenge).await;
    app.oauth(&app.client)
        .exchange_code(oauth2::AuthorizationCode::new(code))
        .set_pkce_verifier(verifier)
        .request_async(&app.backchannel)
        .await
        .expect("the verifier redeems it");

    // A verifier without a challenge is refused too: the code was not bound to one.
    let code = app.login(&app.client, &[]).await.code.unwrap();
    let stray = app
        .token_raw(
            &[
                ("grant_type", "authorization_code"),
                ("code", &code),
                ("redirect_uri", &app.client.redirect_uri),
                ("code_verifier", &"v".repeat(43)),
            ],
            app.basic(),
        )
        .await;
    assert_eq!(error_of(stray).await.1, "invalid_grant");
}

#[tokio::test]
async fn a_public_client_has_no_secret_and_may_not_present_one() {
    let app = TestApp::spawn().await;
    let public = app
        .register_client("spa", &["https://spa.example/cb"], true)
        .await;
    assert!(public.secret.is_none());
    let with_secret = app
        .token_raw(
            &[
                ("grant_type", "authorization_code"),
                ("code", "x"),
                ("client_id", &public.id),
                ("client_secret", "invented"),
            ],
            None,
        )
        .await;
    assert_eq!(error_of(with_secret).await.0, 401);
}
