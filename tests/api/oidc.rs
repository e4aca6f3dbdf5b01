//! OpenID Connect, driven by the `openidconnect` crate with its default, strict settings:
//! discovery, ID token (signature from JWKS, iss, aud, exp, nonce, at_hash), refresh,
//! userinfo, and a client registered for ES256.

use openidconnect::core::{
    CoreClient, CoreIdTokenVerifier, CoreJwsSigningAlgorithm, CoreProviderMetadata,
    CoreResponseType, CoreUserInfoClaims,
};
use openidconnect::{
    AccessTokenHash, AuthenticationFlow, AuthorizationCode, ClientId, ClientSecret, CsrfToken,
    IssuerUrl, Nonce, OAuth2TokenResponse, PkceCodeChallenge, RedirectUrl, RefreshToken, Scope,
    TokenResponse,
};

use crate::helpers::{TestApp, TestClient, PASSWORD};

async fn provider(app: &TestApp) -> CoreProviderMetadata {
    CoreProviderMetadata::discover_async(
        IssuerUrl::new(app.issuer().to_owned()).unwrap(),
        &app.backchannel,
    )
    .await
    .expect("discovery document parses as OpenID Provider metadata")
}

fn oidc_client(
    metadata: CoreProviderMetadata,
    client: &TestClient,
) -> openidconnect::core::CoreClient<
    openidconnect::EndpointSet,
    openidconnect::EndpointNotSet,
    openidconnect::EndpointNotSet,
    openidconnect::EndpointNotSet,
    openidconnect::EndpointMaybeSet,
    openidconnect::EndpointMaybeSet,
> {
    CoreClient::from_provider_metadata(
        metadata,
        ClientId::new(client.id.clone()),
        client.secret.clone().map(ClientSecret::new),
    )
    .set_redirect_uri(RedirectUrl::new(client.redirect_uri.clone()).unwrap())
}

#[tokio::test]
async fn a_standard_oidc_client_signs_in_verifies_the_id_token_and_reads_userinfo() {
    let app = TestApp::spawn().await;
    let metadata = provider(&app).await;
    let client = oidc_client(metadata, &app.client);
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let (url, state, nonce) = client
        .authorize_url(
            AuthenticationFlow::<CoreResponseType>::AuthorizationCode,
            CsrfToken::new_random,
            Nonce::new_random,
        )
        .add_scope(Scope::new("profile".into()))
        .add_scope(Scope::new("email".into()))
        .add_scope(Scope::new("phone".into()))
        .set_pkce_challenge(challenge)
        .url();
    let callback = app.login_at(url.as_str(), "alice", PASSWORD).await;
    assert_eq!(callback.state.as_deref(), Some(state.secret().as_str()));

    let tokens = client
        .exchange_code(AuthorizationCode::new(callback.code.unwrap()))
        .unwrap()
        .set_pkce_verifier(verifier)
        .request_async(&app.backchannel)
        .await
        .expect("code exchange");
    let id_token = tokens.id_token().expect("an ID token with openid");
    let verifier = client.id_token_verifier();
    let claims = id_token
        .claims(&verifier, &nonce)
        .expect("ID token verifies");
    assert_eq!(
        id_token.signing_alg().unwrap(),
        &CoreJwsSigningAlgorithm::RsaSsaPkcs1V15Sha256
    );
    let expected_hash = AccessTokenHash::from_token(
        tokens.access_token(),
        id_token.signing_alg().unwrap(),
        id_token.signing_key(&verifier).unwrap(),
    )
    .unwrap();
    assert_eq!(claims.access_token_hash(), Some(&expected_hash));
    assert!(claims.auth_time().is_some());
    assert_eq!(claims.preferred_username().unwrap().as_str(), "alice");
    assert_eq!(claims.email().unwrap().as_str(), "alice@example.com");
    assert_eq!(claims.phone_number().unwrap().as_str(), "13900000000");
    assert_eq!(
        claims.name().unwrap().get(None).unwrap().as_str(),
        "alice name"
    );
    let raw = jwt_payload(&id_token.to_string());
    assert!(raw["sid"].as_str().is_some_and(|s| !s.is_empty()), "{raw}");

    let info: CoreUserInfoClaims = client
        .user_info(
            tokens.access_token().clone(),
            Some(claims.subject().clone()),
        )
        .unwrap()
        .request_async(&app.backchannel)
        .await
        .expect("userinfo for the ID token's subject");
    assert_eq!(info.preferred_username().unwrap().as_str(), "alice");
    assert_eq!(info.phone_number().unwrap().as_str(), "13900000000");

    // A refresh returns a new ID token for the same subject, without a nonce.
    let refreshed = client
        .exchange_refresh_token(&RefreshToken::new(
            tokens.refresh_token().unwrap().secret().clone(),
        ))
        .unwrap()
        .request_async(&app.backchannel)
        .await
        .expect("refresh");
    let again = refreshed
        .id_token()
        .expect("an ID token on refresh")
        .claims(&verifier, |nonce: Option<&Nonce>| match nonce {
            None => Ok(()),
            Some(_) => Err("a refreshed ID token carries no nonce".to_owned()),
        })
        .expect("refreshed ID token verifies");
    assert_eq!(again.subject(), claims.subject());

    // A verifier that expects another nonce refuses the token.
    assert!(id_token
        .claims(&verifier, &Nonce::new("another".into()))
        .is_err());
}

