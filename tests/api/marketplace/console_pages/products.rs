//! The seller's products as the seller works them: each with where it stands (on sale, a
//! change in review, off sale, back on sale after review), taken off sale from its row
//! once confirmed, and put back on sale by submitting it again.

use super::*;
use crate::console::{csrf, submit as post, visit};
use crate::helpers::browser;

fn status_of(body: &str, product: &str) -> String {
    let marker = format!("id=\"status-{product}\">");
    let from = body
        .find(&marker)
        .unwrap_or_else(|| panic!("{marker} in {body}"))
        + marker.len();
    body[from..].split('<').next().unwrap().to_owned()
}

#[tokio::test]
async fn a_seller_takes_a_product_off_sale_and_puts_it_back() {
    let mut app = TestApp::spawn().await;
    let c = cast(&mut app).await;
    let crm = on_sale(&app, &c, &c.alice, &buyer_centre_product("CRM")).await;
    let alice = browser();
    let page = visit(&app, &alice, "/market/seller/products?lang=en", "alice").await;
    assert_eq!(status_of(&page.body, &crm), "On sale");
    let token = csrf(&page.body);
    let path = format!("/market/seller/products/{crm}/delist");

    // Unticked: refused in its row, still on sale.
    let unticked = post(&app, &alice, &path, &[("csrf_token", &token)]).await;
    assert_eq!(unticked.status, 400);
    assert!(
        unticked.body.contains("Tick the confirmation first."),
        "{}",
        unticked.body
    );
    assert!(market(&app).product_on_sale(&crm).await.unwrap().is_some());
    // Another seller cannot take it off sale.
    let bob = browser();
    let bobs = visit(&app, &bob, "/market/seller/products?lang=en", "bob").await;
    let refused = post(
        &app,
        &bob,
        &path,
        &[("csrf_token", &csrf(&bobs.body)), ("confirm", "1")],
    )
    .await;
    assert_eq!(refused.status, 404);
    assert!(market(&app).product_on_sale(&crm).await.unwrap().is_some());

    let taken_off = post(
        &app,
        &alice,
        &path,
        &[("csrf_token", &token), ("confirm", "1")],
    )
    .await;
    assert_eq!(taken_off.status, 303, "{}", taken_off.body);
    assert!(
        taken_off.path.ends_with("?done=delisted"),
        "{}",
        taken_off.path
    );
    assert!(market(&app).product_on_sale(&crm).await.unwrap().is_none());
    let page = visit(&app, &alice, "/market/seller/products", "alice").await;
    assert_eq!(status_of(&page.body, &crm), "Off sale");
    assert!(page
        .body
        .contains(&format!("id=\"modify-{crm}\">Put back on sale<")));
    assert!(!page.body.contains(&format!("id=\"delist-{crm}\"")));
    let chinese = visit(&app, &alice, "/market/seller/products?lang=zh-CN", "alice").await;
    assert_eq!(status_of(&chinese.body, &crm), "已下架");
    // Submitted twice (a reload): the same answer, nothing more happens.
    let again = post(
        &app,
        &alice,
        &path,
        &[("csrf_token", &csrf(&chinese.body)), ("confirm", "1")],
    )
    .await;
    assert_eq!(again.status, 303);
    assert!(again.path.ends_with("?done=delisted"), "{}", again.path);

    // Submitted again: back on sale once approved.
    let (status, application) = send_json(
        &app,
        reqwest::Method::PUT,
        &format!("{PRODUCTS}/{crm}"),
        &c.alice,
        &buyer_centre_product("CRM"),
    )
    .await;
    assert_eq!(status, 201, "{application}");
    let page = visit(&app, &alice, "/market/seller/products?lang=en", "alice").await;
    assert_eq!(status_of(&page.body, &crm), "Back on sale after review");
    let id = application["id"].as_str().unwrap();
    let (status, _, _) = call(
        &app,
        reqwest::Method::POST,
        &format!("{QUEUE}/{id}/approve"),
        Some(&c.carol),
    )
    .await;
    assert_eq!(status, 200);
    let page = visit(&app, &alice, "/market/seller/products", "alice").await;
    assert_eq!(status_of(&page.body, &crm), "On sale");
    assert!(market(&app).product_on_sale(&crm).await.unwrap().is_some());
}
