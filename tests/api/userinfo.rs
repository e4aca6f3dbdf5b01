//! `GET|POST /api/v1/oauth2/userinfo`: the joint-operation fields and the exact 401.

use oauth2::TokenResponse;
use unilogin::tokens::{AccessClaims, KeySet};

use crate::helpers::TestApp;

const UNAUTHORIZED: &str = r#"{"error":"unauthorized","error_description":"Full authentication is required to access this resource"}"#;

#[tokio::test]
async fn userinfo_reports_the_joint_operation_fields() {
    let app = TestApp::spawn().await;
    let tokens = app.signed_in_tokens(&[]).await;
    let response = app.userinfo(tokens.access_token().secret()).await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["cache-control"], "no-store");
    let info: serde_json::Value = response.json().await.unwrap();
    for field in [
        "id",
        "userId",
        "userName",
        "name",
        "email",
        "mobile",
        "role",
        "organizationName",
        "organizationCode",
        "projectName",
        "tenant",
    ] {
        assert!(info[field].is_string(), "{field} in {info}");
    }
    assert_eq!(info["userId"], info["id"]);
    assert_eq!(info["userName"], "alice");
    assert_eq!(info["email"], "alice@example.com");
    assert_eq!(info["role"], "user");
    assert_eq!(info["organizationCode"], "ORG-1");
    assert_eq!(info["tenant"], crate::helpers::TENANT);
    assert_eq!(
        info["projectName"],
        crate::helpers::TENANT,
        "tenant name (= id when auto-created)"
    );
    assert!(
        info.get("sub").is_none(),
        "standard claims only with openid"
    );

    let post = app
        .backchannel
        .post(app.url("/api/v1/oauth2/userinfo"))
        .bearer_auth(tokens.access_token().secret())
        .send()
        .await
        .unwrap();
    assert_eq!(post.status(), 200);
}

#[tokio::test]
async fn with_openid_userinfo_adds_the_standard_claims() {
    let app = TestApp::spawn().await;
    let tokens = app.signed_in_tokens(&["openid", "phone"]).await;
    let info: serde_json::Value = app
        .userinfo(tokens.access_token().secret())
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(info["sub"], info["id"]);
    assert_eq!(info["preferred_username"], "alice");
    assert_eq!(info["phone_number"], "13900000000");
}

async fn assert_401(response: reqwest::Response, header_error: bool) {
    assert_eq!(response.status(), 401);
    let challenge = response.headers()["www-authenticate"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(challenge.starts_with("Bearer"));
    assert_eq!(
        challenge.contains("error=\"invalid_token\""),
        header_error,
        "{challenge}"
    );
    assert_eq!(response.text().await.unwrap(), UNAUTHORIZED);
}

#[tokio::test]
async fn missing_garbage_forged_and_expired_tokens_get_the_exact_401() {
    let app = TestApp::spawn().await;
    let tokens = app.signed_in_tokens(&[]).await;
    let good = tokens.access_token().secret().clone();

    let missing = app
        .backchannel
        .get(app.url("/api/v1/oauth2/userinfo"))
        .send()
        .await
        .unwrap();
    assert_401(missing, false).await;

    for bad in [
        "garbage".to_owned(),
        format!("{good}x"),
        "a".repeat(10_000),
        // alg=none with the same payload.
        format!(
            "eyJhbGciOiJub25lIiwidHlwIjoiYXQrand0In0.{}.",
            good.split('.').nth(1).unwrap()
        ),
    ] {
        assert_401(app.userinfo(&bad).await, true).await;
    }
    let wrong_scheme = app
        .backchannel
        .get(app.url("/api/v1/oauth2/userinfo"))
        .header("authorization", format!("Basic {good}"))
        .send()
        .await
        .unwrap();
    assert_401(wrong_scheme, true).await;

    // Signed by a key this server does not have.
    let dir = tempfile::tempdir().unwrap();
    let foreign_db = unilogin::store::durable::Durable::connect(&format!(
        "sqlite://{}",
        dir.path().join("f.db").display()
    ))
    .await
    .unwrap();
    foreign_db.migrate().await.unwrap();
    let foreign_keys = unilogin::keystore::KeyStore::open(
        foreign_db,
        unilogin::keystore::MasterKeys::new(&[unilogin::config::MasterKeyBytes([5; 32])]).unwrap(),
    )
    .await
    .unwrap();
    let foreign = KeySet::load_or_create(&foreign_keys, None, 7200)
        .await
        .unwrap();
    let claims = claims_of(&app, &good);
    assert_401(
        app.userinfo(&foreign.sign_access_token(&claims).unwrap())
            .await,
        true,
    )
    .await;

    // Our key, but expired.
    let idp = app.app().idp();
    let expired = AccessClaims {
        iat: claims.iat - 8000,
        exp: claims.iat - 600,
        ..claims.clone()
    };
    assert_401(
        app.userinfo(&idp.keys.current().sign_access_token(&expired).unwrap())
            .await,
        true,
    )
    .await;
    // Our key, another issuer.
    let elsewhere = AccessClaims {
        iss: "https://elsewhere.example".into(),
        ..claims
    };
    assert_401(
        app.userinfo(&idp.keys.current().sign_access_token(&elsewhere).unwrap())
            .await,
        true,
    )
    .await;

    assert_eq!(app.userinfo(&good).await.status(), 200);
}

fn claims_of(app: &TestApp, token: &str) -> AccessClaims {
    app.app()
        .idp()
        .keys
        .current()
        .verify_access_token(token, app.issuer(), app.clock().now_unix())
        .expect("our own token verifies")
}
