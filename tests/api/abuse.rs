//! Brute force and abuse: account and IP lockout with doubling backoff, the bound on
//! concurrent password checks, and oversized bodies.

use std::time::Duration;

use crate::helpers::{join_all, location, TestApp, PASSWORD};

/// The login form a partner app's user lands on.
async fn login_form(app: &TestApp) -> String {
    let (authorize, _) = app.authorize_url(&app.client, &[]);
    app.url(&location(&app.get(&authorize).await))
}

/// Whether a login attempt was refused with the generic message (and no session).
async fn refused(app: &TestApp, form: &str, username: &str, password: &str) -> bool {
    let response = app.submit_login(form, username, password).await;
    match response.status().as_u16() {
        200 => {
            let html = response.text().await.unwrap();
            assert!(html.contains("id=\"login-error\""), "generic message shown");
            true
        }
        302 => false,
        other => panic!("unexpected status {other}"),
    }
}

#[tokio::test]
async fn five_failures_lock_the_account_for_a_backoff_that_doubles() {
    let app = TestApp::spawn_with(|s| {
        s.limits.lockout_base = Duration::from_secs(1);
        s.limits.ip_failures = 0;
    })
    .await;
    app.create_user("bob", "tenant-a").await;
    let form = login_form(&app).await;
    for attempt in 1..=5 {
        assert!(
            refused(&app, &form, "alice", "wrong-password").await,
            "{attempt}"
        );
    }
    // Locked: even the right password gets the same answer, for alice only.
    assert!(refused(&app, &form, "alice", PASSWORD).await);
    assert!(
        !refused(&app, &form, "bob", PASSWORD).await,
        "bob is not locked"
    );

    // An unknown username locks the same way: the lock tells nothing about existence.
    for _ in 1..=5 {
        assert!(refused(&app, &form, "nobody", "wrong-password").await);
    }
    let nobody = app
        .submit_login(&form, "nobody", "x")
        .await
        .text()
        .await
        .unwrap();
    let alice = app
        .submit_login(&form, "alice", "x")
        .await
        .text()
        .await
        .unwrap();
    let message = |html: &str| {
        let start = html.find("id=\"login-error\"").expect("error shown");
        html[start..].split('<').next().unwrap().to_owned()
    };
    assert_eq!(message(&nobody), message(&alice));

    // After the first backoff (1 s) one more failure locks again, twice as long.
    tokio::time::sleep(Duration::from_millis(1100)).await;
    assert!(refused(&app, &form, "alice", "wrong-again").await);
    tokio::time::sleep(Duration::from_millis(1100)).await;
    assert!(
        refused(&app, &form, "alice", PASSWORD).await,
        "still locked at 1.1 s of 2 s"
    );
    tokio::time::sleep(Duration::from_millis(1100)).await;
    assert!(
        !refused(&app, &form, "alice", PASSWORD).await,
        "unlocked after 2 s"
    );
}

#[tokio::test]
async fn failures_from_one_address_lock_that_address() {
    let app = TestApp::spawn_with(|s| {
        s.limits.ip_failures = 4;
        s.limits.account_failures = 100;
    })
    .await;
    let form = login_form(&app).await;
    for name in ["u1", "u2", "u3", "u4"] {
        assert!(refused(&app, &form, name, "wrong-password").await);
    }
    // Spraying many accounts from one address: the address is locked, for everyone.
    assert!(refused(&app, &form, "alice", PASSWORD).await);
}

#[tokio::test]
async fn a_login_flood_waits_for_password_slots_or_gets_503_and_the_token_endpoint_stays_up() {
    let app = TestApp::spawn_with(|s| {
        // Slow hashes, and no patience: most of the flood must be turned away.
        s.argon2.memory_kib = 32 * 1024;
        s.argon2.iterations = 3;
        s.limits.password_check_wait = Duration::from_millis(1);
        s.limits.account_failures = 0;
        s.limits.ip_failures = 0;
    })
    .await;
    let form = login_form(&app).await;
    let attempts = (0..12).map(|_| app.submit_login(&form, "alice", "wrong-password"));
    let token = async {
        // The back channel never waits for argon2.
        tokio::time::sleep(Duration::from_millis(20)).await;
        app.token_raw(&[("grant_type", "client_credentials")], app.basic())
            .await
            .status()
            .as_u16()
    };
    let (statuses, token_status) = tokio::join!(
        async {
            let mut statuses = Vec::new();
            let handles: Vec<_> = attempts.collect();
            for response in join_all(handles).await {
                statuses.push(response.status().as_u16());
            }
            statuses
        },
        token
    );
    assert_eq!(token_status, 200);
    assert!(
        statuses.iter().all(|s| *s == 200 || *s == 503),
        "{statuses:?}"
    );
    assert!(
        statuses.contains(&503),
        "the flood is bounded: {statuses:?}"
    );
    assert!(
        statuses.contains(&200),
        "some attempts were checked: {statuses:?}"
    );
}

#[tokio::test]
async fn bodies_over_64_kib_are_refused_with_413_json() {
    let app = TestApp::spawn().await;
    let big = "a".repeat(65 * 1024);
    for path in [
        "/api/v1/oauth2/token",
        "/api/v1/oauth2/introspect",
        "/api/v1/oauth2/revoke",
        "/unified-login/portal-login",
    ] {
        let response = app
            .backchannel
            .post(app.url(path))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(format!("token={big}"))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 413, "{path}");
        let (_, error, description) = crate::helpers::error_of(response).await;
        assert_eq!(error, "invalid_request", "{path}");
        assert!(description.contains("64 KiB"), "{description}");
    }
}