#[tokio::test]
async fn without_openid_there_is_no_id_token_and_no_standard_claims() {
    let app = TestApp::spawn().await;
    let callback = app.login(&app.client, &[]).await;
    let response = app
        .redeem_raw(callback.code.as_deref().unwrap(), app.basic())
        .await;
    let body: serde_json::Value = response.json().await.unwrap();
    assert!(body.get("id_token").is_none(), "{body}");
    assert_eq!(body["scope"], "get_user_info");
    let info: serde_json::Value = app
        .userinfo(body["access_token"].as_str().unwrap())
        .await
        .json()
        .await
        .unwrap();
    assert!(info.get("sub").is_none() && info.get("preferred_username").is_none());
    assert_eq!(info["userName"], "alice");
}

#[tokio::test]
async fn a_client_registered_for_es256_gets_es256_id_tokens() {
    let app = TestApp::spawn().await;
    let created = unilogin::admin::create_client(
        &app.durable,
        unilogin::admin::NewClientRequest {
            name: "ec-app".into(),
            redirect_uris: vec![
                unilogin::domain::RedirectUri::parse("https://ec.example/cb").unwrap(),
            ],
            post_logout_uris: vec![],
            home_url: None,
            public: false,
            id_token_alg: Some("ES256".into()),
            scopes: Vec::new(),
            client_id: None,
            app_id: None,
        },
    )
    .await
    .unwrap();
    let client = TestClient {
        id: created.client_id,
        secret: created.client_secret.map(|s| s.expose().to_owned()),
        app_id: created.app_id,
        redirect_uri: "https://ec.example/cb".into(),
        post_logout_uri: String::new(),
    };
    let oidc = oidc_client(provider(&app).await, &client);
    let (url, _, nonce) = oidc
        .authorize_url(
            AuthenticationFlow::<CoreResponseType>::AuthorizationCode,
            CsrfToken::new_random,
            Nonce::new_random,
        )
        .url();
    let callback = app.login_at(url.as_str(), "alice", PASSWORD).await;
    let tokens = oidc
        .exchange_code(AuthorizationCode::new(callback.code.unwrap()))
        .unwrap()
        .request_async(&app.backchannel)
        .await
        .expect("code exchange");
    let id_token = tokens.id_token().unwrap();
    assert_eq!(
        id_token.signing_alg().unwrap(),
        &CoreJwsSigningAlgorithm::EcdsaP256Sha256
    );
    let verifier: CoreIdTokenVerifier = oidc
        .id_token_verifier()
        .set_allowed_algs(vec![CoreJwsSigningAlgorithm::EcdsaP256Sha256]);
    let claims = id_token.claims(&verifier, &nonce).expect("ES256 ID token");
    assert_eq!(claims.preferred_username(), None, "no profile scope asked");
    // The CLI refuses an algorithm we do not sign with.
    let refused = unilogin::admin::create_client(
        &app.durable,
        unilogin::admin::NewClientRequest {
            name: "hs-app".into(),
            redirect_uris: vec![
                unilogin::domain::RedirectUri::parse("https://hs.example/cb").unwrap(),
            ],
            post_logout_uris: vec![],
            home_url: None,
            public: false,
            id_token_alg: Some("HS256".into()),
            scopes: Vec::new(),
            client_id: None,
            app_id: None,
        },
    )
    .await;
    assert!(refused.is_err());
}

/// The decoded payload of a JWT, to look at claims the library does not expose.
pub fn jwt_payload(token: &str) -> serde_json::Value {
    use base64::Engine;
    let payload = token.split('.').nth(1).expect("a JWT");
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload)
        .expect("base64url payload");
    serde_json::from_slice(&bytes).expect("JSON payload")
}
