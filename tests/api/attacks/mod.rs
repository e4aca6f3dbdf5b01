//! Attacks found in review, each as the test that it no longer works.

use reqwest::Client;

use crate::console::signed_in;
use crate::helpers::{location, TestApp, PASSWORD};

mod control_characters;
mod login_csrf;
mod nul_bytes;
mod post_logout;

/// Follows a console sign-in started at `start` in `browser`, signing in as `username`
/// at the unified login, and stops at the console's callback (`…/callback?code=&state=`):
/// its absolute URL, not yet visited.
pub async fn callback_link(app: &TestApp, browser: &Client, start: &str, username: &str) -> String {
    let absolute = |next: String| {
        if next.starts_with('/') {
            app.url(&next)
        } else {
            next
        }
    };
    let mut url = app.url(start);
    for _ in 0..12 {
        let response = browser.get(&url).send().await.unwrap();
        assert_ne!(response.status(), 500, "{url}");
        let mut next = location(&response);
        if next.starts_with("/unified-login/portal-login?req=") {
            let login = signed_in(app, browser, &next, username, PASSWORD).await;
            next = location(&login);
        }
        if next.contains("/callback?") {
            return absolute(next);
        }
        url = absolute(next);
    }
    panic!("no callback on the way from {start}");
}
