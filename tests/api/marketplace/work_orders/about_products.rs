//! Work orders about a product: cancelled, filtered, breaching their SLA.

use super::*;

#[tokio::test]
async fn work_orders_about_a_product_are_cancelled_filtered_and_breach_their_sla() {
    let mut app = TestApp::spawn().await;
    let mut c = cast(&mut app).await;
    let crm = on_sale(&app, &c, &c.alice, &product("CRM")).await;
    let open = |title: &str| json!({"productId": crm, "title": title, "description": "Does it support SSO?"});
    let (status, asked) = send_json(
        &app,
        Method::POST,
        BUYER,
        &c.dave,
        &open("Pre-sales question"),
    )
    .await;
    assert_eq!(status, 201, "{asked}");
    assert_eq!(asked["orderId"], Value::Null);
    let (_, late) = send_json(&app, Method::POST, BUYER, &c.dave, &open("Nobody answers")).await;

    // A seller is not a buyer of their own work order; a buyer opens only as a buyer.
    let (status, _) = send_json(&app, Method::POST, BUYER, &c.bob, &open("Mine")).await;
    assert_eq!(status, 201, "a seller's user may also buy and ask");
    let (status, body) = act(&app, BUYER, &c.bob, &asked, json!({"action": "cancel"})).await;
    says(status, &body, 404, "No such work order");

    let cancelled = acted(&app, BUYER, &c.dave, &asked, json!({"action": "cancel"})).await;
    assert_eq!(
        (
            &cancelled["status"],
            &cancelled["sla"]["acceptance"]["done"]
        ),
        (&json!(4), &json!(true))
    );
    let (status, body) = act(&app, SELLER, &c.alice, &asked, json!({"action": "accept"})).await;
    says(status, &body, 409, "cancelled cannot take accept");

    // Listings filter by the upstream code or its name.
    for (filter, want) in [
        ("4", 1),
        ("cancelled", 1),
        ("0", 1),
        ("pending_acceptance", 1),
    ] {
        let path = format!("{BUYER}?status={filter}");
        assert_eq!(total(&app, &path, &c.dave).await, want, "{path}");
    }
    let (status, body, _) = call(
        &app,
        Method::GET,
        &format!("{BUYER}?status=99"),
        Some(&c.dave),
    )
    .await;
    says(status, &body, 400, "status is a code");

    // Not accepted within 24 hours: breached, on both sides.
    advance(&mut app, &mut c, Duration::from_secs(25 * HOUR)).await;
    for (base, token) in [(BUYER, &c.dave), (SELLER, &c.alice)] {
        let (_, seen) = show(&app, base, token, &late).await;
        let acceptance = &seen["sla"]["acceptance"];
        assert_eq!(acceptance["breached"], true, "{seen}");
        about(&acceptance["used"], 25 * HOUR as i64);
    }
    // Cancelled, the clock stopped where it was.
    let (_, seen) = show(&app, BUYER, &c.dave, &cancelled).await;
    about(&seen["sla"]["resolution"]["used"], 0);
}
