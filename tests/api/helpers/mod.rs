//! `TestApp`: one isolated unilogin per test, with one method per endpoint so each test
//! reads like a partner app's story.

use std::time::Duration;

use oauth2::basic::BasicClient;
use oauth2::{EndpointNotSet, EndpointSet};
use reqwest::redirect::Policy;
use std::sync::Arc;
use unilogin::admin::PasswordHasher;

use unilogin::clock::Clock;
use unilogin::config::{Argon2Settings, MasterKeyBytes, MasterKeySource, Settings};
use unilogin::lifecycle::Lifecycle;
use unilogin::startup::Application;
use unilogin::store::durable::Durable;

mod flows;
mod pages;
mod seed;

pub use pages::*;

pub type OAuthClient =
    BasicClient<EndpointSet, EndpointNotSet, EndpointSet, EndpointNotSet, EndpointSet>;
pub type TokenResult = Result<
    oauth2::basic::BasicTokenResponse,
    oauth2::RequestTokenError<
        oauth2::HttpClientError<reqwest::Error>,
        oauth2::basic::BasicErrorResponse,
    >,
>;

pub const PASSWORD: &str = "s3cret-passw0rd";
pub const TENANT: &str = "tenant-a";

/// A registered partner app.
#[derive(Debug, Clone)]
pub struct TestClient {
    pub id: String,
    pub secret: Option<String>,
    pub app_id: String,
    pub redirect_uri: String,
    pub post_logout_uri: String,
}

/// What the browser carried back to the app after a login.
#[derive(Debug, Clone)]
pub struct Callback {
    pub location: String,
    pub code: Option<String>,
    pub state: Option<String>,
    pub tenant: Option<String>,
    pub error: Option<String>,
    /// RFC 9207 issuer identification.
    pub iss: Option<String>,
}

impl Callback {
    pub fn parse(location: &str) -> Self {
        let url = url::Url::parse(location).expect("absolute redirect");
        let get = |k: &str| {
            url.query_pairs()
                .find(|(key, _)| key == k)
                .map(|(_, v)| v.into_owned())
        };
        Self {
            location: location.to_owned(),
            code: get("code"),
            state: get("state"),
            tenant: get("tenant"),
            error: get("error"),
            iss: get("iss"),
        }
    }
}

/// Where the per-test backend lives, so it can be dropped afterwards.
struct Services {
    admin_url: String,
    database: String,
    redis_url: String,
    prefix: String,
}

pub struct TestApp {
    pub base: String,
    issuer: String,
    /// A browser: cookie jar, no automatic redirects.
    pub browser: reqwest::Client,
    /// A plain back-channel client (what the `oauth2` crate uses).
    pub backchannel: reqwest::Client,
    pub durable: Durable,
    pub hasher: PasswordHasher,
    pub client: TestClient,
    pub settings: Settings,
    app: Option<Application>,
    services: Option<Services>,
    _dir: tempfile::TempDir,
}

fn cheap_argon2() -> Argon2Settings {
    Argon2Settings {
        memory_kib: 1024,
        iterations: 1,
        parallelism: 1,
    }
}

/// The TLS crypto provider every reqwest client of the tests builds on (the server's
/// own, aws-lc-rs); tests that make clients before any app starts call this first.
pub fn tls() {
    unilogin::outbound::install_crypto_provider();
}

pub fn browser() -> reqwest::Client {
    tls();
    reqwest::Client::builder()
        .cookie_store(true)
        .redirect(Policy::none())
        .timeout(Duration::from_secs(20))
        .build()
        .expect("browser client")
}

/// Whether the Redis + PostgreSQL backend was asked for; panics under
/// `UNILOGIN_TEST_REQUIRE_SERVICES=1` if it was not configured.
fn services_requested() -> Option<(String, String)> {
    let db = std::env::var("UNILOGIN_TEST_DATABASE_URL").ok();
    let redis = std::env::var("UNILOGIN_TEST_REDIS_URL").ok();
    match (db, redis) {
        (Some(db), Some(redis)) => Some((db, redis)),
        _ if require_services() => {
            panic!("UNILOGIN_TEST_REQUIRE_SERVICES=1 but the service URLs are not set")
        }
        _ => None,
    }
}

pub fn require_services() -> bool {
    std::env::var("UNILOGIN_TEST_REQUIRE_SERVICES").is_ok_and(|v| v == "1")
}

pub fn redis_url() -> Option<String> {
    std::env::var("UNILOGIN_TEST_REDIS_URL").ok()
}

