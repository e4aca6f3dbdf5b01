//! Login CSRF on the consoles' sign-in callbacks: an attacker starts a sign-in, stops at
//! their own `{console}/callback?code=…&state=…` and sends the link. Opened in the
//! victim's browser it must not sign that browser into the attacker's account; in the
//! browser that started the sign-in it still completes.

use reqwest::Client;

use super::callback_link;
use crate::helpers::{browser, location, TestApp};

/// Whether `browser` has a session at `base`: its home answers instead of sending it to
/// sign in.
async fn has_session(app: &TestApp, browser: &Client, base: &str) -> bool {
    let home = browser
        .get(app.url(&format!("{base}/")))
        .send()
        .await
        .unwrap();
    !(home.status() == 303 && location(&home).starts_with(&format!("{base}/login")))
}

#[tokio::test]
async fn a_callback_link_from_another_browser_signs_nobody_in() {
    let app = TestApp::spawn().await;
    app.make_platform_admin("alice").await;
    for base in ["/console", "/market"] {
        let attacker = browser();
        let start = format!("{base}/login?return=%2F{}%2F", &base[1..]);
        let link = callback_link(&app, &attacker, &start, "alice").await;

        let victim = browser();
        let answer = victim.get(&link).send().await.unwrap();
        assert!(
            answer.headers().get("location").is_none()
                || !location(&answer).starts_with(&format!("{base}/")),
            "{base}: the victim is sent into the console"
        );
        assert!(
            answer.status().is_client_error(),
            "{base}: {}",
            answer.status()
        );
        assert!(
            !has_session(&app, &victim, base).await,
            "{base}: the victim's browser holds the attacker's session"
        );

        // The browser that started the sign-in still finishes it with the same link
        // (the victim's attempt did not use it up).
        let answer = attacker.get(&link).send().await.unwrap();
        assert_eq!(answer.status(), 303, "{base}");
        assert_eq!(location(&answer), format!("{base}/"), "{base}");
        assert!(has_session(&app, &attacker, base).await, "{base}");
    }
}
