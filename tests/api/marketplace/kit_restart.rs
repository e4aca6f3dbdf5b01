//! A failed `applicationSync` against the independent seller (`kit_seller`): the seller
//! hears of it at its first failure, the buyer's authorization waits behind it (its own
//! retry window untouched), every attempt carries a fresh body `timeStamp`, and the
//! seller's restart delivers the credentials and then what waited, in order, after
//! which the portal sign-in works with the delivered credentials.

use std::time::Duration;

use reqwest::Method;
use serde_json::{json, Value};
use unilogin::marketplace::kit::outbox::{JobStatus, Outbox};

use super::kit_seller::{activity, chain, MESSAGES};
use super::*;

const QUARTER: Duration = Duration::from_secs(900);

async fn job_of(k: &super::kit_seller::Chain, activity: &str) -> String {
    sqlx::query_scalar("SELECT id FROM kit_jobs WHERE activity = $1 ORDER BY seq DESC")
        .bind(activity)
        .fetch_one(k.app.durable.pool())
        .await
        .unwrap()
}

/// Waits (up to 30 s: the worker runs every second, slower under a loaded machine) until
/// it has made `attempts` attempts of `id` and recorded the last.
async fn attempted(outbox: &Outbox, id: &str, attempts: i64) {
    for _ in 0..300 {
        let job = outbox.job(id).await.unwrap().unwrap();
        if job.attempts >= attempts && job.lease_free() {
            assert_eq!(job.attempts, attempts, "{}", job.last_error);
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("{id} never reached {attempts} attempts");
}

async fn inbox_events(k: &super::kit_seller::Chain) -> Vec<String> {
    let (status, page, _) = call(
        &k.app,
        Method::GET,
        "/api/marketplace/v1/inbox",
        Some(&k.c.alice),
    )
    .await;
    assert_eq!(status, 200, "{page}");
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["event"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
#[ignore = "needs python3 and openssl: .ci/run has them and runs it"]
async fn a_failed_application_sync_holds_what_follows_until_the_seller_restarts_it() {
    let mut k = chain().await;
    k.debug_all().await;
    std::fs::remove_file(k.seller.log_path()).unwrap();
    let outbox = Outbox::new(&k.app.durable, k.app.clock().clone());
    k.seller
        .faults(json!({"applicationSync": ["500", "500", "500", "500", "500"]}));
    let crm = k.crm.clone();
    k.order(
        &k.c.dave,
        json!({"productId": crm, "skuCode": "basic", "periodNumber": 1}),
    )
    .await;
    k.received("the first delivery", 1, activity("applicationSync"))
        .await;
    let sync = job_of(&k, "applicationSync").await;
    attempted(&outbox, &sync, 1).await;
    // The seller hears of it at once, while it is still retried.
    assert!(
        inbox_events(&k)
            .await
            .contains(&"kit.message_failing".into()),
        "{:?}",
        inbox_events(&k).await
    );

    // Every quarter of an hour for an hour: five attempts, then given up.
    for attempt in 2..=5 {
        k.app.clock().advance(QUARTER);
        attempted(&outbox, &sync, attempt).await;
    }
    let failed = outbox.job(&sync).await.unwrap().unwrap();
    assert_eq!(failed.status, JobStatus::Failed);
    assert!(inbox_events(&k)
        .await
        .contains(&"kit.message_failed".into()));

    // The buyer's authorization waited behind it, however long: it depends on it.
    k.advance(Duration::from_secs(2 * 3600)).await;
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let log = k.seller.log();
    assert!(log.iter().all(|e| e["activity"] != "userSync"), "{log:#?}");
    let attempts: Vec<&Value> = log
        .iter()
        .filter(|e| e["activity"] == "applicationSync")
        .collect();
    assert_eq!(attempts.len(), 5);
    let mut stamps: Vec<&str> = attempts
        .iter()
        .map(|e| e["body"]["timeStamp"].as_str().unwrap())
        .collect();
    stamps.dedup();
    assert_eq!(stamps.len(), 5, "a fresh timeStamp on every attempt");

    let (status, messages, _) = call(&k.app, Method::GET, MESSAGES, Some(&k.c.alice)).await;
    assert_eq!(status, 200, "{messages}");
    let listed = &messages["items"][0];
    assert_eq!(
        (
            &listed["activity"],
            &listed["status"],
            &listed["waitingBehind"]
        ),
        (&json!("applicationSync"), &json!("failed"), &json!(1)),
        "{messages}"
    );
    assert!(listed["body"].get("clientSecret").is_none());

    // The seller fixes its side and restarts it: delivered, then what waited, in order.
    let retry = format!("{MESSAGES}/{sync}/retry");
    let (status, restarted, _) = call(&k.app, Method::POST, &retry, Some(&k.c.alice)).await;
    assert_eq!(status, 202, "{restarted}");
    assert_eq!(restarted["waitingBehind"], 1);
    let log = k
        .received(
            "the authorization after the restart",
            1,
            activity("userSync"),
        )
        .await;
    let delivered = log
        .iter()
        .position(|e| e["activity"] == "applicationSync" && e["fault"].is_null())
        .expect("the credentials delivered");
    let authorized = log
        .iter()
        .position(|e| e["activity"] == "userSync")
        .unwrap();
    assert!(delivered < authorized, "{log:#?}");
    assert!(log[delivered]["decryptedSecret"].as_str().unwrap().len() >= 32);
    // The user sync's window opened at its own first attempt: it went at once.
    let user_sync = outbox
        .job(&job_of(&k, "userSync").await)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(user_sync.status, JobStatus::Done);
    assert_eq!(user_sync.attempts, 1);
    let (_, messages, _) = call(&k.app, Method::GET, MESSAGES, Some(&k.c.alice)).await;
    assert_eq!(messages["items"], json!([]));

    // The tenant's credentials work: dave signs in through the portal and the seller
    // redeems the code with them.
    let app_id = k.app_id.clone();
    let redirect = k.portal(&app_id, "dave").await;
    assert_eq!(redirect.status(), 302);
    let seen = k.home(&redirect).await;
    assert_eq!(seen["userinfo"]["userName"], "dave");
    assert_eq!(seen["userinfo"]["role"], "admin");
}
