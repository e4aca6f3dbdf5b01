//! In-site messages through the JSON API: reviews, supervision, work orders and
//! unsubscribe requests tell the parties; a tenant's messages reach each of its users,
//! read each on their own; unread counts; marking read; nobody reads another's.

use reqwest::Method;
use serde_json::{json, Value};

use super::subscriptions::placed;
use super::*;

const INBOX: &str = "/api/marketplace/v1/inbox";
const UNREAD: &str = "/api/marketplace/v1/inbox/unread-count";
const READ_ALL: &str = "/api/marketplace/v1/inbox/read-all";

async fn unread(app: &TestApp, token: &str) -> i64 {
    let (status, body, _) = call(app, Method::GET, UNREAD, Some(token)).await;
    assert_eq!(status, 200, "{body}");
    body["unread"].as_i64().unwrap()
}

async fn inbox(app: &TestApp, token: &str, query: &str) -> Value {
    let (status, body, _) = call(app, Method::GET, &format!("{INBOX}{query}"), Some(token)).await;
    assert_eq!(status, 200, "{body}");
    body
}

/// The events of the reader's messages, newest first.
fn events(page: &Value) -> Vec<String> {
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["event"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn every_party_hears_of_what_concerns_them_and_reads_it_on_their_own() {
    let mut app = TestApp::spawn().await;
    let c = cast(&mut app).await;
    app.create_user("frank", "tenant-a").await;
    let frank = token_for(&mut app, "frank").await;
    let mut crm = product("Onboarding CRM");
    crm["supervised"] = json!(true);
    let crm = on_sale(&app, &c, &c.alice, &crm).await;

    // The review told the operators of the application and the seller of its approval.
    assert_eq!(
        events(&inbox(&app, &c.alice, "").await),
        ["application.approved"]
    );
    assert_eq!(
        events(&inbox(&app, &c.carol, "").await),
        ["application.submitted"]
    );
    assert_eq!(events(&inbox(&app, &c.bob, "").await), Vec::<String>::new());
    for token in [&c.alice, &c.carol, &frank] {
        let (status, marked, _) = call(&app, Method::POST, READ_ALL, Some(token)).await;
        assert_eq!((status, &marked["marked"]), (200, &json!(1)), "{marked}");
    }
    assert_eq!(unread(&app, &c.alice).await, 0);

    // A supervised order: the buyer is asked for the requirement.
    let bought = placed(
        &app,
        &c.dave,
        json!({"productId": crm, "skuCode": "basic", "periodNumber": 1}),
    )
    .await;
    let (status, w) = send_json(
        &app,
        Method::POST,
        "/api/marketplace/v1/buyer/work-orders",
        &c.dave,
        &json!({"orderId": bought["orderId"], "title": "Login loops", "description": "After SSO"}),
    )
    .await;
    assert_eq!(status, 201, "{w}");
    let (status, _) = send_json(
        &app,
        Method::POST,
        BUYER_UNSUBSCRIBE,
        &c.dave,
        &json!({"orderId": bought["orderId"], "reasonType": "no_longer_needed", "reason": "x"}),
    )
    .await;
    assert_eq!(status, 201);
    assert_eq!(unread(&app, &c.dave).await, 1);
    let mine = inbox(&app, &c.dave, "").await;
    assert_eq!(events(&mine), ["supervision.opened"]);
    let message = &mine["items"][0];
    assert_eq!(
        (
            &message["subjectType"],
            &message["subjectName"],
            &message["audience"],
            &message["read"]
        ),
        (
            &json!("supervision"),
            &json!("Onboarding CRM"),
            &json!("user"),
            &json!(false)
        )
    );
    assert_eq!(
        message["text"],
        "Service supervision started: submit your requirement"
    );
    let in_chinese = inbox(&app, &c.dave, "?lang=zh-CN").await;
    assert_eq!(in_chinese["items"][0]["text"], "服务监管已开始，请提交需求");

    // The seller's tenant hears of the work order and the request: each of its users.
    let theirs = ["unsubscribe.requested", "work_order.opened"];
    let unread_only = "?unread=true";
    assert_eq!(events(&inbox(&app, &c.alice, unread_only).await), theirs);
    assert_eq!(events(&inbox(&app, &frank, unread_only).await), theirs);
    assert_eq!(
        inbox(&app, &c.alice, unread_only).await["items"][1]["subjectId"],
        w["workOrderId"]
    );
    assert_eq!(unread(&app, &c.bob).await, 0);
    assert_eq!(
        unread(&app, &c.carol).await,
        0,
        "nothing for operations yet"
    );

    // Marked read one by one, or all at once, for the reader only.
    let newest = inbox(&app, &c.alice, "").await["items"][0]["messageId"]
        .as_str()
        .unwrap()
        .to_owned();
    let read_one = format!("{INBOX}/{newest}/read");
    for token in [&c.bob, &c.dave, &c.carol] {
        let (status, body, _) = call(&app, Method::POST, &read_one, Some(token)).await;
        says(status, &body, 404, "No such message");
    }
    let (status, marked, _) = call(&app, Method::POST, &read_one, Some(&c.alice)).await;
    assert_eq!((status, &marked["marked"]), (200, &json!(1)));
    let (status, marked, _) = call(&app, Method::POST, &read_one, Some(&c.alice)).await;
    assert_eq!(
        (status, &marked["marked"]),
        (200, &json!(0)),
        "read already"
    );
    assert_eq!(unread(&app, &c.alice).await, 1);
    assert_eq!(unread(&app, &frank).await, 2, "frank has read nothing");
    assert_eq!(
        events(&inbox(&app, &c.alice, "?unread=true").await),
        ["work_order.opened"]
    );
    let all = inbox(&app, &c.alice, "").await;
    assert_eq!(all["total"], 3, "read ones stay listed");
    assert_eq!(all["items"][0]["read"], true);

    // The seller acts: the buyer hears; escalation reaches the operators.
    let act = format!(
        "/api/marketplace/v1/seller/work-orders/{}/actions",
        w["workOrderId"].as_str().unwrap()
    );
    let (status, _) = send_json(
        &app,
        Method::POST,
        &act,
        &c.alice,
        &json!({"action": "accept"}),
    )
    .await;
    assert_eq!(status, 200);
    let (status, _) = send_json(
        &app,
        Method::POST,
        &act,
        &c.alice,
        &json!({"action": "escalate", "message": "Needs the platform"}),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(
        events(&inbox(&app, &c.carol, "?unread=true").await),
        ["work_order.escalated"]
    );
    assert_eq!(
        events(&inbox(&app, &c.dave, "?unread=true").await),
        ["work_order.accepted", "supervision.opened"]
    );
    let (status, body, _) = call(&app, Method::POST, READ_ALL, Some(&c.dave)).await;
    assert_eq!((status, &body["marked"]), (200, &json!(2)));
    assert_eq!(unread(&app, &c.dave).await, 0);

    // Bad queries are refused; the inbox is for signed-in users.
    for query in ["?unread=maybe", "?lang=fr", "?limit=0", "?colour=red"] {
        let (status, body, _) =
            call(&app, Method::GET, &format!("{INBOX}{query}"), Some(&c.dave)).await;
        assert_eq!(status, 400, "{query}: {body}");
    }
    let (status, _, _) = call(&app, Method::GET, UNREAD, None).await;
    assert_eq!(status, 401);
}
