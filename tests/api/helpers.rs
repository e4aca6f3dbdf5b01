//! `TestApp`: one isolated unilogin per test, with one method per endpoint so each test
//! reads like a partner app's story.

use std::time::Duration;

use oauth2::basic::BasicClient;
use oauth2::{
    AuthType, AuthUrl, AuthorizationCode, ClientId, ClientSecret, CsrfToken, EndpointNotSet,
    EndpointSet, IntrospectionUrl, RedirectUrl, RefreshToken, Scope, TokenUrl,
};
use reqwest::redirect::Policy;
use reqwest::Response;
use std::sync::Arc;
use unilogin::admin::{NewClientRequest, NewUserRequest, PasswordHasher};

use unilogin::clock::Clock;
use unilogin::config::{Argon2Settings, MasterKeyBytes, MasterKeySource, Settings};
use unilogin::domain::resource::MARKETPLACE_SCOPES;
use unilogin::domain::{NewPassword, RedirectUri, Role, TenantId, Username};
use unilogin::lifecycle::Lifecycle;
use unilogin::startup::Application;
use unilogin::store::durable::Durable;

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

    /// Makes `username` a platform administrator; returns their id.
    pub async fn make_platform_admin(&self, username: &str) -> String {
        let user = self
            .durable
            .find_user_by_username(username)
            .await
            .unwrap()
            .unwrap_or_else(|| panic!("no user {username}"));
        self.durable
            .set_platform_admin(&user.id, true)
            .await
            .unwrap();
        user.id
    }

    pub async fn create_user(&self, username: &str, tenant: &str) -> String {
        unilogin::admin::create_user(
            &self.durable,
            &self.hasher,
            NewUserRequest {
                username: Username::parse(username).unwrap(),
                tenant: TenantId::parse(tenant).unwrap(),
                password: NewPassword::parse(PASSWORD).unwrap(),
                name: Some(format!("{username} name")),
                email: Some(format!("{username}@example.com")),
                mobile: Some("13900000000".into()),
                role: Role::User,
                org_code: Some("ORG-1".into()),
                org_name: Some("Org One".into()),
                project_name: None,
            },
        )
        .await
        .expect("user created")
    }

    /// A partner app, allowed every marketplace scope.
    pub async fn register_client(
        &self,
        name: &str,
        redirect_uris: &[&str],
        public: bool,
    ) -> TestClient {
        self.register_client_with_scopes(name, redirect_uris, public, &MARKETPLACE_SCOPES)
            .await
    }

    pub async fn register_client_with_scopes(
        &self,
        name: &str,
        redirect_uris: &[&str],
        public: bool,
        scopes: &[&str],
    ) -> TestClient {
        let post_logout = format!("https://{name}.example/logged-out");
        let created = unilogin::admin::create_client(
            &self.durable,
            NewClientRequest {
                name: name.into(),
                redirect_uris: redirect_uris
                    .iter()
                    .map(|u| RedirectUri::parse(u).unwrap())
                    .collect(),
                post_logout_uris: vec![RedirectUri::parse(&post_logout).unwrap()],
                home_url: Some(
                    RedirectUri::parse(&format!("https://{name}.example/home")).unwrap(),
                ),
                public,
                id_token_alg: None,
                scopes: scopes.iter().map(|s| (*s).to_owned()).collect(),
                client_id: None,
                app_id: None,
            },
        )
        .await
        .expect("client created");
        TestClient {
            id: created.client_id,
            secret: created.client_secret.map(|s| s.expose().to_owned()),
            app_id: created.app_id,
            redirect_uri: redirect_uris[0].to_owned(),
            post_logout_uri: post_logout,
        }
    }

    /// The `oauth2` crate's client for `client`, with HTTP Basic authentication.
    pub fn oauth(&self, client: &TestClient) -> OAuthClient {
        let mut oauth = BasicClient::new(ClientId::new(client.id.clone()))
            .set_auth_uri(AuthUrl::new(self.url("/api/v1/oauth2/authorize")).unwrap())
            .set_token_uri(TokenUrl::new(self.url("/api/v1/oauth2/token")).unwrap())
            .set_introspection_url(
                IntrospectionUrl::new(self.url("/api/v1/oauth2/introspect")).unwrap(),
            )
            .set_redirect_uri(RedirectUrl::new(client.redirect_uri.clone()).unwrap());
        if let Some(secret) = &client.secret {
            oauth = oauth.set_client_secret(ClientSecret::new(secret.clone()));
        }
        oauth
    }

    /// The authorization URL the partner app sends the browser to, and its `state`.
    pub fn authorize_url(&self, client: &TestClient, scopes: &[&str]) -> (String, String) {
        let oauth = self.oauth(client);
        let mut request = oauth.authorize_url(CsrfToken::new_random);
        for scope in scopes {
            request = request.add_scope(Scope::new((*scope).to_owned()));
        }
        let (url, state) = request.url();
        (url.to_string(), state.secret().clone())
    }

    pub async fn get(&self, url: &str) -> Response {
        self.browser.get(url).send().await.expect("GET")
    }

    /// The text of the page at `url`, in this app's browser.
    pub async fn page(&self, url: &str) -> String {
        self.get(url).await.text().await.expect("page text")
    }

    /// The text of the page at `url`, asking for `language`.
    pub async fn page_in(&self, url: &str, language: &str) -> String {
        self.get_with_language(url, language)
            .await
            .text()
            .await
            .expect("page text")
    }

    pub async fn get_with_language(&self, url: &str, language: &str) -> Response {
        self.browser
            .get(url)
            .header("accept-language", language)
            .send()
            .await
            .expect("GET")
    }

    /// Submits the login form found at `form_url` with these credentials.
    pub async fn submit_login(&self, form_url: &str, username: &str, password: &str) -> Response {
        let page = self.get(form_url).await;
        assert_eq!(page.status(), 200, "login page at {form_url}");
        let html = page.text().await.unwrap();
        let mut fields = hidden_fields(&html);
        fields.push(("username".into(), username.into()));
        fields.push(("password".into(), password.into()));
        self.browser
            .post(self.url("/unified-login/portal-login"))
            .form(&fields)
            .send()
            .await
            .expect("POST login")
    }

    /// The whole browser leg: authorize → login page → credentials → back to the app.
    pub async fn login(&self, client: &TestClient, scopes: &[&str]) -> Callback {
        let (url, state) = self.authorize_url(client, scopes);
        let callback = self.login_at(&url, "alice", PASSWORD).await;
        assert_eq!(callback.state.as_deref(), Some(state.as_str()));
        callback
    }

    /// Follows an authorize URL through the login page (unless the browser's session
    /// answers at once) and returns the final redirect.
    pub async fn login_at(&self, authorize_url: &str, username: &str, password: &str) -> Callback {
        let response = self.get(authorize_url).await;
        assert_eq!(response.status(), 302, "authorize redirects");
        let to_login = location(&response);
        if to_login.starts_with("http") {
            return Callback::parse(&to_login);
        }
        assert!(
            to_login.starts_with("/unified-login/portal-login?req="),
            "{to_login}"
        );
        let posted = self
            .submit_login(&self.url(&to_login), username, password)
            .await;
        if posted.status() != 302 {
            let page = posted.text().await.unwrap_or_default();
            panic!("{username}'s login failed: {}", page_error(&page));
        }
        let resume = location(&posted);
        assert!(
            resume.starts_with("/api/v1/oauth2/authorize?req="),
            "{resume}"
        );
        let back = self.get(&self.url(&resume)).await;
        assert_eq!(back.status(), 302);
        Callback::parse(&location(&back))
    }

    /// Signs in and redeems the code: the usual start of a test.
    pub async fn signed_in_tokens(&self, scopes: &[&str]) -> oauth2::basic::BasicTokenResponse {
        let callback = self.login(&self.client, scopes).await;
        self.exchange_code(&self.client, callback.code.as_deref().unwrap())
            .await
            .expect("code exchange")
    }

    /// Signs in with `openid` and redeems the code by hand: the raw token response, which
    /// carries the `id_token` the `oauth2` crate would drop.
    pub async fn signed_in_oidc(&self) -> serde_json::Value {
        let callback = self.login(&self.client, &["openid"]).await;
        let response = self
            .redeem_raw(callback.code.as_deref().unwrap(), self.basic())
            .await;
        assert_eq!(response.status(), 200);
        response.json().await.expect("token response")
    }

    /// An application token of the default client (client credentials).
    pub async fn client_credentials(&self) -> String {
        let tokens = self
            .oauth(&self.client)
            .exchange_client_credentials()
            .request_async(&self.backchannel)
            .await
            .expect("client credentials grant");
        oauth2::TokenResponse::access_token(&tokens)
            .secret()
            .clone()
    }

    pub async fn exchange_code(&self, client: &TestClient, code: &str) -> TokenResult {
        self.oauth(client)
            .exchange_code(AuthorizationCode::new(code.to_owned()))
            .request_async(&self.backchannel)
            .await
    }

    pub async fn exchange_code_in_body(&self, client: &TestClient, code: &str) -> TokenResult {
        self.oauth(client)
            .set_auth_type(AuthType::RequestBody)
            .exchange_code(AuthorizationCode::new(code.to_owned()))
            .request_async(&self.backchannel)
            .await
    }

    pub async fn refresh(&self, client: &TestClient, refresh_token: &str) -> TokenResult {
        self.oauth(client)
            .exchange_refresh_token(&RefreshToken::new(refresh_token.to_owned()))
            .request_async(&self.backchannel)
            .await
    }

    /// HTTP Basic credentials of the default client.
    pub fn basic(&self) -> Option<(&str, &str)> {
        Some((
            self.client.id.as_str(),
            self.client.secret.as_deref().unwrap(),
        ))
    }

    /// A raw token request, for the cases a well-behaved client library never sends.
    pub async fn token_raw(&self, form: &[(&str, &str)], basic: Option<(&str, &str)>) -> Response {
        let mut request = self
            .backchannel
            .post(self.url("/api/v1/oauth2/token"))
            .form(form);
        if let Some((id, secret)) = basic {
            request = request.basic_auth(id, Some(secret));
        }
        request.send().await.expect("token request")
    }

    /// A form POST to a client-authenticated endpoint (introspection, revocation).
    pub async fn post_form(
        &self,
        path: &str,
        form: &[(&str, &str)],
        basic: Option<(&str, &str)>,
    ) -> Response {
        let mut request = self.backchannel.post(self.url(path)).form(form);
        if let Some((id, secret)) = basic {
            request = request.basic_auth(id, Some(secret));
        }
        request.send().await.expect("form POST")
    }

    /// Introspects `token` as `client` (RFC 7662), the JSON answer.
    pub async fn introspect(&self, client: &TestClient, token: &str) -> serde_json::Value {
        let response = self
            .post_form(
                "/api/v1/oauth2/introspect",
                &[("token", token)],
                Some((&client.id, client.secret.as_deref().unwrap())),
            )
            .await;
        assert_eq!(response.status(), 200);
        response.json().await.expect("introspection JSON")
    }

    /// Redeems `code` at the default client's redirect URI with these credentials, by hand.
    pub async fn redeem_raw(&self, code: &str, basic: Option<(&str, &str)>) -> Response {
        self.token_raw(
            &[
                ("grant_type", "authorization_code"),
                ("code", code),
                ("redirect_uri", &self.client.redirect_uri),
            ],
            basic,
        )
        .await
    }

    pub async fn userinfo(&self, access_token: &str) -> Response {
        self.backchannel
            .get(self.url("/api/v1/oauth2/userinfo"))
            .bearer_auth(access_token)
            .header("accept", "application/json")
            .send()
            .await
            .expect("userinfo")
    }

    pub async fn logout(&self, redirect_url: Option<&str>) -> Response {
        let url = match redirect_url {
            Some(target) => {
                let mut url = url::Url::parse(&self.url("/api/v1/logout")).unwrap();
                url.query_pairs_mut().append_pair("redirect_url", target);
                url.to_string()
            }
            None => self.url("/api/v1/logout"),
        };
        self.get(&url).await
    }

    /// Rows in a table, to prove a rejected request stored nothing.
    pub async fn count(&self, table: &str) -> i64 {
        use sqlx::Row;
        let pool = self.durable_pool();
        let sql = format!("SELECT COUNT(*) AS n FROM {table}");
        sqlx::query(&sql)
            .fetch_one(&pool)
            .await
            .unwrap()
            .try_get::<i64, _>("n")
            .unwrap()
    }

    fn durable_pool(&self) -> sqlx::AnyPool {
        sqlx::any::install_default_drivers();
        let url = &self.settings.database_url;
        let url = if url.starts_with("sqlite:") {
            format!("{url}?mode=rw")
        } else {
            url.clone()
        };
        sqlx::pool::PoolOptions::new()
            .max_connections(1)
            .connect_lazy(&url)
            .unwrap()
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

/// The message a refused login page shows (its `error` paragraph), for failures.
fn page_error(html: &str) -> String {
    html.split("class=\"error\"")
        .nth(1)
        .and_then(|rest| rest.split('>').nth(1))
        .and_then(|text| text.split('<').next())
        .unwrap_or("no error message on the page")
        .trim()
        .to_owned()
}

/// The kids the JWKS of the instance at `base` publishes, sorted.
pub async fn jwks_kids(base: &str) -> Vec<String> {
    let jwks: serde_json::Value = reqwest::get(format!("{base}/api/v1/oauth2/jwks"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let mut kids: Vec<String> = jwks["keys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["kid"].as_str().unwrap().to_owned())
        .collect();
    kids.sort();
    kids
}

/// The text of the page at `url` seen by another browser, sending only `headers`.
pub async fn page_elsewhere(url: &str, headers: &[(&str, &str)]) -> String {
    let mut request = reqwest::Client::builder()
        .redirect(Policy::none())
        .build()
        .expect("client")
        .get(url);
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    request
        .send()
        .await
        .expect("GET")
        .text()
        .await
        .expect("page text")
}

pub fn location(response: &Response) -> String {
    response
        .headers()
        .get("location")
        .expect("a Location header")
        .to_str()
        .unwrap()
        .to_owned()
}

/// `(name, value)` of every hidden input of a page.
pub fn hidden_fields(html: &str) -> Vec<(String, String)> {
    let mut fields = Vec::new();
    for tag in html.split("<input").skip(1) {
        let tag = tag.split('>').next().unwrap_or_default();
        if !tag.contains("type=\"hidden\"") {
            continue;
        }
        let attr = |name: &str| {
            let marker = format!("{name}=\"");
            tag.find(&marker).map(|i| {
                let rest = &tag[i + marker.len()..];
                rest[..rest.find('"').unwrap_or(rest.len())].to_owned()
            })
        };
        if let (Some(name), Some(value)) = (attr("name"), attr("value")) {
            fields.push((name, value));
        }
    }
    fields
}

/// The JSON error body of a failed request.
pub async fn error_of(response: Response) -> (u16, String, String) {
    let status = response.status().as_u16();
    let body: serde_json::Value = response.json().await.expect("JSON error body");
    (
        status,
        body["error"].as_str().unwrap_or_default().to_owned(),
        body["error_description"]
            .as_str()
            .unwrap_or_default()
            .to_owned(),
    )
}

/// The `error` code of an `oauth2` crate failure, if the server answered one.
pub fn oauth_error(result: TokenResult) -> String {
    match result {
        Ok(_) => panic!("expected the token request to fail"),
        Err(oauth2::RequestTokenError::ServerResponse(e)) => e.error().as_ref().to_owned(),
        Err(other) => panic!("unexpected failure: {other:?}"),
    }
}

/// Runs the futures concurrently on this task.
pub async fn join_all<F: std::future::Future>(futures: Vec<F>) -> Vec<F::Output> {
    let mut pinned: Vec<_> = futures.into_iter().map(Box::pin).collect();
    let mut outputs: Vec<Option<F::Output>> = pinned.iter().map(|_| None).collect();
    std::future::poll_fn(|cx| {
        let mut pending = false;
        for (future, output) in pinned.iter_mut().zip(outputs.iter_mut()) {
            if output.is_none() {
                match future.as_mut().poll(cx) {
                    std::task::Poll::Ready(value) => *output = Some(value),
                    std::task::Poll::Pending => pending = true,
                }
            }
        }
        if pending {
            std::task::Poll::Pending
        } else {
            std::task::Poll::Ready(())
        }
    })
    .await;
    outputs.into_iter().map(Option::unwrap).collect()
}

/// The repository's root (the tests belong to the server crate, two folders down).
pub fn repo_root() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .expect("the repository root")
}
