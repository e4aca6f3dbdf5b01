//! Many buyers, sellers and operators at the same moment, over real HTTP, on whichever
//! backend the run uses: orders (plain, with a voucher, through an exclusive discount),
//! voucher claims, supervision and work-order steps, unsubscribe requests and their
//! decisions. Every answer is 2xx or a 4xx that says why — never a 5xx, never "busy" —
//! every accepted action is stored exactly once, and every limit holds.

use std::collections::HashMap;

use reqwest::Method;
use serde_json::{json, Value};

use super::subscriptions::placed;
use super::*;
use crate::helpers::join_all;

const BUYER_VOUCHERS: &str = "/api/marketplace/v1/buyer/vouchers";
const SELLER_VOUCHERS: &str = "/api/marketplace/v1/seller/vouchers";
const PARTNERS: &str = "/api/marketplace/v1/operator/partners";
const DISCOUNTS: &str = "/api/marketplace/v1/partner/discounts";
const BUYER_SUPERVISIONS: &str = "/api/marketplace/v1/buyer/supervisions";
const SELLER_SUPERVISIONS: &str = "/api/marketplace/v1/seller/supervisions";
const BUYER_WORK_ORDERS: &str = "/api/marketplace/v1/buyer/work-orders";
const SELLER_WORK_ORDERS: &str = "/api/marketplace/v1/seller/work-orders";

/// A buyer of a tenant of their own, signed in.
struct Buyer {
    id: String,
    token: String,
}

/// `n` buyers named `{prefix}{i}`, each the only user of tenant `{prefix}-t{i}`.
async fn buyers(app: &mut TestApp, prefix: &str, n: usize) -> Vec<Buyer> {
    let mut signed_in = Vec::with_capacity(n);
    for i in 0..n {
        let name = format!("{prefix}{i}");
        let id = app.create_user(&name, &format!("{prefix}-t{i}")).await;
        let token = token_for(app, &name).await;
        signed_in.push(Buyer { id, token });
    }
    signed_in
}

/// What a burst got back: the statuses counted, and each answer in request order.
struct Burst {
    answers: Vec<(u16, Value)>,
}

impl Burst {
    /// Every answer is a success or a refusal that says why: no 5xx, and no 503 for
    /// being busy.
    #[track_caller]
    fn explained(self, what: &str) -> Self {
        for (status, body) in &self.answers {
            assert!(
                (200..300).contains(status) || (400..500).contains(status),
                "{what}: a {status} answer: {body}"
            );
            if (400..500).contains(status) {
                let said = body["error_description"].as_str().unwrap_or_default();
                assert!(
                    !said.is_empty(),
                    "{what}: a {status} without a reason: {body}"
                );
            }
        }
        self
    }

    fn count(&self, status: u16) -> usize {
        self.answers.iter().filter(|(s, _)| *s == status).count()
    }

    fn statuses(&self) -> HashMap<u16, usize> {
        let mut counted = HashMap::new();
        for (status, _) in &self.answers {
            *counted.entry(*status).or_default() += 1;
        }
        counted
    }
}

async fn burst<F: std::future::Future<Output = (u16, Value)>>(requests: Vec<F>) -> Burst {
    Burst {
        answers: join_all(requests).await,
    }
}

fn supervised(name: &str) -> Value {
    let mut body = product(name);
    body["supervised"] = json!(true);
    body
}

fn month(product_id: &str) -> Value {
    json!({"productId": product_id, "skuCode": "basic", "periodNumber": 1})
}

/// `yyyy-MM-dd` of the app's clock, `days` from now.
fn day(app: &TestApp, days: i64) -> String {
    unilogin::calendar::local().day(app.clock().now_unix() + days * 86_400)
}

fn voucher(app: &TestApp, quantity: i64, per_buyer: i64) -> Value {
    json!({
        "name": "¥10 off", "faceValue": 1000, "minimumSpend": 0,
        "validFrom": day(app, 0), "validUntil": day(app, 30),
        "scope": "all", "totalQuantity": quantity, "perBuyerLimit": per_buyer,
    })
}

async fn publish_voucher(app: &TestApp, seller: &str, body: &Value) -> String {
    let (status, published) = send_json(app, Method::POST, SELLER_VOUCHERS, seller, body).await;
    assert_eq!(status, 201, "{published}");
    published["voucherId"].as_str().unwrap().to_owned()
}

