//! Upgrade rules (§5.4) against the kit's independent seller: no rule before a saved
//! upgrade debug case; a CHANGE of a live SaaS subscription follows a rule, is priced pro
//! rata for the rest of the period and reaches the seller's production URL as `upgrade`
//! with the same instanceId; each cause (a price conflict, lost yearly/monthly billing, a
//! delisted target SKU or product) makes a rule invalid, with the reason shown.

use std::time::Duration;

use reqwest::Method;
use serde_json::{json, Value};

use super::kit_seller::{chain_with, DAY};
use super::*;

const RULES: &str = "/api/marketplace/v1/seller/upgrade-rules";

fn plans(pro: Value) -> Value {
    let mut body = product("CRM");
    body["specs"].as_array_mut().unwrap().push(pro);
    body
}

fn pro(price: i64, mode: &str, period: Option<&str>) -> Value {
    let mut spec = json!({"name": "Pro", "skuCode": "pro", "chargingMode": mode, "price": price});
    if let Some(period) = period {
        spec["periodType"] = json!(period);
    }
    spec
}

/// Submits `body` as the product's new content and has carol approve it.
async fn modified(app: &TestApp, c: &Cast, product_id: &str, body: &Value) {
    let path = format!("{PRODUCTS}/{product_id}");
    let (status, application) = send_json(app, Method::PUT, &path, &c.alice, body).await;
    assert_eq!(status, 201, "{application}");
    let approve = format!("{QUEUE}/{}/approve", application["id"].as_str().unwrap());
    let (status, _, _) = call(app, Method::POST, &approve, Some(&c.carol)).await;
    assert_eq!(status, 200);
}

async fn rules(app: &TestApp, seller: &str) -> Vec<Value> {
    let (status, list, _) = call(app, Method::GET, RULES, Some(seller)).await;
    assert_eq!(status, 200, "{list}");
    list.as_array().unwrap().clone()
}

