//! Exclusive discounts (§5.8) through the API: an operator registers a partner with its
//! authorized discounts; within them a discount is effective at once, deeper it waits
//! for manual review; the private link (and its QR code) serves only the designated
//! customer; an order through it pays the discounted price, once, and binds the partner.

use std::time::Duration;

use reqwest::Method;
use serde_json::{json, Value};

use super::subscriptions::{advance, placed, DAY};
use super::*;

const PARTNERS: &str = "/api/marketplace/v1/operator/partners";
const DISCOUNTS: &str = "/api/marketplace/v1/partner/discounts";
const APPLICATIONS: &str = "/api/marketplace/v1/partner/discount-applications";
const REVIEW: &str = "/api/marketplace/v1/operator/discounts";

async fn user_id(app: &TestApp, token: &str) -> String {
    let (status, me, _) = call(app, Method::GET, ME, Some(token)).await;
    assert_eq!(status, 200, "{me}");
    me["userId"].as_str().unwrap().to_owned()
}

async fn apply(app: &TestApp, partner: &str, body: Value) -> (u16, Value) {
    send_json(app, Method::POST, DISCOUNTS, partner, &body).await
}

fn token_of(discount: &Value) -> String {
    let link = discount["link"]
        .as_str()
        .expect("an effective discount has a link");
    assert!(link.contains("/market/discounts/"), "{link}");
    link.rsplit('/').next().unwrap().to_owned()
}

async fn listed(app: &TestApp, token: &str, path: &str) -> Vec<String> {
    let (status, page, _) = call(app, Method::GET, path, Some(token)).await;
    assert_eq!(status, 200, "{page}");
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["discountId"].as_str().unwrap().to_owned())
        .collect()
}

async fn publish_voucher(app: &TestApp, seller: &str, body: Value) -> String {
    let path = "/api/marketplace/v1/seller/vouchers";
    let (status, voucher) = send_json(app, Method::POST, path, seller, &body).await;
    assert_eq!(status, 201, "{voucher}");
    voucher["voucherId"].as_str().unwrap().to_owned()
}

