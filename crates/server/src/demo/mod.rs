//! `serve --demo`: seeds a demo tenant, user and client, and serves `/demo/`, a small
//! partner app that signs in through the real flow (browser redirect, back-channel code
//! exchange over HTTP, userinfo) and shows what it received. The same app is a
//! joint-operation seller (`seller`): it sells itself, receives its buyers' tenants and
//! credentials on its production interface, and signs their users in from the portal.

mod kit_routes;
pub mod seller;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use actix_web::cookie::{Cookie, SameSite};
use actix_web::http::{header, StatusCode};
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use serde::Deserialize;

use crate::admin::{AdminError, NewClientRequest, NewUserRequest, PasswordHasher};
use crate::domain::resource::MARKETPLACE_BUYER;
use crate::domain::{NewPassword, RedirectUri, Role, TenantId, Username};
use crate::lifecycle::Lifecycle;
use crate::secret::{constant_time_eq, random_token, Secret};
use crate::store::durable::Durable;

pub const DEMO_TENANT: &str = "demo-tenant";
pub const DEMO_USERNAME: &str = "demo";
pub const DEMO_PASSWORD: &str = "demo-password";
pub const DEMO_CLIENT_ID: &str = "demo-app";
pub const DEMO_APP_ID: &str = "demo-app";
/// A user of the demo merchant, to sell in the marketplace console.
pub const DEMO_SELLER_USERNAME: &str = "seller";

const STATE_COOKIE: &str = "demo_state";
const SESSION_COOKIE: &str = "demo_session";

struct DemoSession {
    /// Shown for the README's curl walk (a demo; a real app keeps it server-side).
    access_token: String,
    /// The tenant whose delivered credentials redeemed the code (the portal way in).
    kit_tenant: Option<String>,
    userinfo: Vec<(String, String)>,
    scope: String,
    expires_in: u64,
    has_refresh: bool,
}

pub struct Demo {
    client_secret: Secret,
    issuer: String,
    backchannel: String,
    http: reqwest::Client,
    sessions: Mutex<HashMap<String, Arc<DemoSession>>>,
    kit: seller::DemoSeller,
    clock: crate::clock::Clock,
}

/// The demo merchant's user (`seller` / the demo password), created once.
async fn seed_seller_user(durable: &Durable, hasher: &PasswordHasher) -> Result<(), AdminError> {
    let tenant = TenantId::parse(seller::DEMO_SELLER_TENANT)?;
    match crate::admin::create_tenant(durable, &tenant, "Demo Seller", None).await {
        Ok(()) | Err(AdminError::Conflict(_)) => {}
        Err(e) => return Err(e),
    }
    if durable
        .find_user_by_username(DEMO_SELLER_USERNAME)
        .await?
        .is_some()
    {
        return Ok(());
    }
    crate::admin::create_user(
        durable,
        hasher,
        NewUserRequest {
            username: Username::parse(DEMO_SELLER_USERNAME)?,
            tenant,
            password: NewPassword::parse(DEMO_PASSWORD)?,
            name: Some("Demo Seller".into()),
            email: Some("seller@example.com".into()),
            mobile: None,
            role: Role::Admin,
            org_code: None,
            org_name: None,
            project_name: None,
        },
    )
    .await
    .map(|_| ())
}

/// The demo's pages and accounts, each with what it is for, as `serve --demo` prints them.
pub fn where_to_start(issuer: &str) -> String {
    let mut out = String::from("demo: where to start\n");
    for (what, path) in PLACES {
        out.push_str(&format!("demo:   {what:<22} {issuer}{path}\n"));
    }
    out.push_str(&format!(
        "demo: accounts (password {DEMO_PASSWORD} for each)\n"
    ));
    for (username, roles) in ACCOUNTS {
        out.push_str(&format!("demo:   {username:<8} {roles}\n"));
    }
    out.pop();
    out
}

/// Where a newcomer goes: the partner app, then the two consoles.
const PLACES: [(&str, &str); 3] = [
    ("partner app", "/demo/"),
    ("admin console", "/console/"),
    ("marketplace console", "/market/"),
];

/// The demo's accounts and the roles each holds.
pub const ACCOUNTS: [(&str, &str); 2] = [
    (
        DEMO_USERNAME,
        "platform administrator (admin console); marketplace buyer and operator",
    ),
    (
        DEMO_SELLER_USERNAME,
        "seller of the demo merchant, which sells the demo app (marketplace console)",
    ),
];

