//! Publishing through review applications, and the catalogue.

use super::*;

#[tokio::test]
async fn a_product_goes_on_sale_only_when_an_operator_approves_its_application() {
    let mut app = TestApp::spawn().await;
    let c = cast(&mut app).await;
    let post = reqwest::Method::POST;

    let (status, application) =
        send_json(&app, post.clone(), PRODUCTS, &c.alice, &product("CRM")).await;
    assert_eq!(status, 201, "{application}");
    assert_eq!(application["status"], "pending");
    assert_eq!(application["type"], "publish");
    assert_eq!(application["content"]["specs"][0]["skuCode"], "basic");
    let id = application["id"].as_str().unwrap().to_owned();
    let product_id = application["productId"].as_str().unwrap().to_owned();

    // Not on sale yet.
    let (_, catalogue, _) = call(&app, reqwest::Method::GET, CATALOGUE, Some(&c.dave)).await;
    assert_eq!(catalogue["total"], 0);
    let (status, _, _) = call(
        &app,
        reqwest::Method::GET,
        &format!("{CATALOGUE}/{product_id}"),
        Some(&c.dave),
    )
    .await;
    assert_eq!(status, 404);

    // Only operators review; they see every tenant's pending applications.
    for token in [&c.alice, &c.dave] {
        let (status, body, _) = call(&app, reqwest::Method::GET, QUEUE, Some(token)).await;
        assert_eq!((status, body["error"].as_str()), (403, Some("forbidden")));
    }
    let (_, queue, _) = call(&app, reqwest::Method::GET, QUEUE, Some(&c.carol)).await;
    assert_eq!(queue["total"], 1);
    assert_eq!(queue["items"][0]["id"], id.as_str());
    let approve = format!("{QUEUE}/{id}/approve");
    let (status, _, _) = call(&app, post.clone(), &approve, Some(&c.alice)).await;
    assert_eq!(status, 403, "a seller cannot approve");
    let (status, approved, _) = call(&app, post.clone(), &approve, Some(&c.carol)).await;
    assert_eq!(
        (status, approved["status"].as_str()),
        (200, Some("approved"))
    );

    // On sale, with its specs, for any signed-in user.
    let (_, catalogue, _) = call(&app, reqwest::Method::GET, CATALOGUE, Some(&c.dave)).await;
    assert_eq!(catalogue["total"], 1);
    let item = &catalogue["items"][0];
    assert_eq!(item["id"], product_id.as_str());
    assert_eq!(item["name"], "CRM");
    assert_eq!(item["merchant"], "tenant-a");
    assert_eq!(item["specs"][0]["price"], 9900);
    assert!(item.get("securitySelfCheck").is_none());
    let (status, shown, _) = call(
        &app,
        reqwest::Method::GET,
        &format!("{CATALOGUE}/{product_id}"),
        Some(&c.bob),
    )
    .await;
    assert_eq!(
        (status, shown["specs"][1]["chargingMode"].as_str()),
        (200, Some("ONE_TIME"))
    );

    // Every forbidden transition names the current state and changes nothing.
    let logged = app.count("mkt_application_log").await;
    for (path, token) in [
        (approve.clone(), &c.carol),
        (format!("{QUEUE}/{id}/reject"), &c.carol),
        (format!("{MINE}/{id}/withdraw"), &c.alice),
    ] {
        let (status, body) = send_json(
            &app,
            post.clone(),
            &path,
            token,
            &serde_json::json!({"reason": "late"}),
        )
        .await;
        assert_eq!(status, 409, "{path}");
        assert_eq!(
            body["error_description"], "The application is approved",
            "{path}"
        );
    }
    let (status, body) = send_json(
        &app,
        reqwest::Method::PUT,
        &format!("{MINE}/{id}"),
        &c.alice,
        &product("CRM 2"),
    )
    .await;
    assert_eq!(
        (status, body["error_description"].as_str()),
        (409, Some("The application is approved"))
    );
    assert_eq!(app.count("mkt_application_log").await, logged);

    // The detail view carries the operation log, one entry per change.
    let (_, detail, _) = call(
        &app,
        reqwest::Method::GET,
        &format!("{MINE}/{id}"),
        Some(&c.alice),
    )
    .await;
    let actions: Vec<&str> = detail["log"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, ["submitted", "approved"]);
    assert_eq!(detail["log"][1]["fromStatus"], "pending");
    assert_eq!(detail["log"][1]["toStatus"], "approved");
}

