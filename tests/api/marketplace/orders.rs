//! Orders: types, idempotency, shipping, who sees what.

use super::*;

#[tokio::test]
async fn buyers_order_specs_idempotently_and_see_only_their_orders() {
    let mut app = TestApp::spawn().await;
    let c = cast(&mut app).await;
    let crm = on_sale(&app, &c, &c.alice, &product("CRM")).await;
    let boxes = on_sale(&app, &c, &c.alice, &hardware()).await;

    let new =
        serde_json::json!({"productId": crm, "skuCode": "basic", "quantity": 2, "periodNumber": 3});
    let (status, placed) = order(&app, &c.dave, new.clone(), Some("retry-1")).await;
    assert_eq!(status, 201, "{placed}");
    let id = placed["orderId"].as_str().unwrap().to_owned();
    assert!(id.starts_with("CS") && id.len() == 24, "{id}");
    assert!(id[2..12].bytes().all(|b| b.is_ascii_digit()));
    assert_eq!(placed["orderType"], "NEW");
    assert_eq!(placed["amount"], 9900 * 2 * 3);
    assert_eq!(placed["createTime"].as_str().unwrap().len(), 14);
    let line = &placed["orderLines"][0];
    assert_eq!(line["orderLineId"], format!("{id}-000001"));
    assert_eq!(
        (line["chargingMode"].as_str(), line["periodType"].as_str()),
        (Some("PERIOD"), Some("month"))
    );

    // A retry with the same key returns the same order and creates nothing.
    let (status, again) = order(&app, &c.dave, new.clone(), Some("retry-1")).await;
    assert_eq!(
        (status, again["orderId"].as_str()),
        (200, Some(id.as_str()))
    );
    assert_eq!(app.count("mkt_orders").await, 1);
    let mut other = new.clone();
    other["quantity"] = 5.into();
    let (status, _) = order(&app, &c.dave, other, Some("retry-1")).await;
    assert_eq!(status, 409, "the key was used for another request");
    let (status, _) = order(&app, &c.dave, new.clone(), Some("bad key with spaces")).await;
    assert_eq!(status, 400);

    // Hardware needs a shipping address; nothing else takes one.
    let ship = serde_json::json!({"recipient": "Dave", "phone": "+86 139-0000-0000", "address": "1 Road, City"});
    let (status, body) = order(
        &app,
        &c.dave,
        serde_json::json!({"productId": boxes, "skuCode": "box"}),
        None,
    )
    .await;
    assert_eq!(status, 400, "{body}");
    let (status, shipped) = order(
        &app,
        &c.dave,
        serde_json::json!({"productId": boxes, "skuCode": "box", "shipping": ship}),
        None,
    )
    .await;
    assert_eq!(status, 201, "{shipped}");
    assert_eq!(shipped["shipping"]["recipient"], "Dave");
    let (status, _) = order(
        &app,
        &c.dave,
        serde_json::json!({"productId": crm, "skuCode": "once", "shipping": ship}),
        None,
    )
    .await;
    assert_eq!(status, 400);

    // Follow-up orders name an earlier order of the same buyer and product.
    let (status, trial) = order(&app, &c.dave, serde_json::json!({"productId": crm, "skuCode": "basic", "orderType": "TRIAL", "periodNumber": 1}), None).await;
    assert_eq!((status, trial["amount"].as_i64()), (201, Some(0)));
    let trial_id = trial["orderId"].as_str().unwrap();
    let (status, formal) = order(&app, &c.dave, serde_json::json!({"productId": crm, "skuCode": "basic", "orderType": "TRIAL_TO_FORMAL", "relatedOrderId": trial_id, "periodNumber": 12}), None).await;
    assert_eq!(
        (status, formal["relatedOrderId"].as_str()),
        (201, Some(trial_id))
    );
    for (label, body, want) in [
        (
            "renew without related",
            serde_json::json!({"productId": crm, "skuCode": "basic", "orderType": "RENEW", "periodNumber": 1}),
            400,
        ),
        (
            "trial of one-time",
            serde_json::json!({"productId": crm, "skuCode": "once", "orderType": "TRIAL"}),
            400,
        ),
        (
            "formal of a NEW",
            serde_json::json!({"productId": crm, "skuCode": "basic", "orderType": "TRIAL_TO_FORMAL", "relatedOrderId": id, "periodNumber": 1}),
            400,
        ),
        (
            "change to the same sku",
            serde_json::json!({"productId": crm, "skuCode": "basic", "orderType": "CHANGE", "relatedOrderId": id, "periodNumber": 1}),
            400,
        ),
        (
            "new with related",
            serde_json::json!({"productId": crm, "skuCode": "once", "relatedOrderId": id}),
            400,
        ),
        (
            "period without number",
            serde_json::json!({"productId": crm, "skuCode": "basic"}),
            400,
        ),
        (
            "number without period",
            serde_json::json!({"productId": crm, "skuCode": "once", "periodNumber": 1}),
            400,
        ),
        (
            "zero quantity",
            serde_json::json!({"productId": crm, "skuCode": "once", "quantity": 0}),
            400,
        ),
        (
            "unknown sku",
            serde_json::json!({"productId": crm, "skuCode": "gold"}),
            400,
        ),
        (
            "unknown type",
            serde_json::json!({"productId": crm, "skuCode": "once", "orderType": "GIFT"}),
            400,
        ),
        (
            "not on sale",
            serde_json::json!({"productId": "P-nothing", "skuCode": "once"}),
            404,
        ),
        (
            "another buyer's order",
            serde_json::json!({"productId": crm, "skuCode": "basic", "orderType": "RENEW", "relatedOrderId": id, "periodNumber": 1}),
            404,
        ),
    ] {
        let token = if label == "another buyer's order" {
            &c.bob
        } else {
            &c.dave
        };
        let (status, body) = order(&app, token, body, None).await;
        assert_eq!(status, want, "{label}: {body}");
    }
    let orders_before = app.count("mkt_orders").await;
    let (status, renewed) = order(&app, &c.dave, serde_json::json!({"productId": crm, "skuCode": "basic", "orderType": "RENEW", "relatedOrderId": id, "periodNumber": 1}), None).await;
    assert_eq!(
        (status, renewed["orderType"].as_str()),
        (201, Some("RENEW"))
    );
    let (status, _) = order(&app, &c.dave, serde_json::json!({"productId": crm, "skuCode": "once", "orderType": "CHANGE", "relatedOrderId": id}), None).await;
    assert_eq!(status, 400, "CHANGE is between period SKUs");
    let (status, refused) = order(&app, &c.dave, serde_json::json!({"productId": crm, "skuCode": "basic", "orderType": "UNSUBSCRIBE", "relatedOrderId": id, "periodNumber": 1}), None).await;
    assert_eq!(
        status, 409,
        "only the unsubscribe workflow unsubscribes: {refused}"
    );
    assert_eq!(app.count("mkt_orders").await, orders_before + 1);

    // Who sees what.
    let (_, mine, _) = call(&app, reqwest::Method::GET, ORDERS, Some(&c.dave)).await;
    assert_eq!(mine["total"], 5);
    let renewals = format!("{ORDERS}?orderType=RENEW");
    let (_, renewals, _) = call(&app, reqwest::Method::GET, &renewals, Some(&c.dave)).await;
    assert_eq!(renewals["total"], 1, "{renewals}");
    let gifts = format!("{ORDERS}?orderType=GIFT");
    let (status, _, _) = call(&app, reqwest::Method::GET, &gifts, Some(&c.dave)).await;
    assert_eq!(status, 400);
    let (_, none, _) = call(&app, reqwest::Method::GET, ORDERS, Some(&c.bob)).await;
    assert_eq!(none["total"], 0);
    let (_, sold, _) = call(&app, reqwest::Method::GET, SELLER_ORDERS, Some(&c.alice)).await;
    assert_eq!(sold["total"], 5);
    let (_, other_seller, _) = call(&app, reqwest::Method::GET, SELLER_ORDERS, Some(&c.bob)).await;
    assert_eq!(other_seller["total"], 0);
    let (status, _, _) = call(&app, reqwest::Method::GET, SELLER_ORDERS, Some(&c.dave)).await;
    assert_eq!(status, 403, "a buyer is no seller");
    for (path, token, want) in [
        (format!("{ORDERS}/{id}"), &c.dave, 200),
        (format!("{ORDERS}/{id}"), &c.bob, 404),
        (format!("{ORDERS}/{id}"), &c.alice, 404),
        (format!("{SELLER_ORDERS}/{id}"), &c.alice, 200),
        (format!("{SELLER_ORDERS}/{id}"), &c.bob, 404),
    ] {
        let (status, _, _) = call(&app, reqwest::Method::GET, &path, Some(token)).await;
        assert_eq!(status, want, "{path}");
    }
}

#[tokio::test]
async fn an_amount_javascript_cannot_read_exactly_is_refused_and_stores_nothing() {
    let mut app = TestApp::spawn().await;
    let c = cast(&mut app).await;
    let mut costly = product("Costly");
    costly["specs"][1]["price"] = 1_000_000_000_000_i64.into();
    let id = on_sale(&app, &c, &c.alice, &costly).await;
    // 10^12 x 9007 = 9.007e15 is below 2^53; x 9008 is above.
    let body = |quantity: i64| serde_json::json!({"productId": id, "skuCode": "once", "quantity": quantity});
    let (status, refused) = order(&app, &c.dave, body(9008), None).await;
    assert_eq!(status, 400, "{refused}");
    assert!(refused["error_description"]
        .as_str()
        .unwrap()
        .contains("2^53"));
    assert_eq!(app.count("mkt_orders").await, 0);
    let (status, placed) = order(&app, &c.dave, body(9007), None).await;
    assert_eq!(status, 201, "{placed}");
    assert_eq!(placed["amount"], 9_007_000_000_000_000_i64);
}