async fn claim(app: &TestApp, buyer: &str, voucher_id: &str) -> (u16, Value) {
    let body = json!({ "voucherId": voucher_id });
    send_json(app, Method::POST, BUYER_VOUCHERS, buyer, &body).await
}

/// An order's answer, with the idempotency key if one is given.
async fn ordered(app: &TestApp, token: &str, body: Value, key: Option<String>) -> (u16, Value) {
    order(app, token, body, key.as_deref()).await
}

/// Registers a plan partner of tenant `tenant` authorized for 80 % on `product_id`.
async fn partner(app: &mut TestApp, c: &Cast, tenant: &str, product_id: &str) -> String {
    let membership = json!({"name": "Partner", "authorizations": [{"productId": product_id, "paidBasisPoints": 8000}]});
    let path = format!("{PARTNERS}/{tenant}");
    let (status, body) = send_json(app, Method::PUT, &path, &c.carol, &membership).await;
    assert_eq!(status, 201, "{body}");
    app.create_user("partner", tenant).await;
    token_for(app, "partner").await
}

/// The private link's token of an effective discount for `customer`.
async fn discount_for(app: &TestApp, partner: &str, customer: &str, product_id: &str) -> String {
    let body = json!({"customerId": customer, "productId": product_id, "quoteType": "product", "paidBasisPoints": 9000});
    let (status, discount) = send_json(app, Method::POST, DISCOUNTS, partner, &body).await;
    assert_eq!(
        (status, &discount["state"]),
        (201, &json!("effective")),
        "{discount}"
    );
    let link = discount["link"].as_str().unwrap();
    link.rsplit('/').next().unwrap().to_owned()
}

#[tokio::test]
async fn sixty_four_buyers_order_at_once_plain_with_vouchers_and_through_discounts() {
    let mut app = TestApp::spawn().await;
    let c = cast(&mut app).await;
    let crm = on_sale(&app, &c, &c.alice, &product("CRM")).await;
    let b = buyers(&mut app, "buyer", 64).await;

    // Buyers 16..32 hold a coupon each (the voucher's quantity is exactly theirs); buyers
    // 32..48 an exclusive discount each.
    let ten_off = publish_voucher(&app, &c.alice, &voucher(&app, 16, 1)).await;
    let mut coupons = HashMap::new();
    for buyer in &b[16..32] {
        let (status, coupon) = claim(&app, &buyer.token, &ten_off).await;
        assert_eq!(status, 201, "{coupon}");
        coupons.insert(
            buyer.id.clone(),
            coupon["couponId"].as_str().unwrap().to_owned(),
        );
    }
    let erin = partner(&mut app, &c, "tenant-p", &crm).await;
    let mut links = HashMap::new();
    for buyer in &b[32..48] {
        let link = discount_for(&app, &erin, &buyer.id, &crm).await;
        links.insert(buyer.id.clone(), link);
    }
    let orders_before = app.count("mkt_orders").await;

    // All at once: each buyer orders; the voucher and discount holders each send a second,
    // different order with the same coupon or link (one of the two must be refused), and
    // buyers 48..64 send their order twice with one Idempotency-Key (one order each).
    let mut requests = Vec::new();
    for (i, buyer) in b.iter().enumerate() {
        let mut body = month(&crm);
        let mut key = None;
        match i / 16 {
            1 => body["couponId"] = json!(coupons[&buyer.id]),
            2 => body["discountLink"] = json!(links[&buyer.id]),
            3 => key = Some(format!("key-{i}")),
            _ => {}
        }
        let twice = i >= 16;
        let mut second = body.clone();
        if i < 48 {
            second["periodNumber"] = json!(2);
        }
        requests.push(ordered(&app, &buyer.token, body, key.clone()));
        if twice {
            requests.push(ordered(&app, &buyer.token, second, key));
        }
    }
    let answers = burst(requests).await.explained("orders");
    let statuses = answers.statuses();
    // 16 plain + 16 with a coupon + 16 through a discount + 16 keyed: 64 orders created;
    // the keyed retry answers 200 (replayed) or, racing, 409; the second coupon and
    // discount order is refused with 409 (used) or 400 (the link is used up).
    assert_eq!(answers.count(201), 64, "{statuses:?}");
    assert_eq!(
        app.count("mkt_orders").await - orders_before,
        64,
        "every accepted order stored once"
    );
    for (status, body) in &answers.answers {
        if *status == 201 {
            let line = &body["orderLines"][0];
            if let Some(coupon) = line["couponId"].as_str() {
                assert_eq!(line["voucherAmount"], 1000, "{body}");
                assert!(coupons.values().any(|c| c == coupon));
            }
            if line["discountId"].is_string() {
                assert!(line["discountAmount"].as_i64().unwrap() > 0, "{body}");
            }
        }
    }
    let used_coupons = answers
        .answers
        .iter()
        .filter(|(s, o)| *s == 201 && o["orderLines"][0]["couponId"].is_string())
        .count();
    let discounted = answers
        .answers
        .iter()
        .filter(|(s, o)| *s == 201 && o["orderLines"][0]["discountId"].is_string())
        .count();
    assert_eq!((used_coupons, discounted), (16, 16), "{statuses:?}");
    let mut each_coupon_once: Vec<&str> = answers
        .answers
        .iter()
        .filter(|(s, _)| *s == 201)
        .filter_map(|(_, o)| o["orderLines"][0]["couponId"].as_str())
        .collect();
    each_coupon_once.sort();
    each_coupon_once.dedup();
    assert_eq!(each_coupon_once.len(), 16, "one order per coupon");
    for buyer in &b {
        let (status, mine, _) = call(&app, Method::GET, ORDERS, Some(&buyer.token)).await;
        assert_eq!(status, 200);
        assert_eq!(mine["total"], 1, "one order each: {mine}");
    }
}

