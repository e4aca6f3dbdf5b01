//! The joint-operation kit end to end against the independent seller (`kit_seller`): the
//! seller debugs its app, a purchase opens the buyer tenant's instance, the seller
//! receives `newInstance`, the tenant, the credentials (decrypted with its own key) and
//! the buyer's authorization, and its home page redeems a real portal login with those
//! credentials; users are granted and removed; then renewal, expiry (frozen, tokens
//! dead), unfreezing, release.

use std::time::Duration;

use reqwest::Method;
use serde_json::{json, Value};

use super::kit_seller::{activity, chain, done_instance, DAY, INSTANCES};
use super::*;
use crate::helpers::{location, Callback};

#[tokio::test]
#[ignore = "needs python3 and openssl: .ci/run has them and runs it"]
async fn a_purchase_delivers_an_instance_its_users_sign_in_and_it_lives_its_life() {
    let mut k = chain().await;
    let crm = k.crm.clone();
    let dave = k.c.dave.clone();

    // Until the seller has debugged the required scenarios, nothing opens.
    let month = json!({"productId": crm, "skuCode": "basic", "periodNumber": 1});
    let (status, refused) = order(&k.app, &dave, month.clone(), None).await;
    assert_eq!(status, 409, "{refused}");
    assert!(refused["error_description"]
        .as_str()
        .unwrap()
        .contains("refreshInstance"));
    let (status, generated) = send_json(
        &k.app,
        Method::POST,
        &k.debug_path("debug-requests"),
        &k.c.alice,
        &json!({"scenario": "tenantSync", "params": {"name": "Preset"}}),
    )
    .await;
    assert_eq!(status, 200, "{generated}");
    let curl = generated["curl"].as_str().unwrap();
    assert!(
        curl.contains("/produceAPI/v2/tenantSync") && curl.contains("x-sign: "),
        "{curl}"
    );
    assert!(generated["body"]
        .as_str()
        .unwrap()
        .contains(r#""testFlag":"1""#));
    assert!(k.seller.log().is_empty(), "generating sends nothing");
    k.seller.faults(json!({"newInstance": ["bad-sign"]}));
    let debug = |body: Value| {
        let path = k.debug_path("debug-cases");
        let token = k.c.alice.clone();
        let app = &k.app;
        async move { send_json(app, Method::POST, &path, &token, &body).await }
    };
    let (status, failed) = debug(json!({"scenario": "newInstance"})).await;
    assert_eq!(status, 422, "{failed}");
    assert_eq!(failed["error"], "debug_failed");
    assert!(failed["error_description"]
        .as_str()
        .unwrap()
        .contains("Body-Sign"));
    let (status, bad) =
        debug(json!({"scenario": "newInstance", "url": "https://elsewhere.example/x"})).await;
    assert_eq!(status, 400, "{bad}");
    let (status, bad) =
        debug(json!({"scenario": "newInstance", "params": {"testFlag": "0"}})).await;
    assert_eq!(status, 400, "{bad}");
    let (_, listed, _) = call(
        &k.app,
        Method::GET,
        &k.debug_path("debug-cases"),
        Some(&k.c.alice),
    )
    .await;
    assert_eq!(listed["items"], json!([]), "a failure is not saved");
    assert_eq!(listed["missing"].as_array().unwrap().len(), 4);
    // Nor does a new version of the product go on sale.
    let (status, modified) = send_json(
        &k.app,
        Method::PUT,
        &format!("{PRODUCTS}/{crm}"),
        &k.c.alice,
        &product("CRM v2"),
    )
    .await;
    assert_eq!(status, 201, "{modified}");
    let approve = format!("{QUEUE}/{}/approve", modified["id"].as_str().unwrap());
    let (status, held, _) = call(&k.app, Method::POST, &approve, Some(&k.c.carol)).await;
    assert_eq!(status, 409, "{held}");
    assert!(held["error_description"]
        .as_str()
        .unwrap()
        .contains("debug cases"));
    k.debug_all().await;
    let (status, approved, _) = call(&k.app, Method::POST, &approve, Some(&k.c.carol)).await;
    assert_eq!(status, 200, "{approved}");
    let (_, listed, _) = call(
        &k.app,
        Method::GET,
        &k.debug_path("debug-cases"),
        Some(&k.c.alice),
    )
    .await;
    assert_eq!(listed["missing"], json!([]));
    let debugged = k.seller.log();
    assert!(debugged.iter().all(|e| e["body"]["testFlag"] == "1"));
    std::fs::remove_file(k.seller.log_path()).unwrap();

    // dave buys a month for tenant-d: the seller opens it and gets everything, in order.
    let bought = k
        .order(
            &dave,
            json!({"productId": crm, "skuCode": "basic", "periodNumber": 1}),
        )
        .await;
    let order_id = bought["orderId"].as_str().unwrap().to_owned();
    let log = k
        .received("the buyer's authorization", 1, activity("userSync"))
        .await;
    let names: Vec<&str> = log
        .iter()
        .map(|e| e["activity"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "newInstance",
            "orderNotify",
            "tenantSync",
            "applicationSync",
            "userSync"
        ]
    );
    assert!(log.iter().all(|e| e["verified"] == true), "{log:#?}");
    assert_eq!(log[0]["body"]["orderId"], order_id.as_str());
    assert_eq!(log[1]["category"], "generic");
    assert_eq!(log[2]["body"]["tenantId"], "tenant-d");
    // tenant-d has no domain of its own: the seller redeems its codes at our issuer.
    assert_eq!(log[2]["body"]["domainName"], k.app.issuer());
    // Kit-sync bodies carry upstream's fields only: the path names the call.
    for sync in &log[2..5] {
        assert!(sync["body"].get("activity").is_none(), "{sync}");
    }
    assert_eq!(log[2]["path"], "/produce/produceAPI/v2/tenantSync");
    let delivered = &log[3];
    assert_eq!(delivered["body"]["flag"], "1");
    assert_eq!(delivered["body"]["tenantId"], "tenant-d");
    assert!(delivered["decryptedSecret"].as_str().unwrap().len() >= 32);
    assert_eq!(log[4]["body"]["role"], "admin");
    assert_eq!(log[4]["body"]["userName"], "dave");

    let instances = k.instances(&dave).await;
    assert_eq!(instances.len(), 1);
    let instance = &instances[0];
    assert_eq!(instance["state"], "live");
    let instance_id = instance["instanceId"].as_str().unwrap().to_owned();
    let app_id = instance["appId"].as_str().unwrap().to_owned();
    assert_eq!(instance["clientId"], delivered["body"]["clientId"]);
    assert_eq!(instance["users"][0]["role"], "admin");
    // A second purchase for the same tenant is refused: renew instead.
    let (status, refused) = order(
        &k.app,
        &dave,
        json!({"productId": crm, "skuCode": "basic", "periodNumber": 1}),
        None,
    )
    .await;
    assert_eq!(status, 409, "{refused}");

    // dave signs in through the portal; the seller redeems the code with tenant-d's
    // delivered credentials and calls userinfo.
    let redirect = k.portal(&app_id, "dave").await;
    assert_eq!(redirect.status(), 302);
    assert_eq!(
        Callback::parse(&location(&redirect)).tenant.as_deref(),
        Some("tenant-d")
    );
    let seen = k.home(&redirect).await;
    assert_eq!(seen["userinfo"]["userName"], "dave");
    // The role is the one synced to the seller for this instance, not dave's own.
    assert_eq!(seen["userinfo"]["role"], "admin");
    assert_eq!(seen["userinfo"]["role"], log[4]["body"]["role"]);
    assert_eq!(seen["userinfo"]["tenant"], "tenant-d");
    assert_eq!(seen["tenantName"], "tenant-d");
    let dave_token = seen["accessToken"].as_str().unwrap().to_owned();

    // erin, of the same tenant, is not authorized until dave, the app's administrator,
    // grants her; the seller hears of it.
    let erin = k.app.create_user("erin", "tenant-d").await;
    let erin_token = token_for(&mut k.app, "erin").await;
    let refused = k.portal(&app_id, "erin").await;
    assert_eq!(refused.status(), 403);
    let grant = format!("{INSTANCES}/{instance_id}/users/{erin}");
    let (status, body) = send_json(
        &k.app,
        Method::PUT,
        &grant,
        &erin_token,
        &json!({"role": "user"}),
    )
    .await;
    assert_eq!(status, 403, "erin administers nothing: {body}");
    let (status, body) =
        send_json(&k.app, Method::PUT, &grant, &dave, &json!({"role": "boss"})).await;
    assert_eq!(status, 400, "{body}");
    let (status, body) =
        send_json(&k.app, Method::PUT, &grant, &dave, &json!({"role": "user"})).await;
    assert_eq!(status, 200, "{body}");
    k.received("erin's authorization", 2, activity("userSync"))
        .await;
    let redirect = k.portal(&app_id, "erin").await;
    assert_eq!(k.home(&redirect).await["userinfo"]["userName"], "erin");
    let (status, _, _) = call(&k.app, Method::DELETE, &grant, Some(&dave)).await;
    assert_eq!(status, 200);
    let log = k.received("erin's removal", 3, activity("userSync")).await;
    let removal = log
        .iter()
        .rev()
        .find(|e| e["activity"] == "userSync")
        .unwrap();
    assert_eq!(removal["body"]["flag"], "0");
    assert_eq!(k.portal(&app_id, "erin").await.status(), 403);

    // Renewed for a month: the seller hears the new end of the period.
    let renewal = json!({"productId": crm, "skuCode": "basic", "periodNumber": 1,
                         "orderType": "RENEW", "relatedOrderId": order_id});
    k.order(&dave, renewal.clone()).await;
    let log = k
        .received("the renewal", 1, activity("refreshInstance"))
        .await;
    let refresh = log
        .iter()
        .find(|e| e["activity"] == "refreshInstance")
        .unwrap();
    assert_eq!(
        refresh["body"]["instanceId"],
        done_instance(&log),
        "the seller's id"
    );
    assert_eq!(refresh["body"]["periodNumber"], 1);

    // Two months on the period is over: frozen, nobody signs in, tokens are dead.
    k.advance(Duration::from_secs(61 * DAY)).await;
    let dave = k.c.dave.clone();
    let log = k
        .received("the freeze", 1, activity("updateInstanceStatus"))
        .await;
    let freeze = log
        .iter()
        .find(|e| e["activity"] == "updateInstanceStatus")
        .unwrap();
    assert_eq!(freeze["body"]["status"], "FREEZE");
    assert_eq!(k.instances(&dave).await[0]["state"], "frozen");
    assert_eq!(k.app.userinfo(&dave_token).await.status(), 401);
    let frozen = k.portal(&app_id, "dave").await;
    assert_eq!(frozen.status(), 403);
    assert!(frozen.text().await.unwrap().contains("该应用当前不可用"));

    // Renewed while frozen: unfrozen, and dave signs in again.
    k.order(&dave, renewal.clone()).await;
    let log = k
        .received("the unfreeze", 2, activity("updateInstanceStatus"))
        .await;
    let unfreeze = log
        .iter()
        .rev()
        .find(|e| e["activity"] == "updateInstanceStatus")
        .unwrap();
    assert_eq!(unfreeze["body"]["status"], "UNFREEZE");
    let redirect = k.portal(&app_id, "dave").await;
    assert_eq!(redirect.status(), 302);
    let seen = k.home(&redirect).await;
    let dave_token = seen["accessToken"].as_str().unwrap().to_owned();
    assert_eq!(k.app.userinfo(&dave_token).await.status(), 200);

    // Unsubscribed (months on: the unused part of the period is refunded): released at
    // the seller, the credentials withdrawn, tokens dead.
    // A SaaS product: dave unsubscribes it himself in the billing centre, at once.
    let (status, refused) = send_json(
        &k.app,
        Method::POST,
        BUYER_UNSUBSCRIBE,
        &dave,
        &json!({"orderId": order_id, "reasonType": "no_longer_needed", "reason": "moving on"}),
    )
    .await;
    assert_eq!(status, 409, "not a request the seller decides: {refused}");
    let (status, unsubscribed) = send_json(
        &k.app,
        Method::POST,
        "/api/marketplace/v1/buyer/billing/unsubscriptions",
        &dave,
        &json!({"orderId": order_id, "reasonType": "no_longer_needed", "reason": "moving on"}),
    )
    .await;
    assert_eq!(
        (status, &unsubscribed["state"], &unsubscribed["channel"]),
        (201, &json!("completed"), &json!("billing_centre")),
        "{unsubscribed}"
    );
    let log = k
        .received("the release", 1, activity("releaseInstance"))
        .await;
    k.received(
        "the credentials' withdrawal",
        2,
        activity("applicationSync"),
    )
    .await;
    let withdrawn = k
        .seller
        .log()
        .into_iter()
        .rfind(|e| e["activity"] == "applicationSync")
        .unwrap();
    assert_eq!(withdrawn["body"]["flag"], "0");
    assert!(log.iter().all(|e| e["verified"] == true));
    assert_eq!(k.instances(&dave).await[0]["state"], "released");
    assert_eq!(k.app.userinfo(&dave_token).await.status(), 401);
    assert_eq!(k.portal(&app_id, "dave").await.status(), 403);
    // Nothing left to renew.
    let (status, body) = order(&k.app, &dave, renewal.clone(), None).await;
    assert_eq!(status, 409, "{body}");
}
