//! Vouchers (§5.3) through the API: a seller publishes them for its products or SKUs,
//! buyers claim them within the quantity and their limit (also when racing), an order
//! pays part of its amount with one — one per order, never another buyer's, void when
//! expired — and a 5-day no-reason unsubscription gives it back while other refunds do
//! not. The quote shows the price breakdown before ordering.

use std::time::Duration;

use reqwest::Method;
use serde_json::{json, Value};

use super::subscriptions::{advance, placed, DAY};
use super::*;

mod refunds_and_races;

const SELLER_VOUCHERS: &str = "/api/marketplace/v1/seller/vouchers";
const BUYER_VOUCHERS: &str = "/api/marketplace/v1/buyer/vouchers";
const QUOTES: &str = "/api/marketplace/v1/buyer/quotes";

/// `yyyy-MM-dd` of the app's clock, `days` from now.
fn day(app: &TestApp, days: i64) -> String {
    unilogin::calendar::local().day(app.clock().now_unix() + days * 86_400)
}

fn voucher(app: &TestApp, name: &str, face: i64, minimum: i64) -> Value {
    json!({
        "name": name, "faceValue": face, "minimumSpend": minimum,
        "validFrom": day(app, 0), "validUntil": day(app, 30),
        "scope": "all", "totalQuantity": 100, "perBuyerLimit": 1,
    })
}

async fn publish(app: &TestApp, seller: &str, body: &Value) -> String {
    let (status, published) = send_json(app, Method::POST, SELLER_VOUCHERS, seller, body).await;
    assert_eq!(status, 201, "{published}");
    published["voucherId"].as_str().unwrap().to_owned()
}

async fn claim(app: &TestApp, buyer: &str, voucher_id: &str) -> (u16, Value) {
    send_json(
        app,
        Method::POST,
        BUYER_VOUCHERS,
        buyer,
        &json!({ "voucherId": voucher_id }),
    )
    .await
}

async fn claimed(app: &TestApp, buyer: &str, voucher_id: &str) -> String {
    let (status, coupon) = claim(app, buyer, voucher_id).await;
    assert_eq!(status, 201, "{coupon}");
    assert_eq!(
        (&coupon["status"], &coupon["statusName"]),
        (&json!(2), &json!("unused"))
    );
    coupon["couponId"].as_str().unwrap().to_owned()
}

/// The buyer's coupons on a tab.
async fn tab(app: &TestApp, buyer: &str, name: &str) -> Vec<Value> {
    let (status, page, _) = call(
        app,
        Method::GET,
        &format!("{BUYER_VOUCHERS}?tab={name}"),
        Some(buyer),
    )
    .await;
    assert_eq!(status, 200, "{page}");
    page["items"].as_array().unwrap().clone()
}

fn coupon_ids(coupons: &[Value]) -> Vec<&str> {
    coupons
        .iter()
        .map(|c| c["couponId"].as_str().unwrap())
        .collect()
}

async fn quote(app: &TestApp, buyer: &str, body: &Value) -> (u16, Value) {
    send_json(app, Method::POST, QUOTES, buyer, body).await
}

