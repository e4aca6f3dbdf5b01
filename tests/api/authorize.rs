//! `GET /api/v1/oauth2/authorize`: the redirect rules of RFC 6749 §4.1 and the contract.

use crate::helpers::{location, Callback, TestApp};

#[tokio::test]
async fn without_a_session_the_browser_goes_to_the_login_page_with_an_opaque_reference() {
    let app = TestApp::spawn().await;
    let (authorize, _) = app.authorize_url(&app.client, &["get_user_info"]);
    let response = app.get(&authorize).await;
    assert_eq!(response.status(), 302);
    let to_login = location(&response);
    assert!(to_login.starts_with("/unified-login/portal-login?req="));
    // The raw request is not the only copy: no client_id or redirect_uri in the URL.
    assert!(!to_login.contains("client_id") && !to_login.contains("redirect_uri"));
}

#[tokio::test]
async fn with_a_session_the_code_comes_back_with_state_and_tenant() {
    let app = TestApp::spawn().await;
    let first = app.login(&app.client, &[]).await;
    assert!(first
        .location
        .starts_with("https://partner.example/callback?code="));
    assert_eq!(first.tenant.as_deref(), Some(crate::helpers::TENANT));
    assert_eq!(first.iss.as_deref(), Some(app.issuer()), "RFC 9207 iss");

    // Second authorize in the same browser: no login page, straight back with a new code.
    let (authorize, state) = app.authorize_url(&app.client, &["openid", "email"]);
    let response = app.get(&authorize).await;
    assert_eq!(response.status(), 302);
    let second = Callback::parse(&location(&response));
    assert_eq!(second.state.as_deref(), Some(state.as_str()));
    assert_ne!(second.code, first.code);
    assert_eq!(second.code.as_ref().unwrap().len(), 43, "256-bit code");
}

#[tokio::test]
async fn unknown_client_or_unregistered_redirect_uri_is_an_error_page_never_a_redirect() {
    let app = TestApp::spawn().await;
    let two = app
        .register_client(
            "two",
            &["https://two.example/a", "https://two.example/b"],
            false,
        )
        .await;
    let cases = [
        "response_type=code&client_id=nope&redirect_uri=https%3A%2F%2Fpartner.example%2Fcallback".to_owned(),
        "response_type=code".to_owned(),
        format!("response_type=code&client_id={}&redirect_uri=https%3A%2F%2Fevil.example%2Fcallback", app.client.id),
        format!("response_type=code&client_id={}&redirect_uri=https%3A%2F%2Fpartner.example%2Fcallback%2F", app.client.id),
        format!("response_type=code&client_id={}&redirect_uri=https%3A%2F%2Fpartner.example%2Fcallback&redirect_uri=https%3A%2F%2Fpartner.example%2Fcallback", app.client.id),
        format!("response_type=code&client_id={}", two.id),
        format!("response_type=code&client_id={}&client_id={}", app.client.id, app.client.id),
    ];
    for query in cases {
        let response = app
            .get(&app.url(&format!("/api/v1/oauth2/authorize?{query}")))
            .await;
        assert_eq!(response.status(), 400, "{query}");
        assert!(response.headers().get("location").is_none());
        assert!(response.text().await.unwrap().contains("error-message"));
    }
    // The one registered URI may be left out.
    let response = app
        .get(&app.url(&format!(
            "/api/v1/oauth2/authorize?response_type=code&client_id={}",
            app.client.id
        )))
        .await;
    assert_eq!(response.status(), 302);
}

#[tokio::test]
async fn other_errors_go_back_to_the_verified_redirect_uri_with_state() {
    let app = TestApp::spawn().await;
    let base = format!(
        "/api/v1/oauth2/authorize?client_id={}&redirect_uri=https%3A%2F%2Fpartner.example%2Fcallback&state=xyz",
        app.client.id
    );
    for (extra, error) in [
        ("&response_type=token", "unsupported_response_type"),
        ("", "invalid_request"),
        ("&response_type=code&scope=admin", "invalid_scope"),
        ("&response_type=code&response_type=code", "invalid_request"),
        (
            "&response_type=code&code_challenge=abc&code_challenge_method=plain",
            "invalid_request",
        ),
        ("&response_type=code&prompt=none", "login_required"),
        ("&response_type=code&prompt=none%20login", "invalid_request"),
    ] {
        let response = app.get(&app.url(&format!("{base}{extra}"))).await;
        assert_eq!(response.status(), 302, "{extra}");
        let callback = Callback::parse(&location(&response));
        assert!(callback
            .location
            .starts_with("https://partner.example/callback?"));
        assert_eq!(callback.error.as_deref(), Some(error), "{extra}");
        assert_eq!(callback.state.as_deref(), Some("xyz"), "{extra}");
        assert_eq!(callback.iss.as_deref(), Some(app.issuer()), "{extra}");
        assert!(callback.code.is_none());
    }
}

#[tokio::test]
async fn state_is_echoed_exactly_and_html_in_it_is_never_reflected_unescaped() {
    let app = TestApp::spawn().await;
    app.login(&app.client, &[]).await;
    let state = "a b&c=<script>\"'";
    let mut url = url::Url::parse(&app.url("/api/v1/oauth2/authorize")).unwrap();
    url.query_pairs_mut()
        .append_pair("response_type", "code")
        .append_pair("client_id", &app.client.id)
        .append_pair("state", state);
    let callback = Callback::parse(&location(&app.get(url.as_str()).await));
    assert_eq!(callback.state.as_deref(), Some(state));

    let page = app.page(&app.url("/api/v1/oauth2/authorize?client_id=%3Cscript%3Ealert(1)%3C%2Fscript%3E&response_type=code")).await;
    assert!(!page.contains("<script>alert(1)"));
}

#[tokio::test]
async fn a_public_client_must_use_pkce_s256() {
    let app = TestApp::spawn().await;
    let public = app
        .register_client("spa", &["https://spa.example/cb"], true)
        .await;
    let (authorize, _) = app.authorize_url(&public, &[]);
    let response = app.get(&authorize).await;
    let callback = Callback::parse(&location(&response));
    assert_eq!(callback.error.as_deref(), Some("invalid_request"));
}

#[tokio::test]
async fn the_error_page_speaks_the_browser_language() {
    let app = TestApp::spawn().await;
    let url = app.url("/api/v1/oauth2/authorize?response_type=code&client_id=nope");
    let zh = app.page_in(&url, "zh-CN").await;
    assert!(
        zh.contains("未知的应用") && zh.contains("lang=\"zh-CN\""),
        "{zh}"
    );
    let en = crate::helpers::page_elsewhere(&url, &[("accept-language", "en")]).await;
    assert!(en.contains("Unknown client_id"), "{en}");
}
