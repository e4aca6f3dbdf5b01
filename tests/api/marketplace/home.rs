//! `GET /me/todos` and the console's home: what waits on each role, counted from the
//! workflows' own records, each count linking to where it is done.

use std::time::Duration;

use serde_json::json;

use super::*;
use crate::console::{csrf, submit as post, visit};

const TODOS: &str = "/api/marketplace/v1/me/todos";

async fn todos(app: &TestApp, token: &str) -> serde_json::Value {
    let (status, body, _) = call(app, reqwest::Method::GET, TODOS, Some(token)).await;
    assert_eq!(status, 200, "{body}");
    body
}

/// A product `name` submitted for review by `seller`: the application.
async fn submitted(app: &TestApp, seller: &str, name: &str) -> serde_json::Value {
    let (status, application) =
        send_json(app, reqwest::Method::POST, PRODUCTS, seller, &product(name)).await;
    assert_eq!(status, 201, "{application}");
    application
}

#[tokio::test]
async fn each_role_sees_what_waits_on_it_and_how_the_month_sells() {
    let mut app = TestApp::spawn().await;
    let c = cast(&mut app).await;
    let quiet = json!({
        "subscriptionsEndingSoon": 0, "openUnsubscribeRequests": 0, "workOrdersAwaitingYou": 0,
        "deliveriesAwaitingYou": 0, "unreadMessages": 0,
    });
    assert_eq!(todos(&app, &c.dave).await, json!({ "buyer": quiet }));
    let (status, _, _) = call(&app, reqwest::Method::GET, TODOS, None).await;
    assert_eq!(status, 401);

    // alice sells one product, waits on one application and has one rejected.
    let crm = on_sale(&app, &c, &c.alice, &buyer_centre_product("CRM")).await;
    let post_json = reqwest::Method::POST;
    let waiting = submitted(&app, &c.alice, "Waiting").await;
    let refused = submitted(&app, &c.alice, "Refused").await;
    let (status, _) = send_json(
        &app,
        post_json.clone(),
        &format!("{QUEUE}/{}/reject", refused["id"].as_str().unwrap()),
        &c.carol,
        &json!({"reason": "Screenshots missing"}),
    )
    .await;
    assert_eq!(status, 200);

    // dave buys a month of it, and asks to unsubscribe.
    let (status, placed) = order(
        &app,
        &c.dave,
        json!({"productId": crm, "skuCode": "basic", "quantity": 1, "periodNumber": 1}),
        None,
    )
    .await;
    assert_eq!(status, 201, "{placed}");
    let buyer = todos(&app, &c.dave).await["buyer"].clone();
    assert_eq!(
        buyer["subscriptionsEndingSoon"], 1,
        "a month ends within 30 days"
    );
    assert_eq!(buyer["openUnsubscribeRequests"], 0);

    let seller = todos(&app, &c.alice).await;
    let s = &seller["seller"];
    assert_eq!(s["rejectedApplications"], 1, "{seller}");
    assert_eq!(s["monthOrders"], 1, "{seller}");
    assert_eq!(s["monthAmount"], 9900, "{seller}");
    assert_eq!(s["unsubscribeRequestsToDecide"], 0);
    assert!(seller["buyer"].is_object(), "alice buys too");
    assert!(seller.get("operator").is_none(), "{seller}");
    assert!(
        todos(&app, &c.bob).await["seller"]["monthOrders"] == 0,
        "bob sold nothing"
    );

    // The queue: one application, due in three working days; late after a week.
    let operator = todos(&app, &c.carol).await["operator"].clone();
    assert_eq!(operator["reviewQueue"], 1, "{operator}");
    assert_eq!(operator["overdueApplications"], 0, "{operator}");
    let since = operator["oldestWaitingSince"].as_i64().unwrap();
    let due = operator["oldestDueAt"].as_i64().unwrap();
    assert!(
        due >= since + 3 * 86_400 && due <= since + 5 * 86_400,
        "{operator}"
    );
    app.clock().advance(Duration::from_secs(7 * 86_400));
    // A week on, carol's token has expired: she signs in again.
    let carol = token_for(&mut app, "carol").await;
    let operator = todos(&app, &carol).await["operator"].clone();
    assert_eq!(operator["overdueApplications"], 1, "{operator}");
    assert_eq!(
        operator["oldestWaitingSince"], waiting["createdAt"],
        "{operator}"
    );
}

#[tokio::test]
async fn the_home_shows_each_role_its_to_dos_linking_to_the_work() {
    let mut app = TestApp::spawn().await;
    let c = cast(&mut app).await;
    let crm = on_sale(&app, &c, &c.alice, &buyer_centre_product("CRM")).await;
    let (status, placed) = order(
        &app,
        &c.dave,
        json!({"productId": crm, "skuCode": "basic", "quantity": 1, "periodNumber": 1}),
        None,
    )
    .await;
    assert_eq!(status, 201, "{placed}");
    submitted(&app, &c.alice, "Waiting").await;

    let (alice, carol, dave) = (browser(), browser(), browser());
    let home = visit(&app, &dave, "/market/?lang=en", "dave").await;
    assert_eq!(home.status, 200, "{}", home.body);
    assert!(
        home.body.contains(
            r#"id="todo-ending-soon" href="/market/subscriptions"><span class="value">1</span>"#
        ),
        "{}",
        home.body
    );
    assert!(home.body.contains("Subscriptions ending within 30 days"));
    assert!(!home.body.contains("seller-home") && !home.body.contains("operator-home"));

    let home = visit(&app, &alice, "/market/?lang=zh-CN", "alice").await;
    assert!(home.body.contains("卖家中心"), "{}", home.body);
    assert!(
        home.body.contains(
            r#"id="month-amount" href="/market/seller/orders"><span class="value">¥99.00</span>"#
        ),
        "{}",
        home.body
    );
    assert!(home.body.contains("月订单金额"), "{}", home.body);

    let home = visit(&app, &carol, "/market/?lang=en", "carol").await;
    assert!(
        home.body.contains(
            r#"id="todo-review-queue" href="/market/operator/review"><span class="value">1</span>"#
        ),
        "{}",
        home.body
    );
    assert!(home.body.contains("id=\"oldest-waiting\""), "{}", home.body);
    assert!(!home.body.contains("past the review target"));
    // The queue names the seller and how long each application has waited.
    let queue = visit(&app, &carol, "/market/operator/review?lang=en", "carol").await;
    assert!(queue.body.contains(">Shop A</dd>"), "{}", queue.body);
    assert!(queue.body.contains(">0 d 0 h</dd>"), "{}", queue.body);
    assert!(!queue.body.contains("Overdue"), "{}", queue.body);
    app.clock().advance(Duration::from_secs(7 * 86_400));
    let queue = visit(&app, &carol, "/market/operator/review?lang=zh-CN", "carol").await;
    assert!(queue.body.contains(">7 天 0 小时</dd>"), "{}", queue.body);
    assert!(queue.body.contains("已超时"), "{}", queue.body);
    let home = visit(&app, &carol, "/market/?lang=en", "carol").await;
    assert!(
        home.body.contains("past the review target"),
        "{}",
        home.body
    );
    assert!(
        home.body.contains(r#"class="stat late" id="todo-overdue""#),
        "{}",
        home.body
    );

    // The home changes nothing: a POST to it is not a route.
    let token = csrf(&home.body);
    let posted = post(&app, &carol, "/market/", &[("csrf_token", &token)]).await;
    assert!(
        posted.status == 404 || posted.status == 405,
        "{}",
        posted.status
    );
}
