//! Each admin operation's documented example body is accepted as it stands (no 422):
//! sent in document order, the examples create a client, a resource server, a tenant and
//! a user of it, then change and rotate them.

use reqwest::Method;

use super::*;

#[tokio::test]
async fn every_documented_example_body_is_accepted() {
    let admin = administrator().await;
    let app = &admin.app;
    let document: serde_json::Value = get_json(app, "/api/admin/v1/openapi.json", None).await;
    let operations = crate::openapi_validity::json_body_operations(&document);
    assert!(operations.len() >= 10, "{}", operations.len());
    // The ids the examples' own creations answered with, for the paths that follow.
    let mut created: Vec<(&str, String)> = Vec::new();
    for (method, route, example) in operations {
        let example = example.unwrap_or_else(|| panic!("{method} {route}: no example"));
        let resource = route.split('/').nth(4).unwrap().to_owned();
        let id = created
            .iter()
            .find(|(r, _)| *r == resource)
            .map(|(_, id)| id.clone())
            .unwrap_or_default();
        let path = route.replace("{id}", &id);
        let version = if method == Method::PATCH {
            let current = call(app, Method::GET, &path, Some(&admin.token), None, None).await;
            assert_eq!(current.status(), 200, "GET {path}");
            Some(etag(&current))
        } else {
            None
        };
        // A field the handler does not know is a 422: the handler reads this body.
        let refused = call(
            app,
            method.clone(),
            &path,
            Some(&admin.token),
            version.as_deref(),
            Some(serde_json::json!({"not_a_field": true})),
        )
        .await;
        assert_eq!(refused.status(), 422, "{method} {route}");
        let answer = call(
            app,
            method.clone(),
            &path,
            Some(&admin.token),
            version.as_deref(),
            Some(example.clone()),
        )
        .await;
        let status = answer.status().as_u16();
        let body: serde_json::Value = answer.json().await.unwrap_or_default();
        assert!(
            (200..300).contains(&status),
            "{method} {route}: the documented example {example} answered {status} {body}"
        );
        if method == Method::POST && !route.contains("{id}") {
            let new_id = body["id"]
                .as_str()
                .or(body["client_id"].as_str())
                .map(str::to_owned);
            if let Some(new_id) = new_id {
                let resource = match resource.as_str() {
                    "clients" => "clients",
                    "tenants" => "tenants",
                    "users" => "users",
                    _ => "other",
                };
                created.push((resource, new_id));
            }
        }
    }
}
