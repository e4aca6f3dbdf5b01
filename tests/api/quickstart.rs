//! The README's quick start, as a user meets it: `.ci/run` starts the server with the
//! README's own command (taken from the README, not retyped) in a fresh copy of the
//! repository, waits for `/healthz`, and runs this test against it with
//! `UNILOGIN_QUICKSTART_URL`: Chromium signs in through `/demo/` with the printed demo
//! credentials. Ignored in a plain `cargo test`, where no such server runs.

use fantoccini::Locator;
use unilogin::demo::{DEMO_PASSWORD, DEMO_USERNAME};

use crate::browser::{
    click, end_session, save_screenshot, session, start_driver, text_of, type_into,
};

#[tokio::test]
#[ignore = "needs the quick-start server that .ci/run starts (UNILOGIN_QUICKSTART_URL)"]
async fn the_quick_start_demo_signs_in_through_the_browser() {
    let base = std::env::var("UNILOGIN_QUICKSTART_URL")
        .expect("UNILOGIN_QUICKSTART_URL: the base URL of the quick-start server");
    crate::helpers::tls();
    let health = reqwest::get(format!("{base}/healthz")).await.unwrap();
    assert_eq!(health.status(), 200);

    let driver = start_driver().await;
    let browser = session(&driver, "en-US").await;
    browser.goto(&format!("{base}/demo/")).await.unwrap();
    click(&browser, "demo-login").await;
    assert_eq!(
        text_of(&browser, "h1").await,
        "Sign in with your joint-operation account"
    );
    type_into(&browser, "username", DEMO_USERNAME).await;
    type_into(&browser, "password", DEMO_PASSWORD).await;
    click(&browser, "submit").await;
    let signed_in = text_of(&browser, "#demo-signed-in").await;
    assert!(
        signed_in.starts_with("Signed in through unilogin"),
        "{signed_in}"
    );
    assert_eq!(
        text_of(&browser, "dd[data-claim='userName']").await,
        DEMO_USERNAME
    );
    save_screenshot(&browser, "quickstart-signed-in.png").await;
    browser
        .find(Locator::Id("demo-logout"))
        .await
        .expect("a sign-out button");
    end_session(browser).await;
}
