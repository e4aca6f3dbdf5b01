//! Orders as a subscription lifecycle: each order type only where the subscription allows
//! it (one trial per tenant and product, renewals of live or frozen period
//! subscriptions, changes of live ones, no UNSUBSCRIBE order but through the workflow),
//! and expiry, the 15-day freeze and release on the moved clock.

use std::time::Duration;

use reqwest::Method;
use serde_json::{json, Value};

use super::*;

pub(super) const SUBSCRIPTIONS: &str = "/api/marketplace/v1/buyer/subscriptions";
pub(super) const DAY: u64 = 86_400;

/// The subscription an order belongs to, as its buyer sees it.
pub(super) async fn subscription_of(app: &TestApp, token: &str, order: &Value) -> Value {
    let id = order["orderLines"][0]["subscriptionId"]
        .as_str()
        .unwrap_or_else(|| panic!("no subscription on {order}"));
    let (status, found, _) = call(
        app,
        Method::GET,
        &format!("{SUBSCRIPTIONS}/{id}"),
        Some(token),
    )
    .await;
    assert_eq!(status, 200, "{found}");
    found
}

/// Waits (the app's clock task runs every second) until the subscription is `state`.
pub(super) async fn until_state(app: &TestApp, token: &str, order: &Value, state: &str) -> Value {
    for _ in 0..60 {
        let found = subscription_of(app, token, order).await;
        if found["state"] == state {
            return found;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!(
        "the subscription never became {state}: {}",
        subscription_of(app, token, order).await
    );
}

/// Moves the clock and signs everyone in again (marketplace tokens live two hours).
pub(super) async fn advance(app: &mut TestApp, c: &mut Cast, by: Duration) {
    app.clock().advance(by);
    for (user, token) in [
        ("alice", &mut c.alice),
        ("bob", &mut c.bob),
        ("carol", &mut c.carol),
        ("dave", &mut c.dave),
    ] {
        *token = token_for(app, user).await;
    }
}

pub(super) async fn placed(app: &TestApp, token: &str, body: Value) -> Value {
    let (status, order) = order(app, token, body, None).await;
    assert_eq!(status, 201, "{order}");
    order
}

#[tokio::test]
async fn each_order_type_goes_only_where_the_subscription_allows() {
    let mut app = TestApp::spawn().await;
    let mut c = cast(&mut app).await;
    app.create_user("erin", "tenant-d").await;
    let erin = token_for(&mut app, "erin").await;
    let mut two_plans = product("CRM");
    two_plans["specs"].as_array_mut().unwrap().push(json!(
        {"name": "Pro", "skuCode": "pro", "chargingMode": "PERIOD", "price": 19900, "periodType": "month"}
    ));
    let crm = on_sale(&app, &c, &c.alice, &two_plans).await;
    let refused = |status: u16, body: &Value, words: &str| {
        assert_eq!(status, 409, "{body}");
        let said = body["error_description"].as_str().unwrap();
        assert!(said.contains(words), "{said:?} should say {words:?}");
    };

    // One trial per tenant and product: erin, of dave's tenant, gets none.
    let trial_body =
        json!({"productId": crm, "skuCode": "basic", "orderType": "TRIAL", "periodNumber": 1});
    let trial = placed(&app, &c.dave, trial_body.clone()).await;
    assert_eq!(
        subscription_of(&app, &c.dave, &trial).await["state"],
        "trial"
    );
    let (status, body) = order(&app, &erin, trial_body.clone(), None).await;
    refused(status, &body, "trial was taken already");
    let (status, body) = order(&app, &c.dave, trial_body.clone(), None).await;
    refused(status, &body, "trial was taken already");
    let (status, _) = order(&app, &c.bob, trial_body, None).await;
    assert_eq!(status, 201, "another tenant has its own trial");

    // A renewal or change of a trial is refused; made formal once.
    let follow = |kind: &str, related: &Value, sku: &str| {
        json!({"productId": crm, "skuCode": sku, "orderType": kind,
               "relatedOrderId": related["orderId"], "periodNumber": 1})
    };
    let (status, body) = order(&app, &c.dave, follow("RENEW", &trial, "basic"), None).await;
    refused(
        status,
        &body,
        "a subscription that is trial cannot be renewed",
    );
    let formal = placed(&app, &c.dave, follow("TRIAL_TO_FORMAL", &trial, "basic")).await;
    assert_eq!(
        formal["orderLines"][0]["subscriptionId"],
        trial["orderLines"][0]["subscriptionId"]
    );
    let (status, body) = order(
        &app,
        &c.dave,
        follow("TRIAL_TO_FORMAL", &trial, "basic"),
        None,
    )
    .await;
    refused(
        status,
        &body,
        "a subscription that is live cannot be turned formal",
    );

    // Renewals extend the period from its end.
    let live = subscription_of(&app, &c.dave, &trial).await;
    let end = live["expiresAt"].as_i64().unwrap();
    let renewal = placed(&app, &c.dave, follow("RENEW", &formal, "basic")).await;
    let renewed = subscription_of(&app, &c.dave, &trial).await;
    assert_eq!(
        renewed["expiresAt"].as_i64().unwrap(),
        end + 30 * DAY as i64
    );
    assert_eq!(
        renewal["orderLines"][0]["startTime"].as_str().unwrap(),
        unilogin::calendar::compact(end)
    );
    // Nothing was ever unsubscribed by an order.
    let (status, body) = order(&app, &c.dave, follow("UNSUBSCRIBE", &trial, "basic"), None).await;
    refused(status, &body, "unsubscribe request");

    // A SaaS subscription changes SKU only by an upgrade rule (kit_upgrades covers them).
    let (status, body) = order(&app, &c.dave, follow("CHANGE", &renewal, "pro"), None).await;
    assert_eq!(status, 400, "periodNumber is not taken: {body}");
    let mut change = follow("CHANGE", &renewal, "pro");
    change.as_object_mut().unwrap().remove("periodNumber");
    let (status, body) = order(&app, &c.dave, change, None).await;
    refused(
        status,
        &body,
        "no upgrade rule of the seller leads from basic to pro",
    );

    // A one-time purchase is neither renewed nor changed.
    let once = placed(&app, &c.dave, json!({"productId": crm, "skuCode": "once"})).await;
    let (status, body) = order(&app, &c.dave, follow("RENEW", &once, "basic"), None).await;
    refused(status, &body, "not billed by period");

    // Past its period it freezes: a renewal still brings it back; a change does not.
    let before_freeze = subscription_of(&app, &c.dave, &trial).await;
    let left = before_freeze["expiresAt"].as_i64().unwrap() - app.clock().now_unix();
    advance(&mut app, &mut c, Duration::from_secs(left as u64 + 1)).await;
    let frozen = until_state(&app, &c.dave, &trial, "frozen").await;
    assert!(frozen["frozenUntil"].as_i64().unwrap() > app.clock().now_unix());
    let back = placed(&app, &c.dave, follow("RENEW", &trial, "basic")).await;
    let live = until_state(&app, &c.dave, &back, "live").await;
    assert!(live.get("frozenUntil").is_none(), "{live}");

    // Frozen again and left for 15 days: released, and nothing renews it.
    let left = live["expiresAt"].as_i64().unwrap() - app.clock().now_unix();
    advance(&mut app, &mut c, Duration::from_secs(left as u64 + 1)).await;
    until_state(&app, &c.dave, &trial, "frozen").await;
    advance(&mut app, &mut c, Duration::from_secs(15 * DAY + 1)).await;
    let released = until_state(&app, &c.dave, &trial, "released").await;
    let (status, body) = order(&app, &c.dave, follow("RENEW", &trial, "basic"), None).await;
    refused(
        status,
        &body,
        "a subscription that is released cannot be renewed",
    );

    // The history names every step, with the clock's as the system's.
    let steps: Vec<(&str, &str)> = released["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["action"].as_str().unwrap(), e["actor"].as_str().unwrap()))
        .collect();
    assert_eq!(
        steps,
        [
            ("ordered", "buyer"),
            ("turned formal", "buyer"),
            ("renewed", "buyer"),
            ("expired", "system"),
            ("renewed", "buyer"),
            ("expired", "system"),
            ("released", "system"),
        ]
    );

    // The seller sees the subscriptions of its products; another seller none.
    let (_, sold, _) = call(
        &app,
        Method::GET,
        "/api/marketplace/v1/seller/subscriptions?state=released",
        Some(&c.alice),
    )
    .await;
    assert_eq!(
        sold["total"], 2,
        "dave's and bob's trial, never made formal: {sold}"
    );
    let (_, none, _) = call(
        &app,
        Method::GET,
        "/api/marketplace/v1/seller/subscriptions",
        Some(&c.bob),
    )
    .await;
    assert_eq!(none["total"], 0);
    let id = released["subscriptionId"].as_str().unwrap();
    let (status, _, _) = call(
        &app,
        Method::GET,
        &format!("{SUBSCRIPTIONS}/{id}"),
        Some(&c.bob),
    )
    .await;
    assert_eq!(status, 404, "another buyer's subscription");
    let (status, _, _) = call(
        &app,
        Method::GET,
        &format!("{SUBSCRIPTIONS}?state=sleeping"),
        Some(&c.dave),
    )
    .await;
    assert_eq!(status, 400);
}
