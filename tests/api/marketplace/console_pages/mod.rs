//! The marketplace console over HTTP, as a browser without JavaScript drives it: sign-in
//! through unilogin, role-aware pages, CSRF, refusals shown on the form that change
//! nothing, a retried order form placing one order, confirmations, and nobody seeing
//! another's records. The browser walk with screenshots is `market_browser`.

use serde_json::json;

use super::*;
use crate::console::{csrf, submit as post, visit};
use crate::helpers::{browser, TENANT};

mod after_sale;
mod order_lists;
mod products;

#[tokio::test]
async fn pages_follow_roles_and_refusals_change_nothing() {
    let mut app = TestApp::spawn().await;
    let c = cast(&mut app).await;
    let crm = on_sale(&app, &c, &c.alice, &buyer_centre_product("CRM")).await;
    let dave = browser();

    // Signed in through unilogin; a buyer's home has the buyer centre only.
    let home = visit(&app, &dave, "/market/?lang=en", "dave").await;
    assert_eq!((home.status, home.path.as_str()), (200, "/market/"));
    assert!(home.body.contains("id=\"buyer-home\""), "{}", home.body);
    assert!(!home.body.contains("id=\"seller-home\""), "{}", home.body);
    assert!(!home.body.contains("id=\"operator-home\""), "{}", home.body);
    assert!(home.body.contains(r#"href="/market/catalogue""#));
    let catalogue = visit(&app, &dave, "/market/catalogue?lang=en", "dave").await;
    assert_eq!(
        (catalogue.status, catalogue.path.as_str()),
        (200, "/market/catalogue")
    );
    assert!(catalogue.body.contains("CRM"));
    assert!(
        !catalogue.body.contains("nav-applications"),
        "no seller centre"
    );
    let refused = visit(&app, &dave, "/market/seller/applications?lang=en", "dave").await;
    assert_eq!(refused.status, 403);
    assert!(refused.body.contains("lacks the role"));
    let chinese = visit(&app, &dave, "/market/catalogue?lang=zh-CN", "dave").await;
    assert!(chinese.body.contains("商品目录"));
    // The choice is remembered: the next page, without `?lang=`, keeps it.
    visit(&app, &dave, "/market/?lang=en", "dave").await;
    let next = visit(&app, &dave, "/market/orders", "dave").await;
    assert!(next.body.contains("<html lang=\"en\""), "{}", next.body);
    visit(&app, &dave, "/market/?lang=zh-CN", "dave").await;
    let next = visit(&app, &dave, "/market/orders", "dave").await;
    assert!(next.body.contains("<html lang=\"zh-CN\""));

    // The order form: CSRF, then refusals that store nothing, then one order for two posts.
    let page = visit(
        &app,
        &dave,
        &format!("/market/products/{crm}?lang=en"),
        "dave",
    )
    .await;
    let token = csrf(&page.body);
    let key = crate::helpers::hidden_fields(&page.body)
        .into_iter()
        .find(|(k, _)| k == "key")
        .unwrap()
        .1;
    let path = format!("/market/products/{crm}/order");
    let orders_before = app.count("mkt_orders").await;
    let forged = post(
        &app,
        &dave,
        &path,
        &[("sku", "once"), ("quantity", "1"), ("kind", "NEW")],
    )
    .await;
    assert_eq!(forged.status, 403);
    for (fields, words) in [
        (
            vec![("sku", "once"), ("quantity", "many"), ("kind", "NEW")],
            "whole number",
        ),
        (
            vec![("sku", "gold"), ("quantity", "1"), ("kind", "NEW")],
            "the product has no SKU gold",
        ),
        (
            vec![("sku", "once"), ("quantity", "1"), ("kind", "TRIAL")],
            "needs a PERIOD spec",
        ),
    ] {
        let mut fields = fields;
        fields.push(("csrf_token", &token));
        fields.push(("key", &key));
        let shown = post(&app, &dave, &path, &fields).await;
        assert_eq!(shown.status, 400, "{words}");
        assert!(shown.body.contains(words), "{words}: {}", shown.body);
    }
    // The same refusal on a Chinese page is in Chinese (the API keeps its English).
    let chinese = visit(
        &app,
        &dave,
        &format!("/market/products/{crm}?lang=zh-CN"),
        "dave",
    )
    .await;
    let refused = post(
        &app,
        &dave,
        &path,
        &[
            ("sku", "gold"),
            ("quantity", "1"),
            ("kind", "NEW"),
            ("csrf_token", &csrf(&chinese.body)),
            ("key", &key),
        ],
    )
    .await;
    assert_eq!(refused.status, 400);
    assert!(
        refused.body.contains("该商品没有 SKU gold"),
        "{}",
        refused.body
    );
    assert!(!refused.body.contains("the product has no SKU"));
    visit(
        &app,
        &dave,
        &format!("/market/products/{crm}?lang=en"),
        "dave",
    )
    .await;
    assert_eq!(
        app.count("mkt_orders").await,
        orders_before,
        "refusals store nothing"
    );
    let good = [
        ("sku", "once"),
        ("quantity", "2"),
        ("kind", "NEW"),
        ("csrf_token", &token),
        ("key", &key),
    ];
    let first = post(&app, &dave, &path, &good).await;
    let again = post(&app, &dave, &path, &good).await;
    assert_eq!((first.status, again.status), (303, 303));
    assert_eq!(
        first.path, again.path,
        "a retried form places the order once"
    );
    assert_eq!(app.count("mkt_orders").await, orders_before + 1);
    let order_path = first.path.split('?').next().unwrap().to_owned();
    let order_id = order_path.rsplit('/').next().unwrap().to_owned();

    // Another buyer sees none of it.
    let bob = browser();
    let theirs = visit(&app, &bob, &order_path, "bob").await;
    assert_eq!(theirs.status, 404);

    // The request, and a seller decision that needs the confirmation ticked.
    let order = visit(&app, &dave, &order_path, "dave").await;
    let asked = post(
        &app,
        &dave,
        &format!("{order_path}/unsubscribe"),
        &[
            ("csrf_token", &csrf(&order.body)),
            ("reason_type", "no_longer_needed"),
            ("reason", "changed plans"),
        ],
    )
    .await;
    assert_eq!(asked.status, 303, "{}", asked.body);
    let request_id = asked
        .path
        .split('?')
        .next()
        .unwrap()
        .rsplit('/')
        .next()
        .unwrap()
        .to_owned();
    let alice = browser();
    let seller_path = format!("/market/seller/unsubscribes/{request_id}");
    let page = visit(&app, &alice, &format!("{seller_path}?lang=en"), "alice").await;
    assert_eq!(page.status, 200);
    let alice_token = csrf(&page.body);
    let unticked = post(
        &app,
        &alice,
        &format!("{seller_path}/approve"),
        &[("csrf_token", &alice_token), ("comment", "ok")],
    )
    .await;
    assert_eq!(unticked.status, 400);
    let stored = market(&app)
        .unsubscribe_request(&unilogin_marketplace::ids::UnsubscribeRequestId::new(
            &request_id,
        ))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.request.state.as_str(), "pending", "nothing changed");
    let bobs_view = visit(&app, &bob, &seller_path, "bob").await;
    assert_eq!(bobs_view.status, 404, "another seller");
    let approved = post(
        &app,
        &alice,
        &format!("{seller_path}/approve"),
        &[
            ("csrf_token", &alice_token),
            ("comment", "ok"),
            ("confirm", "1"),
        ],
    )
    .await;
    assert_eq!(approved.status, 303, "{}", approved.body);
    let stored = market(&app)
        .unsubscribe_request(&unilogin_marketplace::ids::UnsubscribeRequestId::new(
            &request_id,
        ))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.request.state.as_str(), "completed");
    let (_, placed, _) = call(
        &app,
        reqwest::Method::GET,
        &format!("{ORDERS}/{order_id}"),
        Some(&c.dave),
    )
    .await;
    assert_eq!(
        placed["orderLines"][0]["subscriptionId"],
        json!(stored.subscription_id)
    );
    let sold = visit(
        &app,
        &alice,
        "/market/seller/subscriptions?state=unsubscribed&lang=en",
        "alice",
    )
    .await;
    assert_eq!(sold.status, 200);
    assert!(sold.body.contains("1 in all"), "{}", sold.body);

    // Access keys: the SK once, deleting with a confirmation, minting only after a recent
    // sign-in.
    // The key's page shows the SK after a redirect, once; a double submit mints one key.
    let keys = visit(&app, &alice, "/market/seller/keys?lang=en", "alice").await;
    assert_eq!(keys.status, 200);
    let form_id = crate::helpers::hidden_fields(&keys.body)
        .into_iter()
        .find(|(n, _)| n == "form_id")
        .map(|(_, v)| v)
        .expect("the mint form names itself");
    let mint = [
        ("csrf_token", alice_token.as_str()),
        ("form_id", form_id.as_str()),
    ];
    let minted = post(&app, &alice, "/market/seller/keys", &mint).await;
    assert_eq!(minted.status, 303);
    assert!(minted.path.contains("shown="), "{}", minted.path);
    let twice = post(&app, &alice, "/market/seller/keys", &mint).await;
    assert_eq!((twice.status, &twice.path), (303, &minted.path));
    assert_eq!(market(&app).access_keys_of(TENANT).await.unwrap().len(), 1);
    let shown = visit(&app, &alice, &minted.path, "alice").await;
    assert!(shown.body.contains("id=\"minted-sk\""), "{}", shown.body);
    let reloaded = visit(&app, &alice, &minted.path, "alice").await;
    assert!(!reloaded.body.contains("id=\"minted-sk\""), "the SK once");
    let ak = market(&app).access_keys_of(TENANT).await.unwrap()[0]
        .access_key
        .clone();
    let delete = format!("/market/seller/keys/{ak}/delete");
    let unticked = post(&app, &alice, &delete, &[("csrf_token", &alice_token)]).await;
    assert_eq!(unticked.status, 400);
    let deleted = post(
        &app,
        &alice,
        &delete,
        &[("csrf_token", &alice_token), ("confirm", "1")],
    )
    .await;
    assert_eq!(deleted.status, 303);
    assert!(market(&app)
        .access_keys_of(TENANT)
        .await
        .unwrap()
        .is_empty());
    app.clock().advance(std::time::Duration::from_secs(16 * 60));
    let stale = post(
        &app,
        &alice,
        "/market/seller/keys",
        &[("csrf_token", &alice_token)],
    )
    .await;
    assert_eq!(stale.status, 303);
    assert!(
        stale.path.starts_with("/market/login?") && stale.path.contains("fresh=1"),
        "{}",
        stale.path
    );
    assert!(market(&app)
        .access_keys_of(TENANT)
        .await
        .unwrap()
        .is_empty());
    let messages = visit(&app, &alice, "/market/seller/messages", "alice").await;
    assert_eq!(messages.status, 200);

    // The operators' queue filters by type.
    let carol = browser();
    let queue = visit(
        &app,
        &carol,
        "/market/operator/review?type=modify&lang=en",
        "carol",
    )
    .await;
    assert_eq!(queue.status, 200);
    assert!(queue.body.contains("0 in all"), "{}", queue.body);
}

