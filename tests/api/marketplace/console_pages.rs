//! The marketplace console over HTTP, as a browser without JavaScript drives it: sign-in
//! through unilogin, role-aware pages, CSRF, refusals shown on the form that change
//! nothing, a retried order form placing one order, confirmations, and nobody seeing
//! another's records. The browser walk with screenshots is `market_browser`.

use serde_json::json;

use super::*;
use crate::console::{csrf, submit as post, visit};
use crate::helpers::{browser, TENANT};

#[tokio::test]
async fn pages_follow_roles_and_refusals_change_nothing() {
    let mut app = TestApp::spawn().await;
    let c = cast(&mut app).await;
    let crm = on_sale(&app, &c, &c.alice, &product("CRM")).await;
    let dave = browser();

    // Signed in through unilogin; a buyer sees the buyer centre only.
    let catalogue = visit(&app, &dave, "/market/?lang=en", "dave").await;
    assert_eq!(
        (catalogue.status, catalogue.path.as_str()),
        (200, "/market/")
    );
    assert!(catalogue.body.contains("CRM"));
    assert!(
        !catalogue.body.contains("nav-applications"),
        "no seller centre"
    );
    let refused = visit(&app, &dave, "/market/seller/applications?lang=en", "dave").await;
    assert_eq!(refused.status, 403);
    assert!(refused.body.contains("lacks the role"));
    let chinese = visit(&app, &dave, "/market/?lang=zh-CN", "dave").await;
    assert!(chinese.body.contains("商品目录"));

    // The order form: CSRF, then refusals that store nothing, then one order for two posts.
    let page = visit(
        &app,
        &dave,
        &format!("/market/products/{crm}?lang=en"),
        "dave",
    )
    .await;
    let token = csrf(&page.body);
    let key = crate::helpers::hidden_fields(&page.body)
        .into_iter()
        .find(|(k, _)| k == "key")
        .unwrap()
        .1;
    let path = format!("/market/products/{crm}/order");
    let orders_before = app.count("mkt_orders").await;
    let forged = post(
        &app,
        &dave,
        &path,
        &[("sku", "once"), ("quantity", "1"), ("kind", "NEW")],
    )
    .await;
    assert_eq!(forged.status, 403);
    for (fields, words) in [
        (
            vec![("sku", "once"), ("quantity", "many"), ("kind", "NEW")],
            "whole number",
        ),
        (
            vec![("sku", "gold"), ("quantity", "1"), ("kind", "NEW")],
            "the product has no SKU gold",
        ),
        (
            vec![("sku", "once"), ("quantity", "1"), ("kind", "TRIAL")],
            "needs a PERIOD spec",
        ),
    ] {
        let mut fields = fields;
        fields.push(("csrf_token", &token));
        fields.push(("key", &key));
        let shown = post(&app, &dave, &path, &fields).await;
        assert_eq!(shown.status, 400, "{words}");
        assert!(shown.body.contains(words), "{words}: {}", shown.body);
    }
    assert_eq!(
        app.count("mkt_orders").await,
        orders_before,
        "refusals store nothing"
    );
    let good = [
        ("sku", "once"),
        ("quantity", "2"),
        ("kind", "NEW"),
        ("csrf_token", &token),
        ("key", &key),
    ];
    let first = post(&app, &dave, &path, &good).await;
    let again = post(&app, &dave, &path, &good).await;
    assert_eq!((first.status, again.status), (303, 303));
    assert_eq!(
        first.path, again.path,
        "a retried form places the order once"
    );
    assert_eq!(app.count("mkt_orders").await, orders_before + 1);
    let order_path = first.path.split('?').next().unwrap().to_owned();
    let order_id = order_path.rsplit('/').next().unwrap().to_owned();

    // Another buyer sees none of it.
    let bob = browser();
    let theirs = visit(&app, &bob, &order_path, "bob").await;
    assert_eq!(theirs.status, 404);

    // The request, and a seller decision that needs the confirmation ticked.
    let order = visit(&app, &dave, &order_path, "dave").await;
    let asked = post(
        &app,
        &dave,
        &format!("{order_path}/unsubscribe"),
        &[
            ("csrf_token", &csrf(&order.body)),
            ("reason_type", "no_longer_needed"),
            ("reason", "changed plans"),
        ],
    )
    .await;
    assert_eq!(asked.status, 303, "{}", asked.body);
    let request_id = asked
        .path
        .split('?')
        .next()
        .unwrap()
        .rsplit('/')
        .next()
        .unwrap()
        .to_owned();
    let alice = browser();
    let seller_path = format!("/market/seller/unsubscribes/{request_id}");
    let page = visit(&app, &alice, &format!("{seller_path}?lang=en"), "alice").await;
    assert_eq!(page.status, 200);
    let alice_token = csrf(&page.body);
    let unticked = post(
        &app,
        &alice,
        &format!("{seller_path}/approve"),
        &[("csrf_token", &alice_token), ("comment", "ok")],
    )
    .await;
    assert_eq!(unticked.status, 400);
    let stored = market(&app)
        .unsubscribe_request(&request_id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.request.state.as_str(), "pending", "nothing changed");
    let bobs_view = visit(&app, &bob, &seller_path, "bob").await;
    assert_eq!(bobs_view.status, 404, "another seller");
    let approved = post(
        &app,
        &alice,
        &format!("{seller_path}/approve"),
        &[
            ("csrf_token", &alice_token),
            ("comment", "ok"),
            ("confirm", "1"),
        ],
    )
    .await;
    assert_eq!(approved.status, 303, "{}", approved.body);
    let stored = market(&app)
        .unsubscribe_request(&request_id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.request.state.as_str(), "completed");
    let (_, placed, _) = call(
        &app,
        reqwest::Method::GET,
        &format!("{ORDERS}/{order_id}"),
        Some(&c.dave),
    )
    .await;
    assert_eq!(
        placed["orderLines"][0]["subscriptionId"],
        json!(stored.subscription_id)
    );
    let sold = visit(
        &app,
        &alice,
        "/market/seller/subscriptions?state=unsubscribed&lang=en",
        "alice",
    )
    .await;
    assert_eq!(sold.status, 200);
    assert!(sold.body.contains("1 in all"), "{}", sold.body);

    // Access keys: the SK once, deleting with a confirmation, minting only after a recent
    // sign-in.
    let keys = visit(&app, &alice, "/market/seller/keys?lang=en", "alice").await;
    assert_eq!(keys.status, 200);
    let minted = post(
        &app,
        &alice,
        "/market/seller/keys",
        &[("csrf_token", &alice_token)],
    )
    .await;
    assert_eq!(minted.status, 200);
    assert!(minted.body.contains("id=\"minted-sk\""));
    let ak = market(&app).access_keys_of(TENANT).await.unwrap()[0]
        .access_key
        .clone();
    let delete = format!("/market/seller/keys/{ak}/delete");
    let unticked = post(&app, &alice, &delete, &[("csrf_token", &alice_token)]).await;
    assert_eq!(unticked.status, 400);
    let deleted = post(
        &app,
        &alice,
        &delete,
        &[("csrf_token", &alice_token), ("confirm", "1")],
    )
    .await;
    assert_eq!(deleted.status, 303);
    assert!(market(&app)
        .access_keys_of(TENANT)
        .await
        .unwrap()
        .is_empty());
    app.clock().advance(std::time::Duration::from_secs(16 * 60));
    let stale = post(
        &app,
        &alice,
        "/market/seller/keys",
        &[("csrf_token", &alice_token)],
    )
    .await;
    assert_eq!(stale.status, 303);
    assert!(
        stale.path.starts_with("/market/login?") && stale.path.contains("fresh=1"),
        "{}",
        stale.path
    );
    assert!(market(&app)
        .access_keys_of(TENANT)
        .await
        .unwrap()
        .is_empty());
    let messages = visit(&app, &alice, "/market/seller/messages", "alice").await;
    assert_eq!(messages.status, 200);

    // The operators' queue filters by type.
    let carol = browser();
    let queue = visit(
        &app,
        &carol,
        "/market/operator/review?type=modify&lang=en",
        "carol",
    )
    .await;
    assert_eq!(queue.status, 200);
    assert!(queue.body.contains("0 in all"), "{}", queue.body);
}

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
