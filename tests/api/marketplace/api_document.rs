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
