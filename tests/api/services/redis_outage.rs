//! Redis going away: requests that need it answer 503 (JSON on the API, a page in the
//! browser), nothing durable changes, and service resumes by itself when Redis is back.

use std::time::Duration;

use super::relay::Relay;
use crate::helpers::{error_of, TestApp};

#[tokio::test]
#[ignore = "needs PostgreSQL + Redis: .ci/run runs it on its services pass"]
async fn a_redis_outage_is_a_quick_503_and_heals_by_itself() {
    let (_, redis) = super::required();
    let relay = Relay::start(super::address(&redis, 6379)).await;
    let relayed = format!("redis://127.0.0.1:{}/", relay.port);
    let app = TestApp::spawn_with(|settings| {
        settings.redis_url = Some(relayed);
        settings.redis_prefix = format!("unilogin-outage:{}:", unilogin::secret::random_id(8));
    })
    .await;
    let callback = app.login(&app.client, &[]).await;
    let families = app.count("grant_families").await;

    relay.cut();
    let ready = app.get(&app.url("/readyz")).await;
    assert_eq!(ready.status(), 503);
    let exchange = app
        .redeem_raw(callback.code.as_deref().unwrap(), app.basic())
        .await;
    assert_eq!(
        error_of(exchange).await,
        (
            503,
            "temporarily_unavailable".into(),
            "The service is temporarily unavailable, retry later".into()
        )
    );
    let page = app.get(&app.url("/unified-login/portal-login")).await;
    assert_eq!(page.status(), 503);
    assert!(page.text().await.unwrap().contains("error-message"));
    assert_eq!(
        app.count("grant_families").await,
        families,
        "nothing durable changed"
    );

    relay.restore();
    let mut healed = false;
    for _ in 0..50 {
        if app.get(&app.url("/readyz")).await.status() == 200 {
            healed = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert!(healed, "readiness comes back without a restart");
    let again = app.login(&app.client, &[]).await;
    app.exchange_code(&app.client, again.code.as_deref().unwrap())
        .await
        .expect("service resumed");
}
