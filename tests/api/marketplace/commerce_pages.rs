//! The commerce pages over HTTP, as a browser without JavaScript drives them: a seller
//! publishes a voucher, a buyer claims it and sees the price breakdown before ordering
//! with it; an operator registers a partner, the partner applies for discounts and
//! shares the link and QR code, the designated customer alone opens it, an operator
//! reviews the deeper one; a seller's upgrade rule is refused without its debug case.
//! Refusals show the form again and store nothing.

use super::*;
use crate::console::{csrf, submit as post, visit};
use crate::helpers::browser;

fn today(app: &TestApp, days: i64) -> String {
    unilogin::calendar::local().day(app.clock().now_unix() + days * 86_400)
}

/// What follows `marker` in `html`, up to the next double quote (an id, a value).
fn up_to_quote(html: &str, marker: &str) -> String {
    let rest = html
        .split(marker)
        .nth(1)
        .unwrap_or_else(|| panic!("{marker} on the page"));
    rest.split('"').next().unwrap().to_owned()
}

/// The text of the element with `id` (its first text run).
fn text_of(html: &str, id: &str) -> String {
    let at = html
        .find(&format!("id=\"{id}\""))
        .unwrap_or_else(|| panic!("#{id} on the page"));
    let from = at + html[at..].find('>').unwrap() + 1;
    let to = from + html[from..].find('<').unwrap();
    html[from..to].trim().to_owned()
}