#[tokio::test]
async fn rejection_resubmission_withdrawal_and_modification_follow_the_rules() {
    let mut app = TestApp::spawn().await;
    let c = cast(&mut app).await;
    let post = reqwest::Method::POST;
    let (_, first) = send_json(&app, post.clone(), PRODUCTS, &c.alice, &product("CRM")).await;
    let id = first["id"].as_str().unwrap().to_owned();
    let product_id = first["productId"].as_str().unwrap().to_owned();

    // A second application while one is pending is refused.
    let (status, body) = send_json(
        &app,
        reqwest::Method::PUT,
        &format!("{PRODUCTS}/{product_id}"),
        &c.alice,
        &product("CRM again"),
    )
    .await;
    assert_eq!(status, 409, "{body}");

    // A rejection needs a reason.
    let reject = format!("{QUEUE}/{id}/reject");
    let (status, _) = send_json(
        &app,
        post.clone(),
        &reject,
        &c.carol,
        &serde_json::json!({"reason": " "}),
    )
    .await;
    assert_eq!(status, 400);
    let (status, rejected) = send_json(
        &app,
        post.clone(),
        &reject,
        &c.carol,
        &serde_json::json!({"reason": "Screenshots missing"}),
    )
    .await;
    assert_eq!(
        (status, rejected["status"].as_str()),
        (200, Some("rejected"))
    );
    assert_eq!(rejected["reason"], "Screenshots missing");

    // The seller edits and resubmits it: pending again, with the new content.
    let (status, resubmitted) = send_json(
        &app,
        reqwest::Method::PUT,
        &format!("{MINE}/{id}"),
        &c.alice,
        &product("CRM v2"),
    )
    .await;
    assert_eq!(
        (status, resubmitted["status"].as_str()),
        (200, Some("pending"))
    );
    assert_eq!(resubmitted["content"]["name"], "CRM v2");
    // Another merchant can neither see nor touch it.
    for (method, path) in [
        (reqwest::Method::GET, format!("{MINE}/{id}")),
        (post.clone(), format!("{MINE}/{id}/withdraw")),
    ] {
        let (status, _, _) = call(&app, method, &path, Some(&c.bob)).await;
        assert_eq!(status, 404, "{path}");
    }
    let (status, _) = send_json(
        &app,
        reqwest::Method::PUT,
        &format!("{PRODUCTS}/{product_id}"),
        &c.bob,
        &product("Stolen"),
    )
    .await;
    assert_eq!(status, 404);

    // Withdrawn is final for that application.
    let withdraw = format!("{MINE}/{id}/withdraw");
    let (status, withdrawn, _) = call(&app, post.clone(), &withdraw, Some(&c.alice)).await;
    assert_eq!(
        (status, withdrawn["status"].as_str()),
        (200, Some("withdrawn"))
    );
    let (status, body, _) = call(&app, post.clone(), &withdraw, Some(&c.alice)).await;
    assert_eq!(
        (status, body["error_description"].as_str()),
        (409, Some("The application is withdrawn"))
    );
    let (status, _) = send_json(
        &app,
        post.clone(),
        &format!("{QUEUE}/{id}/approve"),
        &c.carol,
        &serde_json::json!({}),
    )
    .await;
    assert_eq!(status, 409);
    let (status, _) = send_json(
        &app,
        reqwest::Method::PUT,
        &format!("{MINE}/{id}"),
        &c.alice,
        &product("CRM v3"),
    )
    .await;
    assert_eq!(status, 409);

    // A new application for the product, rejected; then another: only the latest
    // rejected one may be resubmitted.
    let (_, second) = send_json(
        &app,
        reqwest::Method::PUT,
        &format!("{PRODUCTS}/{product_id}"),
        &c.alice,
        &product("CRM v3"),
    )
    .await;
    let second_id = second["id"]
        .as_str()
        .unwrap_or_else(|| panic!("{second}"))
        .to_owned();
    assert_eq!(second["type"], "publish", "the product was never on sale");
    send_json(
        &app,
        post.clone(),
        &format!("{QUEUE}/{second_id}/reject"),
        &c.carol,
        &serde_json::json!({"reason": "no"}),
    )
    .await;
    let (_, third) = send_json(
        &app,
        reqwest::Method::PUT,
        &format!("{PRODUCTS}/{product_id}"),
        &c.alice,
        &product("CRM v4"),
    )
    .await;
    let third_id = third["id"].as_str().unwrap().to_owned();
    let (status, body) = send_json(
        &app,
        reqwest::Method::PUT,
        &format!("{MINE}/{second_id}"),
        &c.alice,
        &product("CRM v5"),
    )
    .await;
    assert_eq!(status, 409, "{body}");
    assert!(body["error_description"]
        .as_str()
        .unwrap()
        .contains("latest"));

    // Approved, then modified: a `modify` application while the old content stays on sale.
    send_json(
        &app,
        post.clone(),
        &format!("{QUEUE}/{third_id}/approve"),
        &c.carol,
        &serde_json::json!({}),
    )
    .await;
    let (_, modify) = send_json(
        &app,
        reqwest::Method::PUT,
        &format!("{PRODUCTS}/{product_id}"),
        &c.alice,
        &product("CRM v5"),
    )
    .await;
    assert_eq!(modify["type"], "modify");
    let (_, shown, _) = call(
        &app,
        reqwest::Method::GET,
        &format!("{CATALOGUE}/{product_id}"),
        Some(&c.dave),
    )
    .await;
    assert_eq!(shown["name"], "CRM v4");

    // "My applications" by status, type, product and time; bad filters are 400.
    let mine = |query: String| {
        let app = &app;
        let token = c.alice.clone();
        async move {
            call(
                app,
                reqwest::Method::GET,
                &format!("{MINE}{query}"),
                Some(&token),
            )
            .await
        }
    };
    let (_, all, _) = mine(String::new()).await;
    assert_eq!(all["total"], 4);
    let (_, rejected, _) = mine("?status=rejected".into()).await;
    assert_eq!(rejected["total"], 1);
    let (_, modifies, _) = mine("?type=modify".into()).await;
    assert_eq!(modifies["total"], 1);
    let (_, of_product, _) = mine(format!("?productId={product_id}&limit=2&offset=1")).await;
    assert_eq!(
        (
            of_product["total"].as_i64(),
            of_product["items"].as_array().unwrap().len()
        ),
        (Some(4), 2)
    );
    let (_, future, _) = mine("?from=4102444800".into()).await;
    assert_eq!(future["total"], 0);
    let (_, bob_sees, _) = call(&app, reqwest::Method::GET, MINE, Some(&c.bob)).await;
    assert_eq!(bob_sees["total"], 0);
    for bad in [
        "?status=lost",
        "?type=x",
        "?limit=0",
        "?limit=101",
        "?offset=-1",
        "?from=yesterday",
        "?sort=name",
        "?status=pending&status=rejected",
    ] {
        let (status, body, _) = mine(bad.into()).await;
        assert_eq!(
            (status, body["error"].as_str()),
            (400, Some("invalid_request")),
            "{bad}"
        );
    }
}