impl Demo {
    /// Creates (or refreshes) the demo records and prints their credentials. The client's
    /// secret is rotated at every start, since only its hash is stored.
    pub async fn seed(
        durable: &Durable,
        lifecycle: &Lifecycle,
        hasher: &PasswordHasher,
        issuer: &str,
        backchannel: &str,
        market: &crate::marketplace::Marketplace,
    ) -> Result<Self, AdminError> {
        let tenant = TenantId::parse(DEMO_TENANT)?;
        match crate::admin::create_tenant(durable, &tenant, "Demo Tenant", None).await {
            Ok(()) | Err(AdminError::Conflict(_)) => {}
            Err(e) => return Err(e),
        }
        let username = Username::parse(DEMO_USERNAME)?;
        if durable
            .find_user_by_username(username.as_str())
            .await?
            .is_none()
        {
            crate::admin::create_user(
                durable,
                hasher,
                NewUserRequest {
                    username,
                    tenant,
                    password: NewPassword::parse(DEMO_PASSWORD)?,
                    name: Some("Demo User".into()),
                    email: Some("demo@example.com".into()),
                    mobile: Some("13800000000".into()),
                    role: Role::Admin,
                    org_code: Some("DEMO-ORG".into()),
                    org_name: Some("Demo Organization".into()),
                    project_name: None,
                },
            )
            .await?;
        }
        // The demo user administers the platform and reviews the marketplace too: both
        // consoles are part of the demo.
        if let Some(user) = durable.find_user_by_username(DEMO_USERNAME).await? {
            if !user.platform_admin {
                durable.set_platform_admin(&user.id, true).await?;
            }
            market.store.grant_operator(&user.id).await?;
        }
        seed_seller_user(durable, hasher).await?;
        let callback = format!("{issuer}/demo/callback");
        let home = format!("{issuer}/demo/");
        let existing = durable.find_client(DEMO_CLIENT_ID).await?;
        let matches = existing.as_ref().is_some_and(|c| {
            c.redirect_uris == [callback.clone()] && c.scopes == [MARKETPLACE_BUYER.to_owned()]
        });
        let secret = if matches {
            crate::admin::rotate_secret(
                durable,
                lifecycle,
                DEMO_CLIENT_ID,
                crate::admin::SecretRotation::default(),
            )
            .await?
            .client_secret
        } else {
            if existing.is_some() {
                crate::admin::delete_client(durable, lifecycle, DEMO_CLIENT_ID).await?;
            }
            let created = crate::admin::create_client(
                durable,
                NewClientRequest {
                    name: "Demo partner app".into(),
                    redirect_uris: vec![RedirectUri::parse(&callback)?],
                    post_logout_uris: vec![RedirectUri::parse(&home)?],
                    home_url: Some(RedirectUri::parse(&callback)?),
                    public: false,
                    id_token_alg: None,
                    // The page shows a token the README's curl walk orders with.
                    scopes: vec![MARKETPLACE_BUYER.into()],
                    client_id: Some(DEMO_CLIENT_ID.into()),
                    app_id: Some(DEMO_APP_ID.into()),
                },
            )
            .await?;
            if existing.is_some() {
                // The same id again: the deleted registration's "nothing ever issued is
                // valid" cutoff gives way to one at this moment.
                lifecycle.end_client(DEMO_CLIENT_ID, None).await?;
            }
            created.client_secret
        };
        let client_secret =
            secret.ok_or_else(|| AdminError::Invalid("demo client has no secret".into()))?;
        let kit = seller::DemoSeller::seed(market, issuer, backchannel)
            .await
            .map_err(AdminError::Invalid)?;
        println!(
            "demo: the demo app sells itself as joint-operation product {} (app {}); \
             its production interface is {backchannel}/demo/produce",
            kit.product_id,
            seller::DEMO_KIT_APP
        );
        println!("{}", where_to_start(issuer));
        println!(
            "demo: client_id={DEMO_CLIENT_ID} app_id={DEMO_APP_ID} client_secret={} (rotated at every start)",
            client_secret.expose()
        );
        Ok(Self {
            client_secret,
            issuer: issuer.to_owned(),
            backchannel: backchannel.to_owned(),
            http: reqwest::Client::builder()
                .timeout(std::time::Duration::from_secs(10))
                .build()
                .unwrap_or_default(),
            sessions: Mutex::new(HashMap::new()),
            kit,
            clock: market.clock.clone(),
        })
    }

    fn session(&self, req: &HttpRequest) -> Option<Arc<DemoSession>> {
        let cookie = req.cookie(SESSION_COOKIE)?;
        let sessions = self.sessions.lock().unwrap_or_else(|p| p.into_inner());
        sessions.get(cookie.value()).cloned()
    }
}

