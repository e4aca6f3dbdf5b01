//! A seller registers the joint-operation app of a SaaS product: checked production URL
//! (https to a domain name), RSA key of at least 3072 bits, three different access keys
//! of its own; the portal knows the app at once.

use aws_lc_rs::encoding::AsDer;
use aws_lc_rs::rsa::{KeySize, PrivateDecryptingKey};
use reqwest::Method;

use super::*;

const APPS: &str = "/api/marketplace/v1/seller/kit/apps";

/// A PEM public key of an RSA key of `size`.
pub fn public_key_pem(size: KeySize) -> String {
    let private = PrivateDecryptingKey::generate(size).unwrap();
    let der = private.public_key().as_der().unwrap();
    unilogin::marketplace::kit::secret_delivery::public_key_pem(der.as_ref())
}

#[tokio::test]
async fn a_seller_registers_checks_and_changes_the_app_of_a_saas_product() {
    let mut app = TestApp::spawn().await;
    let c = cast(&mut app).await;
    let crm = on_sale(&app, &c, &c.alice, &product("CRM")).await;
    let gateway = on_sale(&app, &c, &c.alice, &hardware()).await;
    let keys: Vec<String> = {
        let mut keys = Vec::new();
        for _ in 0..3 {
            keys.push(access_key(&app, &c.alice).await.0);
        }
        keys
    };
    let (bobs_key, _) = access_key(&app, &c.bob).await;
    let pem = public_key_pem(KeySize::Rsa3072);
    let request = |changes: serde_json::Value| {
        let mut body = serde_json::json!({
            "productId": crm,
            "name": "CRM for teams",
            "homeUrl": "https://crm.example.com/home",
            "productionUrl": "https://crm.example.com/produce",
            "publicKey": pem,
            "keys": {"basic": keys[0], "kitSync": keys[1], "generic": keys[2]},
        });
        for (k, v) in changes.as_object().unwrap() {
            body[k] = v.clone();
        }
        body
    };

    // Refusals name what is wrong, and register nothing.
    let short = public_key_pem(KeySize::Rsa2048);
    for (changes, status, says) in [
        (
            serde_json::json!({"productionUrl": "http://crm.example.com/produce"}),
            400,
            "productionUrl",
        ),
        (
            serde_json::json!({"productionUrl": "https://93.184.216.34/produce"}),
            400,
            "productionUrl",
        ),
        (
            serde_json::json!({"productionUrl": "https://127.0.0.1/produce"}),
            400,
            "productionUrl",
        ),
        (serde_json::json!({"publicKey": short}), 400, "3072"),
        (
            serde_json::json!({"publicKey": "not a key"}),
            400,
            "publicKey",
        ),
        (
            serde_json::json!({"keys": {"basic": keys[0], "kitSync": keys[0], "generic": keys[2]}}),
            400,
            "different access key",
        ),
        (
            serde_json::json!({"keys": {"basic": keys[0], "kitSync": keys[1], "generic": bobs_key}}),
            400,
            "not an access key of yours",
        ),
        (serde_json::json!({"productId": gateway}), 400, "SaaS"),
        (
            serde_json::json!({"productId": "nope"}),
            404,
            "No such product",
        ),
        (
            serde_json::json!({"homeUrl": "crm.example.com"}),
            400,
            "homeUrl",
        ),
        (serde_json::json!({"colour": "red"}), 400, "unknown field"),
    ] {
        let (got, body) = send_json(
            &app,
            Method::POST,
            APPS,
            &c.alice,
            &request(changes.clone()),
        )
        .await;
        assert_eq!(got, status, "{changes}: {body}");
        assert!(
            body["error_description"].as_str().unwrap().contains(says),
            "{changes}: {body}"
        );
    }
    let (_, none, _) = call(&app, Method::GET, APPS, Some(&c.alice)).await;
    assert_eq!(none["items"], serde_json::json!([]));
    // Buyers and other sellers are refused.
    let (got, _) = send_json(
        &app,
        Method::POST,
        APPS,
        &c.dave,
        &request(serde_json::json!({})),
    )
    .await;
    assert_eq!(got, 403);

    let (got, created) = send_json(
        &app,
        Method::POST,
        APPS,
        &c.alice,
        &request(serde_json::json!({})),
    )
    .await;
    assert_eq!(got, 201, "{created}");
    let app_id = created["appId"].as_str().unwrap().to_owned();
    assert_eq!(
        created["redirectUris"],
        serde_json::json!(["https://crm.example.com/home"])
    );
    let (got, _) = send_json(
        &app,
        Method::POST,
        APPS,
        &c.alice,
        &request(serde_json::json!({})),
    )
    .await;
    assert_eq!(got, 409, "one app per product");
    let one = format!("{APPS}/{app_id}");
    let (got, shown, _) = call(&app, Method::GET, &one, Some(&c.alice)).await;
    assert_eq!(got, 200);
    assert_eq!(shown["keys"]["kitSync"], keys[1].as_str());
    let (got, _, _) = call(&app, Method::GET, &one, Some(&c.bob)).await;
    assert_eq!(got, 404, "another seller's app");

    // The portal knows it: its link shows the app's name (to a browser not signed in).
    let portal = format!("/unified-login/portal-login?ind=UNOP&appId={app_id}");
    app.browser = browser();
    assert!(app.page(&app.url(&portal)).await.contains("CRM for teams"));

    // Changed: the portal follows.
    let (got, changed) = send_json(
        &app,
        Method::PUT,
        &one,
        &c.alice,
        &request(serde_json::json!({"name": "CRM Pro", "productionUrl": "https://api.crm.example.com/v2"})),
    )
    .await;
    assert_eq!(got, 200, "{changed}");
    assert_eq!(changed["productionUrl"], "https://api.crm.example.com/v2");
    assert!(app.page(&app.url(&portal)).await.contains("CRM Pro"));
    let (got, _) = send_json(
        &app,
        Method::PUT,
        &one,
        &c.alice,
        &request(serde_json::json!({"productId": gateway})),
    )
    .await;
    assert_eq!(got, 400, "an app stays with its product");
}
