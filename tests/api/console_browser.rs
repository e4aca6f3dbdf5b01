//! The admin console in real Chromium: an administrator signs in through the unified login
//! page, registers a client whose credentials then complete a sign-in with the `oauth2`
//! crate, and disables a user whose open session in another browser ends at once; and
//! every console page in Chinese and English, screenshotted to
//! `target/browser-screenshots/console-*.png`.
//!
//! Needs Debian's `chromium` and `chromium-driver` (see `browser`), so `#[ignore]`d in a
//! plain `cargo test`; `.ci/run` installs both and runs them.

use std::time::Duration;

use fantoccini::{Client, Locator};

use crate::browser::{
    check_page, choose, click, end_session, save_full_screenshot, save_screenshot, session,
    start_driver, text_of, type_into,
};
use crate::helpers::{TestApp, TestClient, PASSWORD, TENANT};

/// Opens `path`, signing in as `username` if the unified login page asks.
async fn open_signed_in(app: &TestApp, browser: &Client, path: &str, username: &str) {
    browser.goto(&app.url(path)).await.unwrap();
    let url = browser.current_url().await.unwrap();
    if url.path().starts_with("/unified-login/portal-login") {
        type_into(browser, "username", username).await;
        type_into(browser, "password", PASSWORD).await;
        click(browser, "submit").await;
    }
    wait_for(browser, "main h1").await;
}

async fn wait_for(browser: &Client, css: &str) {
    crate::browser::wait_for(browser, css).await
}

async fn value_of(browser: &Client, id: &str) -> String {
    browser
        .find(Locator::Id(id))
        .await
        .unwrap()
        .prop("value")
        .await
        .unwrap()
        .unwrap_or_default()
}

async fn path_of(browser: &Client) -> String {
    browser.current_url().await.unwrap().path().to_owned()
}

