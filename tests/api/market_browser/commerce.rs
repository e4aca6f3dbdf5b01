//! A buyer claims a voucher and orders through a partner's link in the browser.

use super::*;

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
    let day = |days: i64| unilogin::calendar::local().day(app.clock().now_unix() + days * 86_400);
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
    let driver = start_driver().await;

    // The partner applies for dave in the partner centre and gets the link and QR code.
    let partner = session(&driver, "zh-CN").await;
    open_signed_in(&app, &partner, "/market/partner/discounts", "erin").await;
    both_languages(&partner, "partner-discounts").await;
    type_into(&partner, "customer", "dave").await;
    choose(&partner, "product_id", &crm).await;
    type_into(&partner, "rate", "9").await;
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
        end_session(browser).await;
    }
}
