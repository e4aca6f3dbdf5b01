//! `serve --demo`: the partner-app page signs in through the real flow and shows userinfo.

use unilogin::demo::{DEMO_PASSWORD, DEMO_USERNAME};

use crate::helpers::{location, TestApp};

async fn follow_demo_sign_in(app: &TestApp) -> String {
    let home = app.page(&app.url("/demo/")).await;
    assert!(home.contains("id=\"demo-login\""));
    let to_authorize = location(&app.get(&app.url("/demo/login")).await);
    assert!(to_authorize.starts_with(&format!("{}/api/v1/oauth2/authorize?", app.issuer())));
    let callback = app
        .login_at(&to_authorize, DEMO_USERNAME, DEMO_PASSWORD)
        .await;
    assert!(callback
        .location
        .starts_with(&format!("{}/demo/callback?", app.issuer())));
    let back = app.get(&callback.location).await;
    assert_eq!(back.status(), 302, "the demo exchanged the code");
    assert_eq!(location(&back), "/demo/");
    app.page(&app.url("/demo/")).await
}

#[tokio::test]
async fn the_demo_app_signs_in_through_the_real_flow_and_shows_userinfo() {
    let app = TestApp::spawn_with(|settings| settings.demo = true).await;
    let page = follow_demo_sign_in(&app).await;
    assert!(page.contains("id=\"userinfo\""), "{page}");
    assert!(page.contains("data-claim=\"userName\">demo<"));
    assert!(page.contains("data-claim=\"tenant\">demo-tenant<"));
    assert!(page.contains("data-claim=\"role\">admin<"));

    // Signing out of the demo ends the unilogin session and comes back to the demo.
    let out = app.get(&app.url("/demo/logout")).await;
    let to_logout = location(&out);
    let back = app.get(&to_logout).await;
    assert_eq!(location(&back), format!("{}/demo/", app.issuer()));
    let home = app.page(&app.url("/demo/")).await;
    assert!(home.contains("id=\"demo-login\""));
}

#[tokio::test]
async fn the_demo_user_administers_the_console() {
    let app = TestApp::spawn_with(|settings| settings.demo = true).await;
    let browser = crate::helpers::browser();
    let page = crate::console::visit_as(
        &app,
        &browser,
        "/console/?lang=en",
        DEMO_USERNAME,
        DEMO_PASSWORD,
    )
    .await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.body.contains("<h1>Overview</h1>"), "{}", page.body);
}

#[tokio::test]
async fn demo_seeding_is_idempotent_across_restarts() {
    let app = TestApp::spawn_with(|settings| settings.demo = true).await;
    let app = app.restart().await;
    let page = follow_demo_sign_in(&app).await;
    assert!(page.contains("data-claim=\"userName\">demo<"), "{page}");
}

#[tokio::test]
async fn the_demo_reports_a_forged_callback_instead_of_signing_in() {
    let app = TestApp::spawn_with(|settings| settings.demo = true).await;
    let forged = app
        .get(&app.url("/demo/callback?code=stolen&state=not-mine"))
        .await;
    assert_eq!(forged.status(), 400);
    assert!(forged.text().await.unwrap().contains("state mismatch"));
}
