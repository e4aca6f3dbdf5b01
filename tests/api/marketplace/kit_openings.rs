//! Openings that do not simply succeed, against the independent seller (`kit_seller`):
//! answered `000004` and polled, delivered twice, or failing until given up (the order
//! unsubscribed, the failed message listed to the seller) on the moved clock; and an
//! instance that runs out, freezes and is released fifteen days on.

use std::time::Duration;

use reqwest::Method;
use serde_json::json;
use unilogin::marketplace::kit::exchange::Activity;
use unilogin::marketplace::kit::outbox::{JobStatus, NewJob, Outbox};

use super::kit_seller::{activity, chain, done_instance, DAY, MESSAGES};
use super::*;

#[tokio::test]
#[ignore = "needs python3 and openssl: .ci/run has them and runs it"]
async fn openings_are_polled_deduplicated_or_given_up_and_the_freeze_ends_in_release() {
    let mut k = chain().await;
    k.debug_all().await;
    std::fs::remove_file(k.seller.log_path()).unwrap();
    let crm = k.crm.clone();
    let outbox = Outbox::new(&k.app.durable, k.app.clock().clone());

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
    // Refunded in full without asking, and shown with the buyer's other requests.
    let (_, requests, _) = call(&k.app, Method::GET, BUYER_UNSUBSCRIBE, Some(&k.c.bob)).await;
    let automatic = &requests["items"][0];
    assert_eq!(
        (
            &automatic["rule"],
            &automatic["state"],
            &automatic["refundAmount"]
        ),
        (
            &json!("failed_provisioning"),
            &json!("completed"),
            &bought["amount"]
        ),
        "{requests}"
    );
    assert_eq!(automatic["unsubscribeOrderId"], unsubscribed["orderId"]);
    let subscription = bought["orderLines"][0]["subscriptionId"].as_str().unwrap();
    let (_, found, _) = call(
        &k.app,
        Method::GET,
        &format!("/api/marketplace/v1/buyer/subscriptions/{subscription}"),
        Some(&k.c.bob),
    )
    .await;
    assert_eq!(found["state"], "unsubscribed", "{found}");
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
