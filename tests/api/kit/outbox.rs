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

/// These tests are the workers: the app's own would claim the same jobs whenever its tick
/// fell inside a test slowed down by a busy machine.
async fn app_without_worker() -> TestApp {
    TestApp::spawn_with(|settings| settings.market_worker = false).await
}

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
    let app = app_without_worker().await;
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
    let app = app_without_worker().await;
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

fn instance_job(key: &str, activity: Activity, payload: serde_json::Value) -> NewJob {
    NewJob {
        instance_id: "kit-instance-1".into(),
        payload,
        ..job("seller", key, activity)
    }
}

/// Fails every due attempt of `id` on the schedule until it is given up or replaced;
/// how many attempts it had.
async fn fail_until_settled(app: &TestApp, outbox: &Outbox, id: &str) -> (i64, AfterFailure) {
    loop {
        let claimed = outbox.claim_due("w", 10).await.unwrap();
        let job = claimed.into_iter().find(|j| j.id == id).expect("due");
        match outbox
            .attempt_failed(&job, "w", "HTTP status 500")
            .await
            .unwrap()
        {
            AfterFailure::Retrying(_) => {}
            settled => return (job.attempts, settled),
        }
        app.clock().advance(retry_policy(job.activity).interval);
    }
}

#[tokio::test]
async fn each_message_has_its_own_window_from_its_first_attempt() {
    let app = app_without_worker().await;
    let outbox = outbox(&app);
    let release = outbox
        .enqueue(&instance_job(
            "r",
            Activity::ReleaseInstance,
            serde_json::json!({}),
        ))
        .await
        .unwrap();
    let user = outbox
        .enqueue(&instance_job(
            "u",
            Activity::UserSync,
            serde_json::json!({"userId": "u-1"}),
        ))
        .await
        .unwrap();
    // The release fails for its hour; the user sync queued behind it waits meanwhile.
    let (attempts, settled) = fail_until_settled(&app, &outbox, release.id()).await;
    assert_eq!((attempts, settled), (5, AfterFailure::GaveUp));
    let waiting = outbox.job(user.id()).await.unwrap().unwrap();
    assert_eq!((waiting.attempts, waiting.first_attempt_at), (0, 0));
    // A failed release does not hold what follows: the user sync goes now, and gets its
    // own full hour (five attempts), not what is left of the release's.
    let (attempts, settled) = fail_until_settled(&app, &outbox, user.id()).await;
    assert_eq!((attempts, settled), (5, AfterFailure::GaveUp));
}

#[tokio::test]
async fn a_failed_application_sync_holds_its_instance_until_restarted() {
    let app = app_without_worker().await;
    let outbox = outbox(&app);
    let sync = outbox
        .enqueue(&instance_job(
            "a",
            Activity::ApplicationSync,
            serde_json::json!({"flag": "1"}),
        ))
        .await
        .unwrap();
    let user = outbox
        .enqueue(&instance_job(
            "u",
            Activity::UserSync,
            serde_json::json!({"userId": "u-1"}),
        ))
        .await
        .unwrap();
    let unrelated = outbox
        .enqueue(&job("seller", "elsewhere", Activity::OrderNotify))
        .await
        .unwrap();
    let (_, settled) = fail_until_settled(&app, &outbox, sync.id()).await;
    assert_eq!(settled, AfterFailure::GaveUp);
    // Held however long it waits; calls of other instances are not.
    app.clock().advance(Duration::from_secs(6 * 3600));
    let due: Vec<String> = outbox
        .claim_due("w", 10)
        .await
        .unwrap()
        .into_iter()
        .map(|j| j.id)
        .collect();
    assert!(due.contains(&unrelated.id().to_owned()), "{due:?}");
    assert!(!due.contains(&user.id().to_owned()), "{due:?}");

    assert_eq!(
        outbox.retry_now("seller", sync.id()).await.unwrap(),
        Retry::RestartedWithFollowers(1)
    );
    // The sync first; what waited only once it is delivered.
    let due = outbox.claim_due("w", 10).await.unwrap();
    assert_eq!(
        due.iter().map(|j| j.id.as_str()).collect::<Vec<_>>(),
        [sync.id()]
    );
    assert!(due[0].give_up_at > app.clock().now_unix(), "a fresh window");
    let mut tx = outbox.begin().await.unwrap();
    assert!(succeed_in(&mut tx, sync.id(), "w", &serde_json::json!({}))
        .await
        .unwrap());
    tx.commit().await.unwrap();
    let due = outbox.claim_due("w", 10).await.unwrap();
    assert_eq!(
        due.iter().map(|j| j.id.as_str()).collect::<Vec<_>>(),
        [user.id()]
    );
    assert_eq!(due[0].attempts, 1);
}

