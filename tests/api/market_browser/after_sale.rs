//! A supervised order accepted and a work order resolved in the browser.

use super::*;

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

    // … found on the seller's home, accepted, and feedback asked for (the SLA stands
    // still) …
    click(&seller, "nav-home").await;
    wait_for(&seller, "#seller-home").await;
    assert_eq!(text_of(&seller, "#todo-to-accept .value").await, "1");
    both_languages(&seller, "home-seller").await;
    click(&seller, "todo-to-accept").await;
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

    end_session(buyer).await;
    end_session(seller).await;
    end_session(operator).await;
}

#[tokio::test]
#[ignore = "needs Debian's chromium and chromium-driver: .ci/run installs them and runs it"]
async fn a_saas_subscription_is_unsubscribed_in_the_billing_centre_in_the_browser() {
    use crate::marketplace::{cast, on_sale, product};
    let mut app = TestApp::spawn().await;
    let c = cast(&mut app).await;
    let product_id = on_sale(&app, &c, &c.alice, &product("Cloud CRM")).await;
    let driver = start_driver().await;

    // The order page offers the billing centre's unsubscription with its terms.
    let buyer = session(&driver, "en-US").await;
    open_signed_in(
        &app,
        &buyer,
        &format!("/market/products/{product_id}"),
        "dave",
    )
    .await;
    click(&buyer, "place-order").await;
    wait_for(&buyer, "#unsubscribe-terms").await;
    assert!(
        buyer
            .find(Locator::Id("request-unsubscribe"))
            .await
            .is_err(),
        "no request for the seller to decide"
    );
    assert_eq!(text_of(&buyer, "#terms-rule").await, "5-day no reason");
    assert_eq!(text_of(&buyer, "#terms-refund").await, "¥99.00");
    both_languages(&buyer, "order-billing-unsubscribe").await;

    // Confirmed, it is done at once.
    choose(&buyer, "now-reason_type", "no_longer_needed").await;
    type_into(&buyer, "now-reason", "We moved to another tool").await;
    click(&buyer, "confirm-unsubscribe-now").await;
    click(&buyer, "unsubscribe-now").await;
    wait_for(&buyer, "#request-state").await;
    assert_eq!(text_of(&buyer, "#request-state").await, "Completed");
    assert_eq!(text_of(&buyer, "#request-channel").await, "Billing centre");
    assert_eq!(text_of(&buyer, "#request-refund").await, "¥99.00");
    assert_eq!(
        text_of(&buyer, "#notice").await,
        "Unsubscribed: the refund follows the rules."
    );
    both_languages(&buyer, "unsubscribed-billing-centre").await;

    // The seller sees it done, with nothing to decide.
    let seller = session(&driver, "zh-CN").await;
    open_signed_in(&app, &seller, "/market/seller/unsubscribes", "alice").await;
    click_first(&seller, "a.request-link").await;
    wait_for(&seller, "#request-state").await;
    assert_eq!(text_of(&seller, "#request-state").await, "已完成");
    assert_eq!(text_of(&seller, "#request-channel").await, "费用中心退订");
    assert!(seller.find(Locator::Id("approve-form")).await.is_err());
    both_languages(&seller, "seller-billing-unsubscribed").await;
}
