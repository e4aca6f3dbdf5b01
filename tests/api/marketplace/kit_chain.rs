//! The joint-operation kit end to end against the independent seller
//! (`tests/seller/seller.py`): a purchase opens the buyer tenant's instance, the seller
//! receives `newInstance`, the tenant, the credentials (decrypted with its own key) and
//! the buyer's authorization, and its home page redeems a real portal login with those
//! credentials; then renewal, expiry (frozen, tokens dead), unfreezing, release. Openings
//! answered `000004`, delivered twice, or failing until given up (the order unsubscribed)
//! on the moved clock.
//!
//! Needs `python3` and `openssl`, like `kit_production`; `.ci/run` runs it.

use std::time::Duration;

use reqwest::Method;
use serde_json::{json, Value};
use unilogin::marketplace::kit::exchange::Activity;
use unilogin::marketplace::kit::outbox::{JobStatus, NewJob, Outbox};
use unilogin::outbound::OutboundSettings;

use super::kit_production::{keys_and_certificates, Seller};
use super::*;
use crate::helpers::{location, Callback};

const INSTANCES: &str = "/api/marketplace/v1/buyer/kit/instances";
const MESSAGES: &str = "/api/marketplace/v1/seller/kit/messages";
const DAY: u64 = 86_400;

struct Chain {
    app: TestApp,
    c: Cast,
    seller: Seller,
    crm: String,
    app_id: String,
    /// Trusts the test CA: the browser that follows the portal to the seller's home.
    visitor: reqwest::Client,
    _dir: tempfile::TempDir,
}

async fn chain() -> Chain {
    let dir = tempfile::tempdir().unwrap();
    keys_and_certificates(dir.path());
    let ca = dir.path().join("ca.pem");
    let mut app = TestApp::spawn_with(|s| {
        s.outbound = OutboundSettings {
            allow_loopback: true,
            ca_file: Some(ca.clone()),
        }
    })
    .await;
    let c = cast(&mut app).await;
    let crm = on_sale(&app, &c, &c.alice, &product("CRM")).await;
    let (basic, basic_sk) = access_key(&app, &c.alice).await;
    let (sync, sync_sk) = access_key(&app, &c.alice).await;
    let (generic, generic_sk) = access_key(&app, &c.alice).await;
    let seller = Seller::start(
        dir.path(),
        json!({"basic": basic_sk, "kitSync": sync_sk, "generic": generic_sk}),
        &app.url(""),
    );
    let public_key = std::fs::read_to_string(dir.path().join("seller.pub")).unwrap();
    let (status, registered) = send_json(
        &app,
        Method::POST,
        "/api/marketplace/v1/seller/kit/apps",
        &c.alice,
        &json!({
            "productId": crm, "name": "CRM", "homeUrl": seller.home(),
            "productionUrl": seller.url(), "publicKey": public_key,
            "keys": {"basic": basic, "kitSync": sync, "generic": generic},
        }),
    )
    .await;
    assert_eq!(status, 201, "{registered}");
    let pem = std::fs::read(&ca).unwrap();
    let visitor = reqwest::Client::builder()
        .add_root_certificate(reqwest::Certificate::from_pem(&pem).unwrap())
        .build()
        .unwrap();
    let app_id = registered["appId"].as_str().unwrap().to_owned();
    Chain {
        app,
        c,
        seller,
        crm,
        app_id,
        visitor,
        _dir: dir,
    }
}

impl Chain {
    fn debug_path(&self, what: &str) -> String {
        format!("/api/marketplace/v1/seller/kit/apps/{}/{what}", self.app_id)
    }

    /// Saves a successful debug case of every required scenario (period billing).
    async fn debug_all(&self) {
        for scenario in [
            "newInstance",
            "refreshInstance",
            "updateInstanceStatus",
            "releaseInstance",
        ] {
            let (status, case) = send_json(
                &self.app,
                Method::POST,
                &self.debug_path("debug-cases"),
                &self.c.alice,
                &json!({"scenario": scenario}),
            )
            .await;
            assert_eq!(status, 201, "{scenario}: {case}");
        }
    }

    /// Moves the clock; the marketplace tokens (two hours) are fetched again.
    async fn advance(&mut self, by: Duration) {
        self.app.clock().advance(by);
        for (user, token) in [
            ("alice", &mut self.c.alice),
            ("bob", &mut self.c.bob),
            ("dave", &mut self.c.dave),
        ] {
            *token = token_for(&mut self.app, user).await;
        }
    }

