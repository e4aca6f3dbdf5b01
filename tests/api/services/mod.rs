//! Tests that only mean something on PostgreSQL + Redis: several instances behind a real
//! load balancer, and the stores going away under the app. They are `#[ignore]`d in a
//! plain `cargo test` (the embedded default has no shared stores to lose); `.ci/run`
//! runs them on its Redis + PostgreSQL pass, and run alone they fail, naming what is
//! missing.

mod cluster;
mod postgres_outage;
mod redis_outage;
mod relay;

/// The real PostgreSQL and Redis these tests need (`UNILOGIN_TEST_DATABASE_URL`,
/// `UNILOGIN_TEST_REDIS_URL`).
fn required() -> (url::Url, url::Url) {
    let get = |name: &str| {
        let value = std::env::var(name).unwrap_or_else(|_| {
            panic!("this test runs on PostgreSQL + Redis: set {name} (as .ci/run does)")
        });
        url::Url::parse(&value).unwrap_or_else(|e| panic!("{name}: {e}"))
    };
    (
        get("UNILOGIN_TEST_DATABASE_URL"),
        get("UNILOGIN_TEST_REDIS_URL"),
    )
}

/// `host:port` of a store URL.
fn address(url: &url::Url, default_port: u16) -> String {
    format!(
        "{}:{}",
        url.host_str().expect("host"),
        url.port().unwrap_or(default_port)
    )
}