#[tokio::test]
async fn forty_voucher_claims_at_once_hold_the_quantity_and_each_buyers_limit() {
    let mut app = TestApp::spawn().await;
    let c = cast(&mut app).await;
    on_sale(&app, &c, &c.alice, &product("CRM")).await;
    let b = buyers(&mut app, "claimer", 20).await;
    let fifteen = publish_voucher(&app, &c.alice, &voucher(&app, 15, 1)).await;
    let claims_before = app.count("mkt_voucher_claims").await;

    // 20 buyers claim twice each, at once: fifteen in all, none twice.
    let mut requests = Vec::new();
    for buyer in b.iter().chain(b.iter()) {
        requests.push(claim(&app, &buyer.token, &fifteen));
    }
    let answers = burst(requests).await.explained("claims");
    assert_eq!(answers.count(201), 15, "{:?}", answers.statuses());
    assert_eq!(answers.count(409), 25, "{:?}", answers.statuses());
    assert_eq!(app.count("mkt_voucher_claims").await - claims_before, 15);
    for buyer in &b {
        let (_, coupons, _) = call(&app, Method::GET, BUYER_VOUCHERS, Some(&buyer.token)).await;
        assert!(coupons["total"].as_i64().unwrap() <= 1, "{coupons}");
    }
}

