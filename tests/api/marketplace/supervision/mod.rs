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

mod delivery_flows;
mod hardware;
mod requirement_flow;

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

/// `yyyy-MM-dd` of a unix time, as the consoles count days.
fn day_of(unix: i64) -> String {
    unilogin::calendar::local().day(unix)
}
