//! Tenants, and the shape of mistakes (problem documents naming the field).

use reqwest::Method;

use super::*;
use crate::helpers::TENANT;

#[tokio::test]
async fn an_administrator_creates_pages_reads_and_updates_tenants_with_versions() {
    let Admin {
        app,
        token,
        alice_id,
        ..
    } = administrator().await;
    let token = Some(token.as_str());
    let created = call(
        &app,
        Method::POST,
        TENANTS,
        token,
        None,
        Some(serde_json::json!({"id": "acme", "name": "Acme", "domain_name": "https://acme.example"})),
    )
    .await;
    assert_eq!(created.status(), 201);
    assert_eq!(created.headers()["location"], "/api/admin/v1/tenants/acme");
    assert_eq!(etag(&created), "\"1\"");
    let body: serde_json::Value = created.json().await.unwrap();
    assert_eq!(body["name"], "Acme");

    let read = call(
        &app,
        Method::GET,
        "/api/admin/v1/tenants/acme",
        token,
        None,
        None,
    )
    .await;
    assert_eq!(read.status(), 200);
    let version = etag(&read);

    // Renamed by one administrator...
    let renamed = call(
        &app,
        Method::PATCH,
        "/api/admin/v1/tenants/acme",
        token,
        Some(&version),
        Some(serde_json::json!({"name": "Acme Inc"})),
    )
    .await;
    assert_eq!(renamed.status(), 200);
    assert_eq!(etag(&renamed), "\"2\"");
    // ...then a second one, who read version 1, cannot overwrite it.
    let stale = call(
        &app,
        Method::PATCH,
        "/api/admin/v1/tenants/acme",
        token,
        Some(&version),
        Some(serde_json::json!({"name": "Acme Old"})),
    )
    .await;
    problem(stale, 412).await;
    let blind = call(
        &app,
        Method::PATCH,
        "/api/admin/v1/tenants/acme",
        token,
        None,
        Some(serde_json::json!({"name": "Acme Blind"})),
    )
    .await;
    problem(blind, 428).await;
    let no_domain = call(
        &app,
        Method::PATCH,
        "/api/admin/v1/tenants/acme",
        token,
        Some("\"2\""),
        Some(serde_json::json!({"domain_name": null})),
    )
    .await;
    assert_eq!(no_domain.status(), 200);
    let body: serde_json::Value = no_domain.json().await.unwrap();
    assert_eq!(body["name"], "Acme Inc");
    assert_eq!(body["domain_name"], serde_json::Value::Null);
    assert_eq!(body["version"], 3);

    // One audit event per change, naming the administrator and the address.
    let events = app.durable.admin_events("acme").await.unwrap();
    let actions: Vec<&str> = events.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(
        actions,
        ["tenant.created", "tenant.updated", "tenant.updated"]
    );
    for event in &events {
        assert_eq!(event.actor, format!("user:{alice_id}"));
        assert_eq!(event.address, "127.0.0.1");
    }
    assert_eq!(
        events[1].changes,
        r#"{"name":{"from":"Acme","to":"Acme Inc"}}"#
    );

    // Paging: one at a time, by id, until the cursor runs out.
    let mut seen = Vec::new();
    let mut path = format!("{TENANTS}?limit=1");
    loop {
        let page: serde_json::Value = get_json(&app, &path, token).await;
        let items = page["items"].as_array().unwrap();
        assert!(items.len() <= 1);
        seen.extend(items.iter().map(|t| t["id"].as_str().unwrap().to_owned()));
        match page["next_cursor"].as_str() {
            Some(cursor) => path = format!("{TENANTS}?limit=1&cursor={cursor}"),
            None => break,
        }
    }
    assert_eq!(seen, ["acme", TENANT]);
}

#[tokio::test]
async fn mistakes_are_problem_documents_that_name_the_field_and_change_nothing() {
    let Admin { app, token, .. } = administrator().await;
    let token = Some(token.as_str());
    let tenants_before = app.count("tenants").await;
    let events_before = app.count("audit_events").await;
    for (body, field) in [
        (serde_json::json!({"id": "bad id!", "name": "X"}), "id"),
        (serde_json::json!({"id": "fine", "name": 5}), "name"),
        (
            serde_json::json!({"id": "fine", "name": "X", "domain_name": "ftp://x"}),
            "",
        ),
        (
            serde_json::json!({"id": "fine", "name": "X", "colour": "red"}),
            "colour",
        ),
    ] {
        let refused = call(&app, Method::POST, TENANTS, token, None, Some(body.clone())).await;
        let document = problem(refused, 422).await;
        if !field.is_empty() {
            assert_eq!(document["errors"][0]["field"], field, "{body}");
        }
    }
    let duplicate = call(
        &app,
        Method::POST,
        TENANTS,
        token,
        None,
        Some(serde_json::json!({"id": TENANT, "name": "Again"})),
    )
    .await;
    problem(duplicate, 409).await;
    problem(
        call(
            &app,
            Method::GET,
            "/api/admin/v1/tenants/nobody",
            token,
            None,
            None,
        )
        .await,
        404,
    )
    .await;
    problem(
        call(
            &app,
            Method::GET,
            &format!("{TENANTS}?limit=0"),
            token,
            None,
            None,
        )
        .await,
        422,
    )
    .await;
    problem(
        call(
            &app,
            Method::GET,
            &format!("{TENANTS}?cursor=%%%"),
            token,
            None,
            None,
        )
        .await,
        422,
    )
    .await;
    problem(
        call(&app, Method::DELETE, TENANTS, token, None, None).await,
        405,
    )
    .await;
    problem(
        call(
            &app,
            Method::GET,
            "/api/admin/v1/nothing-here",
            token,
            None,
            None,
        )
        .await,
        404,
    )
    .await;
    assert_eq!(app.count("tenants").await, tenants_before);
    assert_eq!(app.count("audit_events").await, events_before);
}