#[tokio::test]
#[ignore = "needs Debian's chromium and chromium-driver: .ci/run installs them and runs it"]
async fn an_administrator_registers_a_client_that_signs_in_and_disables_a_signed_in_user() {
    let app = TestApp::spawn().await;
    app.make_platform_admin("alice").await;
    app.create_user("bob", TENANT).await;
    let driver = start_driver().await;
    let admin = session(&driver, "en-US").await;

    open_signed_in(&app, &admin, "/console/", "alice").await;
    assert_eq!(text_of(&admin, "main h1").await, "Overview");
    assert_eq!(text_of(&admin, "#signed-in-as").await, "alice");

    // Register a client through the form.
    click(&admin, "nav-clients").await;
    click(&admin, "new-client").await;
    type_into(&admin, "name", "Console-made app").await;
    type_into(&admin, "redirect_uris", "https://made.example/callback").await;
    type_into(&admin, "post_logout_uris", "https://made.example/bye").await;
    click(&admin, "save").await;
    assert_eq!(
        text_of(&admin, "#secret-heading").await,
        "Client registered"
    );
    let client_id = text_of(&admin, "#created-client-id").await;
    let secret = value_of(&admin, "client-secret").await;
    assert!(secret.len() >= 32, "a real secret: {secret:?}");
    click(&admin, "copy-secret").await;
    admin
        .wait()
        .at_most(Duration::from_secs(5))
        .for_element(Locator::Css("#copy-secret[data-copied='true']"))
        .await
        .expect("the copy button copied");
    save_screenshot(&admin, "console-client-created-flow.png").await;
    // Reloading the page shows the secret no more and registers nothing again.
    let clients = app.count("clients").await;
    admin.refresh().await.unwrap();
    wait_for(&admin, "#secret-gone").await;
    assert_eq!(app.count("clients").await, clients);
    assert_eq!(text_of(&admin, "#created-client-id").await, client_id);
    save_screenshot(&admin, "console-client-secret-gone.png").await;

    // That client's credentials complete a real sign-in with the oauth2 crate.
    let client = TestClient {
        id: client_id.clone(),
        secret: Some(secret),
        app_id: text_of(&admin, "#created-app-id").await,
        redirect_uri: "https://made.example/callback".into(),
        post_logout_uri: "https://made.example/bye".into(),
    };
    let (url, _) = app.authorize_url(&client, &["openid", "profile"]);
    let callback = app.login_at(&url, "bob", PASSWORD).await;
    let tokens = app
        .exchange_code(&client, callback.code.as_deref().expect("a code"))
        .await
        .expect("the console-made client redeems its code");
    let access = oauth2::TokenResponse::access_token(&tokens)
        .secret()
        .clone();
    assert_eq!(app.userinfo(&access).await.status(), 200);

    // The secret is rotated with a day's grace: the app switches without an outage, and
    // reloading the result rotates nothing again.
    click(&admin, "rotate-again").await;
    wait_for(&admin, "#confirm-form").await;
    admin
        .find(Locator::Id("grace_seconds"))
        .await
        .unwrap()
        .select_by_value("86400")
        .await
        .unwrap();
    click(&admin, "confirm").await;
    assert_eq!(text_of(&admin, "#secret-heading").await, "Secret rotated");
    assert!(text_of(&admin, "#previous-valid-until")
        .await
        .starts_with("The previous secret stays valid until"));
    let rotated = value_of(&admin, "client-secret").await;
    save_screenshot(&admin, "console-client-rotated-with-grace.png").await;
    admin.refresh().await.unwrap();
    wait_for(&admin, "#secret-gone").await;
    for secret in [client.secret.as_deref().unwrap(), rotated.as_str()] {
        let answer = app
            .token_raw(
                &[("grant_type", "client_credentials")],
                Some((&client_id, secret)),
            )
            .await;
        assert_eq!(answer.status(), 200, "both secrets work during the grace");
    }

    // bob signs in to unilogin in a browser of his own.
    let bob = session(&driver, "en-US").await;
    bob.goto(&app.url("/unified-login/portal-login"))
        .await
        .unwrap();
    type_into(&bob, "username", "bob").await;
    type_into(&bob, "password", PASSWORD).await;
    click(&bob, "submit").await;
    assert!(text_of(&bob, "#signed-in").await.contains("bob"));

    // The administrator finds bob, sees his sessions, and disables him.
    click(&admin, "nav-users").await;
    type_into(&admin, "q", "bob").await;
    click(&admin, "search").await;
    // The answer to the search, not the list it was typed into.
    wait_for(&admin, "input#q[value='bob']").await;
    click(&admin, "user-bob").await;
    wait_for(&admin, "#user-heading").await;
    let sessions = admin
        .find_all(Locator::Css("#sessions a.end-session"))
        .await
        .unwrap();
    assert_eq!(sessions.len(), 2, "the portal sign-in and the oauth2 one");
    click(&admin, "disable-user").await;
    wait_for(&admin, "#confirm-form").await;
    assert_eq!(text_of(&admin, "main h1").await, "Disable user");
    click(&admin, "confirm").await;
    assert_eq!(
        text_of(&admin, "#notice").await,
        "User disabled; their sessions ended."
    );
    assert!(text_of(&admin, "#user-status").await.contains("Disabled"));

    // bob's open session is gone at once, and so are his tokens.
    bob.refresh().await.unwrap();
    wait_for(&bob, "#password").await;
    assert_eq!(app.userinfo(&access).await.status(), 401);
    assert!(app.durable.find_client(&client_id).await.unwrap().is_some());
    end_session(bob).await;
    end_session(admin).await;
}

