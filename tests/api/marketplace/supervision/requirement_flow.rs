//! The requirement flow from opening to acceptance: rejections, appeals, the operator queue, completion starting the validity period.

use super::*;

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
        unilogin::calendar::local().add_working_days(appealed_at, 3)
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

    // The first report has waited a day unattached, so it is gone: uploaded again.
    let report = uploaded(&app, &c.alice, "report.png").await;
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

    // The buyer does not answer: after 5 days the seller appeals with the proof (uploaded
    // again: the first, never attached, was swept after a day).
    let proof = uploaded(&app, &c.alice, "proof.png").await;
    let appeal = |attachments: Value| json!({"action": "appeal", "comment": "No answer from the buyer", "attachments": attachments});
    let (status, body) = take(&app, SELLER, &c.alice, &sup, appeal(json!([proof]))).await;
    says(status, &body, 409, "the buyer has 5 days");
    advance(&mut app, &mut c, Duration::from_secs(5 * DAY + 1)).await;
    let (status, body) = take(&app, SELLER, &c.alice, &sup, appeal(json!([]))).await;
    says(status, &body, 400, "attaches the delivery proof");
    // Five days on, that proof has been swept too.
    let proof = uploaded(&app, &c.alice, "proof.png").await;
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
    let valid_from = unilogin::calendar::local().parse_day(&start).unwrap();
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
