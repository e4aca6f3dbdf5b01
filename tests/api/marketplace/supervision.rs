//! Service supervision (§5.1) through the API on the moved clock: the requirement flow
//! with its rejections, the appeals (the seller's after 5 days waiting on the buyer, the
//! buyer's when the seller is late, after the 4th rejection, or at any node), the
//! operator's queue and resolutions, completion starting the validity period and making
//! the settlement due; hardware's delivery with logistics; unsubscribing closing it; and
//! who may see and do what.

use std::time::Duration;

use reqwest::Method;
use serde_json::{json, Value};

use super::subscriptions::{advance, placed, subscription_of, DAY};
use super::*;

const BUYER: &str = "/api/marketplace/v1/buyer/supervisions";
const SELLER: &str = "/api/marketplace/v1/seller/supervisions";
const OPERATOR: &str = "/api/marketplace/v1/operator/supervisions";

fn supervised_crm() -> Value {
    let mut body = product("Onboarding CRM");
    body["supervised"] = json!(true);
    body
}

/// The supervisions of `order` as `base`'s side sees them.
async fn of_order(app: &TestApp, base: &str, token: &str, order: &Value) -> Value {
    let path = format!("{base}?orderId={}", order["orderId"].as_str().unwrap());
    let (status, page, _) = call(app, Method::GET, &path, Some(token)).await;
    assert_eq!(status, 200, "{page}");
    page
}

/// The one supervision of `order`, as its buyer sees it.
async fn supervision_of(app: &TestApp, token: &str, order: &Value) -> Value {
    let page = of_order(app, BUYER, token, order).await;
    assert_eq!(page["total"], 1, "{page}");
    page["items"][0].clone()
}

async fn take(app: &TestApp, base: &str, token: &str, sup: &Value, body: Value) -> (u16, Value) {
    let path = format!("{base}/{}/steps", sup["supervisionId"].as_str().unwrap());
    send_json(app, Method::POST, &path, token, &body).await
}

/// A step that must be taken: the supervision as it is after it.
async fn taken(app: &TestApp, base: &str, token: &str, sup: &Value, body: Value) -> Value {
    let (status, next) = take(app, base, token, sup, body).await;
    assert_eq!(status, 200, "{next}");
    next
}

async fn show(app: &TestApp, base: &str, token: &str, sup: &Value) -> (u16, Value) {
    let path = format!("{base}/{}", sup["supervisionId"].as_str().unwrap());
    let (status, body, _) = call(app, Method::GET, &path, Some(token)).await;
    (status, body)
}

fn actions(sup: &Value) -> Vec<String> {
    sup["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            format!(
                "{}:{}",
                e["actor"].as_str().unwrap(),
                e["action"].as_str().unwrap()
            )
        })
        .collect()
}

/// `yyyy-MM-dd` of a unix time.
fn day_of(unix: i64) -> String {
    let c = unilogin::calendar::compact(unix);
    format!("{}-{}-{}", &c[0..4], &c[4..6], &c[6..8])
}