fn id(v: &Value) -> String {
    v["discountId"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn a_partner_sells_at_an_exclusive_discount_through_a_private_link() {
    let mut app = TestApp::spawn().await;
    let mut c = cast(&mut app).await;
    app.create_user("erin", "tenant-p").await;
    let mut erin = token_for(&mut app, "erin").await;
    let crm = on_sale(&app, &c, &c.alice, &product("CRM")).await;
    let bobs = on_sale(&app, &c, &c.bob, &product("Bob's CRM")).await;
    let dave = user_id(&app, &c.dave).await;

    // The plan: operators only, products on sale, sensible rates.
    let membership = json!({"name": "Partner P", "authorizations": [{"productId": crm, "paidBasisPoints": 8500}]});
    let register = format!("{PARTNERS}/tenant-p");
    let (status, _) = send_json(&app, Method::PUT, &register, &c.dave, &membership).await;
    assert_eq!(status, 403, "not an operator");
    for (body, words) in [
        (
            json!({"name": "P", "authorizations": [{"productId": crm, "paidBasisPoints": 0}]}),
            "paidBasisPoints",
        ),
        (
            json!({"name": "P", "authorizations": [{"productId": "nothing", "paidBasisPoints": 9000}]}),
            "not a product on sale",
        ),
        (json!({"name": ""}), "name"),
    ] {
        let (status, refused) = send_json(&app, Method::PUT, &register, &c.carol, &body).await;
        says(status, &refused, 400, words);
    }
    let (status, body, _) = call(
        &app,
        Method::GET,
        "/api/marketplace/v1/partner/plan",
        Some(&erin),
    )
    .await;
    says(status, &body, 403, "not a partner");
    let (status, partner) = send_json(&app, Method::PUT, &register, &c.carol, &membership).await;
    assert_eq!(
        (status, &partner["state"]),
        (201, &json!("active")),
        "{partner}"
    );
    let (status, _) = send_json(&app, Method::PUT, &register, &c.carol, &membership).await;
    assert_eq!(status, 200, "registered again: replaced");
    let (status, plan, _) = call(
        &app,
        Method::GET,
        "/api/marketplace/v1/partner/plan",
        Some(&erin),
    )
    .await;
    assert_eq!(
        (status, &plan["authorizations"][0]["paidBasisPoints"]),
        (200, &json!(8500))
    );

    // Applying: within the authorized 8.5折 it is effective with a link; 8折 waits.
    let product_quote = json!({"customerId": dave, "productId": crm, "quoteType": "product", "paidBasisPoints": 9000});
    for (change, status_words) in [
        (json!({"quoteType": "bundle"}), (400, "quoteType")),
        (
            json!({"quoteType": "configuration"}),
            (400, "names its skuCode"),
        ),
        (json!({"skuCode": "basic"}), (400, "leave skuCode out")),
        (
            json!({"productId": bobs}),
            (403, "no discount for this product"),
        ),
        (json!({"paidBasisPoints": 10_000}), (400, "no discount")),
        (json!({"validDays": 91}), (400, "validDays")),
    ] {
        let mut body = product_quote.clone();
        for (k, v) in change.as_object().unwrap() {
            body[k] = v.clone();
        }
        let (status, refused) = apply(&app, &erin, body).await;
        says(status, &refused, status_words.0, status_words.1);
    }
    let (status, body) = apply(&app, &c.dave, product_quote.clone()).await;
    says(status, &body, 403, "not a partner");
    let (status, effective) = apply(&app, &erin, product_quote.clone()).await;
    assert_eq!(
        (status, &effective["state"]),
        (201, &json!("effective")),
        "{effective}"
    );
    let link = token_of(&effective);
    let (status, deeper) = apply(
        &app,
        &erin,
        json!({"customerId": dave, "productId": crm, "quoteType": "configuration", "skuCode": "basic", "paidBasisPoints": 8000}),
    )
    .await;
    assert_eq!(
        (status, &deeper["state"]),
        (201, &json!("pending_review")),
        "{deeper}"
    );
    assert!(deeper.get("link").is_none(), "no link before review");

    // The partner's list shows effective discounts only, on two tabs.
    assert_eq!(listed(&app, &erin, DISCOUNTS).await, [id(&effective)]);
    assert!(
        listed(&app, &erin, &format!("{DISCOUNTS}?tab=configuration"))
            .await
            .is_empty()
    );
    assert_eq!(listed(&app, &erin, APPLICATIONS).await.len(), 2);

    // Manual review: operators only; approved, it joins the configuration tab.
    assert_eq!(listed(&app, &c.carol, REVIEW).await, [id(&deeper)]);
    let approve = format!("{REVIEW}/{}/approve", id(&deeper));
    let (status, _) = send_json(&app, Method::POST, &approve, &c.bob, &json!({})).await;
    assert_eq!(status, 403);
    let (status, approved) = send_json(
        &app,
        Method::POST,
        &approve,
        &c.carol,
        &json!({"comment": "strategic account"}),
    )
    .await;
    assert_eq!(
        (status, &approved["state"]),
        (200, &json!("effective")),
        "{approved}"
    );
    let (status, body) = send_json(&app, Method::POST, &approve, &c.carol, &json!({})).await;
    says(
        status,
        &body,
        409,
        "approve is not possible for a discount that is effective",
    );
    assert_eq!(
        listed(&app, &erin, &format!("{DISCOUNTS}?tab=configuration")).await,
        [id(&deeper)]
    );
    let (_, shown, _) = call(
        &app,
        Method::GET,
        &format!("{DISCOUNTS}/{}", id(&deeper)),
        Some(&erin),
    )
    .await;
    let configuration_link = token_of(&shown);

    // The QR code carries the link.
    let response = app
        .backchannel
        .get(app.url(&format!("{DISCOUNTS}/{}/qr.svg", id(&effective))))
        .bearer_auth(&erin)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-type"], "image/svg+xml");
    assert!(response.text().await.unwrap().contains("<svg"));

    // The link: only the designated customer sees the discounted prices.
    let offer_path = format!("/api/marketplace/v1/buyer/discounts/{link}");
    let (status, body, _) = call(&app, Method::GET, &offer_path, Some(&c.bob)).await;
    says(status, &body, 403, "for another account");
    let (status, offer, _) = call(&app, Method::GET, &offer_path, Some(&c.dave)).await;
    assert_eq!(status, 200, "{offer}");
    assert_eq!(
        offer["skus"],
        json!([
            {"skuCode": "basic", "name": "Basic", "listPrice": 9900, "discountedPrice": 8910},
            {"skuCode": "once", "name": "Once", "listPrice": 50000, "discountedPrice": 45000}
        ])
    );
    let (status, _, _) = call(
        &app,
        Method::GET,
        "/api/marketplace/v1/buyer/discounts/nothing",
        Some(&c.dave),
    )
    .await;
    assert_eq!(status, 404);

    // Ordering through it: the quote and the line show the discount; the partner is
    // bound; once only; never by another account.
    let two_months =
        json!({"productId": crm, "skuCode": "basic", "periodNumber": 2, "discountLink": link});
    let (status, q) = send_json(
        &app,
        Method::POST,
        "/api/marketplace/v1/buyer/quotes",
        &c.dave,
        &two_months,
    )
    .await;
    assert_eq!(status, 200, "{q}");
    assert_eq!(
        (&q["listAmount"], &q["discountAmount"], &q["amount"]),
        (&json!(19_800), &json!(1980), &json!(17_820))
    );
    let (status, body) = order(&app, &c.bob, two_months.clone(), None).await;
    says(status, &body, 403, "for another account");
    let bought = placed(&app, &c.dave, two_months.clone()).await;
    let line = &bought["orderLines"][0];
    assert_eq!(
        (
            &line["discountAmount"],
            &line["amount"],
            &line["partnerTenant"],
            &line["discountId"]
        ),
        (
            &json!(1980),
            &json!(17_820),
            &json!("tenant-p"),
            &json!(id(&effective))
        )
    );
    let (status, body) = order(&app, &c.dave, two_months.clone(), None).await;
    says(status, &body, 409, "no longer effective");
    assert!(
        listed(&app, &erin, DISCOUNTS).await.is_empty(),
        "used: no longer effective"
    );
    let (_, used, _) = call(
        &app,
        Method::GET,
        &format!("{DISCOUNTS}/{}", id(&effective)),
        Some(&erin),
    )
    .await;
    assert_eq!(
        (&used["state"], &used["orderId"]),
        (&json!("used"), &bought["orderId"])
    );

    // A configuration quote is for its SKU; a voucher marked not combinable stays out.
    let (status, body) = order(
        &app,
        &c.dave,
        json!({"productId": crm, "skuCode": "once", "discountLink": configuration_link}),
        None,
    )
    .await;
    says(status, &body, 400, "for SKU basic");
    let mut lone = json!({"name": "Alone", "faceValue": 500, "validFrom": unilogin::calendar::local().day(app.clock().now_unix()), "validUntil": unilogin::calendar::local().day(app.clock().now_unix() + 9 * 86_400), "scope": "all", "totalQuantity": 9, "combinable": false});
    let alone = publish_voucher(&app, &c.alice, lone.clone()).await;
    lone["name"] = json!("Together");
    lone["combinable"] = json!(true);
    let together = publish_voucher(&app, &c.alice, lone).await;
    let mut coupons = Vec::new();
    for voucher in [&alone, &together] {
        let (status, coupon) = send_json(
            &app,
            Method::POST,
            "/api/marketplace/v1/buyer/vouchers",
            &c.dave,
            &json!({"voucherId": voucher}),
        )
        .await;
        assert_eq!(status, 201, "{coupon}");
        coupons.push(coupon["couponId"].as_str().unwrap().to_owned());
    }
    let month = |coupon: &str| json!({"productId": crm, "skuCode": "basic", "periodNumber": 1, "discountLink": configuration_link, "couponId": coupon});
    let (status, body) = order(&app, &c.dave, month(&coupons[0]), None).await;
    says(
        status,
        &body,
        400,
        "does not combine with an exclusive discount",
    );
    let both = placed(&app, &c.dave, month(&coupons[1])).await;
    let line = &both["orderLines"][0];
    assert_eq!(
        (
            &line["listAmount"],
            &line["discountAmount"],
            &line["voucherAmount"],
            &line["amount"]
        ),
        (&json!(9900), &json!(1980), &json!(500), &json!(7420))
    );

    // Withdrawn, rejected, expired, or the partner out of the plan: the link is dead.
    let (_, withdrawn) = apply(&app, &erin, product_quote.clone()).await;
    let (status, body, _) = call(
        &app,
        Method::POST,
        &format!("{DISCOUNTS}/{}/withdraw", id(&withdrawn)),
        Some(&erin),
    )
    .await;
    assert_eq!(
        (status, &body["state"]),
        (200, &json!("withdrawn")),
        "{body}"
    );
    let (status, body, _) = call(
        &app,
        Method::GET,
        &format!(
            "/api/marketplace/v1/buyer/discounts/{}",
            withdrawn["link"]
                .as_str()
                .unwrap()
                .rsplit('/')
                .next()
                .unwrap()
        ),
        Some(&c.dave),
    )
    .await;
    says(status, &body, 409, "withdrawn");
    let (_, deepest) = apply(&app, &erin, json!({"customerId": dave, "productId": crm, "quoteType": "product", "paidBasisPoints": 5000})).await;
    let (status, rejected) = send_json(
        &app,
        Method::POST,
        &format!("{REVIEW}/{}/reject", id(&deepest)),
        &c.carol,
        &json!({"comment": "too deep"}),
    )
    .await;
    assert_eq!(
        (status, &rejected["state"], &rejected["comment"]),
        (200, &json!("rejected"), &json!("too deep"))
    );
    let mut short = product_quote.clone();
    short["validDays"] = json!(1);
    let (_, short) = apply(&app, &erin, short).await;
    let short_link = token_of(&short);
    advance(&mut app, &mut c, Duration::from_secs(2 * DAY)).await;
    erin = token_for(&mut app, "erin").await;
    let (status, body, _) = call(
        &app,
        Method::GET,
        &format!("/api/marketplace/v1/buyer/discounts/{short_link}"),
        Some(&c.dave),
    )
    .await;
    says(status, &body, 409, "expired");
    let (_, last) = apply(&app, &erin, product_quote.clone()).await;

    // A reseller under erin's tenant: no deeper than its distributor, in the plan while
    // the distributor is.
    app.create_user("frank", "tenant-r").await;
    let frank = token_for(&mut app, "frank").await;
    let reseller = format!("{PARTNERS}/tenant-r");
    let deeper_than_distributor = json!({"name": "Reseller R", "distributorTenantId": "tenant-p",
        "authorizations": [{"productId": crm, "paidBasisPoints": 8000}]});
    let (status, body) = send_json(
        &app,
        Method::PUT,
        &reseller,
        &c.carol,
        &deeper_than_distributor,
    )
    .await;
    says(status, &body, 400, "no deeper than its distributor");
    let (status, body) = send_json(
        &app,
        Method::PUT,
        &reseller,
        &c.carol,
        &json!({"name": "R", "distributorTenantId": "tenant-x"}),
    )
    .await;
    says(status, &body, 400, "not a distributor in the plan");
    let within_distributor = json!({"name": "Reseller R", "distributorTenantId": "tenant-p",
        "authorizations": [{"productId": crm, "paidBasisPoints": 9000}]});
    let (status, registered) =
        send_json(&app, Method::PUT, &reseller, &c.carol, &within_distributor).await;
    assert_eq!(
        (status, &registered["distributorTenantId"]),
        (201, &json!("tenant-p")),
        "{registered}"
    );
    let (status, resold) = apply(&app, &frank, product_quote.clone()).await;
    assert_eq!(
        (status, &resold["state"]),
        (201, &json!("effective")),
        "{resold}"
    );

    let (status, _, _) = call(&app, Method::DELETE, &register, Some(&c.carol)).await;
    assert_eq!(status, 204);
    let (status, body, _) = call(
        &app,
        Method::GET,
        &format!("/api/marketplace/v1/buyer/discounts/{}", token_of(&last)),
        Some(&c.dave),
    )
    .await;
    says(status, &body, 409, "left the plan");
    let (status, _) = apply(&app, &erin, product_quote.clone()).await;
    assert_eq!(status, 403, "out of the plan");
    let (status, body, _) = call(
        &app,
        Method::GET,
        &format!("/api/marketplace/v1/buyer/discounts/{}", token_of(&resold)),
        Some(&c.dave),
    )
    .await;
    says(status, &body, 409, "left the plan");
    let (status, _) = apply(&app, &frank, product_quote).await;
    assert_eq!(status, 403, "a reseller leaves with its distributor");
}