#[tokio::test]
async fn bad_products_are_refused_and_store_nothing() {
    let mut app = TestApp::spawn().await;
    let c = cast(&mut app).await;
    let mut no_check = product("x");
    no_check["securitySelfCheck"] = false.into();
    let mut project = product("x");
    project["accessType"] = "project".into();
    let mut bad_mode = product("x");
    bad_mode["accessType"] = "data_asset".into();
    let mut no_period = product("x");
    no_period["specs"][0]
        .as_object_mut()
        .unwrap()
        .remove("periodType");
    let mut twice = product("x");
    twice["specs"][1]["skuCode"] = "basic".into();
    let mut negative = product("x");
    negative["specs"][0]["price"] = (-1).into();
    let mut extra = product("x");
    extra["owner"] = "me".into();
    for (label, body, needle) in [
        ("no self-check", no_check, "security self-check"),
        ("project", project, "project"),
        ("mode", bad_mode, "not allowed for data_asset"),
        ("period", no_period, "periodType"),
        ("sku twice", twice, "appears twice"),
        ("negative price", negative, "price"),
        ("unknown field", extra, "unknown field"),
    ] {
        let (status, error) =
            send_json(&app, reqwest::Method::POST, PRODUCTS, &c.alice, &body).await;
        assert_eq!(
            (status, error["error"].as_str()),
            (400, Some("invalid_request")),
            "{label}"
        );
        assert!(
            error["error_description"]
                .as_str()
                .unwrap()
                .contains(needle),
            "{label}: {error}"
        );
    }
    let text = app
        .backchannel
        .post(app.url(PRODUCTS))
        .bearer_auth(&c.alice)
        .header("content-type", "text/plain")
        .body(product("x").to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(text.status(), 400);
    let (status, _) = send_json(
        &app,
        reqwest::Method::POST,
        PRODUCTS,
        &c.dave,
        &product("x"),
    )
    .await;
    assert_eq!(status, 403, "a buyer is no seller");
    assert_eq!(app.count("mkt_products").await, 0);
    assert_eq!(app.count("mkt_applications").await, 0);
}

#[tokio::test]
async fn the_catalogue_pages_through_products_on_sale() {
    let mut app = TestApp::spawn().await;
    let c = cast(&mut app).await;
    for (name, seller) in [("A1", &c.alice), ("B1", &c.bob), ("A2", &c.alice)] {
        let (_, application) = send_json(
            &app,
            reqwest::Method::POST,
            PRODUCTS,
            seller,
            &product(name),
        )
        .await;
        let id = application["id"].as_str().unwrap();
        call(
            &app,
            reqwest::Method::POST,
            &format!("{QUEUE}/{id}/approve"),
            Some(&c.carol),
        )
        .await;
    }
    let (_, first, _) = call(
        &app,
        reqwest::Method::GET,
        &format!("{CATALOGUE}?limit=2"),
        Some(&c.dave),
    )
    .await;
    assert_eq!(first["total"], 3);
    let (_, rest, _) = call(
        &app,
        reqwest::Method::GET,
        &format!("{CATALOGUE}?limit=2&offset=2"),
        Some(&c.dave),
    )
    .await;
    // Pages in a stable order: together they hold each product exactly once.
    let mut names: Vec<&str> = [&first, &rest]
        .iter()
        .flat_map(|page| page["items"].as_array().unwrap())
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        (first["items"].as_array().unwrap().len(), names.len()),
        (2, 3)
    );
    names.sort();
    assert_eq!(names, ["A1", "A2", "B1"]);
    let (status, _, _) = call(
        &app,
        reqwest::Method::GET,
        &format!("{CATALOGUE}?limit=500"),
        Some(&c.dave),
    )
    .await;
    assert_eq!(status, 400);
    let (status, _, _) = call(&app, reqwest::Method::GET, CATALOGUE, None).await;
    assert_eq!(status, 401);
}

