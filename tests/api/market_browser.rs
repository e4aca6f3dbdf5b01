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

use crate::browser::{click, save_screenshot, session, start_driver, text_of, type_into};
use crate::helpers::{TestApp, PASSWORD, TENANT};

async fn wait_for(browser: &Client, css: &str) {
    browser
        .wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("{css}: {e}"));
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

/// Follows the first link matching `css`.
async fn click_first(browser: &Client, css: &str) {
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

async fn choose(browser: &Client, id: &str, value: &str) {
    browser
        .find(Locator::Id(id))
        .await
        .unwrap_or_else(|e| panic!("#{id}: {e}"))
        .select_by_value(value)
        .await
        .unwrap();
}

/// The page as it is, and again in both languages (`?lang=`), screenshotted.
async fn both_languages(browser: &Client, name: &str) {
    let here = browser.current_url().await.unwrap();
    for lang in ["zh-CN", "en"] {
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
    }
    browser.goto(here.as_str()).await.unwrap();
    wait_for(browser, "main h1").await;
}

#[tokio::test]
#[ignore = "needs Debian's chromium and chromium-driver: .ci/run installs them and runs it"]
async fn a_product_is_published_approved_ordered_and_unsubscribed_in_the_browser() {
    let app = TestApp::spawn().await;
    app.create_user("carol", "platform").await;
    app.create_user("dave", "tenant-d").await;
    let market = MarketStore::new(&app.durable, app.clock().clone());
    market.create_merchant(TENANT, "Shop A").await.unwrap();
    let carol = app
        .durable
        .find_user_by_username("carol")
        .await
        .unwrap()
        .unwrap();
    market.grant_operator(&carol.id).await.unwrap();
    let driver = start_driver().await;

    // The seller publishes; without the security self-check the form comes back.
    let seller = session(&driver, "zh-CN").await;
    open_signed_in(&app, &seller, "/market/seller/publish", "alice").await;
    assert_eq!(text_of(&seller, "#signed-in-as").await, "alice");
    type_into(&seller, "name", "Cloud CRM").await;
    type_into(&seller, "description", "Customers, deals and follow-ups").await;
    type_into(&seller, "category", "software").await;
    choose(&seller, "access_type", "saas").await;
    type_into(&seller, "spec_name_0", "Basic").await;
    type_into(&seller, "sku_0", "basic").await;
    choose(&seller, "mode_0", "PERIOD").await;
    type_into(&seller, "price_0", "9900").await;
    choose(&seller, "period_0", "month").await;
    click(&seller, "submit-for-review").await;
    wait_for(&seller, "#form-error").await;
    assert!(text_of(&seller, "#form-error")
        .await
        .contains("securitySelfCheck"));
    assert_eq!(
        seller
            .find(Locator::Id("name"))
            .await
            .unwrap()
            .prop("value")
            .await
            .unwrap()
            .as_deref(),
        Some("Cloud CRM"),
        "what was typed stays"
    );
    save_screenshot(&seller, "market-publish-refused-zh.png").await;
    click(&seller, "security_self_check").await;
    click(&seller, "submit-for-review").await;
    wait_for(&seller, "#application-status").await;
    assert_eq!(text_of(&seller, "#notice").await, "已提交审核。");
    both_languages(&seller, "application").await;
    section(&seller, "nav-applications", "#applications", "applications").await;
    section(&seller, "nav-publish", "#publish-form", "publish").await;

    // The operator approves it from the queue.
    let operator = session(&driver, "en-US").await;
    open_signed_in(&app, &operator, "/market/operator/review", "carol").await;
    let queued = operator.find(Locator::Css("section.panel")).await.unwrap();
    let id = queued.attr("id").await.unwrap().unwrap();
    let application = id.trim_start_matches("review-").to_owned();
    both_languages(&operator, "review").await;
    click(&operator, &format!("approve-confirm-{application}")).await;
    click(&operator, &format!("approve-{application}")).await;
    wait_for(&operator, "#notice").await;
    assert_eq!(text_of(&operator, "#notice").await, "Updated.");

    // On sale: the seller's products, each with its modification form, filled in.
    section(&seller, "nav-products", "#my-products", "products").await;
    click_first(&seller, "a[id^='modify-']").await;
    wait_for(&seller, "#publish-form").await;
    assert_eq!(
        seller
            .find(Locator::Id("sku_0"))
            .await
            .unwrap()
            .prop("value")
            .await
            .unwrap()
            .as_deref(),
        Some("basic")
    );
    save_screenshot(&seller, "market-modify-zh.png").await;

    // The buyer finds it, orders it and asks to unsubscribe.
    let buyer = session(&driver, "en-US").await;
    open_signed_in(&app, &buyer, "/market/", "dave").await;
    type_into(&buyer, "q", "crm").await;
    choose(&buyer, "type", "saas").await;
    section(&buyer, "search", "input#q[value='crm']", "catalogue").await;
    click_first(&buyer, "a.product-link").await;
    wait_for(&buyer, "#order-form").await;
    assert_eq!(text_of(&buyer, "#product-name").await, "Cloud CRM");
    both_languages(&buyer, "product").await;
    click(&buyer, "place-order").await;
    wait_for(&buyer, "#order-id").await;
    assert_eq!(text_of(&buyer, "#notice").await, "The order is placed.");
    assert_eq!(text_of(&buyer, "#subscription-state").await, "Live");
    both_languages(&buyer, "order").await;
    choose(&buyer, "reason_type", "not_as_described").await;
    type_into(&buyer, "reason", "It lacks the reports we need").await;
    let evidence = std::env::temp_dir().join(format!("missing-reports-{}.txt", std::process::id()));
    std::fs::write(&evidence, "The monthly report is not there.\n").unwrap();
    buyer
        .find(Locator::Id("request-evidence"))
        .await
        .unwrap()
        .send_keys(evidence.to_str().unwrap())
        .await
        .unwrap();
    click(&buyer, "request-unsubscribe").await;
    wait_for(&buyer, "#request-state").await;
    assert_eq!(
        text_of(&buyer, "#request-state").await,
        "Waiting for the seller"
    );
    assert_eq!(text_of(&buyer, "#request-rule").await, "5-day no reason");
    assert_eq!(text_of(&buyer, "#request-refund").await, "¥99.00");
    let name = evidence.file_name().unwrap().to_str().unwrap().to_owned();
    assert_eq!(
        text_of(&buyer, "#history a.attachment").await,
        name,
        "the evidence, listed"
    );
    both_languages(&buyer, "unsubscribe-buyer").await;
    section(&buyer, "nav-orders", "#orders", "orders").await;
    section(&buyer, "nav-unsubscribes", "#unsubscribes", "unsubscribes").await;

    // The seller approves it.
    click(&seller, "nav-seller-unsubscribes").await;
    wait_for(&seller, "#unsubscribes").await;
    click_first(&seller, "a.request-link").await;
    wait_for(&seller, "#approve-form").await;
    assert_eq!(
        text_of(&seller, "#history a.attachment").await,
        name,
        "the seller sees it too"
    );
    let link = seller
        .find(Locator::Css("#history a.attachment"))
        .await
        .unwrap()
        .attr("href")
        .await
        .unwrap()
        .unwrap();
    let downloaded = app.backchannel.get(app.url(&link)).send().await.unwrap();
    assert_eq!(downloaded.status().as_u16(), 303, "not without signing in");
    both_languages(&seller, "unsubscribe-seller").await;
    type_into(&seller, "approve-comment", "Refunded in full").await;
    click(&seller, "approve-confirm").await;
    click(&seller, "approve").await;
    wait_for(&seller, "#notice").await;
    assert_eq!(text_of(&seller, "#request-state").await, "已完成");
    click(&seller, "nav-sold").await;
    wait_for(&seller, "#orders").await;
    assert_eq!(
        seller
            .find_all(Locator::Css("#orders tbody tr"))
            .await
            .unwrap()
            .len(),
        2,
        "the order and its UNSUBSCRIBE order"
    );
    both_languages(&seller, "sold").await;
    click(&seller, "nav-sold-subscriptions").await;
    wait_for(&seller, "#subscriptions").await;
    assert!(text_of(&seller, "#subscriptions tbody")
        .await
        .contains("已退订"));
    both_languages(&seller, "sold-subscriptions").await;
    click(&seller, "nav-keys").await;
    wait_for(&seller, "#keys").await;
    click(&seller, "mint-key").await;
    wait_for(&seller, "#minted-sk").await;
    assert_eq!(
        text_of(&seller, "#minted-sk").await.len(),
        40,
        "the SK, shown once"
    );
    save_screenshot(&seller, "market-key-minted-zh.png").await;
    click(&seller, "nav-keys").await;
    wait_for(&seller, "#keys").await;
    assert!(
        seller.find(Locator::Id("minted-sk")).await.is_err(),
        "never again"
    );
    both_languages(&seller, "keys").await;
    section(&seller, "nav-messages", "#messages", "messages").await;

    // The buyer's subscription is over.
    click(&buyer, "nav-subscriptions").await;
    wait_for(&buyer, "#subscriptions").await;
    assert!(text_of(&buyer, "#subscriptions tbody")
        .await
        .contains("Unsubscribed"));
    both_languages(&buyer, "subscriptions").await;

    buyer.close().await.unwrap();
    operator.close().await.unwrap();
    seller.close().await.unwrap();
}

#[tokio::test]
#[ignore = "needs Debian's chromium and chromium-driver: .ci/run installs them and runs it"]
async fn the_kit_pages_of_the_demo_in_both_languages() {
    use unilogin::demo::{DEMO_PASSWORD, DEMO_SELLER_USERNAME, DEMO_USERNAME};
    let app = TestApp::spawn_with(|settings| settings.demo = true).await;
    let driver = start_driver().await;

    // The demo buyer orders the demo app from the catalogue.
    let buyer = session(&driver, "en-US").await;
    open_signed_in_with(&app, &buyer, "/market/", DEMO_USERNAME, DEMO_PASSWORD).await;
    click_first(&buyer, "a.product-link").await;
    wait_for(&buyer, "#order-form").await;
    for _ in 0..50 {
        click(&buyer, "place-order").await;
        wait_for(&buyer, "main h1").await;
        if buyer.find(Locator::Id("order-id")).await.is_ok() {
            break;
        }
        // The demo is still debugging itself at start: the order waits for it.
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    wait_for(&buyer, "#order-id").await;
    for _ in 0..100 {
        buyer.goto(&app.url("/market/instances")).await.unwrap();
        wait_for(&buyer, "main h1").await;
        if buyer.find(Locator::Id("remove-demo")).await.is_ok() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    wait_for(&buyer, "#remove-demo").await;
    both_languages(&buyer, "instances").await;

    let seller = session(&driver, "zh-CN").await;
    open_signed_in_with(
        &app,
        &seller,
        "/market/seller/apps",
        DEMO_SELLER_USERNAME,
        DEMO_PASSWORD,
    )
    .await;
    both_languages(&seller, "apps").await;
    click(&seller, "app-demo-crm").await;
    wait_for(&seller, "#debug-form").await;
    choose(&seller, "scenario", "orderNotify").await;
    section(&seller, "run-debug", "#notice", "app").await;
    click(&seller, "generate").await;
    wait_for(&seller, "#generated-curl").await;
    assert!(text_of(&seller, "#generated-curl")
        .await
        .starts_with("curl "));
    save_screenshot(&seller, "market-app-generated-zh.png").await;
    section(&seller, "edit-app", "#app-form", "app-form").await;
    buyer.close().await.unwrap();
    seller.close().await.unwrap();
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

/// The work order's status code on the page, or `None` while the page is being
/// replaced (the element read may go stale between finding it and reading it).
async fn work_order_status(browser: &Client) -> Option<String> {
    let element = browser.find(Locator::Id("work-order-status")).await.ok()?;
    element.attr("data-code").await.ok().flatten()
}

/// Waits until the work order's status code is `code`.
async fn until_status(browser: &Client, code: &str) {
    for _ in 0..100 {
        if work_order_status(browser).await.as_deref() == Some(code) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the work order never reached status {code}");
}

#[tokio::test]
#[ignore = "needs Debian's chromium and chromium-driver: .ci/run installs them and runs it"]
async fn a_supervised_order_is_accepted_and_a_work_order_resolved_in_the_browser() {
    use crate::marketplace::{cast, on_sale, product};
    let mut app = TestApp::spawn().await;
    let c = cast(&mut app).await;
    let mut supervised = product("Onboarding service");
    supervised["supervised"] = serde_json::json!(true);
    let product_id = on_sale(&app, &c, &c.alice, &supervised).await;
    let driver = start_driver().await;

    // The buyer orders; the order page leads to its supervision, waiting on the requirement.
    let buyer = session(&driver, "en-US").await;
    open_signed_in(
        &app,
        &buyer,
        &format!("/market/products/{product_id}"),
        "dave",
    )
    .await;
    click(&buyer, "place-order").await;
    wait_for(&buyer, "#order-id").await;
    let order_page = buyer.current_url().await.unwrap();
    click(&buyer, "supervision-link").await;
    until_text(&buyer, "#supervision-state", "Awaiting the requirement").await;
    let supervision_page = buyer.current_url().await.unwrap();
    both_languages(&buyer, "supervision-requirement").await;
    attach_file(
        &buyer,
        "requirement-file",
        "requirement.txt",
        "Import 2,000 contacts.\n",
    )
    .await;
    type_into(&buyer, "requirement-comment", "Contacts from our old CRM").await;
    click(&buyer, "submit_requirement").await;
    until_text(&buyer, "#supervision-state", "Requirement to confirm").await;

    // The seller rejects it once, saying why; the buyer revises it; the seller confirms.
    let seller = session(&driver, "zh-CN").await;
    open_signed_in(&app, &seller, "/market/seller/supervisions", "alice").await;
    both_languages(&seller, "seller-supervisions").await;
    click_first(&seller, "a.supervision-link").await;
    wait_for(&seller, "#reject_requirement-form").await;
    let seller_page = seller.current_url().await.unwrap();
    assert_eq!(
        text_of(&seller, "#history a.attachment").await,
        "requirement.txt",
        "the seller reads the requirement"
    );
    type_into(
        &seller,
        "reject-requirement-comment",
        "Which fields map to ours?",
    )
    .await;
    click(&seller, "reject_requirement").await;
    until_text(&seller, "#rejections", "1").await;
    buyer.goto(supervision_page.as_str()).await.unwrap();
    until_text(&buyer, "#supervision-state", "Awaiting the requirement").await;
    attach_file(
        &buyer,
        "requirement-file",
        "requirement-v2.txt",
        "Name → name, Mobile → phone.\n",
    )
    .await;
    click(&buyer, "submit_requirement").await;
    until_text(&buyer, "#supervision-state", "Requirement to confirm").await;
    seller.goto(seller_page.as_str()).await.unwrap();
    click(&seller, "confirm_requirement").await;
    until_text(&seller, "#supervision-state", "待交付").await;
    attach_file(
        &seller,
        "delivery-file",
        "acceptance-report.txt",
        "All 2,000 imported.\n",
    )
    .await;
    type_into(&seller, "deliver-comment", "Imported; see the report").await;
    click(&seller, "deliver").await;
    until_text(&seller, "#supervision-state", "待验收").await;
    both_languages(&seller, "supervision-delivered").await;

    // The buyer appeals instead of accepting; the operator resumes it at acceptance.
    buyer.goto(supervision_page.as_str()).await.unwrap();
    until_text(&buyer, "#supervision-state", "Delivered: to accept").await;
    type_into(&buyer, "appeal-comment", "Some contacts look duplicated").await;
    click(&buyer, "appeal").await;
    until_text(&buyer, "#supervision-state", "Appealed").await;
    assert!(
        buyer.find(Locator::Id("accept-form")).await.is_err(),
        "frozen: nothing to accept"
    );
    let operator = session(&driver, "en-US").await;
    open_signed_in(&app, &operator, "/market/operator/supervisions", "carol").await;
    both_languages(&operator, "supervision-appeals").await;
    click_first(&operator, "a.supervision-link").await;
    wait_for(&operator, "#resume-form").await;
    both_languages(&operator, "supervision-appeal").await;
    choose(&operator, "resume_at", "delivered").await;
    type_into(
        &operator,
        "resume-comment",
        "Duplicates come from the source file",
    )
    .await;
    click(&operator, "resume").await;
    until_text(&operator, "#supervision-state", "Delivered: to accept").await;

    // The buyer accepts: completed, the seller's settlement due.
    buyer.goto(supervision_page.as_str()).await.unwrap();
    wait_for(&buyer, "#accept-form").await;
    click(&buyer, "accept-confirm").await;
    click(&buyer, "accept").await;
    until_text(&buyer, "#supervision-state", "Completed").await;
    assert!(!text_of(&buyer, "#valid-from").await.is_empty());
    both_languages(&buyer, "supervision-completed").await;
    seller.goto(seller_page.as_str()).await.unwrap();
    until_text(&seller, "#supervision-state", "已完成").await;

    // A work order about the order: opened with a screenshot …
    buyer.goto(order_page.as_str()).await.unwrap();
    click(&buyer, "open-work-order").await;
    wait_for(&buyer, "#work-order-form").await;
    both_languages(&buyer, "work-order-new").await;
    type_into(&buyer, "title", "Export stops at 1000 rows").await;
    type_into(
        &buyer,
        "description",
        "The CSV export of contacts stops at 1000 rows.",
    )
    .await;
    attach_file(&buyer, "work-order-file", "export.txt", "row 1000 … end\n").await;
    click(&buyer, "open-work-order-submit").await;
    until_status(&buyer, "0").await;
    let work_order_page = buyer.current_url().await.unwrap();

    // … accepted by the seller, who asks for feedback (the SLA stands still) …
    seller
        .goto(&app.url("/market/seller/work-orders"))
        .await
        .unwrap();
    wait_for(&seller, "#work-orders").await;
    both_languages(&seller, "seller-work-orders").await;
    click_first(&seller, "a.work-order-link").await;
    click(&seller, "accept").await;
    until_status(&seller, "1").await;
    let seller_work_order = seller.current_url().await.unwrap();
    type_into(&seller, "feedback-text", "Which browser do you use?").await;
    click(&seller, "await_feedback").await;
    until_status(&seller, "17").await;
    wait_for(&seller, "#sla .sla-paused").await;

    // … the buyer, told in the inbox, replies from there …
    buyer.goto(&app.url("/market/inbox")).await.unwrap();
    wait_for(&buyer, "#messages").await;
    assert!(
        text_of(&buyer, "#unread-count")
            .await
            .parse::<u32>()
            .unwrap()
            > 0
    );
    both_languages(&buyer, "inbox").await;
    let newest = buyer
        .find(Locator::Css("#messages tbody tr .message-text"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(newest, "Your feedback is needed on a work order");
    click_first(&buyer, "#messages tbody tr button.open-message").await;
    until_status(&buyer, "17").await;
    both_languages(&buyer, "work-order-feedback").await;
    type_into(&buyer, "message-text", "Firefox 128").await;
    click(&buyer, "message").await;
    until_status(&buyer, "1").await;

    // … the seller confirms it resolved, and the buyer closes it.
    seller.goto(seller_work_order.as_str()).await.unwrap();
    type_into(&seller, "cause-text", "A row limit on the export").await;
    type_into(&seller, "solution-text", "Raised to 100,000 rows").await;
    click(&seller, "confirm_resolved").await;
    until_status(&seller, "2").await;
    both_languages(&seller, "work-order-resolved").await;
    buyer.goto(work_order_page.as_str()).await.unwrap();
    wait_for(&buyer, "#close-form").await;
    click(&buyer, "close-confirm").await;
    click(&buyer, "close").await;
    until_status(&buyer, "3").await;
    assert_eq!(text_of(&buyer, "#solution").await, "Raised to 100,000 rows");
    both_languages(&buyer, "work-order-closed").await;

    buyer.close().await.unwrap();
    seller.close().await.unwrap();
    operator.close().await.unwrap();
}

#[tokio::test]
#[ignore = "needs Debian's chromium and chromium-driver: .ci/run installs them and runs it"]
async fn a_buyer_claims_a_voucher_and_orders_through_a_partners_link_in_the_browser() {
    use crate::marketplace::{cast, on_sale, product};
    use serde_json::json;
    let mut app = TestApp::spawn().await;
    let c = cast(&mut app).await;
    app.create_user("erin", "tenant-p").await;
    let crm = on_sale(&app, &c, &c.alice, &product("CRM")).await;
    let api = |path: &str| app.url(&format!("/api/marketplace/v1{path}"));
    let send = |token: &str, method: reqwest::Method, path: &str, body: serde_json::Value| {
        app.backchannel
            .request(method, api(path))
            .bearer_auth(token)
            .json(&body)
    };
    // The seller's voucher, the plan's partner, and dave's account ID.
    let day = |days: i64| {
        unilogin::calendar::readable(app.clock().now_unix() + days * 86_400)[..10].to_owned()
    };
    let published = send(
        &c.alice,
        reqwest::Method::POST,
        "/seller/vouchers",
        json!({
        "name": "¥10 off", "faceValue": 1000, "minimumSpend": 5000, "validFrom": day(0),
        "validUntil": day(30), "scope": "all", "totalQuantity": 50}),
    )
    .send()
    .await
    .unwrap();
    assert_eq!(published.status(), 201);
    let voucher: serde_json::Value = published.json().await.unwrap();
    let registered = send(
        &c.carol,
        reqwest::Method::PUT,
        "/operator/partners/tenant-p",
        json!({
        "name": "Partner P", "authorizations": [{"productId": crm, "paidBasisPoints": 8500}]}),
    )
    .send()
    .await
    .unwrap();
    assert_eq!(registered.status(), 201);
    let me: serde_json::Value = app
        .backchannel
        .get(api("/me"))
        .bearer_auth(&c.dave)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let driver = start_driver().await;

    // The partner applies for dave in the partner centre and gets the link and QR code.
    let partner = session(&driver, "zh-CN").await;
    open_signed_in(&app, &partner, "/market/partner/discounts", "erin").await;
    both_languages(&partner, "partner-discounts").await;
    type_into(&partner, "customer_id", me["userId"].as_str().unwrap()).await;
    type_into(&partner, "product_id", &crm).await;
    type_into(&partner, "paid_basis_points", "9000").await;
    click(&partner, "apply-discount").await;
    wait_for(&partner, "#qr-code").await;
    assert_eq!(text_of(&partner, "#discount-state").await, "已生效");
    both_languages(&partner, "partner-discount-link").await;
    let link = partner
        .find(Locator::Id("private-link"))
        .await
        .unwrap()
        .attr("value")
        .await
        .unwrap()
        .unwrap();
    let qr_loaded = partner
        .execute(
            "return document.getElementById('qr-code').naturalWidth",
            vec![],
        )
        .await
        .unwrap();
    assert!(
        qr_loaded.as_u64().unwrap_or(0) > 0,
        "the QR code image loads"
    );

    // The buyer claims the voucher on the product page.
    let buyer = session(&driver, "en-US").await;
    open_signed_in(&app, &buyer, &format!("/market/products/{crm}"), "dave").await;
    both_languages(&buyer, "product-vouchers").await;
    click(
        &buyer,
        &format!("claim-{}", voucher["voucherId"].as_str().unwrap()),
    )
    .await;
    until_text(
        &buyer,
        "#notice",
        "Voucher claimed: choose it when you order.",
    )
    .await;

    // Through the partner's link: the exclusive price, the voucher, the breakdown.
    let path = link
        .split_once("/market/")
        .map(|(_, rest)| format!("/market/{rest}"))
        .unwrap();
    open_signed_in(&app, &buyer, &path, "dave").await;
    wait_for(&buyer, "#exclusive-offer").await;
    both_languages(&buyer, "discount-link").await;
    let coupon = buyer
        .find(Locator::Css("#coupon option:nth-child(2)"))
        .await
        .unwrap()
        .attr("value")
        .await
        .unwrap()
        .unwrap();
    choose(&buyer, "coupon", &coupon).await;
    click(&buyer, "see-price").await;
    wait_for(&buyer, "#price-breakdown").await;
    // One month: ¥99.00 − 10 % = ¥89.10, − the ¥10.00 voucher = ¥79.10.
    assert_eq!(text_of(&buyer, "#list-amount").await, "¥99.00");
    assert_eq!(text_of(&buyer, "#discount-amount").await, "−¥9.90");
    assert_eq!(text_of(&buyer, "#voucher-amount").await, "−¥10.00");
    assert_eq!(text_of(&buyer, "#amount-due").await, "¥79.10");
    buyer
        .execute(
            "document.getElementById('price-breakdown').scrollIntoView()",
            vec![],
        )
        .await
        .unwrap();
    save_screenshot(&buyer, "market-price-breakdown-en.png").await;
    click(&buyer, "place-order").await;
    wait_for(&buyer, "#order-id").await;
    assert_eq!(text_of(&buyer, "#lines .line-amount").await, "¥79.10");
    both_languages(&buyer, "order-breakdown").await;

    // Used: on the buyer's used tab; the partner's link no longer effective.
    open_signed_in(&app, &buyer, "/market/vouchers?tab=used", "dave").await;
    both_languages(&buyer, "my-vouchers-used").await;
    assert!(text_of(&buyer, "#coupons").await.contains("¥10 off"));
    open_signed_in(
        &app,
        &partner,
        "/market/partner/discounts?tab=applications",
        "erin",
    )
    .await;
    assert!(text_of(&partner, "#discounts").await.contains("已使用"));

    // The seller's and operators' pages, in both languages.
    let seller = session(&driver, "zh-CN").await;
    open_signed_in(&app, &seller, "/market/seller/vouchers", "alice").await;
    both_languages(&seller, "seller-vouchers").await;
    open_signed_in(&app, &seller, "/market/seller/upgrade-rules", "alice").await;
    both_languages(&seller, "upgrade-rules").await;
    let operator = session(&driver, "en-US").await;
    open_signed_in(&app, &operator, "/market/operator/partners", "carol").await;
    both_languages(&operator, "operator-partners").await;
    open_signed_in(&app, &operator, "/market/operator/discounts", "carol").await;
    both_languages(&operator, "discount-review").await;
    for browser in [buyer, partner, seller, operator] {
        browser.close().await.unwrap();
    }
}
