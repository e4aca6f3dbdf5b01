//! An attack from review: one buyer stored 30 × 5 MiB in 3 s and the database grew
//! without bound, and uploads never attached to anything were never removed. Each user
//! now has a quota of unattached uploads and of bytes a day — held exactly under
//! concurrent uploads — and unattached uploads go after a day.

use std::time::Duration;

use super::*;
use crate::helpers::join_all;

#[tokio::test]
async fn thirty_uploads_at_once_hold_the_unattached_quota_exactly() {
    let mut app = TestApp::spawn().await;
    let buyer = token_for(&mut app, "alice").await;
    let shared = &app;
    let uploads: Vec<_> = (0..30)
        .map(|i| {
            let buyer = buyer.clone();
            async move {
                upload(
                    shared,
                    &buyer,
                    &format!("note-{i}.txt"),
                    b"evidence".to_vec(),
                )
                .await
            }
        })
        .collect();
    let answers = join_all(uploads).await;
    let accepted = answers.iter().filter(|(status, _)| *status == 201).count();
    let refused: Vec<_> = answers
        .iter()
        .filter(|(status, _)| *status == 429)
        .collect();
    assert_eq!(accepted, 20, "{answers:?}");
    assert_eq!(refused.len(), 10, "{answers:?}");
    says(
        429,
        &refused[0].1,
        429,
        "not attached to anything (at most 20)",
    );
    assert_eq!(refused[0].1["error"], "quota_exceeded");
    assert_eq!(app.count("mkt_attachments").await, 20);

    // A day later the sweep deletes what was never attached, and the quota is free again.
    app.clock().advance(Duration::from_secs(86_400));
    let store = market(&app);
    let deleted = store
        .delete_stale_uploads(app.clock().now_unix())
        .await
        .unwrap();
    assert_eq!(deleted, 20);
    assert_eq!(app.count("mkt_attachments").await, 0);
    let buyer = token_for(&mut app, "alice").await;
    uploaded(&app, &buyer, "again.png").await;
}

#[tokio::test]
async fn the_bytes_a_day_are_capped_and_say_so() {
    let mut app = TestApp::spawn_with(|settings| {
        settings.limits.upload_mib_per_day = 1;
    })
    .await;
    let buyer = token_for(&mut app, "alice").await;
    let big = vec![b'x'; 400 * 1024];
    for name in ["a.txt", "b.txt"] {
        let (status, body) = upload(&app, &buyer, name, big.clone()).await;
        assert_eq!(status, 201, "{body}");
    }
    let (status, body) = upload(&app, &buyer, "c.txt", big.clone()).await;
    says(status, &body, 429, "at most 1 MiB of uploads in 24 hours");
    assert_eq!(app.count("mkt_attachments").await, 2);
    // Another user's quota is their own.
    app.create_user("bob", crate::helpers::TENANT).await;
    let bob = token_for(&mut app, "bob").await;
    let (status, body) = upload(&app, &bob, "c.txt", big.clone()).await;
    assert_eq!(status, 201, "{body}");
    // The day moves on: the window is 24 hours.
    app.clock().advance(Duration::from_secs(86_401));
    let buyer = token_for(&mut app, "alice").await;
    let (status, body) = upload(&app, &buyer, "d.txt", big).await;
    assert_eq!(status, 201, "{body}");
}
