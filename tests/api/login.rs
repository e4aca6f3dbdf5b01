//! The unified login page: languages, CSRF, generic errors, session fixation, the portal flow.

use crate::helpers::{hidden_fields, location, page_elsewhere, Callback, TestApp, PASSWORD};

fn set_cookies(response: &reqwest::Response) -> Vec<String> {
    response
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn login_page_speaks_chinese_and_english() {
    let app = TestApp::spawn().await;
    let url = app.url("/unified-login/portal-login");

    let zh = app.get_with_language(&url, "zh-CN,zh;q=0.9,en;q=0.5").await;
    assert_eq!(zh.status(), 200);
    assert!(zh.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/html"));
    let csp = zh.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(csp.contains("frame-ancestors 'none'") && !csp.contains("unsafe-inline"));
    assert_eq!(zh.headers()["x-frame-options"], "DENY");
    let cookies = set_cookies(&zh);
    let csrf = cookies
        .iter()
        .find(|c| c.starts_with("unilogin_csrf="))
        .expect("csrf cookie");
    assert!(
        csrf.contains("HttpOnly") && csrf.contains("SameSite=Lax"),
        "{csrf}"
    );
    let html = zh.text().await.unwrap();
    assert!(html.contains("lang=\"zh-CN\"") && html.contains("用户名") && html.contains("登录"));
    assert!(hidden_fields(&html)
        .iter()
        .any(|(n, v)| n == "csrf_token" && v.len() == 43));

    // A fresh browser asking for English gets English.
    let en = page_elsewhere(&url, &[("accept-language", "en-US,en;q=0.9")]).await;
    assert!(en.contains("lang=\"en\"") && en.contains("Username") && en.contains("Sign in"));

    // The switch link flips the language and the choice sticks.
    let switched = app.page(&format!("{url}?lang=en")).await;
    assert!(switched.contains("Password") && switched.contains("中文"));
    let sticky = app.page_in(&url, "zh-CN").await;
    assert!(
        sticky.contains("lang=\"en\""),
        "the lang cookie wins over Accept-Language"
    );
}

#[tokio::test]
async fn wrong_password_and_unknown_user_get_the_same_generic_answer() {
    let app = TestApp::spawn().await;
    let (authorize, _) = app.authorize_url(&app.client, &[]);
    let to_login = location(&app.get(&authorize).await);
    let form = app.url(&to_login);
    let audit_before = app.count("audit_events").await;

    let wrong = app.submit_login(&form, "alice", "not-the-password").await;
    assert_eq!(wrong.status(), 200);
    assert!(!set_cookies(&wrong)
        .iter()
        .any(|c| c.starts_with("unilogin_session=")));
    let wrong = wrong.text().await.unwrap();

    let unknown = app.submit_login(&form, "nobody", "not-the-password").await;
    assert_eq!(unknown.status(), 200);
    let unknown = unknown.text().await.unwrap();

    let message = |html: &str| {
        let start = html.find("id=\"login-error\"").expect("error shown");
        html[start..].split('<').next().unwrap().to_owned()
    };
    assert_eq!(message(&wrong), message(&unknown));
    assert!(wrong.contains("用户名或密码错误") || wrong.contains("Incorrect username or password"));
    // The user's input is kept, escaped; the password never comes back.
    assert!(!wrong.contains("not-the-password"));

    let junk = app
        .submit_login(&form, "<script>alert(1)</script>", "x")
        .await;
    let junk = junk.text().await.unwrap();
    assert!(!junk.contains("<script>alert(1)"));
    // Each refusal is kept as a failed sign-in for administrators (the username as typed
    // when it is one, the address), and nothing else is stored.
    assert_eq!(app.count("audit_events").await, audit_before + 3);
    let failed = app
        .durable
        .sign_ins(
            &unilogin::store::durable::SignInFilter {
                to: i64::MAX,
                ..Default::default()
            },
            "",
            10,
        )
        .await
        .unwrap();
    let kept: Vec<(&str, &str, bool)> = failed
        .iter()
        .map(|s| {
            (
                s.username.as_str(),
                s.address.as_str(),
                s.outcome == unilogin::store::durable::SignInOutcome::Failure,
            )
        })
        .collect();
    assert_eq!(
        kept,
        [
            ("", "127.0.0.1", true),
            ("nobody", "127.0.0.1", true),
            ("alice", "127.0.0.1", true)
        ]
    );
    assert_eq!(app.count("user_sessions").await, 0, "no session");
}

#[tokio::test]
async fn a_disabled_user_cannot_sign_in() {
    let app = TestApp::spawn().await;
    unilogin::admin::disable_user(
        &app.durable,
        &app.lifecycle(),
        &unilogin::domain::Username::parse("alice").unwrap(),
    )
    .await
    .unwrap();
    let (authorize, _) = app.authorize_url(&app.client, &[]);
    let to_login = location(&app.get(&authorize).await);
    let response = app
        .submit_login(&app.url(&to_login), "alice", PASSWORD)
        .await;
    assert_eq!(response.status(), 200);
    assert!(response.text().await.unwrap().contains("login-error"));
}

#[tokio::test]
async fn a_post_without_the_csrf_token_is_refused_and_starts_no_session() {
    let app = TestApp::spawn().await;
    let (authorize, _) = app.authorize_url(&app.client, &[]);
    let to_login = location(&app.get(&authorize).await);
    let html = app.page(&app.url(&to_login)).await;
    let reference = hidden_fields(&html)
        .into_iter()
        .find(|(n, _)| n == "req")
        .unwrap()
        .1;
    let audit_before = app.count("audit_events").await;

    // A cross-site form post: right credentials, no token (and a foreign browser).
    let attacker = crate::helpers::browser();
    let forged = attacker
        .post(app.url("/unified-login/portal-login"))
        .form(&[
            ("username", "alice"),
            ("password", PASSWORD),
            ("req", &reference),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), 403);
    assert!(!set_cookies(&forged)
        .iter()
        .any(|c| c.starts_with("unilogin_session=")));

    // The real browser with a tampered token.
    let tampered = app
        .browser
        .post(app.url("/unified-login/portal-login"))
        .form(&[
            ("username", "alice"),
            ("password", PASSWORD),
            ("req", reference.as_str()),
            ("csrf_token", "A".repeat(43).as_str()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(tampered.status(), 403);
    assert_eq!(
        app.count("audit_events").await,
        audit_before,
        "nothing stored"
    );

    // Wrong content type is a readable error page, not a crash.
    let json = app
        .browser
        .post(app.url("/unified-login/portal-login"))
        .json(&serde_json::json!({"username": "alice"}))
        .send()
        .await
        .unwrap();
    assert_eq!(json.status(), 400);
    assert!(json.text().await.unwrap().contains("error-message"));
}

#[tokio::test]
async fn every_login_starts_a_new_session_id() {
    let app = TestApp::spawn().await;
    let session_cookie = |response: &reqwest::Response| {
        set_cookies(response)
            .into_iter()
            .find(|c| c.starts_with("unilogin_session="))
            .map(|c| c.split(';').next().unwrap().to_owned())
    };
    // prompt=login forces a second login in the same browser.
    let (authorize, _) = app.authorize_url(&app.client, &[]);
    let first = {
        let to_login = location(&app.get(&authorize).await);
        let posted = app
            .submit_login(&app.url(&to_login), "alice", PASSWORD)
            .await;
        assert_eq!(posted.status(), 302);
        session_cookie(&posted).expect("session cookie")
    };
    let second = {
        let to_login = location(&app.get(&format!("{authorize}&prompt=login")).await);
        assert!(to_login.contains("req="));
        let posted = app
            .submit_login(&app.url(&to_login), "alice", PASSWORD)
            .await;
        assert_eq!(posted.status(), 302);
        session_cookie(&posted).expect("session cookie")
    };
    assert_ne!(first, second);
    let cookie = set_cookies(
        &app.get(&app.url("/unified-login/portal-login?lang=en"))
            .await,
    );
    assert!(cookie.iter().all(|c| !c.starts_with("unilogin_session=")));

    // The first session is gone: presenting it shows the login form, not "signed in".
    let page = page_elsewhere(
        &app.url("/unified-login/portal-login?lang=en"),
        &[("cookie", &first)],
    )
    .await;
    assert!(page.contains("id=\"login-form\""));
    assert!(!page.contains("signed-in"));
}

#[tokio::test]
async fn portal_login_returns_to_the_app_home_with_code_and_tenant() {
    let app = TestApp::spawn().await;
    let portal = app.url(&format!(
        "/unified-login/portal-login?ind=UNOP&appId={}",
        app.client.app_id
    ));
    let page = app.page_in(&portal, "en").await;
    assert!(page.contains("partner"), "the app's name is shown");
    let posted = app.submit_login(&portal, "alice", PASSWORD).await;
    assert_eq!(posted.status(), 302);
    let callback = Callback::parse(&location(&posted));
    assert!(callback
        .location
        .starts_with("https://partner.example/home?"));
    assert_eq!(callback.tenant.as_deref(), Some(crate::helpers::TENANT));
    assert_eq!(
        callback.state, None,
        "upstream sends no state on the portal redirect"
    );

    // Redeemed like any other code, for that client and that URI.
    let mut client = app.client.clone();
    client.redirect_uri = "https://partner.example/home".into();
    let tokens = app
        .exchange_code(&client, callback.code.as_deref().unwrap())
        .await
        .expect("portal code redeems");
    use oauth2::TokenResponse;
    assert_eq!(
        app.userinfo(tokens.access_token().secret()).await.status(),
        200
    );

    // With the session in place, the portal signs straight in (single sign-on).
    let again = app.get(&portal).await;
    assert_eq!(again.status(), 302);
    assert!(Callback::parse(&location(&again)).code.is_some());
}

#[tokio::test]
async fn portal_errors_are_readable_pages() {
    let app = TestApp::spawn().await;
    for (query, expected) in [
        ("ind=UNOP&appId=no-such-app", "appId"),
        (&*format!("ind=OTHER&appId={}", app.client.app_id), "UNOP"),
        (&*format!("appId={}", app.client.app_id), "UNOP"),
        ("req=not-a-pending-request", "expired"),
        ("ind=UNOP&appId=a&appId=b", "more than once"),
    ] {
        let response = app
            .get_with_language(
                &app.url(&format!("/unified-login/portal-login?{query}")),
                "en",
            )
            .await;
        assert_eq!(response.status(), 400, "{query}");
        let html = response.text().await.unwrap();
        assert!(
            html.contains("error-message") && html.contains(expected),
            "{query}: {html}"
        );
    }
}

#[tokio::test]
async fn under_an_https_issuer_cookies_are_secure_and_hsts_is_sent() {
    let app = TestApp::spawn_with(|s| s.issuer = Some("https://login.example".into())).await;
    let page = app.get(&app.url("/unified-login/portal-login")).await;
    assert_eq!(
        page.headers()["strict-transport-security"],
        "max-age=31536000; includeSubDomains"
    );
    let cookies = set_cookies(&page);
    assert!(!cookies.is_empty());
    for cookie in cookies {
        assert!(
            cookie.contains("Secure")
                && cookie.contains("HttpOnly")
                && cookie.contains("SameSite=Lax"),
            "{cookie}"
        );
    }
    let api = app.get(&app.url("/.well-known/openid-configuration")).await;
    assert!(api.headers().contains_key("strict-transport-security"));
    assert_eq!(api.headers()["x-content-type-options"], "nosniff");
    assert_eq!(api.headers()["referrer-policy"], "no-referrer");
}
