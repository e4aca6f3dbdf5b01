//! Redis going away: requests that need it answer 503 (JSON on the API, a page in the
//! browser), nothing durable changes, and service resumes by itself when Redis is back.
//! Runs when a real Redis is configured (`UNILOGIN_TEST_REDIS_URL`).

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;

use crate::helpers::{error_of, TestApp};

/// A TCP relay to Redis that can be cut and restored.
struct Relay {
    port: u16,
    up: Arc<AtomicBool>,
    links: Arc<Mutex<Vec<JoinHandle<()>>>>,
}

impl Relay {
    async fn start(target: String) -> Relay {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let up = Arc::new(AtomicBool::new(true));
        let links: Arc<Mutex<Vec<JoinHandle<()>>>> = Arc::default();
        let (accept_up, accept_links) = (up.clone(), links.clone());
        tokio::spawn(async move {
            while let Ok((mut inbound, _)) = listener.accept().await {
                if !accept_up.load(Ordering::SeqCst) {
                    continue; // dropped: the client sees the connection closed
                }
                let target = target.clone();
                let link = tokio::spawn(async move {
                    if let Ok(mut outbound) = TcpStream::connect(target).await {
                        let _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound).await;
                    }
                });
                accept_links.lock().unwrap().push(link);
            }
        });
        Relay { port, up, links }
    }

    fn cut(&self) {
        self.up.store(false, Ordering::SeqCst);
        for link in self.links.lock().unwrap().drain(..) {
            link.abort();
        }
    }

    fn restore(&self) {
        self.up.store(true, Ordering::SeqCst);
    }
}

#[tokio::test]
async fn a_redis_outage_is_a_quick_503_and_heals_by_itself() {
    let Some(redis) = crate::helpers::redis_url() else {
        eprintln!("skipped: UNILOGIN_TEST_REDIS_URL is not set");
        return;
    };
    let target = {
        let url = url::Url::parse(&redis).unwrap();
        format!("{}:{}", url.host_str().unwrap(), url.port().unwrap_or(6379))
    };
    let relay = Relay::start(target).await;
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