#[tokio::test]
async fn a_license_is_published_with_its_delivery_flow_from_the_form() {
    let mut app = TestApp::spawn().await;
    let _ = cast(&mut app).await;
    let alice = browser();
    let form = visit(&app, &alice, "/market/seller/publish?lang=en", "alice").await;
    assert_eq!(form.status, 200);
    assert!(form.body.contains("id=\"delivery_flow\""));
    let token = csrf(&form.body);
    let fields = |flow: &'static str| {
        vec![
            ("csrf_token", token.clone()),
            ("name", "Site licence".to_owned()),
            ("description", "Installed on site".to_owned()),
            ("category", "software".to_owned()),
            ("access_type", "license".to_owned()),
            ("delivery_flow", flow.to_owned()),
            ("spec_name_0", "Perpetual".to_owned()),
            ("sku_0", "perpetual".to_owned()),
            ("mode_0", "ONE_TIME".to_owned()),
            ("price_0", "500".to_owned()),
            ("security_self_check", "1".to_owned()),
        ]
    };
    let send = |flow| {
        let fields = fields(flow);
        let (app, alice) = (&app, &alice);
        async move {
            let borrowed: Vec<(&str, &str)> =
                fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
            post(app, alice, "/market/seller/publish", &borrowed).await
        }
    };
    let applications_before = app.count("mkt_applications").await;
    let refused = send("").await;
    assert_eq!(refused.status, 400, "{}", refused.body);
    assert!(
        refused.body.contains("names its delivery flow"),
        "{}",
        refused.body
    );
    assert_eq!(app.count("mkt_applications").await, applications_before);
    let published = send("offline_delivery_acceptance").await;
    assert_eq!(published.status, 303, "{}", published.body);
    let page = visit(
        &app,
        &alice,
        &format!("{}&lang=en", published.path),
        "alice",
    )
    .await;
    assert!(
        page.body.contains("Offline · delivery and acceptance"),
        "{}",
        page.body
    );
}