#[tokio::test]
async fn a_supervised_order_goes_from_requirement_to_acceptance_through_rejections_and_appeals() {
    let mut app = TestApp::spawn().await;
    let mut c = cast(&mut app).await;
    let crm = on_sale(&app, &c, &c.alice, &supervised_crm()).await;
    let month = json!({"productId": crm, "skuCode": "basic", "periodNumber": 1});
    let bought = placed(&app, &c.dave, month).await;
    let expires_at = subscription_of(&app, &c.dave, &bought).await["expiresAt"]
        .as_i64()
        .unwrap();
    let sup = supervision_of(&app, &c.dave, &bought).await;
    assert_eq!(
        (
            &sup["flow"],
            &sup["state"],
            &sup["waitingOn"],
            &sup["settlement"]
        ),
        (
            &json!("requirement"),
            &json!("awaiting_requirement"),
            &json!("buyer"),
            &json!("held")
        ),
        "{sup}"
    );

    // Only the parties see it; nobody takes another side's step.
    assert_eq!(show(&app, SELLER, &c.alice, &sup).await.0, 200);
    assert_eq!(
        show(&app, SELLER, &c.bob, &sup).await.0,
        404,
        "another seller"
    );
    assert_eq!(of_order(&app, SELLER, &c.bob, &bought).await["total"], 0);
    assert_eq!(
        show(&app, BUYER, &c.alice, &sup).await.0,
        404,
        "not alice's order"
    );
    assert_eq!(
        show(&app, SELLER, &c.dave, &sup).await.0,
        403,
        "dave sells nothing"
    );
    let (status, _) = show(&app, OPERATOR, &c.dave, &sup).await;
    assert_eq!(status, 403);
    let (status, body) = take(&app, SELLER, &c.alice, &sup, json!({"action": "accept"})).await;
    says(status, &body, 403, "accept is the buyer's step");
    let (status, body) = take(
        &app,
        BUYER,
        &c.dave,
        &sup,
        json!({"action": "confirm_requirement"}),
    )
    .await;
    says(status, &body, 403, "the seller's step");
    let (status, body) = take(&app, BUYER, &c.dave, &sup, json!({"action": "teleport"})).await;
    says(status, &body, 400, "unknown action");

    // The requirement comes with an upload of the buyer's own.
    let submit = |attachments: Vec<String>| {
        json!({"action": "submit_requirement", "comment": "Import our 2,000 contacts\nby Friday",
               "attachments": attachments})
    };
    let (status, body) = take(&app, BUYER, &c.dave, &sup, submit(vec![])).await;
    says(status, &body, 400, "attach the requirement");
    let bobs = uploaded(&app, &c.bob, "bob.png").await;
    let (status, body) = take(&app, BUYER, &c.dave, &sup, submit(vec![bobs.clone()])).await;
    says(status, &body, 400, "upload of yours");
    assert_eq!(
        actions(&show(&app, BUYER, &c.dave, &sup).await.1),
        ["system:opened"]
    );
    let requirement = uploaded(&app, &c.dave, "requirement.png").await;
    let sup = taken(
        &app,
        BUYER,
        &c.dave,
        &sup,
        submit(vec![requirement.clone()]),
    )
    .await;
    assert_eq!(
        (&sup["state"], &sup["waitingOn"]),
        (&json!("requirement_submitted"), &json!("seller"))
    );

    // The seller rejects it (saying why), then confirms the second one.
    let (status, body) = take(
        &app,
        SELLER,
        &c.alice,
        &sup,
        json!({"action": "reject_requirement"}),
    )
    .await;
    says(status, &body, 400, "say why in the comment");
    let sup = taken(
        &app,
        SELLER,
        &c.alice,
        &sup,
        json!({"action": "reject_requirement", "comment": "Which fields map to ours?"}),
    )
    .await;
    assert_eq!(
        (&sup["state"], &sup["rejections"]),
        (&json!("awaiting_requirement"), &json!(1))
    );
    let revised = uploaded(&app, &c.dave, "requirement-v2.png").await;
    let sup = taken(&app, BUYER, &c.dave, &sup, submit(vec![revised])).await;
    let sup = taken(
        &app,
        SELLER,
        &c.alice,
        &sup,
        json!({"action": "confirm_requirement"}),
    )
    .await;
    assert_eq!(sup["state"], "awaiting_delivery");

    // The seller appeals only while the flow waits on the buyer; the buyer, when the
    // seller has been late for more than 5 days.
    let proof = uploaded(&app, &c.alice, "proof.png").await;
    let (status, body) = take(
        &app,
        SELLER,
        &c.alice,
        &sup,
        json!({"action": "appeal", "comment": "stuck", "attachments": [proof]}),
    )
    .await;
    says(status, &body, 409, "only while the flow waits on the buyer");
    advance(&mut app, &mut c, Duration::from_secs(5 * DAY + 1)).await;
    let sup = taken(
        &app,
        BUYER,
        &c.dave,
        &sup,
        json!({"action": "appeal", "comment": "Nothing for five days"}),
    )
    .await;
    assert_eq!(
        (
            &sup["state"],
            &sup["waitingOn"],
            &sup["appeal"]["ground"],
            &sup["appeal"]["frozenAt"]
        ),
        (
            &json!("appealed"),
            &json!("operator"),
            &json!("seller_overdue"),
            &json!("awaiting_delivery")
        ),
        "{sup}"
    );
    let appealed_at = sup["appeal"]["appealedAt"].as_i64().unwrap();
    assert_eq!(
        sup["appeal"]["resolveBy"].as_i64().unwrap(),
        unilogin::calendar::add_working_days(appealed_at, 3)
    );
    let report = uploaded(&app, &c.alice, "report.png").await;
    let deliver = |attachments: Value| json!({"action": "deliver", "attachments": attachments});
    let (status, body) = take(&app, SELLER, &c.alice, &sup, deliver(json!([report]))).await;
    says(status, &body, 409, "appealed cannot be delivered");

    // The operator's queue shows how long it has waited against 3 working days.
    advance(&mut app, &mut c, Duration::from_secs(DAY)).await;
    let (status, queue, _) = call(&app, Method::GET, OPERATOR, Some(&c.carol)).await;
    assert_eq!((status, &queue["total"]), (200, &json!(1)), "{queue}");
    about(&queue["items"][0]["appeal"]["waited"], DAY as i64);
    assert_eq!(queue["items"][0]["appeal"]["overdue"], json!(false));
    let (status, body) = take(
        &app,
        OPERATOR,
        &c.carol,
        &sup,
        json!({"action": "resume", "resumeAt": "delivered", "comment": "go on"}),
    )
    .await;
    says(status, &body, 409, "nothing was delivered yet");
    let (status, body) = take(
        &app,
        OPERATOR,
        &c.carol,
        &sup,
        json!({"action": "resume", "resumeAt": "nowhere", "comment": "go on"}),
    )
    .await;
    says(status, &body, 400, "resumeAt is");
    let sup = taken(
        &app,
        OPERATOR,
        &c.carol,
        &sup,
        json!({"action": "resume", "resumeAt": "awaiting_delivery",
               "comment": "The seller has agreed to deliver this week"}),
    )
    .await;
    assert_eq!(
        (&sup["state"], &sup["appeal"]),
        (&json!("awaiting_delivery"), &Value::Null)
    );
    assert_eq!(
        call(&app, Method::GET, OPERATOR, Some(&c.carol)).await.1["total"],
        0,
        "resolved: out of the queue"
    );

    // A delivery carries its report; the buyer rejects it three times …
    let (status, body) = take(&app, SELLER, &c.alice, &sup, deliver(json!([]))).await;
    says(
        status,
        &body,
        400,
        "acceptance report or the delivery proof",
    );
    let (status, body) = take(
        &app,
        SELLER,
        &c.alice,
        &sup,
        json!({"action": "deliver", "attachments": [report], "carrier": "SF", "trackingNumber": "1"}),
    )
    .await;
    says(status, &body, 400, "for hardware deliveries");
    let mut sup = sup;
    for round in 2..=4 {
        sup = taken(&app, SELLER, &c.alice, &sup, deliver(json!([report]))).await;
        assert_eq!(
            (&sup["state"], &sup["waitingOn"]),
            (&json!("delivered"), &json!("buyer"))
        );
        if round == 4 {
            break;
        }
        sup = taken(
            &app,
            BUYER,
            &c.dave,
            &sup,
            json!({"action": "reject_delivery", "comment": format!("Round {round}: contacts missing")}),
        )
        .await;
        assert_eq!(sup["rejections"], json!(round));
    }
    // … after three, the buyer's appeal is on no particular ground (the newer rule) …
    let sup = taken(
        &app,
        BUYER,
        &c.dave,
        &sup,
        json!({"action": "appeal", "comment": "Still incomplete"}),
    )
    .await;
    assert_eq!(sup["appeal"]["ground"], "any_node");
    let sup = taken(
        &app,
        OPERATOR,
        &c.carol,
        &sup,
        json!({"action": "resume", "resumeAt": "delivered", "comment": "Check the delivery again"}),
    )
    .await;
    assert_eq!(sup["state"], "delivered");
    // … after the 4th, on the rejections.
    let sup = taken(
        &app,
        BUYER,
        &c.dave,
        &sup,
        json!({"action": "reject_delivery", "comment": "Round 4: contacts missing"}),
    )
    .await;
    assert_eq!(sup["rejections"], 4);
    let start = day_of(app.clock().now_unix() + 2 * DAY as i64);
    let sup = taken(
        &app,
        SELLER,
        &c.alice,
        &sup,
        json!({"action": "deliver", "attachments": [report], "actualStartDate": start}),
    )
    .await;
    let sup = taken(
        &app,
        BUYER,
        &c.dave,
        &sup,
        json!({"action": "appeal", "comment": "Four rejections"}),
    )
    .await;
    assert_eq!(sup["appeal"]["ground"], "repeated_rejections");
    let sup = taken(
        &app,
        OPERATOR,
        &c.carol,
        &sup,
        json!({"action": "resume", "resumeAt": "delivered", "comment": "Verified: all contacts imported"}),
    )
    .await;

    // The buyer does not answer: after 5 days the seller appeals with the proof.
    let appeal = |attachments: Value| json!({"action": "appeal", "comment": "No answer from the buyer", "attachments": attachments});
    let (status, body) = take(&app, SELLER, &c.alice, &sup, appeal(json!([proof]))).await;
    says(status, &body, 409, "the buyer has 5 days");
    advance(&mut app, &mut c, Duration::from_secs(5 * DAY + 1)).await;
    let (status, body) = take(&app, SELLER, &c.alice, &sup, appeal(json!([]))).await;
    says(status, &body, 400, "attaches the delivery proof");
    let sup = taken(&app, SELLER, &c.alice, &sup, appeal(json!([proof]))).await;
    assert_eq!(
        (&sup["appeal"]["by"], &sup["appeal"]["ground"]),
        (&json!("seller"), &json!("buyer_overdue"))
    );
    let (status, body) = take(&app, BUYER, &c.dave, &sup, json!({"action": "accept"})).await;
    says(status, &body, 409, "appealed cannot be accepted");
    let (status, body) = take(
        &app,
        OPERATOR,
        &c.carol,
        &sup,
        json!({"action": "complete"}),
    )
    .await;
    says(status, &body, 400, "say why");
    let sup = taken(
        &app,
        OPERATOR,
        &c.carol,
        &sup,
        json!({"action": "complete", "comment": "Delivered as agreed"}),
    )
    .await;

    // Completed: the settlement is due; the period runs from the actual start.
    let valid_from = unilogin::calendar::parse_day(&start).unwrap();
    assert_eq!(
        (
            &sup["state"],
            &sup["settlement"],
            &sup["validFrom"],
            &sup["waitingOn"]
        ),
        (
            &json!("completed"),
            &json!("due"),
            &json!(valid_from),
            &Value::Null
        ),
        "{sup}"
    );
    let shift = valid_from - sup["createdAt"].as_i64().unwrap();
    assert_eq!(
        subscription_of(&app, &c.dave, &bought).await["expiresAt"],
        json!(expires_at + shift)
    );
    let (status, body) = take(
        &app,
        OPERATOR,
        &c.carol,
        &sup,
        json!({"action": "complete", "comment": "again"}),
    )
    .await;
    says(
        status,
        &body,
        409,
        "completed cannot be completed by an operator",
    );

    // Both sides read one history, each entry with its actor, comment and attachments.
    let (_, seen_by_buyer) = show(&app, BUYER, &c.dave, &sup).await;
    let (_, seen_by_seller) = show(&app, SELLER, &c.alice, &sup).await;
    assert_eq!(seen_by_buyer["history"], seen_by_seller["history"]);
    assert_eq!(
        actions(&seen_by_buyer),
        [
            "system:opened",
            "buyer:requirement submitted",
            "seller:requirement rejected",
            "buyer:requirement submitted",
            "seller:requirement confirmed",
            "buyer:appealed",
            "operator:resumed by an operator",
            "seller:delivered",
            "buyer:delivery rejected",
            "seller:delivered",
            "buyer:delivery rejected",
            "seller:delivered",
            "buyer:appealed",
            "operator:resumed by an operator",
            "buyer:delivery rejected",
            "seller:delivered",
            "buyer:appealed",
            "operator:resumed by an operator",
            "seller:appealed",
            "operator:completed by an operator",
        ]
    );
    let first = &seen_by_buyer["history"][1];
    assert_eq!(first["comment"], "Import our 2,000 contacts\nby Friday");
    assert_eq!(first["attachments"], json!([requirement]));

    // Attachments go to the parties and operators only.
    for (attachment, token, want) in [
        (&requirement, &c.alice, 200),
        (&requirement, &c.carol, 200),
        (&requirement, &c.bob, 404),
        (&proof, &c.dave, 200),
        (&bobs, &c.dave, 404),
    ] {
        assert_eq!(
            download_status(&app, token, attachment).await,
            want,
            "{attachment}"
        );
    }

    // The delivery was accepted: no unsubscribing; a renewal opens no supervision.
    let (status, body) = send_json(
        &app,
        Method::POST,
        BUYER_UNSUBSCRIBE,
        &c.dave,
        &json!({"orderId": bought["orderId"], "reasonType": "other", "reason": "changed our mind"}),
    )
    .await;
    says(status, &body, 409, "service supervision completed");
    let renewal = placed(
        &app,
        &c.dave,
        json!({"productId": crm, "skuCode": "basic", "orderType": "RENEW",
               "relatedOrderId": bought["orderId"], "periodNumber": 1}),
    )
    .await;
    assert_eq!(of_order(&app, BUYER, &c.dave, &renewal).await["total"], 0);
    let (_, mine, _) = call(&app, Method::GET, BUYER, Some(&c.dave)).await;
    assert_eq!(mine["total"], 1);
}

