//! The billing centre (§5.7): non-supervised SaaS and images are unsubscribed by their
//! buyer at once, under the same rules and refunds as a request (past the no-reason
//! window, the unused part of the period), with no seller's decision; the buyer centre
//! refuses them, and the billing centre refuses what a seller decides.

use std::time::Duration;

use reqwest::Method;
use serde_json::{json, Value};

use super::subscriptions::{advance, placed, subscription_of, DAY};
use super::*;

const BILLING: &str = "/api/marketplace/v1/buyer/billing/unsubscriptions";

async fn terms(app: &TestApp, token: &str, order: &Value) -> (u16, Value) {
    let path = format!(
        "{BILLING}/terms?orderId={}",
        order["orderId"].as_str().unwrap()
    );
    let (status, body, _) = call(app, Method::GET, &path, Some(token)).await;
    (status, body)
}

async fn unsubscribe(app: &TestApp, token: &str, order: &Value) -> (u16, Value) {
    send_json(
        app,
        Method::POST,
        BILLING,
        token,
        &json!({"orderId": order["orderId"], "reasonType": "no_longer_needed", "reason": "done with it"}),
    )
    .await
}

fn month(product: &str) -> Value {
    json!({"productId": product, "skuCode": "basic", "periodNumber": 1})
}

#[tokio::test]
async fn saas_and_images_are_unsubscribed_by_the_buyer_at_once() {
    let mut app = TestApp::spawn().await;
    let mut c = cast(&mut app).await;
    let crm = on_sale(&app, &c, &c.alice, &product("CRM")).await;

    // Within five days: no reason needed, refunded in full, done at once.
    let first = placed(&app, &c.dave, month(&crm)).await;
    let (status, refused) = send_json(
        &app,
        Method::POST,
        BUYER_UNSUBSCRIBE,
        &c.dave,
        &json!({"orderId": first["orderId"], "reasonType": "no_longer_needed", "reason": "x"}),
    )
    .await;
    says(status, &refused, 409, "billing centre");
    let (status, offered) = terms(&app, &c.dave, &first).await;
    assert_eq!(status, 200, "{offered}");
    assert_eq!(
        (
            &offered["channel"],
            &offered["rule"],
            &offered["refundAmount"]
        ),
        (&json!("billing_centre"), &json!("no_reason"), &json!(9900))
    );
    let (status, done) = unsubscribe(&app, &c.dave, &first).await;
    assert_eq!(status, 201, "{done}");
    assert_eq!(
        (
            &done["state"],
            &done["channel"],
            &done["rule"],
            &done["refundAmount"]
        ),
        (
            &json!("completed"),
            &json!("billing_centre"),
            &json!("no_reason"),
            &json!(9900)
        )
    );
    assert!(done["unsubscribeOrderId"].is_string(), "{done}");
    assert_eq!(
        subscription_of(&app, &c.dave, &first).await["state"],
        "unsubscribed"
    );
    let (status, body) = unsubscribe(&app, &c.dave, &first).await;
    assert_eq!(status, 409, "once only: {body}");
    let (status, body) = send_json(
        &app,
        Method::POST,
        BILLING,
        &c.bob,
        &json!({
        "orderId": first["orderId"], "reasonType": "other", "reason": "x"}),
    )
    .await;
    assert_eq!(status, 404, "another buyer's order: {body}");

    // The seller hears of it and sees it, with nothing to decide.
    let request = done["requestId"].as_str().unwrap();
    let (status, shown, _) = call(
        &app,
        Method::GET,
        &format!("{SELLER_UNSUBSCRIBE}/{request}"),
        Some(&c.alice),
    )
    .await;
    assert_eq!(status, 200, "{shown}");
    assert_eq!(
        shown["history"][0]["action"],
        "unsubscribed in the billing centre"
    );
    let (status, body) = send_json(
        &app,
        Method::POST,
        &format!("{SELLER_UNSUBSCRIBE}/{request}/approve"),
        &c.alice,
        &json!({"comment": "ok"}),
    )
    .await;
    assert_eq!(status, 409, "{body}");
    let (_, inbox, _) = call(
        &app,
        Method::GET,
        "/api/marketplace/v1/inbox",
        Some(&c.alice),
    )
    .await;
    assert!(inbox["items"]
        .as_array()
        .unwrap()
        .iter()
        .any(|m| m["event"] == "unsubscribe.self_service"));

    // Ten days in: the unused part of the period, pro rata, as the terms said.
    let second = placed(&app, &c.dave, month(&crm)).await;
    advance(&mut app, &mut c, Duration::from_secs(10 * DAY)).await;
    let (_, offered) = terms(&app, &c.dave, &second).await;
    assert_eq!(offered["rule"], "unused_remainder", "{offered}");
    let refund = offered["refundAmount"].as_i64().unwrap();
    assert!(
        (9900 * 19 / 31..=9900 * 21 / 30).contains(&refund),
        "{refund} for about twenty days of a month"
    );
    let (status, done) = unsubscribe(&app, &c.dave, &second).await;
    assert_eq!(status, 201, "{done}");
    // As the terms said, to the second it was done: a fen of this month is about 270 s, so
    // a slow machine may cross one between the two requests.
    let refunded = done["refundAmount"].as_i64().unwrap();
    assert!(
        (refund - 1..=refund).contains(&refunded),
        "{refunded} refunded after {refund} was offered"
    );

    // A renewal not yet in effect: refunded in full, the period back to its old end.
    let third = placed(&app, &c.dave, month(&crm)).await;
    let before = subscription_of(&app, &c.dave, &third).await["expiresAt"].clone();
    let renewal = placed(
        &app,
        &c.dave,
        json!({"productId": crm, "skuCode": "basic", "orderType": "RENEW",
               "relatedOrderId": third["orderId"], "periodNumber": 1}),
    )
    .await;
    let (status, body) = unsubscribe(&app, &c.dave, &third).await;
    says(status, &body, 409, "unsubscribe it first");
    let (status, done) = unsubscribe(&app, &c.dave, &renewal).await;
    assert_eq!(status, 201, "{done}");
    assert_eq!(
        (&done["rule"], &done["refundAmount"]),
        (&json!("pending_renewal"), &renewal["amount"])
    );
    let after = subscription_of(&app, &c.dave, &third).await;
    assert_eq!(
        (&after["state"], &after["expiresAt"]),
        (&json!("live"), &before)
    );

    // An image is unsubscribed here too.
    let mut image = product("Ubuntu image");
    image["accessType"] = json!("image");
    image["specs"] = json!([{"name": "Monthly", "skuCode": "basic", "chargingMode": "PERIOD",
                             "price": 3000, "periodType": "month"}]);
    let image = on_sale(&app, &c, &c.alice, &image).await;
    let bought = placed(&app, &c.dave, month(&image)).await;
    let (status, done) = unsubscribe(&app, &c.dave, &bought).await;
    assert_eq!(status, 201, "{done}");
    assert_eq!(done["refundAmount"], 3000);
}

#[tokio::test]
async fn what_a_seller_decides_is_not_unsubscribed_in_the_billing_centre() {
    let mut app = TestApp::spawn().await;
    let c = cast(&mut app).await;
    let mut supervised = product("Onboarding CRM");
    supervised["supervised"] = json!(true);
    for body in [supervised, buyer_centre_product("Container")] {
        let id = on_sale(&app, &c, &c.alice, &body).await;
        let bought = placed(&app, &c.dave, month(&id)).await;
        let (status, offered) = terms(&app, &c.dave, &bought).await;
        assert_eq!(status, 200, "{offered}");
        assert_eq!(
            (&offered["channel"], &offered["rule"]),
            (&json!("buyer_centre"), &json!("no_reason"))
        );
        let (status, body) = unsubscribe(&app, &c.dave, &bought).await;
        says(status, &body, 409, "a request the seller decides");
        assert_eq!(
            subscription_of(&app, &c.dave, &bought).await["state"],
            "live",
            "nothing changed"
        );
    }
    let (status, body, _) = call(
        &app,
        Method::GET,
        &format!("{BILLING}/terms"),
        Some(&c.dave),
    )
    .await;
    says(status, &body, 400, "orderId is required");
}
