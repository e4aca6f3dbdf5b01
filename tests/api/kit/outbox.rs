//! The outbox on the real durable store (SQLite, or PostgreSQL with the services): jobs
//! found again by their idempotency key, claimed exactly once by concurrent workers,
//! retried on the schedule as the clock moves, given up and listed to their seller, and
//! started again by hand.

use std::collections::BTreeSet;
use std::time::Duration;

use unilogin::marketplace::kit::exchange::Activity;
use unilogin::marketplace::kit::outbox::{
    retry_policy, succeed_in, AfterFailure, Enqueued, JobStatus, NewJob, Outbox, Retry, LEASE,
};

use crate::helpers::TestApp;

fn outbox(app: &TestApp) -> Outbox {
    Outbox::new(&app.durable, app.clock().clone())
}

fn job(seller: &str, key: &str, activity: Activity) -> NewJob {
    NewJob {
        seller_tenant_id: seller.into(),
        app_id: "app-1".into(),
        instance_id: String::new(),
        activity,
        idempotency_key: key.into(),
        payload: serde_json::json!({"orderId": key}),
    }
}

#[tokio::test]
async fn a_job_is_found_again_by_its_key_and_claimed_once_across_workers() {
    let app = TestApp::spawn().await;
    let outbox = outbox(&app);
    let first = outbox
        .enqueue(&job("seller", "o-1", Activity::NewInstance))
        .await
        .unwrap();
    assert!(matches!(first, Enqueued::Created(_)));
    let again = outbox
        .enqueue(&job("seller", "o-1", Activity::NewInstance))
        .await
        .unwrap();
    assert_eq!(again, Enqueued::Existing(first.id().to_owned()));
    for n in 2..=20 {
        outbox
            .enqueue(&job("seller", &format!("o-{n}"), Activity::TenantSync))
            .await
            .unwrap();
    }

    // Two workers (as two instances would) claim at the same time.
    let other = self::outbox(&app);
    let (a, b) = tokio::join!(outbox.claim_due("a", 15), other.claim_due("b", 15));
    let (a, b) = (a.unwrap(), b.unwrap());
    let ids_a: BTreeSet<String> = a.iter().map(|j| j.id.clone()).collect();
    let ids_b: BTreeSet<String> = b.iter().map(|j| j.id.clone()).collect();
    assert!(ids_a.is_disjoint(&ids_b), "a job claimed twice");
    let rest = outbox.claim_due("c", 20).await.unwrap();
    assert_eq!(ids_a.len() + ids_b.len() + rest.len(), 20);
    assert!(a.iter().chain(&b).chain(&rest).all(|j| j.attempts == 1));
    // Leased: nobody gets them again.
    assert!(outbox.claim_due("d", 20).await.unwrap().is_empty());

    // A worker that dies leaves a lease that expires; the job is tried again, and the
    // first worker's late answer is not recorded.
    app.clock().advance(LEASE + Duration::from_secs(1));
    let retaken = outbox.claim_due("e", 50).await.unwrap();
    assert_eq!(retaken.len(), 20);
    assert!(retaken.iter().all(|j| j.attempts == 2));
    let mut tx = outbox.begin().await.unwrap();
    let late = succeed_in(&mut tx, &retaken[0].id, "a", &serde_json::json!({}))
        .await
        .unwrap();
    assert!(!late, "a lost lease records nothing");
    let answer = serde_json::json!({"resultCode": "000000", "instanceId": "i-1"});
    assert!(succeed_in(&mut tx, &retaken[0].id, "e", &answer)
        .await
        .unwrap());
    tx.commit().await.unwrap();
    let done = outbox.job(&retaken[0].id).await.unwrap().unwrap();
    assert_eq!(done.status, JobStatus::Done);
    assert_eq!(done.answer, Some(answer));
}

#[tokio::test]
async fn failures_retry_on_the_schedule_then_fail_and_the_seller_restarts_them() {
    let app = TestApp::spawn().await;
    let outbox = outbox(&app);
    let id = outbox
        .enqueue(&job("seller", "o-1", Activity::NewInstance))
        .await
        .unwrap()
        .id()
        .to_owned();
    outbox
        .enqueue(&job("someone-else", "o-2", Activity::ReleaseInstance))
        .await
        .unwrap();
    let hour = retry_policy(Activity::NewInstance).interval;
    // Hourly for three hours: attempts at 0, 1, 2 and 3 hours, then failed.
    for attempt in 1..=4 {
        let claimed = outbox.claim_due("w", 10).await.unwrap();
        let job = claimed.into_iter().find(|j| j.id == id).expect("due");
        assert_eq!(job.attempts, attempt);
        let after = outbox
            .attempt_failed(&job, "w", "HTTP status 500, expected 200")
            .await
            .unwrap();
        if attempt < 4 {
            assert!(matches!(after, AfterFailure::Retrying(_)), "{after:?}");
            // Not due before the hour is out.
            assert!(outbox
                .claim_due("w", 10)
                .await
                .unwrap()
                .iter()
                .all(|j| j.id != id));
            app.clock().advance(hour);
        } else {
            assert_eq!(after, AfterFailure::GaveUp);
        }
    }
    let failed = outbox.failed_of("seller", 10).await.unwrap();
    assert_eq!(failed.len(), 1);
    assert_eq!(failed[0].last_error, "HTTP status 500, expected 200");
    assert!(outbox.failed_of("nobody", 10).await.unwrap().is_empty());

    // A failed opening is not started again: its order was unsubscribed.
    assert!(matches!(
        outbox.retry_now("seller", &id).await.unwrap(),
        Retry::Refused(why) if why.contains("unsubscribed")
    ));

    // A release fails after its hour, and only its seller starts it again; then it is
    // due at once, with a new window.
    let release = outbox
        .enqueue(&job("seller", "o-3", Activity::ReleaseInstance))
        .await
        .unwrap()
        .id()
        .to_owned();
    loop {
        let claimed = outbox.claim_due("w", 10).await.unwrap();
        let job = claimed.into_iter().find(|j| j.id == release).expect("due");
        if outbox.attempt_failed(&job, "w", "timed out").await.unwrap() == AfterFailure::GaveUp {
            assert_eq!(job.attempts, 5, "0, 15, 30, 45 and 60 minutes");
            break;
        }
        app.clock()
            .advance(retry_policy(Activity::ReleaseInstance).interval);
    }
    assert_eq!(
        outbox.retry_now("someone-else", &release).await.unwrap(),
        Retry::NotFound
    );
    assert_eq!(
        outbox.retry_now("seller", &release).await.unwrap(),
        Retry::Restarted
    );
    let claimed = outbox.claim_due("w", 10).await.unwrap();
    assert!(claimed.iter().any(|j| j.id == release));
    assert!(outbox
        .failed_of("seller", 10)
        .await
        .unwrap()
        .iter()
        .all(|j| j.id != release));
}
