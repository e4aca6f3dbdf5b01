//! Delivery flow information (交付流信息) chosen at publishing: a License online (no
//! supervision) or offline under a service flow template, per product or per spec; a
//! manual service's service process; the supervision each order line opens; and the
//! types that name none.

use super::*;

fn license(product_flow: Value, specs: Value) -> Value {
    let mut body = product("Site licence");
    body["accessType"] = json!("license");
    body["specs"] = specs;
    if !product_flow.is_null() {
        body["deliveryFlow"] = product_flow;
    }
    body
}

fn once(sku: &str) -> Value {
    json!({"name": sku, "skuCode": sku, "chargingMode": "ONE_TIME", "price": 50000})
}

async fn supervisions_of(app: &TestApp, token: &str, order: &Value) -> Value {
    of_order(app, BUYER, token, order).await
}

#[tokio::test]
async fn a_license_is_delivered_online_or_offline_under_its_template() {
    let mut app = TestApp::spawn().await;
    let c = cast(&mut app).await;

    // A License names its delivery flow; offline needs a template; other types name none.
    for (body, words) in [
        (
            license(Value::Null, json!([once("key")])),
            "names its delivery flow",
        ),
        (
            license(json!({"mode": "offline"}), json!([once("key")])),
            "serviceFlowTemplate",
        ),
        (
            license(
                json!({"mode": "online", "serviceFlowTemplate": "standard"}),
                json!([once("key")]),
            ),
            "no serviceFlowTemplate",
        ),
        (
            {
                let mut saas = product("CRM");
                saas["deliveryFlow"] = json!({"mode": "online"});
                saas
            },
            "License and manual-service",
        ),
    ] {
        let (status, refused) = send_json(&app, Method::POST, PRODUCTS, &c.alice, &body).await;
        says(status, &refused, 400, words);
    }

    // Online by default; one spec delivered offline, handed over and accepted.
    let mut onsite = once("onsite");
    onsite["deliveryFlow"] =
        json!({"mode": "offline", "serviceFlowTemplate": "delivery_acceptance"});
    let id = on_sale(
        &app,
        &c,
        &c.alice,
        &license(json!({"mode": "online"}), json!([once("key"), onsite])),
    )
    .await;
    let (_, shown, _) = call(
        &app,
        Method::GET,
        &format!("{CATALOGUE}/{id}"),
        Some(&c.dave),
    )
    .await;
    assert_eq!(shown["deliveryFlow"], json!({"mode": "online"}), "{shown}");
    assert_eq!(
        shown["specs"][1]["deliveryFlow"]["serviceFlowTemplate"],
        "delivery_acceptance"
    );

    let key = placed(&app, &c.dave, json!({"productId": id, "skuCode": "key"})).await;
    assert_eq!(
        supervisions_of(&app, &c.dave, &key).await["total"],
        0,
        "online: nothing to supervise"
    );

    let bought = placed(&app, &c.dave, json!({"productId": id, "skuCode": "onsite"})).await;
    let sup = supervision_of(&app, &c.dave, &bought).await;
    assert_eq!(
        (&sup["state"], &sup["flow"]),
        (&json!("awaiting_delivery"), &json!("delivery_first")),
        "{sup}"
    );
    // The seller delivers the service: a description of the result and the deliverables.
    let deliverables = uploaded(&app, &c.alice, "handover.png").await;
    let (status, refused) = take(
        &app,
        SELLER,
        &c.alice,
        &sup,
        json!({"action": "deliver", "attachments": [deliverables.clone()]}),
    )
    .await;
    says(status, &refused, 400, "describe the result");
    let delivered = taken(
        &app,
        SELLER,
        &c.alice,
        &sup,
        json!({"action": "deliver", "comment": "Installed on 3 servers, keys handed over",
               "attachments": [deliverables]}),
    )
    .await;
    assert_eq!(delivered["state"], "delivered");
    let accepted = taken(&app, BUYER, &c.dave, &sup, json!({"action": "accept"})).await;
    assert_eq!(accepted["state"], "completed");
}

#[tokio::test]
async fn a_manual_service_follows_its_service_process() {
    let mut app = TestApp::spawn().await;
    let c = cast(&mut app).await;
    let service = |flow: Value| {
        let mut body = product("Data migration");
        body["accessType"] = json!("manual_service");
        body["specs"] = json!([once("job")]);
        if !flow.is_null() {
            body["deliveryFlow"] = flow;
        }
        body
    };
    let (status, refused) = send_json(
        &app,
        Method::POST,
        PRODUCTS,
        &c.alice,
        &service(json!({"mode": "online"})),
    )
    .await;
    says(status, &refused, 400, "delivered offline");

    // Named none: the standard process, requirement first, and said so.
    let standard = on_sale(&app, &c, &c.alice, &service(Value::Null)).await;
    let (_, shown, _) = call(
        &app,
        Method::GET,
        &format!("{CATALOGUE}/{standard}"),
        Some(&c.dave),
    )
    .await;
    assert_eq!(
        shown["deliveryFlow"],
        json!({"mode": "offline", "serviceFlowTemplate": "standard"})
    );
    let bought = placed(
        &app,
        &c.dave,
        json!({"productId": standard, "skuCode": "job"}),
    )
    .await;
    assert_eq!(
        supervision_of(&app, &c.dave, &bought).await["state"],
        "awaiting_requirement"
    );

    // Delivery and acceptance: the seller's delivery first.
    let handed = on_sale(
        &app,
        &c,
        &c.alice,
        &service(json!({"mode": "offline", "serviceFlowTemplate": "delivery_acceptance"})),
    )
    .await;
    let bought = placed(
        &app,
        &c.dave,
        json!({"productId": handed, "skuCode": "job"}),
    )
    .await;
    assert_eq!(
        supervision_of(&app, &c.dave, &bought).await["state"],
        "awaiting_delivery"
    );
}
