//! Order lists as sellers and buyers work them: search by order id, a date range in China
//! Standard Time, each order's status in words, and the CSV export of what the filter
//! shows, in the page's language.

use std::time::Duration;

use serde_json::json;

use super::*;
use crate::console::visit;
use crate::helpers::browser;
use crate::marketplace::subscriptions::{advance, placed};

fn day(unix: i64) -> String {
    unilogin::calendar::local().day(unix)
}

fn rows(csv: &str) -> Vec<&str> {
    csv.split("\r\n").filter(|l| !l.is_empty()).collect()
}

#[tokio::test]
async fn sellers_and_buyers_find_orders_by_id_and_day_and_export_them() {
    let mut app = TestApp::spawn().await;
    let mut c = cast(&mut app).await;
    let crm = on_sale(&app, &c, &c.alice, &buyer_centre_product("CRM")).await;
    let monthly =
        json!({"productId": crm, "skuCode": "basic", "orderType": "NEW", "periodNumber": 1});
    let first = placed(&app, &c.dave, monthly).await;
    let first_at = app.clock().now_unix();
    advance(&mut app, &mut c, Duration::from_secs(3 * 86_400)).await;
    let once = json!({"productId": crm, "skuCode": "once", "orderType": "NEW", "quantity": 1});
    let second = placed(&app, &c.dave, once).await;
    let second_at = app.clock().now_unix();
    let (first, second) = (
        first["orderId"].as_str().unwrap().to_owned(),
        second["orderId"].as_str().unwrap().to_owned(),
    );
    let shows = |body: &str, id: &str| body.contains(&format!("id=\"order-{id}\""));

    let alice = browser();
    let all = visit(&app, &alice, "/market/seller/orders?lang=en", "alice").await;
    assert_eq!(all.status, 200);
    assert!(
        shows(&all.body, &first) && shows(&all.body, &second),
        "{}",
        all.body
    );
    assert!(
        all.body.contains("class=\"order-status\">Live<"),
        "{}",
        all.body
    );

    let by_id = visit(
        &app,
        &alice,
        &format!("/market/seller/orders?id={first}"),
        "alice",
    )
    .await;
    assert!(shows(&by_id.body, &first) && !shows(&by_id.body, &second));
    let later = day(second_at);
    let by_day = visit(
        &app,
        &alice,
        &format!("/market/seller/orders?from={later}&to={later}"),
        "alice",
    )
    .await;
    assert!(!shows(&by_day.body, &first) && shows(&by_day.body, &second));
    let earlier = day(first_at);
    let up_to_first = visit(
        &app,
        &alice,
        &format!("/market/seller/orders?to={earlier}"),
        "alice",
    )
    .await;
    assert!(shows(&up_to_first.body, &first) && !shows(&up_to_first.body, &second));
    // What does not parse filters nothing away, and is not an error.
    let odd = visit(
        &app,
        &alice,
        "/market/seller/orders?id=%3Cscript%3E&from=yesterday",
        "alice",
    )
    .await;
    assert_eq!(odd.status, 200);
    assert!(shows(&odd.body, &first) && shows(&odd.body, &second));
    assert!(!odd.body.contains("<script>"));
    // The export link keeps the filter.
    assert!(
        by_day.body.contains(&format!(
            "href=\"/market/seller/orders.csv?from={later}&#38;to={later}\""
        )),
        "{}",
        by_day.body
    );

    let csv = visit(&app, &alice, "/market/seller/orders.csv", "alice").await;
    assert_eq!(csv.status, 200);
    let lines = rows(&csv.body);
    assert_eq!(
        lines[0], "Order,Created,Order type,Product,Status,Amount (yuan)",
        "{}",
        csv.body
    );
    assert_eq!(lines.len(), 3, "{}", csv.body);
    assert!(
        lines[1].starts_with(&format!("{second},{later} ")),
        "{}",
        lines[1]
    );
    assert!(
        lines[1].ends_with(",New,CRM · once,Live,500.00"),
        "{}",
        lines[1]
    );
    assert!(
        lines[2].ends_with(",New,CRM · basic,Live,99.00"),
        "{}",
        lines[2]
    );
    let filtered = visit(
        &app,
        &alice,
        &format!("/market/seller/orders.csv?from={later}&to={later}"),
        "alice",
    )
    .await;
    assert_eq!(rows(&filtered.body).len(), 2, "{}", filtered.body);

    let chinese = visit(
        &app,
        &alice,
        "/market/seller/orders.csv?lang=zh-CN",
        "alice",
    )
    .await;
    let lines = rows(&chinese.body);
    assert_eq!(lines[0], "订单号,创建时间,订单类型,商品,状态,金额（元）");
    assert!(
        lines[1].ends_with(",新购,CRM · once,生效中,500.00"),
        "{}",
        lines[1]
    );

    // Each sees their own: bob sells nothing of this, dave bought both.
    let bob = browser();
    let theirs = visit(&app, &bob, "/market/seller/orders.csv", "bob").await;
    assert_eq!(rows(&theirs.body).len(), 1, "{}", theirs.body);
    let dave = browser();
    let bought = visit(&app, &dave, "/market/orders.csv", "dave").await;
    assert_eq!(rows(&bought.body).len(), 3, "{}", bought.body);
    let mine = visit(&app, &dave, &format!("/market/orders?id={second}"), "dave").await;
    assert!(shows(&mine.body, &second) && !shows(&mine.body, &first));
    let not_a_seller = visit(&app, &dave, "/market/seller/orders.csv", "dave").await;
    assert_eq!(not_a_seller.status, 403);
}