#[tokio::test]
async fn a_change_follows_an_upgrade_rule_pro_rata_and_upgrades_the_same_instance() {
    let mut chain = chain_with(&plans(pro(19_900, "PERIOD", Some("month")))).await;
    let crm = chain.crm.clone();
    let rule = json!({"productId": crm, "sourceSkuCode": "basic", "targetSkuCode": "pro"});

    // No rule before a successful upgrade debug case is saved.
    let (status, body) = send_json(&chain.app, Method::POST, RULES, &chain.c.alice, &rule).await;
    says(status, &body, 409, "upgrade debug case");
    let (status, case) = send_json(
        &chain.app,
        Method::POST,
        &chain.debug_path("debug-cases"),
        &chain.c.alice,
        &json!({"scenario": "upgrade"}),
    )
    .await;
    assert_eq!(status, 201, "{case}");
    for (change, status_words) in [
        (
            json!({"targetSkuCode": "once"}),
            (400, "not billed by the year or the month"),
        ),
        (json!({"targetSkuCode": "basic"}), (400, "another SKU")),
        (json!({"targetSkuCode": "gold"}), (400, "no longer offered")),
        (
            json!({"productId": "nothing"}),
            (404, "No such product of yours"),
        ),
    ] {
        let mut body = rule.clone();
        for (k, v) in change.as_object().unwrap() {
            body[k] = v.clone();
        }
        let (status, refused) =
            send_json(&chain.app, Method::POST, RULES, &chain.c.alice, &body).await;
        says(status, &refused, status_words.0, status_words.1);
    }
    let (status, _) = send_json(&chain.app, Method::POST, RULES, &chain.c.bob, &rule).await;
    assert_eq!(status, 404, "another seller's product");
    let (status, configured) =
        send_json(&chain.app, Method::POST, RULES, &chain.c.alice, &rule).await;
    assert_eq!(
        (status, &configured["valid"]),
        (201, &json!(true)),
        "{configured}"
    );
    let (status, body) = send_json(&chain.app, Method::POST, RULES, &chain.c.alice, &rule).await;
    says(status, &body, 409, "configured already");

    // A live monthly subscription, its instance opened at the seller.
    chain.debug_all().await;
    let bought = chain
        .order(
            &chain.c.dave,
            json!({"productId": crm, "skuCode": "basic", "periodNumber": 1}),
        )
        .await;
    live(&chain, &chain.c.dave).await;
    // The instance id is the seller's answer to the (real, not debug) opening.
    let opening = chain
        .seller
        .log()
        .into_iter()
        .find(|e| e["activity"] == "newInstance" && e["body"]["testFlag"] != "1")
        .expect("the opening reached the seller");
    let instance = format!("ins-{}", opening["body"]["orderLineId"].as_str().unwrap());
    live(&chain, &chain.c.dave).await;
    let change = json!({"productId": crm, "skuCode": "pro", "orderType": "CHANGE", "relatedOrderId": bought["orderId"]});
    let (status, body) = order(
        &chain.app,
        &chain.c.dave,
        {
            let mut with_periods = change.clone();
            with_periods["periodNumber"] = json!(1);
            with_periods
        },
        None,
    )
    .await;
    says(status, &body, 400, "leave periodNumber out");
    let (status, body) = order(
        &chain.app,
        &chain.c.dave,
        {
            let mut sideways = change.clone();
            sideways["skuCode"] = json!("once");
            sideways
        },
        None,
    )
    .await;
    says(status, &body, 400, "needs a PERIOD spec");

    // Half way through the month: (19900 − 9900) × 15 / 30 days, to the fen.
    chain.advance(Duration::from_secs(15 * DAY)).await;
    chain.c.carol = token_for(&mut chain.app, "carol").await;
    let (status, quote) = send_json(
        &chain.app,
        Method::POST,
        "/api/marketplace/v1/buyer/quotes",
        &chain.c.dave,
        &change,
    )
    .await;
    assert_eq!(status, 200, "{quote}");
    // The buyer upgrades in the console: the choice shows its pro-rata price.
    let console = crate::helpers::browser();
    let subscription = bought["orderLines"][0]["subscriptionId"].as_str().unwrap();
    let page = crate::console::visit(
        &chain.app,
        &console,
        &format!("/market/subscriptions/{subscription}/upgrade?lang=en"),
        "dave",
    )
    .await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.body.contains("id=\"upgrade-to-pro\""), "{}", page.body);
    let fields = crate::helpers::hidden_fields(&page.body);
    let field = |name: &str| fields.iter().find(|(k, _)| k == name).unwrap().1.clone();
    let (token, key) = (field("csrf_token"), field("key"));
    let placed = crate::console::submit(
        &chain.app,
        &console,
        &format!("/market/subscriptions/{subscription}/upgrade"),
        &[("csrf_token", &token), ("key", &key), ("target", "pro")],
    )
    .await;
    assert_eq!(placed.status, 303, "{}", placed.body);
    let order_id = placed
        .path
        .split('/')
        .nth(3)
        .unwrap()
        .split('?')
        .next()
        .unwrap();
    let (status, upgraded, _) = call(
        &chain.app,
        Method::GET,
        &format!("{ORDERS}/{order_id}"),
        Some(&chain.c.dave),
    )
    .await;
    assert_eq!(status, 200, "{upgraded}");
    assert_eq!(upgraded["orderType"], "CHANGE");
    let paid = upgraded["orderLines"][0]["amount"].as_i64().unwrap();
    assert!((4990..=5000).contains(&paid), "pro rata: {paid}");
    assert_eq!(upgraded["orderLines"][0]["listAmount"], paid);
    // The debug case was one upgrade call (testFlag "1"); the order's is the other.
    let real = |e: &Value| e["activity"] == "upgrade" && e["body"]["testFlag"] != "1";
    let log = chain.received("the upgrade", 1, real).await;
    let upgrade_call = log.iter().find(|e| real(e)).unwrap();
    assert_eq!(
        upgrade_call["body"]["instanceId"],
        instance.as_str(),
        "the same instance"
    );
    assert_eq!(upgrade_call["body"]["skuCode"], "pro");
    assert_eq!(upgrade_call["body"]["orderId"], upgraded["orderId"]);
    assert_eq!(upgrade_call["verified"], true);

    // Back is no upgrade: no rule leads from pro to basic.
    let mut back = change.clone();
    back["skuCode"] = json!("basic");
    let (status, body) = order(&chain.app, &chain.c.dave, back, None).await;
    says(
        status,
        &body,
        409,
        "no upgrade rule of the seller leads from pro to basic",
    );

    // Each cause makes the rule invalid, and the seller sees why; a CHANGE is refused.
    let (status, reverse) = send_json(
        &chain.app,
        Method::POST,
        RULES,
        &chain.c.alice,
        &json!({"productId": crm, "sourceSkuCode": "pro", "targetSkuCode": "basic"}),
    )
    .await;
    says(status, &reverse, 400, "price conflict");
    let causes = [
        (pro(9000, "PERIOD", Some("month")), "price conflict"),
        (
            pro(19_900, "ONE_TIME", None),
            "not billed by the year or the month",
        ),
        (pro(199_000, "PERIOD", Some("year")), "different periods"),
        (json!(null), "no longer offered"),
    ];
    let newcomer = chain
        .order(
            &chain.c.bob,
            json!({"productId": crm, "skuCode": "basic", "periodNumber": 1}),
        )
        .await;
    live(&chain, &chain.c.bob).await;
    let newcomer_change = json!({"productId": crm, "skuCode": "pro", "orderType": "CHANGE", "relatedOrderId": newcomer["orderId"]});
    for (spec, reason) in causes {
        let body = if spec.is_null() {
            product("CRM")
        } else {
            plans(spec)
        };
        modified(&chain.app, &chain.c, &crm, &body).await;
        let listed = rules(&chain.app, &chain.c.alice).await;
        assert_eq!(listed[0]["valid"], false, "{reason}: {listed:?}");
        let said = listed[0]["invalidReason"].as_str().unwrap();
        assert!(said.contains(reason), "{said:?} should say {reason:?}");
        if !spec_has_pro(&body) {
            continue;
        }
        let (status, refused) =
            order(&chain.app, &chain.c.bob, newcomer_change.clone(), None).await;
        assert!(matches!(status, 400 | 409), "{reason}: {refused}");
    }
    // The cause gone, the rule holds again; delisting the product makes it invalid.
    modified(
        &chain.app,
        &chain.c,
        &crm,
        &plans(pro(19_900, "PERIOD", Some("month"))),
    )
    .await;
    assert_eq!(rules(&chain.app, &chain.c.alice).await[0]["valid"], true);
    let delist = format!("{PRODUCTS}/{crm}/delist");
    let (status, _, _) = call(&chain.app, Method::POST, &delist, Some(&chain.c.bob)).await;
    assert_eq!(status, 404, "another seller's product");
    let (status, _, _) = call(&chain.app, Method::POST, &delist, Some(&chain.c.alice)).await;
    assert_eq!(status, 204);
    let listed = rules(&chain.app, &chain.c.alice).await;
    assert!(
        listed[0]["invalidReason"]
            .as_str()
            .unwrap()
            .contains("delisted"),
        "{listed:?}"
    );
    let (status, body) = order(&chain.app, &chain.c.bob, newcomer_change, None).await;
    says(status, &body, 404, "No such product on sale");

    // Deleting a rule: the seller's own only.
    let rule_id = listed[0]["ruleId"].as_str().unwrap();
    let (status, _, _) = call(
        &chain.app,
        Method::DELETE,
        &format!("{RULES}/{rule_id}"),
        Some(&chain.c.bob),
    )
    .await;
    assert_eq!(status, 404);
    let (status, _, _) = call(
        &chain.app,
        Method::DELETE,
        &format!("{RULES}/{rule_id}"),
        Some(&chain.c.alice),
    )
    .await;
    assert_eq!(status, 204);
    assert!(rules(&chain.app, &chain.c.alice).await.is_empty());
}

