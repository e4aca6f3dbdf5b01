//! Work orders (§5.2) through the API on the moved clock: opening about an order or a
//! product, acceptance, urging once an hour, transfer within the seller's tenant,
//! awaiting feedback pausing the SLA until the customer replies, escalation to an
//! operator (pause, resume), confirmed resolution, closing and deleting; the right side
//! only, every refusal saying why, and nobody else seeing it.

use std::time::Duration;

use reqwest::Method;
use serde_json::{json, Value};

use super::subscriptions::{advance, placed};
use super::*;

mod about_products;

const BUYER: &str = "/api/marketplace/v1/buyer/work-orders";
const SELLER: &str = "/api/marketplace/v1/seller/work-orders";
const OPERATOR: &str = "/api/marketplace/v1/operator/work-orders";
const HOUR: u64 = 3600;

fn id(w: &Value) -> &str {
    w["workOrderId"].as_str().unwrap()
}

async fn act(app: &TestApp, base: &str, token: &str, w: &Value, body: Value) -> (u16, Value) {
    let path = format!("{base}/{}/actions", id(w));
    send_json(app, Method::POST, &path, token, &body).await
}

/// An action that must be taken: the work order after it.
async fn acted(app: &TestApp, base: &str, token: &str, w: &Value, body: Value) -> Value {
    let (status, next) = act(app, base, token, w, body).await;
    assert_eq!(status, 200, "{next}");
    next
}

async fn show(app: &TestApp, base: &str, token: &str, w: &Value) -> (u16, Value) {
    let path = format!("{base}/{}", id(w));
    let (status, body, _) = call(app, Method::GET, &path, Some(token)).await;
    (status, body)
}

async fn total(app: &TestApp, path: &str, token: &str) -> Value {
    let (status, page, _) = call(app, Method::GET, path, Some(token)).await;
    assert_eq!(status, 200, "{page}");
    page["total"].clone()
}