#[tokio::test]
async fn thirty_two_supervision_and_work_order_steps_at_once() {
    let mut app = TestApp::spawn().await;
    let c = cast(&mut app).await;
    let crm = on_sale(&app, &c, &c.alice, &supervised("Onboarding CRM")).await;
    let b = buyers(&mut app, "supervised", 32).await;
    let app = &app;
    let mut bought = Vec::new();
    for buyer in &b {
        bought.push(placed(app, &buyer.token, month(&crm)).await);
    }

    // Every buyer submits their requirement at once (with an upload of their own), twice:
    // one step each is taken, the repeat refused because the state moved on.
    let mut supervisions = Vec::new();
    for (buyer, order) in b.iter().zip(&bought) {
        let path = format!(
            "{BUYER_SUPERVISIONS}?orderId={}",
            order["orderId"].as_str().unwrap()
        );
        let (status, page, _) = call(app, Method::GET, &path, Some(&buyer.token)).await;
        assert_eq!((status, &page["total"]), (200, &json!(1)), "{page}");
        supervisions.push(
            page["items"][0]["supervisionId"]
                .as_str()
                .unwrap()
                .to_owned(),
        );
    }
    let mut requirements = Vec::new();
    for buyer in &b {
        requirements.push(uploaded(app, &buyer.token, "requirement.png").await);
    }
    let history_before = app.count("mkt_supervision_log").await;
    let mut requests = Vec::new();
    for ((buyer, id), requirement) in b.iter().zip(&supervisions).zip(&requirements) {
        for _ in 0..2 {
            let body = json!({"action": "submit_requirement", "comment": "Import our contacts",
                              "attachments": [requirement]});
            let path = format!("{BUYER_SUPERVISIONS}/{id}/steps");
            requests.push(
                async move { send_json(app, Method::POST, &path, &buyer.token, &body).await },
            );
        }
    }
    let answers = burst(requests).await.explained("requirements");
    assert_eq!(answers.count(200), 32, "{:?}", answers.statuses());
    assert_eq!(app.count("mkt_supervision_log").await - history_before, 32);

    // The seller confirms all 32 at once.
    let requests = supervisions
        .iter()
        .map(|id| {
            let path = format!("{SELLER_SUPERVISIONS}/{id}/steps");
            let body = json!({"action": "confirm_requirement"});
            let alice = c.alice.clone();
            async move { send_json(app, Method::POST, &path, &alice, &body).await }
        })
        .collect();
    let answers = burst(requests).await.explained("confirmations");
    assert_eq!(answers.count(200), 32, "{:?}", answers.statuses());
    for answer in &answers.answers {
        assert_eq!(answer.1["state"], "awaiting_delivery", "{}", answer.1);
    }

    // 32 work orders opened at once, then all accepted by the seller at once.
    let work_orders_before = app.count("mkt_work_orders").await;
    let requests =
        b.iter()
            .zip(&bought)
            .map(|(buyer, order)| {
                let body = json!({"orderId": order["orderId"], "title": "Export fails",
                              "description": "The CSV export stops"});
                async move {
                    send_json(app, Method::POST, BUYER_WORK_ORDERS, &buyer.token, &body).await
                }
            })
            .collect();
    let opened = burst(requests).await.explained("work orders");
    assert_eq!(opened.count(201), 32, "{:?}", opened.statuses());
    assert_eq!(app.count("mkt_work_orders").await - work_orders_before, 32);
    let requests = opened
        .answers
        .iter()
        .map(|(_, w)| {
            let path = format!(
                "{SELLER_WORK_ORDERS}/{}/actions",
                w["workOrderId"].as_str().unwrap()
            );
            let alice = c.alice.clone();
            async move {
                send_json(
                    app,
                    Method::POST,
                    &path,
                    &alice,
                    &json!({"action": "accept"}),
                )
                .await
            }
        })
        .collect();
    let accepted = burst(requests).await.explained("acceptances");
    assert_eq!(accepted.count(200), 32, "{:?}", accepted.statuses());
    for (_, w) in &accepted.answers {
        assert_eq!(w["statusName"], "processing", "{w}");
    }
}

#[tokio::test]
async fn thirty_two_unsubscribe_requests_and_decisions_at_once() {
    let mut app = TestApp::spawn().await;
    let c = cast(&mut app).await;
    let crm = on_sale(&app, &c, &c.alice, &buyer_centre_product("CRM")).await;
    let b = buyers(&mut app, "leaver", 32).await;
    let app = &app;
    let ten_off = publish_voucher(app, &c.alice, &voucher(app, 32, 1)).await;
    let mut bought = Vec::new();
    for buyer in &b {
        let (status, coupon) = claim(app, &buyer.token, &ten_off).await;
        assert_eq!(status, 201, "{coupon}");
        let mut body = month(&crm);
        body["couponId"] = coupon["couponId"].clone();
        bought.push(placed(app, &buyer.token, body).await);
    }

    // Each buyer asks twice at once: one request each, the other refused as waiting.
    let requests_before = app.count("mkt_unsubscribe_requests").await;
    let mut requests = Vec::new();
    for (buyer, order) in b.iter().zip(&bought) {
        for _ in 0..2 {
            let body = json!({"orderId": order["orderId"], "reasonType": "no_longer_needed",
                              "reason": "not what we need"});
            requests.push(async move {
                send_json(app, Method::POST, BUYER_UNSUBSCRIBE, &buyer.token, &body).await
            });
        }
    }
    let asked = burst(requests).await.explained("unsubscribe requests");
    assert_eq!(asked.count(201), 32, "{:?}", asked.statuses());
    assert_eq!(asked.count(409), 32, "{:?}", asked.statuses());
    assert_eq!(
        app.count("mkt_unsubscribe_requests").await - requests_before,
        32
    );

    // The seller approves all 32 at once: each places its UNSUBSCRIBE order and gives the
    // voucher back (a 5-day no-reason unsubscription), once.
    let orders_before = app.count("mkt_orders").await;
    let requests =
        asked
            .answers
            .iter()
            .filter(|(status, _)| *status == 201)
            .map(|(_, request)| {
                let path = format!(
                    "{SELLER_UNSUBSCRIBE}/{}/approve",
                    request["requestId"].as_str().unwrap()
                );
                let alice = c.alice.clone();
                async move {
                    send_json(app, Method::POST, &path, &alice, &json!({"comment": "ok"})).await
                }
            })
            .collect();
    let approved = burst(requests).await.explained("approvals");
    assert_eq!(approved.count(200), 32, "{:?}", approved.statuses());
    assert_eq!(app.count("mkt_orders").await - orders_before, 32);
    for buyer in &b {
        let path = format!("{BUYER_VOUCHERS}?tab=available");
        let (_, coupons, _) = call(app, Method::GET, &path, Some(&buyer.token)).await;
        assert_eq!(coupons["total"], 1, "the voucher given back: {coupons}");
    }
}