#[tokio::test]
async fn a_seller_publishes_vouchers_and_a_buyer_claims_one_and_pays_with_it() {
    let mut app = TestApp::spawn().await;
    let mut c = cast(&mut app).await;
    app.create_user("erin", "tenant-e").await;
    let erin = token_for(&mut app, "erin").await;
    let crm = on_sale(&app, &c, &c.alice, &product("CRM")).await;
    let bobs = on_sale(&app, &c, &c.bob, &product("Bob's CRM")).await;

    // Publishing: the seller's own products and SKUs, sensible terms, sellers only.
    let refusals = [
        (json!({"faceValue": 0}), "faceValue"),
        (
            json!({"validFrom": day(&app, 5), "validUntil": day(&app, 4)}),
            "validUntil",
        ),
        (
            json!({"validFrom": day(&app, -10), "validUntil": day(&app, -1)}),
            "already over",
        ),
        (json!({"validUntil": "2026/12/31"}), "yyyy-MM-dd"),
        (json!({"perBuyerLimit": 101}), "perBuyerLimit"),
        (
            json!({"scope": "products", "items": [{"productId": bobs}]}),
            "not a product of yours",
        ),
        (
            json!({"scope": "skus", "items": [{"productId": crm, "skuCode": "gold"}]}),
            "no SKU gold",
        ),
        (
            json!({"scope": "skus", "items": [{"productId": crm}]}),
            "needs a skuCode",
        ),
        (
            json!({"scope": "all", "items": [{"productId": crm}]}),
            "takes no items",
        ),
        (json!({"colour": "red"}), "unknown field"),
    ];
    for (change, words) in refusals {
        let mut body = voucher(&app, "¥20 off", 2000, 10_000);
        for (k, v) in change.as_object().unwrap() {
            body[k] = v.clone();
        }
        let (status, refused) =
            send_json(&app, Method::POST, SELLER_VOUCHERS, &c.alice, &body).await;
        says(status, &refused, 400, words);
    }
    let (status, _) = send_json(
        &app,
        Method::POST,
        SELLER_VOUCHERS,
        &c.dave,
        &voucher(&app, "x", 1, 0),
    )
    .await;
    assert_eq!(status, 403, "a buyer does not publish");
    assert_eq!(
        call(&app, Method::GET, SELLER_VOUCHERS, Some(&c.alice))
            .await
            .1["total"],
        0,
        "no refusal stored anything"
    );

    // ¥20 off from ¥100, three in all, one each; ¥5 off the monthly SKU only, two each,
    // not combinable with an exclusive discount.
    let mut twenty = voucher(&app, "¥20 off ¥100", 2000, 10_000);
    twenty["totalQuantity"] = json!(3);
    let twenty = publish(&app, &c.alice, &twenty).await;
    let mut five = voucher(&app, "¥5 off monthly", 500, 0);
    five["scope"] = json!("skus");
    five["items"] = json!([{"productId": crm, "skuCode": "basic"}]);
    five["perBuyerLimit"] = json!(2);
    five["combinable"] = json!(false);
    let five = publish(&app, &c.alice, &five).await;
    let _bobs_own = publish(&app, &c.bob, &voucher(&app, "Bob's", 100, 0)).await;

    // The product page offers the seller's vouchers for it.
    let (status, offered, _) = call(
        &app,
        Method::GET,
        &format!("/api/marketplace/v1/products/{crm}/vouchers"),
        Some(&c.dave),
    )
    .await;
    assert_eq!(status, 200, "{offered}");
    let names: Vec<&str> = offered
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["¥5 off monthly", "¥20 off ¥100"]);
    assert!(offered[0]["claimable"].as_bool().unwrap());

    // Claiming: not one's own tenant's, one each, three in all.
    let (status, body) = claim(&app, &c.alice, &twenty).await;
    says(status, &body, 409, "your own tenant");
    let daves = claimed(&app, &c.dave, &twenty).await;
    let (status, body) = claim(&app, &c.dave, &twenty).await;
    says(
        status,
        &body,
        409,
        "as many of this voucher as one buyer may (1)",
    );
    claimed(&app, &c.bob, &twenty).await;
    claimed(&app, &c.carol, &twenty).await;
    let (status, body) = claim(&app, &erin, &twenty).await;
    says(status, &body, 409, "all of this voucher's quantity");
    let (status, body) = claim(&app, &erin, "vch-nothing").await;
    says(status, &body, 404, "No such voucher");
    assert_eq!(
        coupon_ids(&tab(&app, &c.dave, "available").await),
        [daves.as_str()]
    );
    assert_eq!(tab(&app, &c.dave, "available").await[0]["balance"], 2000);

    // The quote before ordering: ¥99 is below the ¥100 threshold; two months are not.
    let month = json!({"productId": crm, "skuCode": "basic", "periodNumber": 1});
    let (status, q) = quote(&app, &c.dave, &month).await;
    assert_eq!(status, 200, "{q}");
    assert_eq!(
        (&q["listAmount"], &q["amount"]),
        (&json!(9900), &json!(9900))
    );
    assert_eq!(q["coupons"][0]["deduction"], 0);
    assert!(q["coupons"][0]["refused"]
        .as_str()
        .unwrap()
        .contains("applies from 10000"));
    let mut two_months = month.clone();
    two_months["periodNumber"] = json!(2);
    two_months["couponId"] = json!(daves);
    let (status, q) = quote(&app, &c.dave, &two_months).await;
    assert_eq!(status, 200, "{q}");
    assert_eq!(
        (&q["listAmount"], &q["voucherAmount"], &q["amount"]),
        (&json!(19_800), &json!(2000), &json!(17_800))
    );
    assert_eq!(q["coupons"][0]["deduction"], 2000);
    assert_eq!(
        tab(&app, &c.dave, "available").await.len(),
        1,
        "a quote stores nothing"
    );

    // Ordering with it: recorded on the line, for the buyer and the seller alike.
    let (status, body) = order(
        &app,
        &c.dave,
        {
            let mut below = month.clone();
            below["couponId"] = json!(daves);
            below
        },
        None,
    )
    .await;
    says(
        status,
        &body,
        400,
        "applies from 10000 fen; this order comes to 9900",
    );
    let (status, body) = order(&app, &c.bob, two_months.clone(), None).await;
    says(status, &body, 404, "No such voucher of yours");
    let paid = placed(&app, &c.dave, two_months.clone()).await;
    let line = &paid["orderLines"][0];
    assert_eq!(
        (
            &line["listAmount"],
            &line["discountAmount"],
            &line["voucherAmount"],
            &line["amount"]
        ),
        (&json!(19_800), &json!(0), &json!(2000), &json!(17_800))
    );
    assert_eq!(
        (&line["couponId"], &paid["amount"]),
        (&json!(daves), &json!(17_800))
    );
    let (_, seen, _) = call(
        &app,
        Method::GET,
        &format!("{SELLER_ORDERS}/{}", paid["orderId"].as_str().unwrap()),
        Some(&c.alice),
    )
    .await;
    assert_eq!(seen["orderLines"][0]["voucherAmount"], 2000);

    // One voucher pays one order.
    let (status, body) = order(&app, &c.dave, two_months.clone(), Some("again")).await;
    says(
        status,
        &body,
        409,
        "not possible for a voucher that is used",
    );
    let used = tab(&app, &c.dave, "used").await;
    assert_eq!(coupon_ids(&used), [daves.as_str()]);
    assert_eq!(
        (&used[0]["status"], &used[0]["orderId"]),
        (&json!(3), &paid["orderId"])
    );
    assert_eq!(used[0]["deducted"], 2000);
    assert_eq!(used[0]["balance"], 0, "used up");
    assert!(tab(&app, &c.dave, "available").await.is_empty());

    // A SKU-scoped voucher: not for the one-time SKU, not with a free trial.
    let fives = claimed(&app, &c.dave, &five).await;
    let once = json!({"productId": crm, "skuCode": "once", "couponId": fives});
    let (status, body) = order(&app, &c.dave, once, None).await;
    says(status, &body, 400, "does not apply to this product or SKU");
    let trial = json!({"productId": crm, "skuCode": "basic", "orderType": "TRIAL", "periodNumber": 1, "couponId": fives});
    let (status, body) = order(&app, &c.dave, trial, None).await;
    says(status, &body, 400, "leave couponId out");

    // The seller sees how its voucher went, and withdraws it: what was claimed stays.
    let (_, shown, _) = call(
        &app,
        Method::GET,
        &format!("{SELLER_VOUCHERS}/{twenty}"),
        Some(&c.alice),
    )
    .await;
    assert_eq!(
        (
            &shown["claimed"],
            &shown["remaining"],
            &shown["used"],
            &shown["unused"]
        ),
        (&json!(3), &json!(0), &json!(1), &json!(2))
    );
    let (status, _, _) = call(
        &app,
        Method::GET,
        &format!("{SELLER_VOUCHERS}/{twenty}"),
        Some(&c.bob),
    )
    .await;
    assert_eq!(status, 404, "another seller's voucher");
    let withdraw = format!("{SELLER_VOUCHERS}/{five}/withdraw");
    let (status, body, _) = call(&app, Method::POST, &withdraw, Some(&c.alice)).await;
    assert_eq!(
        (status, &body["state"]),
        (200, &json!("withdrawn")),
        "{body}"
    );
    let (status, body, _) = call(&app, Method::POST, &withdraw, Some(&c.alice)).await;
    says(
        status,
        &body,
        409,
        "withdraw is not possible for a voucher that is withdrawn",
    );
    let (status, body) = claim(&app, &erin, &five).await;
    says(status, &body, 409, "withdrawn");
    assert_eq!(
        coupon_ids(&tab(&app, &c.dave, "available").await),
        [fives.as_str()]
    );

    // Expired vouchers are void: no extension, on their own tab.
    advance(&mut app, &mut c, Duration::from_secs(31 * DAY)).await;
    assert!(tab(&app, &c.dave, "available").await.is_empty());
    let expired = tab(&app, &c.dave, "expired").await;
    assert_eq!(coupon_ids(&expired), [fives.as_str()]);
    assert_eq!(
        (&expired[0]["status"], &expired[0]["statusName"]),
        (&json!(4), &json!("expired"))
    );
    let (status, body) = order(
        &app,
        &c.dave,
        json!({"productId": crm, "skuCode": "basic", "periodNumber": 1, "couponId": fives}),
        None,
    )
    .await;
    says(status, &body, 409, "expired vouchers are void");
}
