//! The unsubscribe workflow (§5.7) on the moved clock: the rules and their refunds, the
//! seller's decision with a comment and evidence, an invoice failing a pending request,
//! hardware's transit rule, appeal after 10 days and 10-day return window, and
//! attachments served only to the parties.

use std::time::Duration;

use reqwest::Method;
use serde_json::{json, Value};

use super::subscriptions::{advance, placed, subscription_of, until_state, DAY};
use super::*;

const OPERATOR_UNSUBSCRIBE: &str = "/api/marketplace/v1/operator/unsubscribe-requests";

async fn ask(app: &TestApp, token: &str, order: &Value, reason_type: &str) -> (u16, Value) {
    send_json(
        app,
        Method::POST,
        BUYER_UNSUBSCRIBE,
        token,
        &json!({"orderId": order["orderId"], "reasonType": reason_type, "reason": "not what we need"}),
    )
    .await
}

async fn step(app: &TestApp, token: &str, path: String, body: Value) -> (u16, Value) {
    send_json(app, Method::POST, &path, token, &body).await
}

fn id(v: &Value) -> &str {
    v["requestId"].as_str().unwrap()
}

#[tokio::test]
async fn the_rules_decide_and_the_seller_approves_or_rejects() {
    let mut app = TestApp::spawn().await;
    let mut c = cast(&mut app).await;
    let crm = on_sale(&app, &c, &c.alice, &buyer_centre_product("CRM")).await;
    let month = json!({"productId": crm, "skuCode": "basic", "periodNumber": 1});
    let renew = |of: &Value| {
        json!({"productId": crm, "skuCode": "basic", "orderType": "RENEW",
               "relatedOrderId": of["orderId"], "periodNumber": 1})
    };

    // Within 5 days, no invoice: no reason needed, refunded in full; asked once only.
    let first = placed(&app, &c.dave, month.clone()).await;
    let (status, asked) = ask(&app, &c.dave, &first, "no_longer_needed").await;
    assert_eq!(status, 201, "{asked}");
    assert_eq!(
        (&asked["rule"], &asked["refundAmount"]),
        (&json!("no_reason"), &json!(9900))
    );
    let (status, body) = ask(&app, &c.dave, &first, "other").await;
    says(status, &body, 409, "waiting already");
    assert_eq!(
        subscription_of(&app, &c.dave, &first).await["state"],
        "unsubscribing"
    );
    let (status, body) = order(&app, &c.dave, renew(&first), None).await;
    says(status, &body, 409, "unsubscribing cannot be renewed");

    // Only its seller decides, with a comment; the refund is the rule's.
    let approve = format!("{SELLER_UNSUBSCRIBE}/{}/approve", id(&asked));
    let (status, _) = step(&app, &c.bob, approve.clone(), json!({"comment": "ok"})).await;
    assert_eq!(status, 404, "another seller");
    let (status, body) = step(
        &app,
        &c.alice,
        approve.clone(),
        json!({"comment": "ok", "refundAmount": 5}),
    )
    .await;
    says(status, &body, 400, "is fixed");
    let (status, body) = step(
        &app,
        &c.alice,
        approve.clone(),
        json!({"refundAmount": 9900}),
    )
    .await;
    says(status, &body, 400, "comment");
    let (status, done) = step(
        &app,
        &c.alice,
        approve.clone(),
        json!({"comment": "sorry to see you go"}),
    )
    .await;
    assert_eq!(
        (status, &done["state"]),
        (200, &json!("completed")),
        "{done}"
    );
    let history: Vec<&str> = done["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(history, ["requested", "approved"]);
    let unsubscription = done["unsubscribeOrderId"].as_str().unwrap();
    let (_, placed_order, _) = call(
        &app,
        Method::GET,
        &format!("{ORDERS}/{unsubscription}"),
        Some(&c.dave),
    )
    .await;
    assert_eq!(
        (&placed_order["orderType"], &placed_order["relatedOrderId"]),
        (&json!("UNSUBSCRIBE"), &first["orderId"])
    );
    assert_eq!(
        subscription_of(&app, &c.dave, &first).await["state"],
        "unsubscribed"
    );
    let (status, body) = step(&app, &c.alice, approve, json!({"comment": "again"})).await;
    says(status, &body, 409, "completed cannot be approved");
    let (status, body) = ask(&app, &c.dave, &first, "other").await;
    says(status, &body, 409, "unsubscribed already");
    let (status, body) = order(&app, &c.dave, renew(&first), None).await;
    says(status, &body, 409, "unsubscribed cannot be renewed");

    // An invoice requested while a request waits fails it; after it, refunds are negotiated.
    let second = placed(&app, &c.dave, month.clone()).await;
    let (_, asked) = ask(&app, &c.dave, &second, "quality_problem").await;
    let invoice = format!("{ORDERS}/{}/invoice", second["orderId"].as_str().unwrap());
    let tax = json!({"title": "Tenant D Ltd", "taxId": "91310000MA1FL0000X"});
    let (status, invoiced) = step(&app, &c.dave, invoice.clone(), tax.clone()).await;
    assert_eq!(status, 201, "{invoiced}");
    assert_eq!(invoiced["failedUnsubscribeRequest"], asked["requestId"]);
    let (status, body) = step(&app, &c.dave, invoice, tax).await;
    says(status, &body, 409, "requested for this order already");
    let (_, failed, _) = call(
        &app,
        Method::GET,
        &format!("{BUYER_UNSUBSCRIBE}/{}", id(&asked)),
        Some(&c.dave),
    )
    .await;
    assert_eq!(failed["state"], "failed");
    assert_eq!(
        subscription_of(&app, &c.dave, &second).await["state"],
        "live"
    );
    let (status, asked) = ask(&app, &c.dave, &second, "quality_problem").await;
    assert_eq!(
        (status, &asked["rule"]),
        (201, &json!("negotiated")),
        "{asked}"
    );
    assert!(asked.get("refundAmount").is_none());
    let approve = format!("{SELLER_UNSUBSCRIBE}/{}/approve", id(&asked));
    let (status, body) = step(&app, &c.alice, approve, json!({"comment": "half"})).await;
    says(status, &body, 400, "needs refundAmount");
    let reject = format!("{SELLER_UNSUBSCRIBE}/{}/reject", id(&asked));
    let (status, rejected) = step(
        &app,
        &c.alice,
        reject,
        json!({"comment": "the service works as described"}),
    )
    .await;
    assert_eq!(
        (status, &rejected["state"]),
        (200, &json!("rejected")),
        "{rejected}"
    );
    assert_eq!(
        subscription_of(&app, &c.dave, &second).await["state"],
        "live"
    );

    // A renewal not in effect is refunded in full, the period back where it was; the
    // order that started it waits for that.
    let end = subscription_of(&app, &c.dave, &second).await["expiresAt"]
        .as_i64()
        .unwrap();
    let renewal = placed(&app, &c.dave, renew(&second)).await;
    let (status, body) = ask(&app, &c.dave, &second, "other").await;
    says(status, &body, 409, "has not started: unsubscribe it first");
    let (status, asked) = ask(&app, &c.dave, &renewal, "no_longer_needed").await;
    assert_eq!(
        (status, &asked["rule"], &asked["refundAmount"]),
        (201, &json!("pending_renewal"), &json!(9900)),
        "{asked}"
    );
    let approve = format!("{SELLER_UNSUBSCRIBE}/{}/approve", id(&asked));
    let (status, done) = step(&app, &c.alice, approve, json!({"comment": "refunded"})).await;
    assert_eq!(
        (status, &done["state"]),
        (200, &json!("completed")),
        "{done}"
    );
    let back = subscription_of(&app, &c.dave, &second).await;
    assert_eq!(
        (&back["state"], back["expiresAt"].as_i64()),
        (&json!("live"), Some(end))
    );

    // A renewal in effect is not refunded.
    let renewal = placed(&app, &c.dave, renew(&second)).await;
    let into_renewal = (end - app.clock().now_unix()) as u64 + 60;
    advance(&mut app, &mut c, Duration::from_secs(into_renewal)).await;
    let (status, body) = ask(&app, &c.dave, &renewal, "other").await;
    says(status, &body, 409, "a renewal in effect is not refunded");

    // Past five days, negotiated; a trial never; an expired order never.
    let third = placed(&app, &c.dave, month.clone()).await;
    advance(&mut app, &mut c, Duration::from_secs(5 * DAY)).await;
    let (status, asked) = ask(&app, &c.dave, &third, "other").await;
    assert_eq!(
        (status, &asked["rule"]),
        (201, &json!("negotiated")),
        "{asked}"
    );
    let withdraw = format!("{BUYER_UNSUBSCRIBE}/{}/withdraw", id(&asked));
    let (status, withdrawn, _) = call(&app, Method::POST, &withdraw, Some(&c.dave)).await;
    assert_eq!(
        (status, &withdrawn["state"]),
        (200, &json!("withdrawn")),
        "{withdrawn}"
    );
    let trial = placed(
        &app,
        &c.dave,
        json!({"productId": crm, "skuCode": "basic", "orderType": "TRIAL", "periodNumber": 1}),
    )
    .await;
    let (status, body) = ask(&app, &c.dave, &trial, "other").await;
    says(status, &body, 409, "trials are not unsubscribed");
    advance(&mut app, &mut c, Duration::from_secs(30 * DAY)).await;
    until_state(&app, &c.dave, &third, "frozen").await;
    let (status, body) = ask(&app, &c.dave, &third, "other").await;
    says(status, &body, 409, "expired orders are not unsubscribed");

    // Each side lists its own.
    let (_, mine, _) = call(
        &app,
        Method::GET,
        &format!("{BUYER_UNSUBSCRIBE}?state=completed"),
        Some(&c.dave),
    )
    .await;
    assert_eq!(mine["total"], 2, "{mine}");
    let (_, theirs, _) = call(&app, Method::GET, SELLER_UNSUBSCRIBE, Some(&c.alice)).await;
    assert_eq!(theirs["total"], 5, "{theirs}");
    let (_, none, _) = call(&app, Method::GET, SELLER_UNSUBSCRIBE, Some(&c.bob)).await;
    assert_eq!(none["total"], 0);
}

#[tokio::test]
async fn hardware_waits_for_transit_appeals_after_ten_days_and_returns_within_ten() {
    let mut app = TestApp::spawn().await;
    let mut c = cast(&mut app).await;
    let gateway = on_sale(&app, &c, &c.alice, &hardware()).await;
    let ship_to =
        json!({"recipient": "Dave", "phone": "+86 10 5555 0100", "address": "1 Road, Beijing"});
    let box_order = json!({"productId": gateway, "skuCode": "box", "shipping": ship_to});

    // In transit, "not received" waits for the item.
    let first = placed(&app, &c.dave, box_order.clone()).await;
    let order_id = first["orderId"].as_str().unwrap();
    let shipment = json!({"carrier": "SF Express", "trackingNumber": "SF1234567890"});
    let (status, shipped) = step(
        &app,
        &c.alice,
        format!("{SELLER_ORDERS}/{order_id}/shipment"),
        shipment.clone(),
    )
    .await;
    assert_eq!(status, 201, "{shipped}");
    let (status, body) = step(
        &app,
        &c.alice,
        format!("{SELLER_ORDERS}/{order_id}/shipment"),
        shipment,
    )
    .await;
    says(status, &body, 409, "shipped already");
    let (status, body) = ask(&app, &c.dave, &first, "not_received").await;
    says(status, &body, 409, "in transit");
    let (status, received, _) = call(
        &app,
        Method::POST,
        &format!("{ORDERS}/{order_id}/receipt"),
        Some(&c.dave),
    )
    .await;
    assert_eq!(status, 200, "{received}");

    // Evidence: typed by content, capped, attachable once, by its owner only.
    let (status, body) = upload(
        &app,
        &c.dave,
        "photo.png",
        b"%PDF-1.7 not a picture".to_vec(),
    )
    .await;
    says(status, &body, 400, "not what the name says");
    let (status, body) = upload(&app, &c.dave, "blob.bin", vec![0, 1, 2, 3, 0xfe]).await;
    says(status, &body, 400, "not accepted");
    let (status, body) = upload(&app, &c.dave, "big.txt", vec![b'a'; 5 * 1024 * 1024 + 1]).await;
    says(status, &body, 413, "at most 5 MiB");
    let (status, photo) = upload(&app, &c.dave, "broken box.png", PNG.to_vec()).await;
    assert_eq!(
        (status, &photo["contentType"]),
        (201, &json!("image/png")),
        "{photo}"
    );
    let (_, bobs) = upload(&app, &c.bob, "note.txt", b"bob's".to_vec()).await;
    let requests_before = app.count("mkt_unsubscribe_requests").await;
    let with = |attachments: Value| {
        json!({"orderId": first["orderId"], "reasonType": "quality_problem",
               "reason": "arrived broken", "attachments": attachments})
    };
    let (status, body) = send_json(
        &app,
        Method::POST,
        BUYER_UNSUBSCRIBE,
        &c.dave,
        &with(json!([bobs["attachmentId"]])),
    )
    .await;
    says(status, &body, 400, "upload of yours");
    assert_eq!(
        app.count("mkt_unsubscribe_requests").await,
        requests_before,
        "nothing stored"
    );
    let (status, asked) = send_json(
        &app,
        Method::POST,
        BUYER_UNSUBSCRIBE,
        &c.dave,
        &with(json!([photo["attachmentId"]])),
    )
    .await;
    assert_eq!((status, &asked["hardware"]), (201, &json!(true)), "{asked}");

    // The seller has 10 days; then the buyer appeals to an operator.
    let appeal = format!("{BUYER_UNSUBSCRIBE}/{}/appeal", id(&asked));
    let (status, body) = step(
        &app,
        &c.dave,
        appeal.clone(),
        json!({"comment": "no answer"}),
    )
    .await;
    says(status, &body, 409, "10 days to answer");
    advance(&mut app, &mut c, Duration::from_secs(10 * DAY)).await;
    let (status, appealed) = step(&app, &c.dave, appeal, json!({"comment": "no answer"})).await;
    assert_eq!(
        (status, &appealed["state"]),
        (200, &json!("appealed")),
        "{appealed}"
    );
    let (status, body) = step(
        &app,
        &c.alice,
        format!("{SELLER_UNSUBSCRIBE}/{}/approve", id(&asked)),
        json!({"comment": "late"}),
    )
    .await;
    says(status, &body, 409, "appealed cannot be approved");
    let (_, queue, _) = call(&app, Method::GET, OPERATOR_UNSUBSCRIBE, Some(&c.carol)).await;
    assert_eq!(queue["total"], 1, "{queue}");
    let (status, _, _) = call(&app, Method::GET, OPERATOR_UNSUBSCRIBE, Some(&c.dave)).await;
    assert_eq!(status, 403);
    let (_, report) = upload(
        &app,
        &c.carol,
        "decision.txt",
        b"the photo shows damage".to_vec(),
    )
    .await;
    let approved_from = app.clock().now_unix();
    let (status, approved) = step(
        &app,
        &c.carol,
        format!("{OPERATOR_UNSUBSCRIBE}/{}/approve", id(&asked)),
        json!({"comment": "damaged in transport", "attachments": [report["attachmentId"]]}),
    )
    .await;
    let approved_by = app.clock().now_unix();
    assert_eq!(
        (status, &approved["state"]),
        (200, &json!("awaiting_return")),
        "{approved}"
    );
    let due = approved["returnDueAt"].as_i64().unwrap();
    // Ten days from the second it was approved (a slow machine may tick during the call).
    assert!(
        (approved_from..=approved_by).contains(&(due - 10 * DAY as i64)),
        "{due}"
    );

    // The return posted in time completes it.
    let (status, done) = step(
        &app,
        &c.dave,
        format!("{BUYER_UNSUBSCRIBE}/{}/return", id(&asked)),
        json!({"carrier": "SF Express", "trackingNumber": "SF0987654321"}),
    )
    .await;
    assert_eq!(
        (status, &done["state"]),
        (200, &json!("completed")),
        "{done}"
    );
    assert_eq!(done["returnTrackingNumber"], "SF0987654321");
    assert_eq!(
        subscription_of(&app, &c.dave, &first).await["state"],
        "unsubscribed"
    );

    // The parties and operators read the evidence, as a download; nobody else.
    for (attachment, token, want) in [
        (&photo, &c.dave, 200),
        (&photo, &c.alice, 200),
        (&photo, &c.carol, 200),
        (&photo, &c.bob, 404),
        (&report, &c.dave, 200),
        (&bobs, &c.dave, 404),
    ] {
        let path = format!(
            "{ATTACHMENTS}/{}",
            attachment["attachmentId"].as_str().unwrap()
        );
        let response = app
            .backchannel
            .get(app.url(&path))
            .bearer_auth(token)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status().as_u16(), want, "{path}");
        if want == 200 && attachment == &photo {
            let disposition = response.headers()["content-disposition"]
                .to_str()
                .unwrap()
                .to_owned();
            assert!(disposition.starts_with("attachment;"), "{disposition}");
            assert!(disposition.contains("broken%20box.png"), "{disposition}");
            assert_eq!(response.headers()["x-content-type-options"], "nosniff");
            assert_eq!(response.bytes().await.unwrap().as_ref(), PNG);
        }
    }

    // Approved, the return not shipped in 10 days: withdrawn by the clock.
    let second = placed(&app, &c.dave, box_order).await;
    let (_, asked) = ask(&app, &c.dave, &second, "no_longer_needed").await;
    let approve = format!("{SELLER_UNSUBSCRIBE}/{}/approve", id(&asked));
    let (status, approved) =
        step(&app, &c.alice, approve, json!({"comment": "send it back"})).await;
    assert_eq!(
        (status, &approved["state"]),
        (200, &json!("awaiting_return")),
        "{approved}"
    );
    advance(&mut app, &mut c, Duration::from_secs(10 * DAY + 1)).await;
    let path = format!("{BUYER_UNSUBSCRIBE}/{}", id(&asked));
    let mut state = Value::Null;
    for _ in 0..60 {
        let (_, found, _) = call(&app, Method::GET, &path, Some(&c.dave)).await;
        state = found["state"].clone();
        if state == "withdrawn" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(state, "withdrawn");
    assert_eq!(
        subscription_of(&app, &c.dave, &second).await["state"],
        "live"
    );
    let (status, body) = step(
        &app,
        &c.dave,
        format!("{BUYER_UNSUBSCRIBE}/{}/return", id(&asked)),
        json!({"carrier": "SF Express", "trackingNumber": "late"}),
    )
    .await;
    says(status, &body, 409, "withdrawn cannot be");
}