#[tokio::test]
async fn thirty_two_buyers_unsubscribe_in_the_billing_centre_twice_at_once() {
    let mut app = TestApp::spawn().await;
    let c = cast(&mut app).await;
    let crm = on_sale(&app, &c, &c.alice, &product("CRM")).await;
    let b = buyers(&mut app, "quitter", 32).await;
    let app = &app;
    let ten_off = publish_voucher(app, &c.alice, &voucher(app, 32, 1)).await;
    let mut bought = Vec::new();
    for buyer in &b {
        let (status, coupon) = claim(app, &buyer.token, &ten_off).await;
        assert_eq!(status, 201, "{coupon}");
        let mut body = month(&crm);
        body["couponId"] = coupon["couponId"].clone();
        bought.push(placed(app, &buyer.token, body).await);
    }
    let (requests_before, orders_before) = (
        app.count("mkt_unsubscribe_requests").await,
        app.count("mkt_orders").await,
    );
    let mut unsubscriptions = Vec::new();
    for (buyer, order) in b.iter().zip(&bought) {
        for _ in 0..2 {
            let body = json!({"orderId": order["orderId"], "reasonType": "no_longer_needed",
                              "reason": "not what we need"});
            unsubscriptions.push(async move {
                send_json(
                    app,
                    Method::POST,
                    "/api/marketplace/v1/buyer/billing/unsubscriptions",
                    &buyer.token,
                    &body,
                )
                .await
            });
        }
    }
    let done = burst(unsubscriptions)
        .await
        .explained("billing-centre unsubscriptions");
    assert_eq!(done.count(201), 32, "{:?}", done.statuses());
    assert_eq!(done.count(409), 32, "{:?}", done.statuses());
    // Each once: one record, one UNSUBSCRIBE order, one voucher given back.
    assert_eq!(
        app.count("mkt_unsubscribe_requests").await - requests_before,
        32
    );
    assert_eq!(app.count("mkt_orders").await - orders_before, 32);
    for buyer in &b {
        let path = format!("{BUYER_VOUCHERS}?tab=available");
        let (_, coupons, _) = call(app, Method::GET, &path, Some(&buyer.token)).await;
        assert_eq!(coupons["total"], 1, "the voucher given back: {coupons}");
    }
}

#[tokio::test]
#[ignore = "needs python3 and openssl: .ci/run has them and runs it"]
async fn sixty_four_tenants_buy_a_joint_operation_app_at_once() {
    let mut k = super::kit_seller::chain().await;
    k.debug_all().await;
    let crm = k.crm.clone();
    let b = buyers(&mut k.app, "tenant", 64).await;
    // A colleague of buyer 0, of the same tenant: one instance per tenant, so of the two
    // racing orders one opens it and the other is refused.
    k.app.create_user("colleague", "tenant-t0").await;
    let colleague = token_for(&mut k.app, "colleague").await;
    let instances_before = k.app.count("kit_instances").await;
    // The calls an opening queues; the syncs a delivered newInstance queues in turn may
    // already be there when counted, so they are not.
    const OPENING_CALLS: &str = "kit_jobs WHERE activity IN ('newInstance', 'orderNotify')";
    let jobs_before = k.app.count(OPENING_CALLS).await;
    let app = &k.app;
    let mut requests: Vec<_> = b
        .iter()
        .map(|buyer| ordered(app, &buyer.token, month(&crm), None))
        .collect();
    requests.push(ordered(app, &colleague, month(&crm), None));
    let answers = burst(requests).await.explained("kit orders");
    assert_eq!(answers.count(201), 64, "{:?}", answers.statuses());
    assert_eq!(answers.count(409), 1, "{:?}", answers.statuses());
    assert_eq!(app.count("kit_instances").await - instances_before, 64);
    // Each opening queued its two calls (newInstance, orderNotify), once.
    assert_eq!(app.count(OPENING_CALLS).await - jobs_before, 128);
}
