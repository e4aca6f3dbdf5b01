//! An attack from review: with a proxy named in the environment, the client for sellers'
//! production URLs sent `CONNECT` through it, and the address guard only ever saw the
//! proxy. Calls must go straight to the seller whatever the environment says. (Its own
//! test binary: the proxy variables it sets are the process's.)

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use unilogin_core::outbound::{Outbound, OutboundSettings};
use url::Url;

/// A listener that counts the connections it is offered and answers none of them.
async fn proxy() -> (String, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let offered = Arc::new(AtomicUsize::new(0));
    let count = offered.clone();
    tokio::spawn(async move {
        while let Ok((socket, _)) = listener.accept().await {
            count.fetch_add(1, Ordering::SeqCst);
            drop(socket);
        }
    });
    (format!("http://{address}"), offered)
}

/// A seller that answers every request with `{"resultCode":"000000"}`.
async fn seller() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            tokio::spawn(async move {
                let mut request = vec![0u8; 64 * 1024];
                let _ = socket.read(&mut request).await;
                let body = br#"{"resultCode":"000000"}"#;
                let head = format!(
                    "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n\
                     content-length: {}\r\nconnection: close\r\n\r\n",
                    body.len()
                );
                let _ = socket.write_all(head.as_bytes()).await;
                let _ = socket.write_all(body).await;
            });
        }
    });
    port
}

#[tokio::test]
async fn an_environment_proxy_never_carries_a_call_to_a_seller() {
    let (proxy_url, offered) = proxy().await;
    for name in [
        "HTTPS_PROXY",
        "https_proxy",
        "HTTP_PROXY",
        "http_proxy",
        "ALL_PROXY",
        "all_proxy",
    ] {
        std::env::set_var(name, &proxy_url);
    }
    std::env::remove_var("NO_PROXY");
    std::env::remove_var("no_proxy");
    let port = seller().await;
    // Loopback sellers need the development switch; the guard is the same either way.
    let outbound = Outbound::new(&OutboundSettings {
        allow_loopback: true,
        ca_file: None,
    })
    .unwrap();
    for host in ["127.0.0.1", "localhost"] {
        let url = Url::parse(&format!("http://{host}:{port}/produce")).unwrap();
        let answer = outbound
            .post_json(&url, Vec::new(), b"{}".to_vec(), Duration::from_secs(5))
            .await
            .unwrap_or_else(|e| panic!("{host}: {e}"));
        assert_eq!(answer.status, 200, "{host}");
        assert_eq!(answer.body, br#"{"resultCode":"000000"}"#, "{host}");
    }
    assert_eq!(
        offered.load(Ordering::SeqCst),
        0,
        "the environment proxy was offered a connection"
    );
}
