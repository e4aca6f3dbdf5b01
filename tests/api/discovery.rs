//! Discovery, JWKS, health and readiness.

use oauth2::TokenResponse;

use crate::helpers::TestApp;

#[tokio::test]
async fn discovery_names_every_endpoint_and_capability() {
    let app = TestApp::spawn().await;
    let config: serde_json::Value = app
        .get(&app.url("/.well-known/openid-configuration"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(config["issuer"], app.issuer());
    assert_eq!(
        config["authorization_endpoint"],
        app.url("/api/v1/oauth2/authorize")
    );
    assert_eq!(config["token_endpoint"], app.url("/api/v1/oauth2/token"));
    assert_eq!(
        config["userinfo_endpoint"],
        app.url("/api/v1/oauth2/userinfo")
    );
    assert_eq!(config["jwks_uri"], app.url("/api/v1/oauth2/jwks"));
    assert_eq!(
        config["introspection_endpoint"],
        app.url("/api/v1/oauth2/introspect")
    );
    assert_eq!(
        config["revocation_endpoint"],
        app.url("/api/v1/oauth2/revoke")
    );
    assert_eq!(
        config["end_session_endpoint"],
        app.url("/api/v1/oauth2/end_session")
    );
    assert_eq!(
        config["response_types_supported"],
        serde_json::json!(["code"])
    );
    assert_eq!(
        config["code_challenge_methods_supported"],
        serde_json::json!(["S256"])
    );
    assert_eq!(
        config["subject_types_supported"],
        serde_json::json!(["public"])
    );
    let lists = |field: &str, value: &str| {
        config[field]
            .as_array()
            .is_some_and(|values| values.iter().any(|v| v == value))
    };
    for (field, value) in [
        ("grant_types_supported", "authorization_code"),
        ("grant_types_supported", "refresh_token"),
        ("grant_types_supported", "client_credentials"),
        ("id_token_signing_alg_values_supported", "RS256"),
        ("id_token_signing_alg_values_supported", "ES256"),
        ("token_endpoint_auth_methods_supported", "none"),
        (
            "introspection_endpoint_auth_methods_supported",
            "client_secret_basic",
        ),
        (
            "revocation_endpoint_auth_methods_supported",
            "client_secret_post",
        ),
        ("scopes_supported", "openid"),
        ("claims_supported", "sub"),
        ("claims_supported", "nonce"),
        ("claims_supported", "at_hash"),
        ("claims_supported", "sid"),
        ("claims_supported", "preferred_username"),
        ("claims_supported", "phone_number"),
        (
            "token_endpoint_auth_methods_supported",
            "client_secret_basic",
        ),
        (
            "token_endpoint_auth_methods_supported",
            "client_secret_post",
        ),
        ("scopes_supported", "get_user_info"),
        ("claims_supported", "tenant"),
    ] {
        assert!(lists(field, value), "{field} lists {value}");
    }
}

#[tokio::test]
async fn the_jwks_holds_the_key_that_signs_access_tokens() {
    let app = TestApp::spawn().await;
    let jwks: jsonwebtoken::jwk::JwkSet = app
        .get(&app.url("/api/v1/oauth2/jwks"))
        .await
        .json()
        .await
        .unwrap();
    let mut algs: Vec<String> = jwks
        .keys
        .iter()
        .map(|k| format!("{:?}", k.common.key_algorithm.unwrap()))
        .collect();
    algs.sort();
    assert_eq!(
        algs,
        ["ES256", "RS256"],
        "access tokens ES256, ID tokens RS256"
    );
    for key in &jwks.keys {
        assert!(key.common.key_id.is_some());
        assert!(key.common.key_algorithm.is_some());
        assert_eq!(
            key.common.public_key_use,
            Some(jsonwebtoken::jwk::PublicKeyUse::Signature)
        );
    }
    // A resource server verifies our token with nothing but the JWKS.
    let tokens = app.signed_in_tokens(&[]).await;
    let token = tokens.access_token().secret();
    let kid = jsonwebtoken::decode_header(token).unwrap().kid.unwrap();
    let jwk = jwks.find(&kid).expect("the token's key is published");
    let key = jsonwebtoken::DecodingKey::from_jwk(jwk).unwrap();
    let mut validation = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::ES256);
    validation.set_issuer(&[app.issuer()]);
    validation.set_audience(&[app.issuer()]);
    let data = jsonwebtoken::decode::<serde_json::Value>(token, &key, &validation).unwrap();
    assert_eq!(data.claims["client_id"], app.client.id.as_str());
    // The kid is the RFC 7638 thumbprint of the key.
    assert_eq!(
        jwk.thumbprint(jsonwebtoken::jwk::ThumbprintHash::SHA256),
        kid
    );
}

#[tokio::test]
async fn health_and_readiness() {
    let app = TestApp::spawn().await;
    assert_eq!(app.get(&app.url("/healthz")).await.status(), 200);
    let ready = app.get(&app.url("/readyz")).await;
    assert_eq!(ready.status(), 200);
    let body: serde_json::Value = ready.json().await.unwrap();
    assert_eq!(body["durable"], "up");
    assert_eq!(body["ephemeral"], "up");
    let missing = app.get(&app.url("/no/such/path")).await;
    assert_eq!(missing.status(), 404);
    app.signed_in_tokens(&[]).await;
    let metrics = app.page(&app.url("/metrics")).await;
    for series in [
        "unilogin_http_request_duration_seconds_bucket{route=\"/healthz\",class=\"2xx\",le=\"+Inf\"}",
        "unilogin_http_request_duration_seconds_count{route=\"unmatched\",class=\"4xx\"}",
        "unilogin_http_request_duration_seconds_sum{route=\"/api/v1/oauth2/token\",class=\"2xx\"}",
        "unilogin_store_round_trip_seconds_count{store=\"durable\",op=\"create_family\"}",
        "unilogin_logins_total{result=\"success\"}",
        "unilogin_token_grants_total{grant_type=\"authorization_code\"}",
    ] {
        assert!(metrics.contains(series), "{series} in\n{metrics}");
    }
    let ephemeral = if app.settings.redis_url.is_some() {
        "redis"
    } else {
        "memory"
    };
    assert!(
        metrics.contains(&format!(
            "unilogin_store_round_trip_seconds_count{{store=\"{ephemeral}\",op=\"take\"}}"
        )),
        "{metrics}"
    );
}