/// Waits until the buyer's first instance is live (the opening's answer processed).
async fn live(chain: &super::kit_seller::Chain, buyer: &str) {
    for _ in 0..150 {
        let instances = chain.instances(buyer).await;
        if instances.first().is_some_and(|i| i["state"] == "live") {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!(
        "the instance never went live: {:?}",
        chain.instances(buyer).await
    );
}

fn spec_has_pro(body: &Value) -> bool {
    body["specs"]
        .as_array()
        .unwrap()
        .iter()
        .any(|s| s["skuCode"] == "pro")
}

#[tokio::test]
async fn a_renewal_moves_a_saas_subscription_down_only_in_its_last_30_days() {
    let mut app = TestApp::spawn().await;
    let mut c = cast(&mut app).await;
    let crm = on_sale(
        &app,
        &c,
        &c.alice,
        &plans(pro(19_900, "PERIOD", Some("month"))),
    )
    .await;
    let renew = |of: &Value, sku: &str| {
        json!({"productId": crm, "skuCode": sku, "orderType": "RENEW",
               "relatedOrderId": of["orderId"], "periodNumber": 1})
    };
    let two_months = super::subscriptions::placed(
        &app,
        &c.dave,
        json!({"productId": crm, "skuCode": "pro", "periodNumber": 2}),
    )
    .await;
    let (status, body) = order(&app, &c.dave, renew(&two_months, "basic"), None).await;
    says(
        status,
        &body,
        409,
        "only in the 30 days before the subscription expires",
    );
    let month = super::subscriptions::placed(
        &app,
        &c.dave,
        json!({"productId": crm, "skuCode": "basic", "periodNumber": 1}),
    )
    .await;
    let (status, body) = order(&app, &c.dave, renew(&month, "pro"), None).await;
    says(status, &body, 409, "order a CHANGE, by an upgrade rule");

    // 31 days on, 29 are left of the two months: the renewal moves down.
    super::subscriptions::advance(&mut app, &mut c, Duration::from_secs(31 * DAY)).await;
    let down = super::subscriptions::placed(&app, &c.dave, renew(&two_months, "basic")).await;
    assert_eq!(down["orderLines"][0]["amount"], 9900);
    let (_, subscription, _) = call(
        &app,
        Method::GET,
        &format!(
            "/api/marketplace/v1/buyer/subscriptions/{}",
            down["orderLines"][0]["subscriptionId"].as_str().unwrap()
        ),
        Some(&c.dave),
    )
    .await;
    assert_eq!(subscription["skuCode"], "basic", "{subscription}");
}
