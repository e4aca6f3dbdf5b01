//! Calls to a seller's production interface, end to end, against the independent seller
//! (`kit_seller`): V2 signatures verified by the seller with the key of each interface
//! category, Body-Sign checked by us, the client secret decrypted by the seller with its
//! private key; faults (a timeout included) answered as failures the outbox retries on
//! the injectable clock.

use std::time::Duration;

use unilogin::marketplace::kit::exchange::Activity;
use unilogin::marketplace::kit::outbox::{JobStatus, NewJob, Outbox};
use unilogin::marketplace::kit::secret_delivery::DeliveryKey;
use unilogin::secret::Secret;

use super::kit_seller::chain;

/// Waits (the worker runs every second; a call may take its 20 s) until `job` has been
/// tried `attempts` times.
async fn tried(
    outbox: &Outbox,
    job: &str,
    attempts: i64,
) -> unilogin::marketplace::kit::outbox::Job {
    for _ in 0..300 {
        let current = outbox.job(job).await.unwrap().unwrap();
        if current.attempts >= attempts && current.lease_free() {
            return current;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("job {job} was not tried {attempts} times");
}

#[tokio::test]
#[ignore = "needs python3 and openssl: .ci/run has them and runs it"]
async fn the_production_interface_is_called_signed_and_its_answers_checked() {
    let k = chain().await;
    let (app, seller, app_id) = (&k.app, &k.seller, k.app_id.clone());
    let public_key = k.public_key.clone();
    let outbox = Outbox::new(&app.durable, app.clock().clone());
    let job = |activity: Activity, key: &str, payload: serde_json::Value| NewJob {
        seller_tenant_id: "tenant-a".into(),
        app_id: app_id.clone(),
        instance_id: String::new(),
        activity,
        idempotency_key: key.into(),
        payload,
    };

    // A new purchase, basic category, signed in the query: accepted with the seller's
    // instance id.
    let new = outbox
        .enqueue(&job(
            Activity::NewInstance,
            "o-1/l-1",
            serde_json::json!({"orderId": "o-1", "orderLineId": "l-1", "businessId": "b-1", "testFlag": 0}),
        ))
        .await
        .unwrap();
    let done = tried(&outbox, new.id(), 1).await;
    assert_eq!(done.status, JobStatus::Done, "{}", done.last_error);
    assert_eq!(done.answer.unwrap()["instanceId"], "ins-l-1");

    // Kit sync, signed in headers under /produceAPI/v2/: the secret decrypts at the seller.
    let delivery = DeliveryKey::from_pem(&public_key).unwrap();
    let sealed = delivery.encrypt(&Secret::new("the-tenant-secret")).unwrap();
    let sync_job = outbox
        .enqueue(&job(
            Activity::ApplicationSync,
            "app/tenant-d/1",
            serde_json::json!({"instanceId": "ins-l-1", "tenantId": "tenant-d", "appId": app_id,
                "clientId": "client-1", "clientSecret": sealed, "flag": 1, "testFlag": 0}),
        ))
        .await
        .unwrap();
    let done = tried(&outbox, sync_job.id(), 1).await;
    assert_eq!(done.status, JobStatus::Done, "{}", done.last_error);
    let log = seller.log();
    assert!(log.iter().all(|e| e["verified"] == true), "{log:?}");
    let sync_entry = log
        .iter()
        .find(|e| e["activity"] == "applicationSync")
        .unwrap();
    assert_eq!(sync_entry["path"], "/produce/produceAPI/v2/applicationSync");
    assert_eq!(sync_entry["category"], "kitSync");
    assert_eq!(sync_entry["decryptedSecret"], "the-tenant-secret");
    let new_entry = log.iter().find(|e| e["activity"] == "newInstance").unwrap();
    assert_eq!(new_entry["category"], "basic");

    // Faults: each a failed attempt with the reason, retried after the interval.
    for (fault, says) in [
        ("500", "HTTP status 500"),
        ("bad-sign", "Body-Sign signature does not match"),
        ("no-sign", "no Body-Sign"),
        ("text", "content type"),
        ("000005", "000005 (internal error)"),
        // The seller sleeps 30 s: the call gives up at 20 (the debug page's limit).
        ("timeout", "no answer within 20 s"),
    ] {
        seller.faults(serde_json::json!({"releaseInstance": [fault]}));
        let release = outbox
            .enqueue(&job(
                Activity::ReleaseInstance,
                &format!("release/{fault}"),
                serde_json::json!({"instanceId": "ins-l-1", "testFlag": 0}),
            ))
            .await
            .unwrap();
        let failed = tried(&outbox, release.id(), 1).await;
        assert_eq!(failed.status, JobStatus::Pending, "{fault}");
        assert!(
            failed.last_error.contains(says),
            "{fault}: {}",
            failed.last_error
        );
        // Fifteen minutes on, the retry goes through.
        app.clock().advance(Duration::from_secs(15 * 60));
        let retried = tried(&outbox, release.id(), 2).await;
        assert_eq!(
            retried.status,
            JobStatus::Done,
            "{fault}: {}",
            retried.last_error
        );
    }

    // A new purchase opening asynchronously (000004) is accepted as in progress.
    seller.faults(serde_json::json!({"newInstance": ["000004"]}));
    let later = outbox
        .enqueue(&job(
            Activity::NewInstance,
            "o-2/l-2",
            serde_json::json!({"orderId": "o-2", "orderLineId": "l-2", "businessId": "b-2", "testFlag": 0}),
        ))
        .await
        .unwrap();
    let done = tried(&outbox, later.id(), 1).await;
    assert_eq!(done.status, JobStatus::Done);
    assert_eq!(done.answer.unwrap()["resultCode"], "000004");
}
