//! The audit trail, resource servers and signing keys.

use reqwest::Method;

use super::*;

#[tokio::test]
async fn the_audit_trail_filters_pages_newest_first_and_exports_csv() {
    let Admin {
        app,
        token,
        alice_id,
        ..
    } = administrator().await;
    let token = Some(token.as_str());
    for (id, name) in [
        ("t1", "=SUM(A1)"),
        ("t2", "Two, \"quoted\""),
        ("t3", "Three"),
    ] {
        let created = call(
            &app,
            Method::POST,
            TENANTS,
            token,
            None,
            Some(serde_json::json!({"id": id, "name": name})),
        )
        .await;
        assert_eq!(created.status(), 201);
    }
    let events = |query: String| {
        let app = &app;
        async move {
            let page: serde_json::Value =
                get_json(app, &format!("/api/admin/v1/audit-events{query}"), token).await;
            page
        }
    };
    let all = events(String::new()).await;
    let targets: Vec<&str> = all["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["target"].as_str().unwrap())
        .collect();
    // Oldest of all: unilogin registering its two consoles at start.
    assert_eq!(
        targets,
        ["t3", "t2", "t1", "unilogin-market", "unilogin-console"],
        "newest first"
    );
    assert_eq!(all["items"][3]["actor"], "system");
    assert_eq!(all["items"][4]["actor"], "system");
    assert_eq!(all["items"][0]["actor"], format!("user:{alice_id}"));
    assert_eq!(all["items"][0]["changes"]["name"], "Three");

    let one = events("?target=t2".into()).await;
    assert_eq!(one["items"].as_array().unwrap().len(), 1);
    let none = events("?action=client.deleted".into()).await;
    assert_eq!(none["items"], serde_json::json!([]));
    let by_actor = events(format!("?actor=user:{alice_id}&action=tenant.created")).await;
    assert_eq!(by_actor["items"].as_array().unwrap().len(), 3);
    let future = events("?from=4102444800".into()).await;
    assert_eq!(future["items"], serde_json::json!([]));

    let first = events("?limit=2".into()).await;
    assert_eq!(first["items"].as_array().unwrap().len(), 2);
    let cursor = first["next_cursor"].as_str().unwrap();
    let rest = events(format!("?limit=2&cursor={cursor}")).await;
    assert_eq!(rest["items"][0]["target"], "t1");
    assert_eq!(rest["items"][1]["target"], "unilogin-market");
    let cursor = rest["next_cursor"].as_str().unwrap();
    let last = events(format!("?limit=2&cursor={cursor}")).await;
    assert_eq!(last["items"][0]["target"], "unilogin-console");
    assert_eq!(last["next_cursor"], serde_json::Value::Null);

    for bad in ["?from=yesterday", "?from=10&to=5", "?colour=red"] {
        problem(
            call(
                &app,
                Method::GET,
                &format!("/api/admin/v1/audit-events{bad}"),
                token,
                None,
                None,
            )
            .await,
            422,
        )
        .await;
    }

    let csv = call(
        &app,
        Method::GET,
        "/api/admin/v1/audit-events.csv?action=tenant.created",
        token,
        None,
        None,
    )
    .await;
    assert_eq!(csv.status(), 200);
    assert_eq!(csv.headers()["content-type"], "text/csv; charset=utf-8");
    let text = csv.text().await.unwrap();
    let lines: Vec<&str> = text.split("\r\n").filter(|l| !l.is_empty()).collect();
    assert_eq!(lines[0], "id,at,actor,address,action,target,changes");
    assert_eq!(lines.len(), 4);
    assert!(
        lines[2].ends_with(r#",t2,"{""domain_name"":null,""name"":""Two, \""quoted\""""}""#),
        "{}",
        lines[2]
    );
}

#[tokio::test]
async fn resource_servers_and_signing_keys_are_managed_through_the_api() {
    let Admin {
        app,
        token,
        alice_id,
        ..
    } = administrator().await;
    let token = Some(token.as_str());
    let servers: serde_json::Value = get_json(&app, "/api/admin/v1/resource-servers", token).await;
    let builtin: Vec<&str> = servers["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["builtin"] == true)
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert_eq!(builtin, ["Marketplace", "Admin API"]);
    let billing = serde_json::json!({
        "identifier": "https://billing.example/api",
        "name": "Billing",
        "scopes": ["billing.read", "billing.write"],
    });
    let created = call(
        &app,
        Method::POST,
        "/api/admin/v1/resource-servers",
        token,
        None,
        Some(billing.clone()),
    )
    .await;
    assert_eq!(created.status(), 201);
    problem(
        call(
            &app,
            Method::POST,
            "/api/admin/v1/resource-servers",
            token,
            None,
            Some(billing),
        )
        .await,
        409,
    )
    .await;
    problem(
        call(
            &app,
            Method::POST,
            "/api/admin/v1/resource-servers",
            token,
            None,
            Some(serde_json::json!({
                "identifier": "https://x.example/api", "name": "X", "scopes": ["admin.read"],
            })),
        )
        .await,
        422,
    )
    .await;
    let servers: serde_json::Value = get_json(&app, "/api/admin/v1/resource-servers", token).await;
    assert_eq!(servers["items"].as_array().unwrap().len(), 3);

    // Keys: rotate RS256; this instance signs with the new key at once, and publishes it.
    let keys: serde_json::Value = get_json(&app, "/api/admin/v1/keys", token).await;
    let active_rs256 = |keys: &serde_json::Value| -> String {
        keys["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|k| k["alg"] == "RS256" && k["status"] == "active")
            .unwrap()["kid"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    let old = active_rs256(&keys);
    problem(
        call(
            &app,
            Method::POST,
            "/api/admin/v1/keys/rotate",
            token,
            None,
            Some(serde_json::json!({"alg": "HS256"})),
        )
        .await,
        422,
    )
    .await;
    let rotated = call(
        &app,
        Method::POST,
        "/api/admin/v1/keys/rotate",
        token,
        None,
        Some(serde_json::json!({"alg": "RS256"})),
    )
    .await;
    assert_eq!(rotated.status(), 200);
    let rotated: serde_json::Value = rotated.json().await.unwrap();
    let new = active_rs256(&rotated);
    assert_ne!(new, old);
    assert!(rotated["items"]
        .as_array()
        .unwrap()
        .iter()
        .any(|k| k["kid"] == old.as_str() && k["status"] == "retiring"));
    let published = crate::helpers::jwks_kids(&app.base).await;
    assert!(published.contains(&new) && published.contains(&old));
    let events = app.durable.admin_events(&new).await.unwrap();
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].action, "keys.rotated");
    assert_eq!(events[0].actor, format!("user:{alice_id}"));
}
