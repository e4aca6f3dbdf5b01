//! The marketplace console in real Chromium, signed in through unilogin: a seller
//! publishes a product through the spec editor (a refused form first), an operator
//! approves it, a buyer finds it, orders it and asks to unsubscribe, and the seller
//! approves; each page screenshotted in Chinese and English to
//! `target/browser-screenshots/market-*.png`.
//!
//! Needs Debian's `chromium` and `chromium-driver` (see `browser`), so `#[ignore]`d in a
//! plain `cargo test`; `.ci/run` installs both and runs them.

use std::time::Duration;

use fantoccini::{Client, Locator};
use unilogin::marketplace::store::MarketStore;

use crate::browser::{
    check_page, choose, click, end_session, save_screenshot, session, start_driver, text_of,
    type_into,
};
use crate::helpers::{TestApp, PASSWORD, TENANT};

mod after_sale;
mod commerce;
mod kit;
mod selling;

async fn wait_for(browser: &Client, css: &str) {
    crate::browser::wait_for(browser, css).await
}

/// Opens `path`, signing in as `username` when the unified login page asks.
async fn open_signed_in(app: &TestApp, browser: &Client, path: &str, username: &str) {
    open_signed_in_with(app, browser, path, username, PASSWORD).await
}

async fn open_signed_in_with(
    app: &TestApp,
    browser: &Client,
    path: &str,
    username: &str,
    password: &str,
) {
    browser.goto(&app.url(path)).await.unwrap();
    let url = browser.current_url().await.unwrap();
    if url.path().starts_with("/unified-login/portal-login") {
        type_into(browser, "username", username).await;
        type_into(browser, "password", password).await;
        click(browser, "submit").await;
    }
    wait_for(browser, "main h1").await;
}

/// Follows the first link matching `css`, once the page shows one (a busy machine may
/// still be loading it).
async fn click_first(browser: &Client, css: &str) {
    wait_for(browser, css).await;
    browser
        .find(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("{css}: {e}"))
        .click()
        .await
        .unwrap();
}

/// Opens a section from the navigation, waits for `css`, and screenshots it as `name`.
async fn section(browser: &Client, nav: &str, css: &str, name: &str) {
    click(browser, nav).await;
    wait_for(browser, css).await;
    both_languages(browser, name).await;
}

/// The page as it is, and again in both languages (`?lang=`), screenshotted.
async fn both_languages(browser: &Client, name: &str) {
    let here = browser.current_url().await.unwrap();
    // The console remembers the last language asked for: the page's own goes last, so
    // the session reads on in the language it had.
    let own = browser
        .find(Locator::Css("html"))
        .await
        .unwrap()
        .attr("lang")
        .await
        .unwrap()
        .unwrap_or_default();
    let order = if own == "en" {
        ["zh-CN", "en"]
    } else {
        ["en", "zh-CN"]
    };
    for lang in order {
        let mut url = here.clone();
        let kept: Vec<(String, String)> = here
            .query_pairs()
            .filter(|(k, _)| k != "lang" && k != "done")
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect();
        url.query_pairs_mut()
            .clear()
            .extend_pairs(kept)
            .append_pair("lang", lang);
        browser.goto(url.as_str()).await.unwrap();
        wait_for(browser, "main h1").await;
        let suffix = if lang == "en" { "en" } else { "zh" };
        save_screenshot(browser, &format!("market-{name}-{suffix}.png")).await;
        check_page(browser, &format!("market-{name}-{suffix}")).await;
    }
    browser.goto(here.as_str()).await.unwrap();
    wait_for(browser, "main h1").await;
}

/// Waits until the element matching `css` says `want`.
async fn until_text(browser: &Client, css: &str, want: &str) {
    let mut said = String::new();
    for _ in 0..100 {
        if let Ok(element) = browser.find(Locator::Css(css)).await {
            said = element.text().await.unwrap_or_default();
            if said == want {
                return;
            }
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("{css} says {said:?}, not {want:?}");
}

/// Chooses a new file, written for the occasion, in the file input `id`.
async fn attach_file(browser: &Client, id: &str, name: &str, content: &str) {
    let dir = std::env::temp_dir().join(format!("market-browser-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, content).unwrap();
    browser
        .find(Locator::Id(id))
        .await
        .unwrap_or_else(|e| panic!("#{id}: {e}"))
        .send_keys(path.to_str().unwrap())
        .await
        .unwrap();
}
