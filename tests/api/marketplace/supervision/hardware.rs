//! Hardware: delivery with logistics, and unsubscribing closing an open supervision.

use super::*;

#[tokio::test]
async fn hardware_starts_at_delivery_with_logistics_and_unsubscribing_closes_an_open_one() {
    let mut app = TestApp::spawn().await;
    let c = cast(&mut app).await;
    let gateway = on_sale(&app, &c, &c.alice, &hardware()).await;
    let crm = on_sale(&app, &c, &c.alice, &supervised_crm()).await;
    let plain = on_sale(&app, &c, &c.bob, &product("Plain CRM")).await;

    let boxed = placed(
        &app,
        &c.dave,
        json!({"productId": gateway, "skuCode": "box", "shipping":
            {"recipient": "Dave", "phone": "+86 10 5555 0100", "address": "1 Road, Beijing"}}),
    )
    .await;
    let sup = supervision_of(&app, &c.dave, &boxed).await;
    assert_eq!(
        (&sup["flow"], &sup["state"], &sup["waitingOn"]),
        (
            &json!("delivery_first"),
            &json!("awaiting_delivery"),
            &json!("seller")
        )
    );
    let (status, body) = take(
        &app,
        BUYER,
        &c.dave,
        &sup,
        json!({"action": "submit_requirement", "attachments": [uploaded(&app, &c.dave, "r.png").await]}),
    )
    .await;
    says(
        status,
        &body,
        409,
        "awaiting_delivery cannot be requirement submitted",
    );

    // A hardware delivery names its carrier and tracking number; the buyer sees them.
    let proof = uploaded(&app, &c.alice, "waybill.png").await;
    let (status, body) = take(
        &app,
        SELLER,
        &c.alice,
        &sup,
        json!({"action": "deliver", "attachments": [proof]}),
    )
    .await;
    says(status, &body, 400, "names its carrier and trackingNumber");
    let (status, body) = take(
        &app,
        SELLER,
        &c.alice,
        &sup,
        json!({"action": "deliver", "attachments": [proof], "carrier": "SF Express"}),
    )
    .await;
    says(status, &body, 400, "come together");
    let sup = taken(
        &app,
        SELLER,
        &c.alice,
        &sup,
        json!({"action": "deliver", "attachments": [proof], "carrier": "SF Express",
               "trackingNumber": "SF1234567890"}),
    )
    .await;
    let (_, seen) = show(&app, BUYER, &c.dave, &sup).await;
    assert_eq!(
        (&seen["state"], &seen["carrier"], &seen["trackingNumber"]),
        (
            &json!("delivered"),
            &json!("SF Express"),
            &json!("SF1234567890")
        )
    );
    // The delivery is the order's shipment: the buyer confirms its receipt.
    let receipt = format!("{ORDERS}/{}/receipt", boxed["orderId"].as_str().unwrap());
    let (status, received, _) = call(&app, Method::POST, &receipt, Some(&c.dave)).await;
    assert_eq!(
        (status, &received["trackingNumber"]),
        (200, &json!("SF1234567890")),
        "{received}"
    );
    let sup = taken(&app, BUYER, &c.dave, &sup, json!({"action": "accept"})).await;
    assert_eq!(
        (&sup["state"], &sup["settlement"]),
        (&json!("completed"), &json!("due"))
    );

    // Unsubscribed before acceptance, the supervision closes and tells both sides.
    let month = placed(
        &app,
        &c.dave,
        json!({"productId": crm, "skuCode": "basic", "periodNumber": 1}),
    )
    .await;
    let open = supervision_of(&app, &c.dave, &month).await;
    let (status, asked) = send_json(
        &app,
        Method::POST,
        BUYER_UNSUBSCRIBE,
        &c.dave,
        &json!({"orderId": month["orderId"], "reasonType": "no_longer_needed", "reason": "not needed"}),
    )
    .await;
    assert_eq!(status, 201, "{asked}");
    let approve = format!(
        "{SELLER_UNSUBSCRIBE}/{}/approve",
        asked["requestId"].as_str().unwrap()
    );
    let (status, done) = send_json(
        &app,
        Method::POST,
        &approve,
        &c.alice,
        &json!({"comment": "ok"}),
    )
    .await;
    assert_eq!(
        (status, &done["state"]),
        (200, &json!("completed")),
        "{done}"
    );
    let (_, closed) = show(&app, BUYER, &c.dave, &open).await;
    assert_eq!(closed["state"], "closed");
    assert_eq!(
        actions(&closed).last().unwrap(),
        "system:closed: the order was unsubscribed"
    );
    let (status, body) = take(
        &app,
        BUYER,
        &c.dave,
        &open,
        json!({"action": "appeal", "comment": "late"}),
    )
    .await;
    says(status, &body, 409, "closed cannot be appealed");

    // A product that is not supervised opens none.
    let unsupervised = placed(
        &app,
        &c.dave,
        json!({"productId": plain, "skuCode": "basic", "periodNumber": 1}),
    )
    .await;
    assert_eq!(
        of_order(&app, BUYER, &c.dave, &unsupervised).await["total"],
        0
    );
    let (_, bobs, _) = call(&app, Method::GET, SELLER, Some(&c.bob)).await;
    assert_eq!(bobs["total"], 0);
    let (_, alices, _) = call(
        &app,
        Method::GET,
        &format!("{SELLER}?state=completed"),
        Some(&c.alice),
    )
    .await;
    assert_eq!(alices["total"], 1);
    let (status, body, _) = call(
        &app,
        Method::GET,
        &format!("{SELLER}?state=done"),
        Some(&c.alice),
    )
    .await;
    says(status, &body, 400, "state is one of");
}
