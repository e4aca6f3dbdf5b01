//! What the benchmark runs against: its own database (a SQLite file, or a fresh
//! PostgreSQL database), Redis key prefix and keys directory, a registered client and a
//! user, all made through the library exactly as the CLI makes them, and removed after.

use std::path::PathBuf;

use unilogin::admin::{NewClientRequest, NewUserRequest, PasswordHasher};
use unilogin::config::Argon2Settings;
use unilogin::domain::{NewPassword, RedirectUri, Role, TenantId, Username};
use unilogin::marketplace::store::MarketStore;
use unilogin::store::durable::Durable;

pub const USERNAME: &str = "bench-user";
/// A user of the shop whose product is on sale: the seller of the open-API scenario.
pub const SELLER_USERNAME: &str = "bench-seller";
pub const PASSWORD: &str = "bench-passw0rd";
pub const REDIRECT_URI: &str = "https://bench.example/callback";

pub struct Fixture {
    /// Environment of the unilogin server process.
    pub env: Vec<(String, String)>,
    pub client_id: String,
    pub client_secret: String,
    /// A product on sale, of another tenant's shop: what the orders scenario buys.
    pub product_id: String,
    pub backend: String,
    /// The bench database, for the checks that read it directly.
    pub database_url: String,
    dir: PathBuf,
    postgres: Option<(String, String)>,
    redis: Option<(String, String)>,
}

impl Fixture {
    pub async fn create(
        database_url: Option<&str>,
        redis_url: Option<&str>,
    ) -> Result<Self, String> {
        let tag = format!("unilogin_bench_{}", std::process::id());
        let dir = std::env::temp_dir().join(&tag);
        std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
        let (url, postgres) = match database_url {
            Some(admin) if admin.starts_with("postgres") => {
                let url = create_database(admin, &tag).await?;
                (url, Some((admin.to_owned(), tag.clone())))
            }
            Some(other) => (other.to_owned(), None),
            None => (format!("sqlite://{}", dir.join("bench.db").display()), None),
        };
        let durable = Durable::connect(&url).await.map_err(|e| e.to_string())?;
        durable.migrate().await.map_err(|e| e.to_string())?;
        // The default argon2 cost: the login scenario measures what production pays.
        let hasher = PasswordHasher::new(Argon2Settings::default())?;
        bench_user(&durable, &hasher, "bench-tenant", USERNAME, "Bench User").await?;
        let client = unilogin::admin::create_client(
            &durable,
            NewClientRequest {
                name: "bench".into(),
                redirect_uris: vec![RedirectUri::parse(REDIRECT_URI).map_err(|e| e.0)?],
                post_logout_uris: vec![],
                home_url: None,
                public: false,
                id_token_alg: None,
                // The soak reads the marketplace catalogue as a buyer.
                scopes: vec![
                    unilogin::domain::resource::MARKETPLACE_BUYER.to_owned(),
                    unilogin::domain::resource::MARKETPLACE_SELLER.to_owned(),
                ],
                client_id: None,
                app_id: None,
            },
        )
        .await
        .map_err(|e| e.to_string())?;
        let product_id = product_on_sale(&durable).await?;
        // A user of the shop's tenant: a seller there.
        bench_user(
            &durable,
            &hasher,
            "bench-shop",
            SELLER_USERNAME,
            "Bench Seller",
        )
        .await?;
        durable.close().await;
        let prefix = format!("{tag}:");
        let mut env = vec![
            ("UNILOGIN_DATABASE_URL".to_owned(), url.clone()),
            (
                "UNILOGIN_KEYS_DIR".to_owned(),
                dir.join("keys").display().to_string(),
            ),
            ("UNILOGIN_LOG".to_owned(), "warn".to_owned()),
            // The bench is one client on one address, hammering on purpose.
            (
                "UNILOGIN_CLIENT_AUTH_MAX_FAILURES_PER_IP".to_owned(),
                "0".to_owned(),
            ),
            ("UNILOGIN_RATE_LIMIT_PER_CLIENT".to_owned(), "0".to_owned()),
            ("UNILOGIN_REDIS_PREFIX".to_owned(), prefix.clone()),
            (
                "UNILOGIN_MASTER_KEY".to_owned(),
                unilogin::config::MasterKeyBytes(
                    unilogin::keystore::aead::random_key().ok_or("no random key")?,
                )
                .encode(),
            ),
        ];
        if let Some(redis) = redis_url {
            env.push(("UNILOGIN_REDIS_URL".to_owned(), redis.to_owned()));
        }
        let backend = match (postgres.is_some(), redis_url.is_some()) {
            (true, true) => "PostgreSQL + Redis",
            (true, false) => "PostgreSQL + in-process store",
            (false, true) => "SQLite + Redis",
            (false, false) => "SQLite + in-process store (embedded default)",
        }
        .to_owned();
        Ok(Self {
            env,
            client_id: client.client_id,
            client_secret: client
                .client_secret
                .map(|s| s.expose().to_owned())
                .ok_or("the bench client has no secret")?,
            product_id,
            backend,
            database_url: url,
            dir,
            postgres,
            redis: redis_url.map(|r| (r.to_owned(), prefix)),
        })
    }