#[tokio::test]
async fn the_catalogue_shows_a_delisting_and_an_approved_change_at_once() {
    let mut app = TestApp::spawn().await;
    let c = cast(&mut app).await;
    let crm = on_sale(&app, &c, &c.alice, &product("CRM")).await;
    let names = |catalogue: &serde_json::Value| -> Vec<String> {
        catalogue["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["name"].as_str().unwrap().to_owned())
            .collect()
    };
    let read = || call(&app, reqwest::Method::GET, CATALOGUE, Some(&c.dave));
    assert_eq!(names(&read().await.1), ["CRM"]);

    // A change approved: the next read shows the new content.
    let (status, body) = send_json(
        &app,
        reqwest::Method::PUT,
        &format!("{PRODUCTS}/{crm}"),
        &c.alice,
        &product("CRM Pro"),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    let application = body["id"].as_str().unwrap().to_owned();
    assert_eq!(names(&read().await.1), ["CRM"], "not before its approval");
    let (status, body, _) = call(
        &app,
        reqwest::Method::POST,
        &format!("{QUEUE}/{application}/approve"),
        Some(&c.carol),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(names(&read().await.1), ["CRM Pro"]);

    // Delisted: gone from the next read.
    let (status, _, _) = call(
        &app,
        reqwest::Method::POST,
        &format!("{PRODUCTS}/{crm}/delist"),
        Some(&c.alice),
    )
    .await;
    assert_eq!(status, 204);
    let (_, catalogue, _) = read().await;
    assert_eq!(catalogue["total"], 0, "{catalogue}");
}