#[tokio::test]
async fn the_spec_editor_adds_and_removes_rows_without_script_and_keeps_every_spec() {
    let mut app = TestApp::spawn().await;
    let _ = cast(&mut app).await;
    let alice = browser();
    let form = visit(&app, &alice, "/market/seller/publish?lang=en", "alice").await;
    assert!(form
        .body
        .contains("<select id=\"category\" name=\"category\" required>"));
    assert!(form
        .body
        .contains("<option value=\"software\">Software</option>"));
    assert!(form.body.contains("id=\"spec_name_1\"") && !form.body.contains("id=\"spec_name_2\""));
    let token = csrf(&form.body);
    let row = |i: usize, name: &str| {
        vec![
            (format!("spec_name_{i}"), name.to_owned()),
            (format!("sku_{i}"), name.to_lowercase()),
            (format!("mode_{i}"), "ONE_TIME".to_owned()),
            (format!("price_{i}"), "10".to_owned()),
        ]
    };
    let send = |mut fields: Vec<(String, String)>, rows: usize| {
        fields.push(("csrf_token".into(), token.clone()));
        fields.push(("spec_rows".into(), rows.to_string()));
        fields.push(("name".into(), "Toolbox".into()));
        fields.push(("description".into(), "Many tools".into()));
        fields.push(("category".into(), "software".into()));
        fields.push(("access_type".into(), "container".into()));
        fields.push(("security_self_check".into(), "1".into()));
        let (app, alice) = (&app, &alice);
        async move {
            let borrowed: Vec<(&str, &str)> = fields
                .iter()
                .map(|(k, v)| (k.as_str(), v.as_str()))
                .collect();
            post(app, alice, "/market/seller/publish", &borrowed).await
        }
    };
    let before = app.count("mkt_applications").await;

    // One row more: the same form, what was typed kept, nothing submitted.
    let mut fields = row(0, "Alpha");
    fields.extend(row(1, "Beta"));
    fields.push(("edit".into(), "add".into()));
    let added = send(fields, 2).await;
    assert_eq!(added.status, 200, "{}", added.body);
    assert!(added.body.contains("id=\"spec_name_2\""));
    assert!(added.body.contains("value=\"Alpha\"") && added.body.contains("value=\"Beta\""));
    assert!(added.body.contains("name=\"spec_rows\" value=\"3\""));
    // The ticked row goes.
    let mut fields = row(0, "Alpha");
    fields.extend(row(1, "Beta"));
    fields.push(("drop_0".into(), "1".into()));
    fields.push(("edit".into(), "drop".into()));
    let dropped = send(fields, 3).await;
    assert_eq!(dropped.status, 200);
    assert!(!dropped.body.contains("value=\"Alpha\"") && dropped.body.contains("value=\"Beta\""));
    assert_eq!(
        app.count("mkt_applications").await,
        before,
        "nothing submitted"
    );

    // Six specs, one ticked away: five submitted, none lost beyond the first rows.
    let mut fields = Vec::new();
    for (i, name) in ["One", "Two", "Three", "Four", "Five", "Six"]
        .iter()
        .enumerate()
    {
        fields.extend(row(i, name));
    }
    fields.push(("drop_5".into(), "1".into()));
    let published = send(fields, 6).await;
    assert_eq!(published.status, 303, "{}", published.body);
    let page = visit(
        &app,
        &alice,
        &format!("{}&lang=en", published.path),
        "alice",
    )
    .await;
    for sku in ["one", "two", "three", "four", "five"] {
        assert!(
            page.body.contains(&format!(">{sku}<")),
            "{sku}: {}",
            page.body
        );
    }
    assert!(!page.body.contains(">six<"));
}