fn random_suffix() -> String {
    unilogin::secret::random_id(12)
}

/// Replaces the database name of a PostgreSQL URL.
fn with_database(url: &str, database: &str) -> String {
    let mut parsed = url::Url::parse(url).expect("database URL");
    parsed.set_path(&format!("/{database}"));
    parsed.to_string()
}

async fn create_services(db_url: &str, redis: &str) -> Option<Services> {
    use sqlx::Connection;
    sqlx::any::install_default_drivers();
    let database = format!("unilogin_t_{}", random_suffix());
    let connect =
        tokio::time::timeout(Duration::from_secs(5), sqlx::AnyConnection::connect(db_url)).await;
    let mut conn = match connect {
        Ok(Ok(conn)) => conn,
        other => {
            let reason = match other {
                Ok(Err(e)) => e.to_string(),
                _ => "timed out".into(),
            };
            if require_services() {
                panic!("PostgreSQL at {db_url} is unreachable: {reason}");
            }
            eprintln!("skipping the services backend (PostgreSQL unreachable: {reason}); using the embedded one");
            return None;
        }
    };
    sqlx::query(&format!("CREATE DATABASE {database}"))
        .execute(&mut conn)
        .await
        .expect("create test database");
    let _ = conn.close().await;
    Some(Services {
        admin_url: db_url.to_owned(),
        database,
        redis_url: redis.to_owned(),
        prefix: format!("unilogin-test:{}:", random_suffix()),
    })
}

impl TestApp {
    /// A fresh app on the configured backend with one tenant, one user (`alice`) and one
    /// confidential client.
    pub async fn spawn() -> TestApp {
        Self::spawn_with(|_| {}).await
    }

    /// Like `spawn`, with a last word on the settings.
    pub async fn spawn_with(configure: impl FnOnce(&mut Settings)) -> TestApp {
        tls();
        // sqlx warns when a test runtime ends under an idle pool: expected, not interesting.
        unilogin::telemetry::init("warn,sqlx=error");
        let dir = tempfile::tempdir().expect("temp dir");
        let services = match services_requested() {
            Some((db, redis)) => create_services(&db, &redis).await,
            None => None,
        };
        let mut settings = Settings::from_env().expect("settings");
        // Each app its own clock, which its tests move.
        settings.clock = Clock::system();
        settings.bind = "127.0.0.1:0".into();
        settings.issuer = None;
        settings.keys_dir = dir.path().join("keys");
        settings.argon2 = cheap_argon2();
        settings.demo = false;
        match &services {
            Some(s) => {
                settings.database_url = with_database(&s.admin_url, &s.database);
                // Every instance of one deployment shares the master key.
                settings.master_keys = MasterKeySource::Variable(vec![MasterKeyBytes(
                    unilogin::keystore::aead::random_key().expect("random key"),
                )]);
                settings.redis_url = Some(s.redis_url.clone());
                settings.redis_prefix = s.prefix.clone();
            }
            None => {
                settings.database_url =
                    format!("sqlite://{}", dir.path().join("unilogin.db").display());
                settings.redis_url = None;
            }
        }
        configure(&mut settings);
        Self::start(settings, services, dir).await
    }

    async fn start(
        settings: Settings,
        services: Option<Services>,
        dir: tempfile::TempDir,
    ) -> TestApp {
        let mut app = Application::build(settings.clone())
            .await
            .expect("app builds");
        let base = format!("http://127.0.0.1:{}", app.port());
        let issuer = app.issuer().to_owned();
        let durable = app.idp().durable.clone();
        let hasher = PasswordHasher::new(settings.argon2).expect("hasher");
        app.spawn();
        let mut test_app = TestApp {
            base,
            issuer,
            browser: browser(),
            backchannel: reqwest::Client::builder()
                .redirect(Policy::none())
                .build()
                .expect("client"),
            durable,
            hasher,
            client: TestClient {
                id: String::new(),
                secret: None,
                app_id: String::new(),
                redirect_uri: String::new(),
                post_logout_uri: String::new(),
            },
            settings,
            app: Some(app),
            services,
            _dir: dir,
        };
        if test_app
            .durable
            .find_user_by_username("alice")
            .await
            .unwrap()
            .is_none()
        {
            test_app.create_user("alice", TENANT).await;
            test_app.client = test_app
                .register_client("partner", &["https://partner.example/callback"], false)
                .await;
        }
        test_app
    }