pub fn configure(cfg: &mut web::ServiceConfig, demo: Arc<Demo>) {
    cfg.app_data(web::Data::from(demo))
        .route("/demo", web::get().to(redirect_to_demo))
        .route("/demo/", web::get().to(page))
        .route("/demo/login", web::get().to(login))
        .route("/demo/callback", web::get().to(callback))
        .route("/demo/logout", web::get().to(logout))
        .route("/demo/produce", web::post().to(kit_routes::produce))
        .route(
            "/demo/produce/produceAPI/v2/{activity}",
            web::post().to(kit_routes::produce_sync),
        )
        .route("/demo/kit/home", web::get().to(kit_routes::home));
}

#[derive(Template)]
#[template(path = "demo.html")]
struct DemoPage<'a> {
    error: Option<&'a str>,
    userinfo: Option<&'a [(String, String)]>,
    scope: &'a str,
    expires_in: u64,
    has_refresh: bool,
    username: &'a str,
    password: &'a str,
    accounts: &'a [(&'a str, &'a str)],
    portal_href: &'a str,
    app_id: &'a str,
    access_token: &'a str,
    kit_tenant: Option<&'a str>,
    kit_portal_href: &'a str,
    kit_app_id: &'a str,
    kit_product_id: &'a str,
    received: &'a [(String, seller::Received)],
}

fn render(
    demo: &Demo,
    status: StatusCode,
    session: Option<&DemoSession>,
    error: Option<&str>,
) -> HttpResponse {
    let portal_href = format!("/unified-login/portal-login?ind=UNOP&appId={DEMO_APP_ID}");
    let kit_portal_href = format!(
        "/unified-login/portal-login?ind=UNOP&appId={}",
        seller::DEMO_KIT_APP
    );
    let received = demo.kit.received();
    let page = DemoPage {
        error,
        userinfo: session.map(|s| s.userinfo.as_slice()),
        scope: session.map_or("", |s| s.scope.as_str()),
        expires_in: session.map_or(0, |s| s.expires_in),
        has_refresh: session.is_some_and(|s| s.has_refresh),
        access_token: session.map_or("", |s| s.access_token.as_str()),
        kit_tenant: session.and_then(|s| s.kit_tenant.as_deref()),
        username: DEMO_USERNAME,
        password: DEMO_PASSWORD,
        accounts: &ACCOUNTS,
        portal_href: &portal_href,
        app_id: DEMO_APP_ID,
        kit_portal_href: &kit_portal_href,
        kit_app_id: seller::DEMO_KIT_APP,
        kit_product_id: &demo.kit.product_id,
        received: &received,
    };
    crate::web::html(status, page.render())
}

async fn redirect_to_demo() -> HttpResponse {
    HttpResponse::Found()
        .insert_header((header::LOCATION, "/demo/"))
        .finish()
}

async fn page(req: HttpRequest, demo: web::Data<Demo>) -> HttpResponse {
    let session = demo.session(&req);
    render(&demo, StatusCode::OK, session.as_deref(), None)
}