#[tokio::test]
async fn a_later_sync_of_the_same_subject_supersedes_an_undelivered_one() {
    let app = app_without_worker().await;
    let outbox = outbox(&app);
    let add = outbox
        .enqueue(&instance_job(
            "add",
            Activity::ApplicationSync,
            serde_json::json!({"flag": "1"}),
        ))
        .await
        .unwrap();
    let (_, settled) = fail_until_settled(&app, &outbox, add.id()).await;
    assert_eq!(settled, AfterFailure::GaveUp);
    // The instance is released: the withdrawal replaces the stale delivery.
    let delete = outbox
        .enqueue(&instance_job(
            "delete",
            Activity::ApplicationSync,
            serde_json::json!({"flag": "0"}),
        ))
        .await
        .unwrap();
    let replaced = outbox.job(add.id()).await.unwrap().unwrap();
    assert_eq!(replaced.status, JobStatus::Superseded);
    assert!(matches!(
        outbox.retry_now("seller", add.id()).await.unwrap(),
        Retry::Refused(why) if why.contains("replaced")
    ));
    let listed = outbox.failed_of("seller", 10).await.unwrap();
    assert!(listed
        .iter()
        .any(|j| j.id == add.id() && j.status == JobStatus::Superseded));

    // One user's syncs replace each other; another user's do not.
    let grant = |key: &str, user: &str| {
        instance_job(key, Activity::UserSync, serde_json::json!({"userId": user}))
    };
    let first = outbox.enqueue(&grant("g1", "u-1")).await.unwrap();
    let other = outbox.enqueue(&grant("g2", "u-2")).await.unwrap();
    // The withdrawal goes; the first grant is in flight when its user is synced again.
    let due = outbox.claim_due("w", 10).await.unwrap();
    assert_eq!(due[0].id, delete.id());
    let mut tx = outbox.begin().await.unwrap();
    assert!(
        succeed_in(&mut tx, delete.id(), "w", &serde_json::json!({}))
            .await
            .unwrap()
    );
    tx.commit().await.unwrap();
    let in_flight = outbox.claim_due("w", 1).await.unwrap().remove(0);
    assert_eq!(in_flight.id, first.id());
    let second = outbox.enqueue(&grant("g3", "u-1")).await.unwrap();
    assert_eq!(
        outbox.job(first.id()).await.unwrap().unwrap().status,
        JobStatus::Pending,
        "a call in flight is not touched"
    );
    // Its attempt fails: it is not tried again, the later one carries the state.
    assert_eq!(
        outbox
            .attempt_failed(&in_flight, "w", "timed out")
            .await
            .unwrap(),
        AfterFailure::Superseded
    );
    let due: Vec<String> = outbox
        .claim_due("w", 10)
        .await
        .unwrap()
        .into_iter()
        .map(|j| j.id)
        .collect();
    assert_eq!(
        due,
        [other.id().to_owned()],
        "in order: u-2 before u-1's second"
    );
    assert_eq!(
        outbox.job(second.id()).await.unwrap().unwrap().status,
        JobStatus::Pending
    );
}
