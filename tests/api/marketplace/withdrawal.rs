//! Withdrawing a pending application (upstream §5.6): every product here is a
//! joint-operation product, and of those only License, manual-service and SaaS
//! applications can be withdrawn; hardware, image and the others stay in review.

use serde_json::{json, Value};

use super::*;

fn of_type(access_type: &str, spec: Value) -> Value {
    let mut body = json!({
        "name": format!("A {access_type} product"),
        "description": "For the withdrawal rule",
        "category": "software",
        "accessType": access_type,
        "securitySelfCheck": true,
        "specs": [spec],
    });
    if access_type == "license" {
        body["deliveryFlow"] = json!({"mode": "online"});
    }
    body
}

#[tokio::test]
async fn only_license_manual_service_and_saas_applications_can_be_withdrawn() {
    let mut app = TestApp::spawn().await;
    let c = cast(&mut app).await;
    let once =
        json!({"name": "Once", "skuCode": "once", "chargingMode": "ONE_TIME", "price": 50000});
    let monthly = json!({"name": "Monthly", "skuCode": "monthly", "chargingMode": "PERIOD",
                         "price": 9900, "periodType": "month"});
    for (access_type, spec, withdrawable) in [
        ("saas", monthly.clone(), true),
        ("license", once.clone(), true),
        ("manual_service", once.clone(), true),
        ("hardware", once.clone(), false),
        ("image", monthly.clone(), false),
        ("data_asset", once.clone(), false),
    ] {
        let (status, submitted) = send_json(
            &app,
            reqwest::Method::POST,
            PRODUCTS,
            &c.alice,
            &of_type(access_type, spec),
        )
        .await;
        assert_eq!(status, 201, "{access_type}: {submitted}");
        let id = submitted["id"].as_str().unwrap();
        let withdraw = format!("{MINE}/{id}/withdraw");
        let (status, body, _) = call(&app, reqwest::Method::POST, &withdraw, Some(&c.alice)).await;
        if withdrawable {
            assert_eq!(
                (status, &body["status"]),
                (200, &json!("withdrawn")),
                "{access_type}"
            );
        } else {
            says(status, &body, 409, "only License, manual-service and SaaS");
            let (_, still, _) = call(
                &app,
                reqwest::Method::GET,
                &format!("{MINE}/{id}"),
                Some(&c.alice),
            )
            .await;
            assert_eq!(still["status"], "pending", "{access_type}: {still}");
        }
    }
}