/// Every console page, as `language` sees it, screenshotted.
async fn screenshot_every_page(app: &TestApp, language: &str, lang: &str) {
    let driver = start_driver().await;
    let browser = session(&driver, language).await;
    open_signed_in(app, &browser, "/console/", "alice").await;
    let client = app
        .register_client("screens", &["https://screens.example/cb"], false)
        .await;
    let bob = app
        .durable
        .find_user_by_username("bob")
        .await
        .unwrap()
        .unwrap();
    let pages = [
        ("overview", "/console/".to_owned()),
        ("clients", "/console/clients".to_owned()),
        ("client-new", "/console/clients/new".to_owned()),
        ("client", format!("/console/clients/{}", client.id)),
        (
            "client-rotate",
            format!("/console/clients/{}/rotate", client.id),
        ),
        (
            "client-delete",
            format!("/console/clients/{}/delete", client.id),
        ),
        (
            "console-client",
            "/console/clients/unilogin-console".to_owned(),
        ),
        ("tenants", "/console/tenants".to_owned()),
        ("tenant", format!("/console/tenants/{TENANT}")),
        ("users", "/console/users".to_owned()),
        ("sign-ins", "/console/sign-ins".to_owned()),
        ("user-new", "/console/users/new".to_owned()),
        ("user", format!("/console/users/{}", bob.id)),
        ("user-disable", format!("/console/users/{}/disable", bob.id)),
        (
            "user-password",
            format!("/console/users/{}/password", bob.id),
        ),
        (
            "user-end-sessions",
            format!("/console/users/{}/sessions/end", bob.id),
        ),
        ("resource-servers", "/console/resource-servers".to_owned()),
        ("keys", "/console/keys".to_owned()),
        ("keys-rotate", "/console/keys/rotate".to_owned()),
        ("audit", "/console/audit".to_owned()),
        (
            "audit-bad-filter",
            "/console/audit?from=yesterday".to_owned(),
        ),
    ];
    let overview = if lang == "zh" { "概览" } else { "Overview" };
    for (name, path) in &pages {
        browser.goto(&app.url(path)).await.unwrap();
        wait_for(&browser, "main h1").await;
        assert_eq!(&path_of(&browser).await, path.split('?').next().unwrap());
        assert_eq!(text_of(&browser, "#nav-overview").await, overview, "{name}");
        let html_lang = browser
            .find(Locator::Css("html"))
            .await
            .unwrap()
            .attr("lang")
            .await
            .unwrap();
        assert_eq!(
            html_lang.as_deref(),
            Some(if lang == "zh" { "zh-CN" } else { "en" })
        );
        save_full_screenshot(&browser, &format!("console-{name}-{lang}.png")).await;
        check_page(&browser, &format!("console-{name}-{lang}")).await;
    }

    // Forms answered: a new client's once-shown secret, a field error, a user's link.
    browser
        .goto(&app.url("/console/clients/new"))
        .await
        .unwrap();
    type_into(&browser, "name", &format!("Shown once {lang}")).await;
    type_into(&browser, "redirect_uris", "https://shown.example/cb").await;
    click(&browser, "save").await;
    wait_for(&browser, "#client-secret").await;
    save_screenshot(&browser, &format!("console-client-secret-{lang}.png")).await;
    check_page(&browser, &format!("console-client-secret-{lang}")).await;

    browser
        .goto(&app.url("/console/clients/new"))
        .await
        .unwrap();
    type_into(&browser, "name", "Bad").await;
    type_into(&browser, "redirect_uris", "not a uri").await;
    click(&browser, "save").await;
    wait_for(&browser, "#redirect_uris-error").await;
    save_screenshot(&browser, &format!("console-client-field-error-{lang}.png")).await;
    check_page(&browser, &format!("console-client-field-error-{lang}")).await;

    browser.goto(&app.url("/console/users/new")).await.unwrap();
    type_into(&browser, "username", &format!("carol-{lang}")).await;
    choose(&browser, "tenant", TENANT).await;
    click(&browser, "create-user").await;
    wait_for(&browser, "#set-password-link").await;
    let link = value_of(&browser, "set-password-link").await;
    assert!(
        link.contains("/unified-login/set-password?token="),
        "{link}"
    );
    save_screenshot(&browser, &format!("console-user-link-{lang}.png")).await;
    check_page(&browser, &format!("console-user-link-{lang}")).await;

    browser
        .goto(&app.url("/console/no-such-page"))
        .await
        .unwrap();
    wait_for(&browser, "#console-error").await;
    save_screenshot(&browser, &format!("console-not-found-{lang}.png")).await;
    check_page(&browser, &format!("console-not-found-{lang}")).await;
    end_session(browser).await;
}

#[tokio::test]
#[ignore = "needs Debian's chromium and chromium-driver: .ci/run installs them and runs it"]
async fn every_console_page_in_chinese_and_english_is_screenshotted() {
    let app = TestApp::spawn().await;
    app.make_platform_admin("alice").await;
    app.create_user("bob", TENANT).await;
    // bob holds a session and a grant, so his page shows both.
    let callback = app
        .login_at(
            &app.authorize_url(&app.client, &["openid"]).0,
            "bob",
            PASSWORD,
        )
        .await;
    app.exchange_code(&app.client, callback.code.as_deref().unwrap())
        .await
        .expect("bob's grant");
    screenshot_every_page(&app, "zh-CN", "zh").await;
    screenshot_every_page(&app, "en-US", "en").await;
}
