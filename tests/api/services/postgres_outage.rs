//! PostgreSQL going away under a running app: what needs it answers 503 within the pool's
//! wait (JSON on the API, a page in the browser), nothing answered before is lost (the
//! refresh chain and the pending code still work afterwards), and service resumes by
//! itself when the database is back.

use std::time::{Duration, Instant};

use super::relay::Relay;
use crate::helpers::{error_of, TestApp};

fn unavailable() -> (u16, String, String) {
    (
        503,
        "temporarily_unavailable".into(),
        "The service is temporarily unavailable, retry later".into(),
    )
}

#[tokio::test]
#[ignore = "needs PostgreSQL + Redis: .ci/run runs it on its services pass"]
async fn a_postgres_outage_is_a_quick_503_loses_nothing_and_heals_by_itself() {
    let (database, _) = super::required();
    let relay = Relay::start(super::address(&database, 5432)).await;
    let app = TestApp::spawn_with(|settings| {
        let mut url = url::Url::parse(&settings.database_url).unwrap();
        url.set_host(Some("127.0.0.1")).unwrap();
        url.set_port(Some(relay.port)).unwrap();
        settings.database_url = url.to_string();
    })
    .await;
    let tokens = app.signed_in_tokens(&[]).await;
    let refresh = oauth2::TokenResponse::refresh_token(&tokens)
        .unwrap()
        .secret()
        .clone();
    // A code the app was about to redeem when the database went away.
    let pending = app.login(&app.client, &[]).await;
    let families = app.count("grant_families").await;

    relay.cut();
    let ready = app.get(&app.url("/readyz")).await;
    assert_eq!(ready.status(), 503);
    let body: serde_json::Value = ready.json().await.unwrap();
    assert_eq!(body["durable"], "down");

    let started = Instant::now();
    let refreshed = app
        .token_raw(
            &[("grant_type", "refresh_token"), ("refresh_token", &refresh)],
            app.basic(),
        )
        .await;
    assert_eq!(error_of(refreshed).await, unavailable());
    let exchange = app
        .redeem_raw(pending.code.as_deref().unwrap(), app.basic())
        .await;
    assert_eq!(error_of(exchange).await, unavailable());
    let login = app.get(&app.url("/unified-login/portal-login")).await;
    assert_eq!(login.status(), 503);
    assert!(login.text().await.unwrap().contains("error-message"));
    // The pool gives up after its 2 s wait; the requests above did not hang.
    assert!(
        started.elapsed() < Duration::from_secs(30),
        "{:?}",
        started.elapsed()
    );

    relay.restore();
    let mut healed = false;
    for _ in 0..100 {
        if app.get(&app.url("/readyz")).await.status() == 200 {
            healed = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert!(healed, "readiness comes back without a restart");
    assert_eq!(app.count("grant_families").await, families);

    // Nothing answered before the outage was lost: the refresh token refused with 503
    // still refreshes, and the code still redeems once.
    app.refresh(&app.client, &refresh)
        .await
        .expect("the refresh chain survived the outage");
    app.exchange_code(&app.client, pending.code.as_deref().unwrap())
        .await
        .expect("the pending code survived the outage");
    let again = app.login(&app.client, &[]).await;
    app.exchange_code(&app.client, again.code.as_deref().unwrap())
        .await
        .expect("service resumed");
}