#[tokio::test]
async fn vouchers_discounts_and_upgrade_rules_in_the_console() {
    let mut app = TestApp::spawn().await;
    let c = cast(&mut app).await;
    app.create_user("erin", "tenant-p").await;
    let crm = on_sale(&app, &c, &c.alice, &product("CRM")).await;
    let (alice, dave, carol, erin, bob) = (browser(), browser(), browser(), browser(), browser());

    // A seller publishes a voucher: a refusal keeps the form and stores nothing.
    let page = visit(&app, &alice, "/market/seller/vouchers?lang=en", "alice").await;
    assert_eq!(page.status, 200, "{}", page.body);
    let token = csrf(&page.body);
    let (from, until) = (today(&app, 0), today(&app, 30));
    let mut fields = vec![
        ("csrf_token", token.as_str()),
        ("name", "¥20 off ¥100"),
        ("face_value", "20.00"),
        ("minimum_spend", "100"),
        ("valid_from", from.as_str()),
        ("valid_until", until.as_str()),
        ("scope", "products"),
        ("items", "nothing-of-mine"),
        ("total_quantity", "10"),
        ("per_buyer_limit", "1"),
        ("combinable", "1"),
    ];
    let refused = post(&app, &alice, "/market/seller/vouchers", &fields).await;
    assert_eq!(refused.status, 400);
    assert!(
        refused.body.contains("not a product of yours on sale"),
        "{}",
        refused.body
    );
    assert!(
        refused.body.contains("value=\"¥20 off ¥100\""),
        "the form kept its values"
    );
    assert_eq!(app.count("mkt_vouchers").await, 0);
    // Money is typed in yuan: a third decimal is refused in the page's words.
    fields[2] = ("face_value", "20.005");
    let refused = post(&app, &alice, "/market/seller/vouchers", &fields).await;
    assert_eq!(refused.status, 400);
    assert!(
        refused
            .body
            .contains("Face value (yuan): an amount in yuan with at most two decimals"),
        "{}",
        refused.body
    );
    assert_eq!(app.count("mkt_vouchers").await, 0);
    fields[2] = ("face_value", "20.00");
    fields[7] = ("items", crm.as_str());
    let published = post(&app, &alice, "/market/seller/vouchers", &fields).await;
    assert_eq!(
        (published.status, published.path.as_str()),
        (303, "/market/seller/vouchers?done=saved")
    );
    let listed = visit(&app, &alice, "/market/seller/vouchers?lang=zh-CN", "alice").await;
    assert!(
        listed.body.contains("¥20 off ¥100") && listed.body.contains("发放中"),
        "{}",
        listed.body
    );
    // Typed in yuan, kept in fen, shown in yuan.
    assert!(
        listed.body.contains("¥20.00") && listed.body.contains("¥100.00"),
        "{}",
        listed.body
    );

    // The buyer claims it on the product page and sees it on the available tab.
    let product_page = visit(
        &app,
        &dave,
        &format!("/market/products/{crm}?lang=en"),
        "dave",
    )
    .await;
    let voucher_id = up_to_quote(&product_page.body, "id=\"claim-");
    let token = csrf(&product_page.body);
    let claimed = post(
        &app,
        &dave,
        &format!("/market/products/{crm}/vouchers/{voucher_id}/claim"),
        &[("csrf_token", &token)],
    )
    .await;
    assert_eq!(claimed.status, 303);
    let again = post(
        &app,
        &dave,
        &format!("/market/products/{crm}/vouchers/{voucher_id}/claim"),
        &[("csrf_token", &token)],
    )
    .await;
    assert_eq!(again.status, 400);
    assert!(
        again
            .body
            .contains("as many of this voucher as one buyer may"),
        "{}",
        again.body
    );
    let mine = visit(&app, &dave, "/market/vouchers?lang=en", "dave").await;
    assert!(
        mine.body.contains("¥20 off ¥100") && mine.body.contains("Unused"),
        "{}",
        mine.body
    );
    // The buyer sees the account a partner's discount names.
    assert!(!text_of(&mine.body, "account-id").is_empty());

    // The price breakdown before ordering, then the order with the voucher.
    let product_page = visit(
        &app,
        &dave,
        &format!("/market/products/{crm}?lang=en"),
        "dave",
    )
    .await;
    assert!(product_page.body.contains("Claimed ×1"));
    let coupon = format!(
        "vc-{}",
        up_to_quote(&product_page.body, "<option value=\"vc-")
    );
    let key = crate::helpers::hidden_fields(&product_page.body)
        .into_iter()
        .find(|(k, _)| k == "key")
        .unwrap()
        .1;
    let token = csrf(&product_page.body);
    let order_fields = |step: &'static str| {
        vec![
            ("csrf_token", token.clone()),
            ("key", key.clone()),
            ("sku", "basic".into()),
            ("quantity", "1".into()),
            ("periods", "2".into()),
            ("kind", "NEW".into()),
            ("coupon", coupon.clone()),
            ("link", String::new()),
            ("step", step.into()),
        ]
    };
    let quote_fields = order_fields("quote");
    let quote_refs: Vec<(&str, &str)> =
        quote_fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let quoted = post(
        &app,
        &dave,
        &format!("/market/products/{crm}/order"),
        &quote_refs,
    )
    .await;
    assert_eq!(quoted.status, 200, "{}", quoted.body);
    assert_eq!(
        (
            text_of(&quoted.body, "list-amount"),
            text_of(&quoted.body, "voucher-amount"),
            text_of(&quoted.body, "amount-due")
        ),
        ("¥198.00".to_owned(), "−¥20.00".to_owned(), String::new())
    );
    assert!(quoted.body.contains("<strong>¥178.00</strong>"));
    assert_eq!(app.count("mkt_orders").await, 0, "a quote stores nothing");
    let place_fields = order_fields("place");
    let place_refs: Vec<(&str, &str)> =
        place_fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let placed = post(
        &app,
        &dave,
        &format!("/market/products/{crm}/order"),
        &place_refs,
    )
    .await;
    assert_eq!(placed.status, 303, "{}", placed.body);
    let used = visit(&app, &dave, "/market/vouchers?tab=used&lang=en", "dave").await;
    assert!(used.body.contains("−¥20.00"), "{}", used.body);

    // The plan: an operator registers erin's tenant; erin's console shows the partner centre.
    let plan = visit(&app, &carol, "/market/operator/partners?lang=en", "carol").await;
    let token = csrf(&plan.body);
    let authorizations = format!("{crm} 8500");
    let bad = post(
        &app,
        &carol,
        "/market/operator/partners",
        &[
            ("csrf_token", &token),
            ("tenant_id", "tenant-p"),
            ("name", "Partner P"),
            ("authorizations", "eighty"),
        ],
    )
    .await;
    assert_eq!(bad.status, 400);
    assert_eq!(app.count("mkt_partners").await, 0);
    let registered = post(
        &app,
        &carol,
        "/market/operator/partners",
        &[
            ("csrf_token", &token),
            ("tenant_id", "tenant-p"),
            ("name", "Partner P"),
            ("authorizations", &authorizations),
        ],
    )
    .await;
    assert_eq!(registered.status, 303);
    let centre = visit(&app, &erin, "/market/partner/discounts?lang=en", "erin").await;
    assert_eq!(centre.status, 200, "{}", centre.body);
    assert!(centre.body.contains("nav-partner-discounts"));
    let refused = visit(&app, &dave, "/market/partner/discounts?lang=en", "dave").await;
    assert_eq!(refused.status, 403);

    // The form names the authorized product and its deepest rate in 折, not ids and
    // basis points.
    assert!(
        centre.body.contains(&format!("<option value=\"{crm}\">")),
        "{}",
        centre.body
    );
    assert!(centre.body.contains("85% of the price"), "{}", centre.body);
    // Erin applies for dave (by username) within and beyond the authorized discount.
    let token = csrf(&centre.body);
    let apply = |customer: &'static str, rate: &'static str| {
        vec![
            ("csrf_token", token.clone()),
            ("customer", customer.to_owned()),
            ("product_id", crm.clone()),
            ("quote_type", "product".into()),
            ("sku_code", String::new()),
            ("rate", rate.into()),
            ("valid_days", "30".into()),
        ]
    };
    for (customer, rate, words) in [
        ("nobody", "9", "No customer has that username"),
        ("dave", "9.005", "Type the rate in 折"),
        ("dave", "90", "Type the rate in 折"),
    ] {
        let fields = apply(customer, rate);
        let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let refused = post(&app, &erin, "/market/partner/discounts", &fields).await;
        assert_eq!(refused.status, 400, "{rate}");
        assert!(refused.body.contains(words), "{words}: {}", refused.body);
        assert!(refused.body.contains(&format!("value=\"{rate}\"")), "kept");
    }
    assert_eq!(app.count("mkt_discounts").await, 0);
    let within = apply("dave", "9");
    let within: Vec<(&str, &str)> = within.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let applied = post(&app, &erin, "/market/partner/discounts", &within).await;
    assert_eq!(applied.status, 303, "{}", applied.body);
    let shown = visit(&app, &erin, &format!("{}&lang=en", applied.path), "erin").await;
    assert_eq!(text_of(&shown.body, "discount-state"), "Effective");
    let link = up_to_quote(&shown.body, "id=\"private-link\" value=\"");
    let qr_src = up_to_quote(&shown.body, "id=\"qr-code\" src=\"");
    let qr = erin.get(app.url(&qr_src)).send().await.unwrap();
    assert_eq!(qr.headers()["content-type"], "image/svg+xml");
    assert!(qr.text().await.unwrap().contains("<svg"));
    assert!(shown.body.contains("90% of the price"), "{}", shown.body);
    let deeper = apply("dave", "7折");
    let deeper: Vec<(&str, &str)> = deeper.iter().map(|(k, v)| (*k, v.as_str())).collect();
    post(&app, &erin, "/market/partner/discounts", &deeper).await;
    let effective = visit(
        &app,
        &erin,
        "/market/partner/discounts?tab=product&lang=en",
        "erin",
    )
    .await;
    assert_eq!(
        effective
            .body
            .matches("/market/partner/discounts/dsc-")
            .count(),
        1,
        "effective ones only"
    );

    // The link: the designated customer sees the offer; anyone else is refused.
    let path = link
        .split("/market/discounts/")
        .nth(1)
        .map(|t| format!("/market/discounts/{t}"))
        .unwrap();
    let offer = visit(&app, &dave, &format!("{path}?lang=en"), "dave").await;
    assert_eq!(offer.status, 200, "{}", offer.body);
    assert!(
        offer.body.contains("An exclusive offer for you") && offer.body.contains("¥89.10"),
        "{}",
        offer.body
    );
    let other = visit(&app, &bob, &format!("{path}?lang=en"), "bob").await;
    assert_eq!(other.status, 403);

    // The deeper one waits for an operator, who approves it.
    let queue = visit(&app, &carol, "/market/operator/discounts?lang=en", "carol").await;
    let pending = up_to_quote(&queue.body, "id=\"approve-");
    let token = csrf(&queue.body);
    let approved = post(
        &app,
        &carol,
        &format!("/market/operator/discounts/{pending}/approve"),
        &[("csrf_token", &token), ("comment", "key account")],
    )
    .await;
    assert_eq!(approved.status, 303);
    let queue = visit(&app, &carol, "/market/operator/discounts?lang=en", "carol").await;
    assert!(!queue.body.contains(&pending));

    // An upgrade rule without a saved upgrade debug case is refused on the form.
    let rules = visit(
        &app,
        &alice,
        "/market/seller/upgrade-rules?lang=en",
        "alice",
    )
    .await;
    let token = csrf(&rules.body);
    let refused = post(
        &app,
        &alice,
        "/market/seller/upgrade-rules",
        &[
            ("csrf_token", &token),
            ("product_id", &crm),
            ("source", "basic"),
            ("target", "once"),
        ],
    )
    .await;
    assert_eq!(refused.status, 400);
    assert!(
        refused.body.contains("not billed by the year or the month"),
        "{}",
        refused.body
    );
    assert_eq!(app.count("mkt_upgrade_rules").await, 0);

    // Without a rule, the buyer's subscription offers no upgrade; another's is not found.
    let subscriptions = visit(&app, &dave, "/market/subscriptions?lang=en", "dave").await;
    let upgrade = format!(
        "/market/subscriptions/{}",
        up_to_quote(&subscriptions.body, "href=\"/market/subscriptions/")
    );
    let page = visit(&app, &dave, &format!("{upgrade}?lang=en"), "dave").await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("id=\"no-upgrades\""), "{}", page.body);
    let other = visit(&app, &bob, &format!("{upgrade}?lang=en"), "bob").await;
    assert_eq!(other.status, 404);
}
