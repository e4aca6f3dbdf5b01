//! What a test puts in the store before its story starts (users, administrators,
//! partner apps), and the rows it counts to prove a refusal stored nothing.

use unilogin::admin::{NewClientRequest, NewUserRequest};

use unilogin::domain::resource::MARKETPLACE_SCOPES;
use unilogin::domain::{NewPassword, RedirectUri, Role, TenantId, Username};

use super::*;

impl TestApp {
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

    /// A user in `tenant`, which is made first when it does not exist yet.
    pub async fn create_user(&self, username: &str, tenant: &str) -> String {
        let tenant_id = TenantId::parse(tenant).unwrap();
        self.durable.ensure_tenant(&tenant_id).await.unwrap();
        unilogin::admin::create_user(
            &self.durable,
            &self.hasher,
            NewUserRequest {
                username: Username::parse(username).unwrap(),
                tenant: tenant_id,
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