    /// Drops the bench database and Redis keys and deletes the directory.
    pub async fn remove(self) {
        if let Some((admin, database)) = &self.postgres {
            use sqlx::Connection;
            if let Ok(mut conn) = sqlx::AnyConnection::connect(admin).await {
                let sql = format!("DROP DATABASE IF EXISTS {database} WITH (FORCE)");
                let _ = sqlx::query(&sql).execute(&mut conn).await;
            }
        }
        if let Some((url, prefix)) = &self.redis {
            if let Ok(store) = unilogin::store::ephemeral::RedisStore::new(url, prefix) {
                let _ = store.clear_prefix().await;
            }
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// A shop (`bench-shop`) with one monthly SaaS product, submitted and approved through
/// the marketplace's own review, exactly as a seller and an operator would.
async fn product_on_sale(durable: &Durable) -> Result<String, String> {
    use unilogin::marketplace::selling::machine::{Action, Actor};
    use unilogin::marketplace::selling::store::Transition;
    let market = MarketStore::new(durable, unilogin::clock::Clock::system());
    market
        .create_merchant("bench-shop", "Bench Shop")
        .await
        .map_err(|e| e.to_string())?;
    let content = serde_json::json!({
        "name": "Bench CRM", "description": "What the orders scenario buys",
        "category": "software", "accessType": "saas", "securitySelfCheck": true,
        "specs": [{"name": "Basic", "skuCode": "basic", "chargingMode": "PERIOD",
                   "price": 9900, "periodType": "month"}]
    });
    let submitted = market
        .submit_application("bench-shop", None, &content.to_string(), "bench")
        .await
        .map_err(|e| format!("{e:?}"))?;
    market
        .transition(&Transition {
            application_id: &submitted.id,
            tenant_id: None,
            action: Action::Approve,
            role: Actor::Operator,
            actor: "bench",
            comment: "",
        })
        .await
        .map_err(|e| format!("{e:?}"))?;
    Ok(submitted.product_id)
}

/// `username` in `tenant` (made if missing), with the bench password.
async fn bench_user(
    durable: &Durable,
    hasher: &PasswordHasher,
    tenant: &str,
    username: &str,
    name: &str,
) -> Result<(), String> {
    let tenant = TenantId::parse(tenant).map_err(|e| e.0)?;
    durable
        .ensure_tenant(&tenant)
        .await
        .map_err(|e| e.to_string())?;
    unilogin::admin::create_user(
        durable,
        hasher,
        NewUserRequest {
            username: Username::parse(username).map_err(|e| e.0)?,
            tenant,
            password: NewPassword::parse(PASSWORD).map_err(|e| e.0)?,
            name: Some(name.into()),
            email: Some(format!("{username}@example.com")),
            mobile: None,
            role: Role::User,
            org_code: None,
            org_name: None,
            project_name: None,
        },
    )
    .await
    .map_err(|e| e.to_string())?;
    Ok(())
}

async fn create_database(admin_url: &str, name: &str) -> Result<String, String> {
    use sqlx::Connection;
    sqlx::any::install_default_drivers();
    let mut conn = sqlx::AnyConnection::connect(admin_url)
        .await
        .map_err(|e| format!("PostgreSQL at {admin_url}: {e}"))?;
    sqlx::query(&format!("CREATE DATABASE {name}"))
        .execute(&mut conn)
        .await
        .map_err(|e| e.to_string())?;
    let mut url = url::Url::parse(admin_url).map_err(|e| e.to_string())?;
    url.set_path(&format!("/{name}"));
    Ok(url.to_string())
}
