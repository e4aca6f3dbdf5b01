//! Vouchers given back by a no-reason unsubscription (and not by other refunds), and claims racing.

use super::*;

#[tokio::test]
async fn a_no_reason_unsubscription_gives_the_voucher_back_and_other_refunds_do_not() {
    let mut app = TestApp::spawn().await;
    let c = cast(&mut app).await;
    let crm = on_sale(&app, &c, &c.alice, &buyer_centre_product("CRM")).await;
    let mut ten = voucher(&app, "¥10 off", 1000, 0);
    ten["perBuyerLimit"] = json!(2);
    let ten = publish(&app, &c.alice, &ten).await;
    let first = claimed(&app, &c.dave, &ten).await;
    let second = claimed(&app, &c.dave, &ten).await;
    let month = |coupon: &str| json!({"productId": crm, "skuCode": "basic", "periodNumber": 1, "couponId": coupon});

    // Unsubscribed within 5 days without a reason: the refund is what was paid (the
    // voucher is no cash), and the voucher comes back, recycled.
    let paid = placed(&app, &c.dave, month(&first)).await;
    assert_eq!(paid["amount"], 8900);
    let (status, asked) = send_json(
        &app,
        Method::POST,
        BUYER_UNSUBSCRIBE,
        &c.dave,
        &json!({"orderId": paid["orderId"], "reasonType": "no_longer_needed", "reason": "not needed"}),
    )
    .await;
    assert_eq!(status, 201, "{asked}");
    assert_eq!(
        (&asked["rule"], &asked["refundAmount"]),
        (&json!("no_reason"), &json!(8900))
    );
    let approve = format!(
        "{SELLER_UNSUBSCRIBE}/{}/approve",
        asked["requestId"].as_str().unwrap()
    );
    let (status, body) = send_json(
        &app,
        Method::POST,
        &approve,
        &c.alice,
        &json!({"comment": "ok"}),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let back = tab(&app, &c.dave, "available").await;
    let recycled = back
        .iter()
        .find(|c| c["couponId"] == first.as_str())
        .expect("given back");
    assert_eq!(
        (&recycled["status"], &recycled["statusName"]),
        (&json!(5), &json!("recycled"))
    );

    // It pays again; a renewal refunded before it starts does not give its voucher back.
    let again = placed(&app, &c.dave, month(&first)).await;
    let renewal = placed(
        &app,
        &c.dave,
        json!({"productId": crm, "skuCode": "basic", "periodNumber": 1, "orderType": "RENEW",
               "relatedOrderId": again["orderId"], "couponId": second}),
    )
    .await;
    assert_eq!(renewal["orderLines"][0]["voucherAmount"], 1000);
    let (status, asked) = send_json(
        &app,
        Method::POST,
        BUYER_UNSUBSCRIBE,
        &c.dave,
        &json!({"orderId": renewal["orderId"], "reasonType": "no_longer_needed", "reason": "not needed"}),
    )
    .await;
    assert_eq!(status, 201, "{asked}");
    assert_eq!(asked["rule"], "pending_renewal");
    let approve = format!(
        "{SELLER_UNSUBSCRIBE}/{}/approve",
        asked["requestId"].as_str().unwrap()
    );
    let (status, body) = send_json(
        &app,
        Method::POST,
        &approve,
        &c.alice,
        &json!({"comment": "ok"}),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let used = tab(&app, &c.dave, "used").await;
    assert_eq!(
        coupon_ids(&used)
            .iter()
            .collect::<std::collections::BTreeSet<_>>(),
        [first.as_str(), second.as_str()].iter().collect(),
        "{used:?}"
    );
    assert!(tab(&app, &c.dave, "available").await.is_empty());
}

#[tokio::test]
async fn concurrent_claims_never_exceed_the_quantity_or_the_per_buyer_limit() {
    let mut app = TestApp::spawn().await;
    let c = cast(&mut app).await;
    app.create_user("erin", "tenant-e").await;
    let erin = token_for(&mut app, "erin").await;
    let mut scarce = voucher(&app, "Scarce", 1000, 0);
    scarce["totalQuantity"] = json!(5);
    scarce["perBuyerLimit"] = json!(2);
    let scarce = publish(&app, &c.alice, &scarce).await;

    let buyers = [&c.dave, &c.bob, &c.carol, &erin];
    let attempts: Vec<_> = buyers
        .iter()
        .flat_map(|buyer| std::iter::repeat_n(*buyer, 3))
        .map(|buyer| {
            let (app, scarce) = (&app, &scarce);
            async move { (buyer.as_str(), claim(app, buyer, scarce).await) }
        })
        .collect();
    let outcomes = crate::helpers::join_all(attempts).await;
    let mut won = std::collections::HashMap::new();
    for (buyer, (status, body)) in &outcomes {
        assert!(matches!(status, 201 | 409), "{status} {body}");
        if *status == 201 {
            *won.entry(*buyer).or_insert(0) += 1;
        }
    }
    let total: i32 = won.values().sum();
    assert_eq!(
        total, 5,
        "every claim queued behind the others: {outcomes:?}"
    );
    assert!(won.values().all(|n| *n <= 2), "{won:?}");
    for buyer in buyers {
        assert_eq!(
            tab(&app, buyer, "available").await.len() as i32,
            won.get(buyer.as_str()).copied().unwrap_or(0)
        );
    }
    let (_, shown, _) = call(
        &app,
        Method::GET,
        &format!("{SELLER_VOUCHERS}/{scarce}"),
        Some(&c.alice),
    )
    .await;
    assert_eq!(
        (&shown["claimed"], &shown["unused"]),
        (&json!(5), &json!(5))
    );
}
