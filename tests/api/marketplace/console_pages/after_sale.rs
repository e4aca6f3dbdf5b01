//! The after-sale pages offer only what is allowed and refuse in place.

use super::*;

/// The after-sale pages without JavaScript: each side sees its own supervisions and work
/// orders only, forms are offered only where the state machine allows, a refused form
/// changes nothing and says why, and the inbox opens a message's subject.
#[tokio::test]
async fn after_sale_pages_offer_only_what_is_allowed_and_refuse_in_place() {
    use reqwest::Method;
    let mut app = TestApp::spawn().await;
    let c = cast(&mut app).await;
    let mut supervised = product("Onboarding CRM");
    supervised["supervised"] = json!(true);
    let crm = on_sale(&app, &c, &c.alice, &supervised).await;
    let (status, order) = order(
        &app,
        &c.dave,
        json!({"productId": crm, "skuCode": "basic", "periodNumber": 1}),
        None,
    )
    .await;
    assert_eq!(status, 201, "{order}");
    let order_id = order["orderId"].as_str().unwrap();
    let (_, found, _) = call(
        &app,
        Method::GET,
        &format!("/api/marketplace/v1/buyer/supervisions?orderId={order_id}"),
        Some(&c.dave),
    )
    .await;
    let sup = found["items"][0]["supervisionId"]
        .as_str()
        .unwrap()
        .to_owned();

    // The buyer's page offers the requirement (and the appeal), nothing of the seller's.
    let dave = browser();
    let page = visit(
        &app,
        &dave,
        &format!("/market/orders/{order_id}?lang=en"),
        "dave",
    )
    .await;
    assert!(
        page.body.contains("id=\"supervision-link\""),
        "the order leads to it"
    );
    let mine = format!("/market/supervisions/{sup}");
    let page = visit(&app, &dave, &format!("{mine}?lang=en"), "dave").await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("id=\"submit_requirement-form\""));
    assert!(page.body.contains("id=\"appeal-form\""));
    assert!(!page.body.contains("id=\"confirm_requirement-form\""));
    assert!(!page.body.contains("id=\"deliver-form\""));
    let token = csrf(&page.body);

    // Forged, incomplete or out-of-turn posts change nothing and say why.
    let log_before = app.count("mkt_supervision_log").await;
    let forged = post(&app, &dave, &format!("{mine}/appeal"), &[("comment", "x")]).await;
    assert_eq!(forged.status, 403);
    let shown = post(
        &app,
        &dave,
        &format!("{mine}/submit_requirement"),
        &[("csrf_token", &token), ("comment", "no file")],
    )
    .await;
    assert_eq!(shown.status, 400);
    assert!(
        shown.body.contains("attach the requirement"),
        "{}",
        shown.body
    );
    let shown = post(
        &app,
        &dave,
        &format!("{mine}/accept"),
        &[("csrf_token", &token), ("confirm", "1")],
    )
    .await;
    assert_eq!(shown.status, 400, "the page again, saying why");
    assert!(shown.body.contains("cannot be accepted"), "{}", shown.body);
    let shown = post(
        &app,
        &dave,
        &format!("{mine}/deliver"),
        &[("csrf_token", &token)],
    )
    .await;
    assert_eq!(shown.status, 403, "not the buyer's step: no form offers it");
    assert_eq!(app.count("mkt_supervision_log").await, log_before);

    // The buyer appeals at this node; the operator's queue shows it, the seller's page too.
    let appealed = post(
        &app,
        &dave,
        &format!("{mine}/appeal"),
        &[
            ("csrf_token", &token),
            ("comment", "The seller asked for nothing"),
        ],
    )
    .await;
    assert_eq!(appealed.status, 303, "{}", appealed.body);
    let carol = browser();
    let queue = visit(
        &app,
        &carol,
        "/market/operator/supervisions?lang=en",
        "carol",
    )
    .await;
    assert!(queue.body.contains(&format!("id=\"supervision-{sup}\"")));
    let appeal = visit(
        &app,
        &carol,
        &format!("/market/operator/supervisions/{sup}?lang=en"),
        "carol",
    )
    .await;
    assert!(appeal.body.contains("id=\"resume-form\""));
    assert!(appeal.body.contains("3 working days"));
    let bob = browser();
    let theirs = visit(
        &app,
        &bob,
        &format!("/market/seller/supervisions/{sup}"),
        "bob",
    )
    .await;
    assert_eq!(theirs.status, 404);
    let not_seller = visit(&app, &dave, "/market/seller/supervisions", "dave").await;
    assert_eq!(not_seller.status, 403);
    let not_operator = visit(
        &app,
        &dave,
        &format!("/market/operator/supervisions/{sup}"),
        "dave",
    )
    .await;
    assert_eq!(not_operator.status, 403);

    // A work order from the product page; its cancellation needs the confirmation.
    let new = visit(
        &app,
        &dave,
        &format!("/market/work-orders/new?product={crm}&lang=en"),
        "dave",
    )
    .await;
    assert_eq!(new.status, 200);
    let token = csrf(&new.body);
    let refused = post(
        &app,
        &dave,
        "/market/work-orders",
        &[
            ("csrf_token", &token),
            ("product_id", &crm),
            ("title", ""),
            ("description", "Is SSO there?"),
        ],
    )
    .await;
    assert_eq!(refused.status, 400);
    assert!(
        refused.body.contains("Is SSO there?"),
        "what was typed stays"
    );
    let opened = post(
        &app,
        &dave,
        "/market/work-orders",
        &[
            ("csrf_token", &token),
            ("product_id", &crm),
            ("title", "SSO?"),
            ("description", "Is SSO there?"),
        ],
    )
    .await;
    assert_eq!(opened.status, 303, "{}", opened.body);
    let work_order = opened.path.split('?').next().unwrap().to_owned();
    let page = visit(&app, &dave, &work_order, "dave").await;
    assert!(page.body.contains("id=\"cancel-form\"") && page.body.contains("id=\"urge-form\""));
    assert!(!page.body.contains("id=\"accept-form\""));
    let shown = post(
        &app,
        &dave,
        &format!("{work_order}/act"),
        &[("csrf_token", &csrf(&page.body)), ("action", "cancel")],
    )
    .await;
    assert_eq!(shown.status, 400);
    assert!(
        visit(&app, &dave, &work_order, "dave")
            .await
            .body
            .contains("data-code=\"0\""),
        "still pending acceptance"
    );
    let id = work_order.rsplit('/').next().unwrap();
    let seller_side = format!("/market/seller/work-orders/{id}");
    assert_eq!(visit(&app, &bob, &seller_side, "bob").await.status, 404);
    assert_eq!(
        visit(
            &app,
            &carol,
            &format!("/market/operator/work-orders/{id}"),
            "carol"
        )
        .await
        .status,
        404,
        "not escalated"
    );
    let alice = browser();
    let theirs = visit(&app, &alice, &seller_side, "alice").await;
    assert!(theirs.body.contains("id=\"accept-form\""));
    assert!(!theirs.body.contains("id=\"cancel-form\""));

    // The inbox: the unread count in the navigation; opening a message goes to its subject.
    let inbox = visit(&app, &alice, "/market/inbox?lang=en", "alice").await;
    assert!(inbox.body.contains("id=\"unread-count\""));
    assert!(inbox.body.contains("A new work order to accept"));
    let (_, listed, _) = call(
        &app,
        Method::GET,
        "/api/marketplace/v1/inbox?unread=true",
        Some(&c.alice),
    )
    .await;
    let message = listed["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["subjectType"] == "work_order")
        .unwrap();
    let message_id = message["messageId"].as_str().unwrap();
    let stolen = post(
        &app,
        &dave,
        &format!("/market/inbox/{message_id}/open"),
        &[("csrf_token", &csrf(&page.body))],
    )
    .await;
    assert_eq!(stolen.status, 404, "not dave's message");
    let opened = post(
        &app,
        &alice,
        &format!("/market/inbox/{message_id}/open"),
        &[("csrf_token", &csrf(&inbox.body))],
    )
    .await;
    assert_eq!(
        (opened.status, opened.path.split('?').next().unwrap()),
        (303, seller_side.as_str())
    );
    let (_, still, _) = call(
        &app,
        Method::GET,
        "/api/marketplace/v1/inbox?unread=true",
        Some(&c.alice),
    )
    .await;
    assert!(
        still["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|m| m["messageId"] != message_id),
        "read now"
    );
}