    /// Stops the server and starts a new one on the same port, database, keys and key prefix.
    pub async fn restart(mut self) -> TestApp {
        let app = self.app.take().expect("running app");
        app.handle().stop(true).await;
        let client = self.client.clone();
        let mut settings = self.settings.clone();
        // The same address and public identity, as after a real restart.
        settings.issuer = Some(self.issuer.clone());
        settings.bind = self.base.trim_start_matches("http://").to_owned();
        let services = self.services.take();
        let dir = tempfile::TempDir::new().expect("temp dir");
        let old_dir = std::mem::replace(&mut self._dir, dir);
        // The old instance's Drop must leave the shared Redis keys to its successor.
        self.settings.redis_url = None;
        drop(self);
        let mut restarted = Self::start(settings, services, old_dir).await;
        restarted.client = client;
        restarted
    }

    /// Stops this app's own server, leaving its stores (and their clean-up) to the test.
    pub async fn stop_serving(&mut self) {
        if let Some(app) = self.app.take() {
            app.handle().stop(true).await;
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    pub fn issuer(&self) -> &str {
        &self.issuer
    }

    pub fn app(&self) -> &Application {
        self.app.as_ref().expect("running app")
    }

    /// Another instance on the same stores, keys and issuer (behind the same load balancer).
    pub async fn second_instance(&self) -> SecondInstance {
        let mut settings = self.settings.clone();
        settings.bind = "127.0.0.1:0".into();
        settings.issuer = Some(self.issuer.clone());
        let mut app = Application::build(settings)
            .await
            .expect("second instance builds");
        let base = format!("http://127.0.0.1:{}", app.port());
        app.spawn();
        SecondInstance { base, app }
    }

    /// The key store this app's keys live in.
    pub async fn key_store(&self) -> unilogin::keystore::KeyStore {
        unilogin::startup::open_key_store(&self.settings, &self.durable)
            .await
            .expect("key store")
    }

    /// The environment a `unilogin` command needs to work on this app's stores.
    pub fn cli_env(&self) -> Vec<(&'static str, String)> {
        let mut env = vec![
            ("UNILOGIN_DATABASE_URL", self.settings.database_url.clone()),
            (
                "UNILOGIN_KEYS_DIR",
                self.settings.keys_dir.display().to_string(),
            ),
        ];
        if let MasterKeySource::Variable(keys) = &self.settings.master_keys {
            let keys: Vec<String> = keys.iter().map(MasterKeyBytes::encode).collect();
            env.push(("UNILOGIN_MASTER_KEY", keys.join(",")));
        }
        env
    }

    /// `client` after `rotated` gave it a new secret.
    pub fn client_with(&self, rotated: &unilogin::admin::CreatedClient) -> TestClient {
        TestClient {
            secret: rotated
                .client_secret
                .as_ref()
                .map(|s| s.expose().to_owned()),
            ..self.client.clone()
        }
    }

    /// The app's clock: move it forward instead of sleeping.
    pub fn clock(&self) -> &Clock {
        &self.settings.clock
    }

    /// The lifecycle the app checks every credential against (as an administrator's
    /// tools reach it).
    pub fn lifecycle(&self) -> Arc<Lifecycle> {
        self.app().idp().lifecycle.clone()
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(app) = self.app.take() {
            // Stop accepting; the runtime ends the rest with the test.
            drop(app.handle().stop(false));
        }
        let database = self.services.take().map(|s| (s.admin_url, s.database));
        // Keys under this app's prefix on the real Redis (the app may have used a relay).
        let redis = match (&self.settings.redis_url, redis_url()) {
            (Some(_), Some(real)) => Some((real, self.settings.redis_prefix.clone())),
            _ => None,
        };
        if database.is_none() && redis.is_none() {
            return;
        }
        // The test's runtime is going away: clean up on a runtime of our own.
        let _ = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("cleanup runtime");
            runtime.block_on(async move {
                use sqlx::Connection;
                if let Some((admin_url, database)) = database {
                    if let Ok(mut conn) = sqlx::AnyConnection::connect(&admin_url).await {
                        let sql = format!("DROP DATABASE IF EXISTS {database} WITH (FORCE)");
                        let _ = sqlx::query(&sql).execute(&mut conn).await;
                    }
                }
                if let Some((url, prefix)) = redis {
                    if let Ok(store) = unilogin::store::ephemeral::RedisStore::new(&url, &prefix) {
                        let _ = store.clear_prefix().await;
                    }
                }
            });
        })
        .join();
    }
}

pub struct SecondInstance {
    pub base: String,
    app: Application,
}

impl Drop for SecondInstance {
    fn drop(&mut self) {
        drop(self.app.handle().stop(false));
    }
}