#[tokio::test]
async fn a_work_order_goes_from_opening_to_confirmed_resolution_with_its_sla() {
    let mut app = TestApp::spawn().await;
    let mut c = cast(&mut app).await;
    app.create_user("frank", "tenant-a").await;
    let crm = on_sale(&app, &c, &c.alice, &product("CRM")).await;
    let bought = placed(
        &app,
        &c.dave,
        json!({"productId": crm, "skuCode": "basic", "periodNumber": 1}),
    )
    .await;

    // Opened about one order of the buyer's, with a title, a description and evidence.
    let screenshot = uploaded(&app, &c.dave, "error.png").await;
    let opening = |about: Value| {
        let mut body = json!({"title": "Export fails", "description": "The CSV export\nstops at 1000 rows",
                              "attachments": [screenshot]});
        body.as_object_mut()
            .unwrap()
            .extend(about.as_object().unwrap().clone());
        body
    };
    let before = app.count("mkt_work_orders").await;
    for (about, want, words) in [
        (json!({}), 400, "one orderId of yours or one productId"),
        (
            json!({"orderId": bought["orderId"], "productId": crm}),
            400,
            "one orderId",
        ),
        (
            json!({"orderId": "ORD-nobody"}),
            404,
            "No such order of yours",
        ),
        (json!({"productId": "no-such-product"}), 404, ""),
    ] {
        let (status, body) = send_json(&app, Method::POST, BUYER, &c.dave, &opening(about)).await;
        says(status, &body, want, words);
    }
    let (status, body) = send_json(
        &app,
        Method::POST,
        BUYER,
        &c.dave,
        &json!({"orderId": bought["orderId"], "title": " ", "description": "x"}),
    )
    .await;
    says(status, &body, 400, "title");
    assert_eq!(app.count("mkt_work_orders").await, before, "nothing stored");
    let (status, w) = send_json(
        &app,
        Method::POST,
        BUYER,
        &c.dave,
        &opening(json!({"orderId": bought["orderId"]})),
    )
    .await;
    assert_eq!(status, 201, "{w}");
    let opened_at = w["openedAt"].as_i64().unwrap();
    assert_eq!(
        (&w["status"], &w["statusName"], &w["productName"]),
        (&json!(0), &json!("pending_acceptance"), &json!("CRM"))
    );
    assert_eq!(w["sla"]["acceptance"]["target"], json!(24 * 3600));
    about(&w["sla"]["acceptance"]["dueAt"], opened_at + 24 * 3600);
    assert_eq!(w["sla"]["resolution"]["target"], json!(72 * 3600));

    // The seller's tenant sees it; another seller and the operators (not escalated) do not.
    assert_eq!(show(&app, SELLER, &c.alice, &w).await.0, 200);
    assert_eq!(show(&app, SELLER, &c.bob, &w).await.0, 404);
    assert_eq!(show(&app, OPERATOR, &c.carol, &w).await.0, 404);
    assert_eq!(show(&app, BUYER, &c.bob, &w).await.0, 404);
    assert_eq!(total(&app, SELLER, &c.alice).await, 1);
    assert_eq!(total(&app, SELLER, &c.bob).await, 0);
    assert_eq!(total(&app, OPERATOR, &c.carol).await, 0);

    // Each side only its own actions, and the state machine says what is possible now.
    let (status, body) = act(&app, BUYER, &c.dave, &w, json!({"action": "accept"})).await;
    says(status, &body, 403, "accept is not the customer's to take");
    let (status, body) = act(&app, SELLER, &c.alice, &w, json!({"action": "cancel"})).await;
    says(status, &body, 403, "cancel is not the seller's to take");
    let (status, body) = act(&app, SELLER, &c.alice, &w, json!({"action": "fix"})).await;
    says(status, &body, 400, "unknown action");
    let (status, body) = act(
        &app,
        SELLER,
        &c.alice,
        &w,
        json!({"action": "message", "message": "Looking"}),
    )
    .await;
    says(status, &body, 409, "accept it before answering");
    let (status, body) = act(
        &app,
        OPERATOR,
        &c.carol,
        &w,
        json!({"action": "pause", "message": "wait"}),
    )
    .await;
    says(status, &body, 404, "No such work order");

    // Urged at most once an hour.
    acted(&app, BUYER, &c.dave, &w, json!({"action": "urge"})).await;
    let (status, body) = act(&app, BUYER, &c.dave, &w, json!({"action": "urge"})).await;
    says(status, &body, 409, "urged less than an hour ago");
    advance(&mut app, &mut c, Duration::from_secs(2 * HOUR)).await;
    acted(&app, BUYER, &c.dave, &w, json!({"action": "urge"})).await;

    // Accepted two hours in: the acceptance target is met, the resolution clock runs.
    let w = acted(&app, SELLER, &c.alice, &w, json!({"action": "accept"})).await;
    assert_eq!((&w["status"], &w["handler"]), (&json!(1), &json!("alice")));
    let acceptance = &w["sla"]["acceptance"];
    about(&acceptance["used"], 2 * HOUR as i64);
    assert_eq!(
        (&acceptance["done"], &acceptance["breached"]),
        (&json!(true), &json!(false))
    );

    // Transferred to another user of the seller's tenant only.
    for (assignee, want, words) in [
        (json!("nobody"), 404, "no user \"nobody\" in your tenant"),
        (json!("bob"), 404, "no user \"bob\" in your tenant"),
        (json!("alice"), 409, "alice handles it already"),
    ] {
        let (status, body) = act(
            &app,
            SELLER,
            &c.alice,
            &w,
            json!({"action": "transfer", "assignee": assignee}),
        )
        .await;
        says(status, &body, want, words);
    }
    let (status, body) = act(&app, SELLER, &c.alice, &w, json!({"action": "transfer"})).await;
    says(status, &body, 400, "names the user of your tenant");
    let w = acted(
        &app,
        SELLER,
        &c.alice,
        &w,
        json!({"action": "transfer", "assignee": "frank"}),
    )
    .await;
    assert_eq!((&w["handler"], &w["status"]), (&json!("frank"), &json!(1)));
    let frank = token_for(&mut app, "frank").await;
    let handled = format!("{SELLER}?view=handled_by_me");
    assert_eq!(total(&app, &handled, &frank).await, 1);
    assert_eq!(total(&app, &handled, &c.bob).await, 0);
    let (status, body, _) = call(
        &app,
        Method::GET,
        &format!("{SELLER}?view=mine"),
        Some(&frank),
    )
    .await;
    says(status, &body, 400, "view is all or handled_by_me");

    // Waiting on the customer's feedback, the resolution clock stands still …
    let (status, body) = act(
        &app,
        SELLER,
        &frank,
        &w,
        json!({"action": "await_feedback"}),
    )
    .await;
    says(status, &body, 400, "say what feedback is needed");
    let w = acted(
        &app,
        SELLER,
        &frank,
        &w,
        json!({"action": "await_feedback", "message": "Which browser do you use?"}),
    )
    .await;
    let used = w["sla"]["resolution"]["used"].clone();
    assert_eq!(
        (
            &w["status"],
            &w["sla"]["resolution"]["paused"],
            &w["sla"]["resolution"]["dueAt"]
        ),
        (&json!(17), &json!(true), &Value::Null)
    );
    let (status, body) = act(&app, BUYER, &c.dave, &w, json!({"action": "urge"})).await;
    says(status, &body, 409, "awaiting_feedback cannot take urge");
    advance(&mut app, &mut c, Duration::from_secs(10 * HOUR)).await;
    let (_, waited) = show(&app, BUYER, &c.dave, &w).await;
    assert_eq!(
        waited["sla"]["resolution"]["used"], used,
        "paused for 10 hours"
    );
    // … until the customer replies.
    let w = acted(
        &app,
        BUYER,
        &c.dave,
        &w,
        json!({"action": "message", "message": "Firefox 128", "attachments": [uploaded(&app, &c.dave, "about.png").await]}),
    )
    .await;
    assert_eq!(
        (&w["status"], &w["sla"]["resolution"]["paused"]),
        (&json!(1), &json!(false))
    );
    let used = used.as_i64().unwrap();
    about(&w["sla"]["resolution"]["used"], used);
    let now = app.clock().now_unix();
    about(&w["sla"]["resolution"]["dueAt"], now + 72 * 3600 - used - 2);

    // Escalated, an operator may answer, pause and resume it.
    let frank = token_for(&mut app, "frank").await;
    let (status, body) = act(&app, SELLER, &frank, &w, json!({"action": "escalate"})).await;
    says(status, &body, 400, "say why");
    let w = acted(
        &app,
        SELLER,
        &frank,
        &w,
        json!({"action": "escalate", "message": "The export runs on the platform's storage"}),
    )
    .await;
    assert_eq!(w["escalated"], true);
    let (status, body) = act(
        &app,
        SELLER,
        &frank,
        &w,
        json!({"action": "escalate", "message": "again"}),
    )
    .await;
    says(status, &body, 409, "with an operator already");
    assert_eq!(total(&app, OPERATOR, &c.carol).await, 1);
    assert_eq!(
        call(&app, Method::GET, OPERATOR, Some(&c.dave)).await.0,
        403
    );
    acted(
        &app,
        OPERATOR,
        &c.carol,
        &w,
        json!({"action": "message", "message": "We are raising the storage limit"}),
    )
    .await;
    let w = acted(
        &app,
        OPERATOR,
        &c.carol,
        &w,
        json!({"action": "pause", "message": "Storage maintenance tonight"}),
    )
    .await;
    assert_eq!(
        (&w["status"], &w["sla"]["resolution"]["paused"]),
        (&json!(5), &json!(true))
    );
    let (status, body) = act(&app, SELLER, &frank, &w, json!({"action": "resume"})).await;
    says(status, &body, 403, "resume is not the seller's to take");
    let w = acted(&app, OPERATOR, &c.carol, &w, json!({"action": "resume"})).await;
    assert_eq!(w["status"], 1);

    // Resolved with its cause and solution; the customer confirms, then deletes it.
    let (status, body) = act(
        &app,
        SELLER,
        &frank,
        &w,
        json!({"action": "confirm_resolved"}),
    )
    .await;
    says(status, &body, 400, "needs the cause and the solution");
    let (status, body) = act(
        &app,
        SELLER,
        &frank,
        &w,
        json!({"action": "confirm_resolved", "cause": "A row limit"}),
    )
    .await;
    says(status, &body, 400, "cause and solution come together");
    let w = acted(
        &app,
        SELLER,
        &frank,
        &w,
        json!({"action": "confirm_resolved", "cause": "A row limit on the export",
               "solution": "Raised to 100,000 rows"}),
    )
    .await;
    assert_eq!(
        (
            &w["status"],
            &w["sla"]["resolution"]["done"],
            &w["sla"]["resolution"]["breached"]
        ),
        (&json!(2), &json!(true), &json!(false))
    );
    let (status, body) = act(&app, BUYER, &c.dave, &w, json!({"action": "delete"})).await;
    says(
        status,
        &body,
        409,
        "only a completed, cancelled or invalid one is deleted",
    );
    let w = acted(&app, BUYER, &c.dave, &w, json!({"action": "close"})).await;
    assert_eq!(
        (&w["status"], &w["cause"], &w["solution"]),
        (
            &json!(3),
            &json!("A row limit on the export"),
            &json!("Raised to 100,000 rows")
        )
    );
    let (status, body) = act(
        &app,
        BUYER,
        &c.dave,
        &w,
        json!({"action": "message", "message": "thanks"}),
    )
    .await;
    says(status, &body, 409, "completed cannot take message");

    // One history, each message typed customer (0) or support (1).
    let (_, seen) = show(&app, SELLER, &c.alice, &w).await;
    let said: Vec<(String, Value)> = seen["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                format!(
                    "{}:{}",
                    e["actor"].as_str().unwrap(),
                    e["action"].as_str().unwrap()
                ),
                e["messageType"].clone(),
            )
        })
        .collect();
    let expect = |actor_action: &str, kind: Value| (actor_action.to_owned(), kind);
    assert_eq!(
        said,
        [
            expect("buyer:open", json!(0)),
            expect("buyer:urge", Value::Null),
            expect("buyer:urge", Value::Null),
            expect("seller:accept", Value::Null),
            expect("seller:transfer", Value::Null),
            expect("seller:await_feedback", json!(1)),
            expect("buyer:message", json!(0)),
            expect("seller:escalate", json!(1)),
            expect("operator:message", json!(1)),
            expect("operator:pause", json!(1)),
            expect("operator:resume", Value::Null),
            expect("seller:confirm_resolved", json!(1)),
            expect("buyer:close", Value::Null),
        ]
    );
    assert_eq!(
        seen["history"][6]["to_status"],
        Value::Null,
        "camelCase only"
    );
    assert_eq!(
        (
            &seen["history"][6]["fromStatus"],
            &seen["history"][6]["toStatus"]
        ),
        (&json!(17), &json!(1))
    );

    // Deleted, it is gone from the customer's view; the seller keeps the record.
    let w = acted(&app, BUYER, &c.dave, &w, json!({"action": "delete"})).await;
    assert_eq!(w["status"], 13);
    assert_eq!(show(&app, BUYER, &c.dave, &w).await.0, 404);
    assert_eq!(total(&app, BUYER, &c.dave).await, 0);
    assert_eq!(
        show(&app, SELLER, &c.alice, &w).await.1["statusName"],
        "deleted"
    );

    // The evidence goes to the parties, and to the operator it was escalated to.
    for (token, want) in [(&c.alice, 200), (&c.carol, 200), (&c.bob, 404)] {
        assert_eq!(download_status(&app, token, &screenshot).await, want);
    }
}