#[tokio::test]
async fn hardware_starts_at_delivery_with_logistics_and_unsubscribing_closes_an_open_one() {
    let mut app = TestApp::spawn().await;
    let c = cast(&mut app).await;
    let gateway = on_sale(&app, &c, &c.alice, &hardware()).await;
    let crm = on_sale(&app, &c, &c.alice, &supervised_crm()).await;
    let plain = on_sale(&app, &c, &c.bob, &product("Plain CRM")).await;

    let boxed = placed(
        &app,
        &c.dave,
        json!({"productId": gateway, "skuCode": "box", "shipping":
            {"recipient": "Dave", "phone": "+86 10 5555 0100", "address": "1 Road, Beijing"}}),
    )
    .await;
    let sup = supervision_of(&app, &c.dave, &boxed).await;
    assert_eq!(
        (&sup["flow"], &sup["state"], &sup["waitingOn"]),
        (
            &json!("delivery_first"),
            &json!("awaiting_delivery"),
            &json!("seller")
        )
    );
    let (status, body) = take(
        &app,
        BUYER,
        &c.dave,
        &sup,
        json!({"action": "submit_requirement", "attachments": [uploaded(&app, &c.dave, "r.png").await]}),
    )
    .await;
    says(
        status,
        &body,
        409,
        "awaiting_delivery cannot be requirement submitted",
    );

    // A hardware delivery names its carrier and tracking number; the buyer sees them.
    let proof = uploaded(&app, &c.alice, "waybill.png").await;
    let (status, body) = take(
        &app,
        SELLER,
        &c.alice,
        &sup,
        json!({"action": "deliver", "attachments": [proof]}),
    )
    .await;
    says(status, &body, 400, "names its carrier and trackingNumber");
    let (status, body) = take(
        &app,
        SELLER,
        &c.alice,
        &sup,
        json!({"action": "deliver", "attachments": [proof], "carrier": "SF Express"}),
    )
    .await;
    says(status, &body, 400, "come together");
    let sup = taken(
        &app,
        SELLER,
        &c.alice,
        &sup,
        json!({"action": "deliver", "attachments": [proof], "carrier": "SF Express",
               "trackingNumber": "SF1234567890"}),
    )
    .await;
    let (_, seen) = show(&app, BUYER, &c.dave, &sup).await;
    assert_eq!(
        (&seen["state"], &seen["carrier"], &seen["trackingNumber"]),
        (
            &json!("delivered"),
            &json!("SF Express"),
            &json!("SF1234567890")
        )
    );
    // The delivery is the order's shipment: the buyer confirms its receipt.
    let receipt = format!("{ORDERS}/{}/receipt", boxed["orderId"].as_str().unwrap());
    let (status, received, _) = call(&app, Method::POST, &receipt, Some(&c.dave)).await;
    assert_eq!(
        (status, &received["trackingNumber"]),
        (200, &json!("SF1234567890")),
        "{received}"
    );
    let sup = taken(&app, BUYER, &c.dave, &sup, json!({"action": "accept"})).await;
    assert_eq!(
        (&sup["state"], &sup["settlement"]),
        (&json!("completed"), &json!("due"))
    );

    // Unsubscribed before acceptance, the supervision closes and tells both sides.
    let month = placed(
        &app,
        &c.dave,
        json!({"productId": crm, "skuCode": "basic", "periodNumber": 1}),
    )
    .await;
    let open = supervision_of(&app, &c.dave, &month).await;
    let (status, asked) = send_json(
        &app,
        Method::POST,
        BUYER_UNSUBSCRIBE,
        &c.dave,
        &json!({"orderId": month["orderId"], "reasonType": "no_longer_needed", "reason": "not needed"}),
    )
    .await;
    assert_eq!(status, 201, "{asked}");
    let approve = format!(
        "{SELLER_UNSUBSCRIBE}/{}/approve",
        asked["requestId"].as_str().unwrap()
    );
    let (status, done) = send_json(
        &app,
        Method::POST,
        &approve,
        &c.alice,
        &json!({"comment": "ok"}),
    )
    .await;
    assert_eq!(
        (status, &done["state"]),
        (200, &json!("completed")),
        "{done}"
    );
    let (_, closed) = show(&app, BUYER, &c.dave, &open).await;
    assert_eq!(closed["state"], "closed");
    assert_eq!(
        actions(&closed).last().unwrap(),
        "system:closed: the order was unsubscribed"
    );
    let (status, body) = take(
        &app,
        BUYER,
        &c.dave,
        &open,
        json!({"action": "appeal", "comment": "late"}),
    )
    .await;
    says(status, &body, 409, "closed cannot be appealed");

    // A product that is not supervised opens none.
    let unsupervised = placed(
        &app,
        &c.dave,
        json!({"productId": plain, "skuCode": "basic", "periodNumber": 1}),
    )
    .await;
    assert_eq!(
        of_order(&app, BUYER, &c.dave, &unsupervised).await["total"],
        0
    );
    let (_, bobs, _) = call(&app, Method::GET, SELLER, Some(&c.bob)).await;
    assert_eq!(bobs["total"], 0);
    let (_, alices, _) = call(
        &app,
        Method::GET,
        &format!("{SELLER}?state=completed"),
        Some(&c.alice),
    )
    .await;
    assert_eq!(alices["total"], 1);
    let (status, body, _) = call(
        &app,
        Method::GET,
        &format!("{SELLER}?state=done"),
        Some(&c.alice),
    )
    .await;
    says(status, &body, 400, "state is one of");
}
