//! The OpenAPI document against the routes actually served.

use super::*;

#[tokio::test]
async fn the_openapi_document_names_exactly_the_routes_that_are_served() {
    let app = TestApp::spawn().await;
    let (status, doc, _) = call(
        &app,
        reqwest::Method::GET,
        "/api/marketplace/v1/openapi.json",
        None,
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(doc["openapi"], "3.1.0");
    assert!(doc["components"]["schemas"]["Order"].is_object());
    let paths = doc["paths"].as_object().unwrap();
    let methods = [
        reqwest::Method::GET,
        reqwest::Method::POST,
        reqwest::Method::PUT,
        reqwest::Method::DELETE,
    ];
    for (path, operations) in paths {
        let concrete = path
            .split('/')
            .map(|segment| {
                if segment.starts_with('{') {
                    "x"
                } else {
                    segment
                }
            })
            .collect::<Vec<_>>()
            .join("/");
        for method in &methods {
            let documented = operations.get(method.as_str().to_lowercase()).is_some();
            let response = app
                .backchannel
                .request(method.clone(), app.url(&concrete))
                .send()
                .await
                .unwrap();
            let status = response.status().as_u16();
            let body: serde_json::Value = response.json().await.unwrap_or_default();
            if documented {
                // Served: without credentials it answers 401 (or 200 for public routes).
                assert!(
                    matches!(status, 200 | 401),
                    "{method} {path}: {status} {body}"
                );
            } else {
                assert_eq!(status, 405, "{method} {path} is served but not documented");
            }
        }
    }
    // Every route the tests above drive is in the document.
    for (method, path) in [
        ("get", "/api/marketplace/v1/me"),
        ("get", "/api/marketplace/v1/seller/access-keys"),
        ("post", "/api/marketplace/v1/seller/access-keys"),
        (
            "delete",
            "/api/marketplace/v1/seller/access-keys/{accessKey}",
        ),
        ("post", "/api/marketplace/v1/seller/products"),
        ("put", "/api/marketplace/v1/seller/products/{productId}"),
        ("get", "/api/marketplace/v1/seller/applications"),
        (
            "get",
            "/api/marketplace/v1/seller/applications/{applicationId}",
        ),
        (
            "put",
            "/api/marketplace/v1/seller/applications/{applicationId}",
        ),
        (
            "post",
            "/api/marketplace/v1/seller/applications/{applicationId}/withdraw",
        ),
        ("get", "/api/marketplace/v1/operator/applications"),
        (
            "post",
            "/api/marketplace/v1/operator/applications/{applicationId}/approve",
        ),
        (
            "post",
            "/api/marketplace/v1/operator/applications/{applicationId}/reject",
        ),
        ("get", "/api/marketplace/v1/products"),
        ("get", "/api/marketplace/v1/products/{productId}"),
        ("get", "/api/marketplace/v1/buyer/orders"),
        ("post", "/api/marketplace/v1/buyer/orders"),
        ("get", "/api/marketplace/v1/buyer/orders/{orderId}"),
        ("get", "/api/marketplace/v1/seller/orders"),
        ("get", "/api/marketplace/v1/seller/orders/{orderId}"),
        ("get", "/api/mkp-openapi-public/global/v1/order/query"),
    ] {
        assert!(
            paths.get(path).and_then(|p| p.get(method)).is_some(),
            "{method} {path} undocumented"
        );
    }
}

/// Each operation's documented example body is the body its handler reads: a field the
/// handler does not know is refused as a mistake in the body, and the example is not.
/// The paths name real resources (a supervised order of dave's, its supervision, a work
/// order and an unsubscribe request); only a kit instance and app stay unknown, where a
/// 404 comes before the body is read.
#[tokio::test]
async fn every_documented_example_body_is_read_by_its_handler() {
    let mut app = TestApp::spawn().await;
    let c = cast(&mut app).await;
    let mut supervised = product("Onboarding CRM");
    supervised["supervised"] = serde_json::json!(true);
    let crm = on_sale(&app, &c, &c.alice, &supervised).await;
    let (status, bought) = order(
        &app,
        &c.dave,
        serde_json::json!({"productId": crm, "skuCode": "basic", "periodNumber": 1}),
        None,
    )
    .await;
    assert_eq!(status, 201, "{bought}");
    let order_id = bought["orderId"].as_str().unwrap().to_owned();
    let created = |path: &'static str, body: serde_json::Value, id: &'static str| {
        let app = &app;
        let token = c.dave.clone();
        async move {
            let (status, made) = send_json(app, reqwest::Method::POST, path, &token, &body).await;
            assert_eq!(status, 201, "{made}");
            made[id].as_str().unwrap().to_owned()
        }
    };
    let work_order = created(
        "/api/marketplace/v1/buyer/work-orders",
        serde_json::json!({"orderId": order_id, "title": "Login loops", "description": "After SSO"}),
        "workOrderId",
    )
    .await;
    // Accepted and escalated by the seller, so that operators see it too.
    for action in [
        serde_json::json!({"action": "accept"}),
        serde_json::json!({"action": "escalate", "message": "Needs the platform"}),
    ] {
        let path = format!("/api/marketplace/v1/seller/work-orders/{work_order}/actions");
        let (status, acted) =
            send_json(&app, reqwest::Method::POST, &path, &c.alice, &action).await;
        assert_eq!(status, 200, "{acted}");
    }
    let request = created(
        BUYER_UNSUBSCRIBE,
        serde_json::json!({"orderId": order_id, "reasonType": "no_longer_needed", "reason": "x"}),
        "requestId",
    )
    .await;
    let (_, supervisions, _) = call(
        &app,
        reqwest::Method::GET,
        "/api/marketplace/v1/buyer/supervisions",
        Some(&c.dave),
    )
    .await;
    let supervision = supervisions["items"][0]["supervisionId"]
        .as_str()
        .unwrap()
        .to_owned();
    let ids = [
        ("{orderId}", order_id.as_str()),
        ("{workOrderId}", work_order.as_str()),
        ("{requestId}", request.as_str()),
        ("{supervisionId}", supervision.as_str()),
        ("{productId}", crm.as_str()),
        ("{tenantId}", "tenant-b"),
    ];

    let (_, doc, _) = call(
        &app,
        reqwest::Method::GET,
        "/api/marketplace/v1/openapi.json",
        None,
    )
    .await;
    let operations = crate::openapi_validity::json_body_operations(&doc);
    assert!(operations.len() >= 30, "{}", operations.len());
    // Paths in document order: the operator makes tenant-b a partner before bob, its
    // member, applies for a discount.
    for (method, route, example) in operations {
        let example = example.unwrap_or_else(|| panic!("{method} {route}: no example"));
        let side = route.split('/').nth(4).unwrap_or_default();
        let token = match side {
            "seller" => &c.alice,
            "operator" => &c.carol,
            "partner" => &c.bob,
            _ => &c.dave,
        };
        let mut known = true;
        let path: String = route
            .split('/')
            .map(
                |segment| match ids.iter().find(|(name, _)| *name == segment) {
                    Some((_, id)) => id.to_string(),
                    None if segment.starts_with('{') => {
                        known = false;
                        "X000000000000000000".to_owned()
                    }
                    None => segment.to_owned(),
                },
            )
            .collect::<Vec<_>>()
            .join("/");
        let body_refused = |status: u16, answer: &serde_json::Value| {
            status == 422
                || (status == 400
                    && answer["error_description"]
                        .as_str()
                        .is_some_and(|d| d.contains("body")))
        };
        let (status, refused) = send_json(
            &app,
            method.clone(),
            &path,
            token,
            &serde_json::json!({"notAField": true}),
        )
        .await;
        assert!(
            body_refused(status, &refused) || (!known && status == 404),
            "{method} {route} does not read its body: {status} {refused}"
        );
        let (status, answer) = send_json(&app, method.clone(), &path, token, &example).await;
        assert!(
            status < 500 && !body_refused(status, &answer),
            "{method} {route}: the documented example {example} is refused: {status} {answer}"
        );
    }
}