    /// Waits (the worker runs every second) until the seller has received `count`
    /// requests matching `wanted`; the whole log then.
    async fn received(
        &self,
        what: &str,
        count: usize,
        wanted: impl Fn(&Value) -> bool,
    ) -> Vec<Value> {
        for _ in 0..150 {
            let log = self.seller.log();
            if log.iter().filter(|e| wanted(e)).count() >= count {
                return log;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("the seller never received {what}: {:#?}", self.seller.log());
    }

    async fn order(&self, token: &str, body: Value) -> Value {
        let (status, order) = order(&self.app, token, body, None).await;
        assert_eq!(status, 201, "{order}");
        order
    }

    async fn instances(&self, token: &str) -> Vec<Value> {
        let (status, list, _) = call(&self.app, Method::GET, INSTANCES, Some(token)).await;
        assert_eq!(status, 200, "{list}");
        list["items"].as_array().unwrap().clone()
    }

    /// Signs `user` in at the app's portal link; the answer to the login form.
    async fn portal(&mut self, app_id: &str, user: &str) -> reqwest::Response {
        self.app.browser = crate::helpers::browser();
        let link = format!("/unified-login/portal-login?ind=UNOP&appId={app_id}");
        self.app
            .submit_login(&self.app.url(&link), user, crate::helpers::PASSWORD)
            .await
    }

    /// Follows the portal's redirect to the seller's home, which redeems the code with
    /// the credentials it was delivered; what it learned.
    async fn home(&self, redirect: &reqwest::Response) -> Value {
        let to = location(redirect);
        assert!(to.starts_with(&self.seller.home()), "{to}");
        let answer = self.visitor.get(&to).send().await.unwrap();
        let status = answer.status().as_u16();
        let body: Value = answer.json().await.unwrap();
        assert_eq!(status, 200, "the seller's home: {body}");
        body
    }
}

fn activity(name: &'static str) -> impl Fn(&Value) -> bool {
    move |e: &Value| e["activity"] == name
}

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
    k.order(
        &dave,
        json!({"productId": crm, "skuCode": "basic", "periodNumber": 1,
               "orderType": "RENEW", "relatedOrderId": order_id}),
    )
    .await;
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
    k.order(
        &dave,
        json!({"productId": crm, "skuCode": "basic", "periodNumber": 1,
               "orderType": "RENEW", "relatedOrderId": order_id}),
    )
    .await;
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

    // Unsubscribed: released at the seller, the credentials withdrawn, tokens dead.
    k.order(
        &dave,
        json!({"productId": crm, "skuCode": "basic", "orderType": "UNSUBSCRIBE",
               "relatedOrderId": order_id, "periodNumber": 1}),
    )
    .await;
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
    let (status, body) = order(
        &k.app,
        &dave,
        json!({"productId": crm, "skuCode": "basic", "periodNumber": 1,
               "orderType": "RENEW", "relatedOrderId": order_id}),
        None,
    )
    .await;
    assert_eq!(status, 409, "{body}");
}

#[tokio::test]
#[ignore = "needs python3 and openssl: .ci/run has them and runs it"]
async fn openings_are_polled_deduplicated_or_given_up_and_the_freeze_ends_in_release() {
    let mut k = chain().await;
    k.debug_all().await;
    std::fs::remove_file(k.seller.log_path()).unwrap();
    let crm = k.crm.clone();
    let outbox = Outbox::new(k.app.durable.pool().clone(), k.app.clock().clone());

    // The seller opens asynchronously (000004): polled with queryInstance, then live.
    k.seller.faults(json!({"newInstance": ["000004"]}));
    k.order(
        &k.c.dave,
        json!({"productId": crm, "skuCode": "basic", "periodNumber": 1}),
    )
    .await;
    let log = k
        .received("the delivery after polling", 1, activity("applicationSync"))
        .await;
    let names: Vec<&str> = log
        .iter()
        .map(|e| e["activity"].as_str().unwrap())
        .collect();
    assert_eq!(names[..3], ["newInstance", "orderNotify", "queryInstance"]);
    let instance = k.instances(&k.c.dave).await[0].clone();
    assert_eq!(instance["state"], "live");
    let instance_id = instance["instanceId"].as_str().unwrap().to_owned();

    // The same opening delivered again (as a lost lease would): the seller answers with
    // the same instance, and nothing is registered or delivered twice.
    let again = outbox
        .enqueue(&NewJob {
            seller_tenant_id: "tenant-a".into(),
            app_id: instance["appId"].as_str().unwrap().into(),
            instance_id: instance_id.clone(),
            activity: Activity::NewInstance,
            idempotency_key: "delivered-twice".into(),
            payload: log[0]["body"].clone(),
        })
        .await
        .unwrap();
    k.received("the second delivery", 2, activity("newInstance"))
        .await;
    for _ in 0..50 {
        if outbox.job(again.id()).await.unwrap().unwrap().status == JobStatus::Done {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let done = outbox.job(again.id()).await.unwrap().unwrap();
    assert_eq!(done.status, JobStatus::Done, "{}", done.last_error);
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let deliveries = k
        .seller
        .log()
        .iter()
        .filter(|e| e["activity"] == "applicationSync")
        .count();
    assert_eq!(deliveries, 1, "credentials delivered once");

    // bob's opening fails for three hours: given up, his order unsubscribed, the
    // failed message listed to the seller, who cannot start an opening again.
    k.seller
        .faults(json!({"newInstance": ["500", "500", "500", "500"], "orderNotify": []}));
    let bought = k
        .order(
            &k.c.bob,
            json!({"productId": crm, "skuCode": "basic", "periodNumber": 1}),
        )
        .await;
    let bob_instance = k.instances(&k.c.bob).await[0]["instanceId"]
        .as_str()
        .unwrap()
        .to_owned();
    let job_id: String = sqlx::query_scalar(
        "SELECT id FROM kit_jobs WHERE instance_id = $1 AND activity = 'newInstance'",
    )
    .bind(&bob_instance)
    .fetch_one(k.app.durable.pool())
    .await
    .unwrap();
    for attempt in 1..=4 {
        let mut job = outbox.job(&job_id).await.unwrap().unwrap();
        for _ in 0..100 {
            if job.attempts >= attempt && job.lease_free() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
            job = outbox.job(&job_id).await.unwrap().unwrap();
        }
        assert_eq!(job.attempts, attempt, "{}", job.last_error);
        k.app.clock().advance(Duration::from_secs(3600));
    }
    k.advance(Duration::ZERO).await;
    let failed = outbox.job(&job_id).await.unwrap().unwrap();
    assert_eq!(failed.status, JobStatus::Failed);
    assert_eq!(k.instances(&k.c.bob).await[0]["state"], "failed");
    let (_, orders, _) = call(&k.app, Method::GET, ORDERS, Some(&k.c.bob)).await;
    let unsubscribed = orders["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["orderType"] == "UNSUBSCRIBE")
        .expect("the order unsubscribed automatically");
    assert_eq!(unsubscribed["relatedOrderId"], bought["orderId"]);
    let (status, messages, _) = call(&k.app, Method::GET, MESSAGES, Some(&k.c.alice)).await;
    assert_eq!(status, 200);
    let message = &messages["items"][0];
    assert_eq!(message["activity"], "newInstance");
    assert!(message["lastError"]
        .as_str()
        .unwrap()
        .contains("HTTP status 500"));
    let retry = format!(
        "{MESSAGES}/{}/retry",
        message["messageId"].as_str().unwrap()
    );
    let (status, body, _) = call(&k.app, Method::POST, &retry, Some(&k.c.alice)).await;
    assert_eq!(status, 409, "{body}");
    let (status, _, _) = call(&k.app, Method::POST, &retry, Some(&k.c.bob)).await;
    assert_eq!(status, 404, "bob sells, but not this app");

    // dave's instance runs out (frozen), and fifteen days on it is released.
    k.advance(Duration::from_secs(31 * DAY)).await;
    k.received("the freeze", 1, activity("updateInstanceStatus"))
        .await;
    k.advance(Duration::from_secs(15 * DAY)).await;
    let log = k
        .received("the release", 1, activity("releaseInstance"))
        .await;
    let release = log
        .iter()
        .find(|e| e["activity"] == "releaseInstance")
        .unwrap();
    assert_eq!(release["body"]["instanceId"], done_instance(&log));
    assert_eq!(k.instances(&k.c.dave).await[0]["state"], "released");
}

/// The seller's instance id, as it answered the first opening.
fn done_instance(log: &[Value]) -> String {
    let order_line = log[0]["body"]["orderLineId"].as_str().unwrap();
    format!("ins-{order_line}")
}