fn cookie(name: &'static str, value: String, max_age: i64) -> Cookie<'static> {
    Cookie::build(name, value)
        .path("/demo")
        .http_only(true)
        .same_site(SameSite::Lax)
        .max_age(actix_web::cookie::time::Duration::seconds(max_age))
        .finish()
}

/// Starts the authorization-code flow with a fresh `state` bound to this browser.
async fn login(demo: web::Data<Demo>) -> HttpResponse {
    let state = random_token();
    let redirect_uri = format!("{}/demo/callback", demo.issuer);
    let url = crate::web::url_with_query(
        &format!("{}{}", demo.issuer, crate::idp::AUTHORIZE_PATH),
        &[
            ("response_type", "code"),
            ("client_id", DEMO_CLIENT_ID),
            ("redirect_uri", &redirect_uri),
            (
                "scope",
                "get_user_info openid profile email phone marketplace.buyer",
            ),
            ("state", &state),
        ],
    );
    HttpResponse::Found()
        .insert_header((header::LOCATION, url))
        .cookie(cookie(STATE_COOKIE, state, 600))
        .finish()
}

#[derive(Deserialize)]
struct CallbackQuery {
    code: Option<String>,
    state: Option<String>,
    error: Option<String>,
    error_description: Option<String>,
}

#[derive(Deserialize)]
struct TokenReply {
    access_token: String,
    scope: Option<String>,
    expires_in: Option<u64>,
    refresh_token: Option<String>,
}

/// The redirect back from unilogin: check `state` (absent only for the portal flow, which
/// upstream sends without one), exchange the code, fetch userinfo.
async fn callback(req: HttpRequest, demo: web::Data<Demo>) -> HttpResponse {
    let query = match web::Query::<CallbackQuery>::from_query(req.query_string()) {
        Ok(q) => q.into_inner(),
        Err(_) => {
            return render(
                &demo,
                StatusCode::BAD_REQUEST,
                None,
                Some("malformed callback"),
            )
        }
    };
    if let Some(error) = query.error {
        let message = format!(
            "unilogin answered {error}: {}",
            query.error_description.unwrap_or_default()
        );
        return render(&demo, StatusCode::BAD_REQUEST, None, Some(&message));
    }
    if let Some(state) = &query.state {
        let expected = req.cookie(STATE_COOKIE).map(|c| c.value().to_owned());
        if !expected.is_some_and(|e| constant_time_eq(e.as_bytes(), state.as_bytes())) {
            return render(&demo, StatusCode::BAD_REQUEST, None, Some("state mismatch"));
        }
    }
    let Some(code) = query.code else {
        return render(
            &demo,
            StatusCode::BAD_REQUEST,
            None,
            Some("no code in the callback"),
        );
    };
    let redirect_uri = format!("{}/demo/callback", demo.issuer);
    let client = (DEMO_CLIENT_ID, demo.client_secret.clone());
    match exchange(&demo, &code, client, &redirect_uri, None).await {
        Ok(session) => start_session(&demo, session),
        Err(message) => render(&demo, StatusCode::BAD_GATEWAY, None, Some(&message)),
    }
}

/// Keeps the session and goes back to the page.
fn start_session(demo: &Demo, session: DemoSession) -> HttpResponse {
    let id = random_token();
    demo.sessions
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .insert(id.clone(), Arc::new(session));
    let mut clear_state = cookie(STATE_COOKIE, String::new(), 0);
    clear_state.make_removal();
    HttpResponse::Found()
        .insert_header((header::LOCATION, "/demo/"))
        .cookie(cookie(SESSION_COOKIE, id, 3600))
        .cookie(clear_state)
        .finish()
}

/// Redeems `code` as `client` (id, secret), then calls userinfo.
async fn exchange(
    demo: &Demo,
    code: &str,
    client: (&str, Secret),
    redirect_uri: &str,
    kit_tenant: Option<String>,
) -> Result<DemoSession, String> {
    let reply = demo
        .http
        .post(format!("{}{}", demo.backchannel, crate::idp::TOKEN_PATH))
        .basic_auth(client.0, Some(client.1.expose()))
        .form(&[
            ("grant_type", "authorization_code"),
            ("code", code),
            ("redirect_uri", redirect_uri),
        ])
        .send()
        .await
        .map_err(|e| format!("token request failed: {e}"))?;
    if !reply.status().is_success() {
        return Err(format!(
            "token endpoint answered {}: {}",
            reply.status(),
            reply.text().await.unwrap_or_default()
        ));
    }
    let tokens: TokenReply = reply
        .json()
        .await
        .map_err(|e| format!("token response unreadable: {e}"))?;
    let info: serde_json::Map<String, serde_json::Value> = demo
        .http
        .get(format!("{}{}", demo.backchannel, crate::idp::USERINFO_PATH))
        .bearer_auth(&tokens.access_token)
        .header("accept", "application/json")
        .send()
        .await
        .map_err(|e| format!("userinfo request failed: {e}"))?
        .json()
        .await
        .map_err(|e| format!("userinfo response unreadable: {e}"))?;
    Ok(DemoSession {
        access_token: tokens.access_token.clone(),
        kit_tenant,
        userinfo: info
            .into_iter()
            .map(|(k, v)| {
                (
                    k,
                    v.as_str()
                        .map(str::to_owned)
                        .unwrap_or_else(|| v.to_string()),
                )
            })
            .collect(),
        scope: tokens.scope.unwrap_or_default(),
        expires_in: tokens.expires_in.unwrap_or_default(),
        has_refresh: tokens.refresh_token.is_some(),
    })
}

/// Forgets the demo session, then ends the unilogin session and comes back here.
async fn logout(req: HttpRequest, demo: web::Data<Demo>) -> HttpResponse {
    if let Some(cookie) = req.cookie(SESSION_COOKIE) {
        demo.sessions
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(cookie.value());
    }
    let mut clear = cookie(SESSION_COOKIE, String::new(), 0);
    clear.make_removal();
    let back = format!("{}/demo/", demo.issuer);
    let url = crate::web::url_with_query(
        &format!("{}{}", demo.issuer, crate::idp::LOGOUT_PATH),
        &[("redirect_url", &back)],
    );
    HttpResponse::Found()
        .insert_header((header::LOCATION, url))
        .cookie(clear)
        .finish()
}
