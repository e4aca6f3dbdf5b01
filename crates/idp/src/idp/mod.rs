//! The identity provider: unified login page, authorize, token, userinfo, logout,
//! discovery, JWKS and health. The only code that touches passwords and browser sessions.

mod audience;
mod authorize;
pub mod cookies;
mod discovery;
pub mod error;
mod grant;
mod health;
pub mod i18n;
mod introspection;
mod login;
mod logout;
mod pages;
mod params;
mod password_checks;
mod revocation;
mod set_password;
mod token;
mod userinfo;

use std::sync::Arc;
use std::time::Duration;

use actix_web::{web, HttpRequest, HttpResponse};

use crate::admin::PasswordHasher;
use crate::cache::Cache;
use crate::clock::Clock;
use crate::config::{Lifetimes, Limits, Settings};
use crate::lifecycle::{Lifecycle, Origin};
use crate::store::durable::Durable;
use crate::store::durable::{ClientRecord, UserRecord};
use crate::store::ephemeral::{
    client_changed_key, parse_millis, BrowserSession, ClientAuthThrottle, Codes, LoginThrottle,
    PendingRequests, RateLimiter, Sessions, SharedEphemeral,
};
use crate::store::StoreError;
use crate::tokens::{AccessVerifier, LiveKeys};
use password_checks::PasswordChecks;

pub use crate::web::html as pages_html;
pub use audience::{Refused, Registry};
pub use error::{BearerError, OAuthError, PageError};
pub use grant::NoCode;
pub use token::{redeem_first_party_code, TokenResponse};

/// Everything the protocol handlers share; one per running app.
pub struct Idp {
    /// Public base URL without a trailing slash.
    pub issuer: String,
    pub secure_cookies: bool,
    pub durable: Durable,
    pub ephemeral: SharedEphemeral,
    pub sessions: Sessions,
    pub codes: Codes,
    pub pending: PendingRequests,
    /// Revocations and cutoffs: every check of a session, code or token asks it.
    pub lifecycle: Arc<Lifecycle>,
    pub clock: Clock,
    pub keys: Arc<LiveKeys>,
    /// Argon2 verifications: at most one per core at once, on threads of their own.
    pub password_checks: PasswordChecks,
    pub lifetimes: Lifetimes,
    pub limits: Limits,
    pub login_throttle: LoginThrottle,
    pub rate_limiter: RateLimiter,
    pub client_auth_throttle: ClientAuthThrottle,
    /// Bearer-token verification, shared with the marketplace.
    pub access: Arc<AccessVerifier>,
    /// The day's numbers the admin console charts (tokens issued, sessions live).
    pub daily: Arc<crate::admin::daily_counts::DailyCounts>,
    clients: Cache<ClientRecord>,
    users: Cache<UserView>,
    registry: Cache<Registry>,
    cache_ttl: Duration,
}

/// A user as userinfo shows them: the record and the project name it falls back to.
pub struct UserView {
    pub user: UserRecord,
    pub project_name: String,
}

impl Idp {
    pub fn new(
        issuer: String,
        durable: Durable,
        ephemeral: SharedEphemeral,
        keys: Arc<LiveKeys>,
        access: Arc<AccessVerifier>,
        hasher: PasswordHasher,
        settings: &Settings,
    ) -> Self {
        let lifecycle = access.lifecycle().clone();
        let (lifetimes, limits) = (settings.lifetimes, settings.limits);
        let clock = lifecycle.clock().clone();
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        Self {
            secure_cookies: issuer.starts_with("https://"),
            sessions: Sessions::new(ephemeral.clone(), lifetimes.browser_session),
            codes: Codes::new(ephemeral.clone(), lifetimes.authorization_code),
            pending: PendingRequests::new(ephemeral.clone(), lifetimes.pending_request),
            lifecycle,
            login_throttle: LoginThrottle::new(ephemeral.clone(), limits),
            rate_limiter: RateLimiter::new(ephemeral.clone(), clock.clone()),
            client_auth_throttle: ClientAuthThrottle::new(ephemeral.clone(), limits),
            issuer,
            daily: Arc::new(crate::admin::daily_counts::DailyCounts::new(
                durable.clone(),
            )),
            durable,
            ephemeral,
            keys,
            access,
            password_checks: PasswordChecks::start(hasher, cores, limits.password_check_wait),
            lifetimes,
            limits,
            clients: Cache::new(10_000, clock.clone()),
            users: Cache::new(50_000, clock.clone()),
            registry: Cache::new(1, clock.clone()),
            clock,
            cache_ttl: settings.cache_ttl,
        }
    }

    /// A client registration, from memory when it was read within the cache TTL and has
    /// not changed since (the change marker is shared by every instance).
    pub async fn client(&self, client_id: &str) -> Result<Option<Arc<ClientRecord>>, StoreError> {
        // Only a copy in memory needs the change marker.
        if self.clients.get(client_id).is_none() {
            return self.reload_client(client_id).await;
        }
        let changed_at = self.lifecycle.client_changed_at(client_id).await?;
        self.client_as_of(client_id, changed_at).await
    }

    /// As `client`, when the caller already read when the registration last changed
    /// (`changed_at`, unix ms) in a round trip of its own.
    pub async fn client_as_of(
        &self,
        client_id: &str,
        changed_at: Option<i64>,
    ) -> Result<Option<Arc<ClientRecord>>, StoreError> {
        match self.clients.get_unless_changed(client_id, changed_at) {
            Some(client) => Ok(Some(client)),
            None => self.reload_client(client_id).await,
        }
    }

    /// Whether client authentication from `ip` for `client_id` is locked, and when the
    /// client's registration last changed: one round trip to the ephemeral store.
    pub async fn client_auth_preflight(
        &self,
        ip: &str,
        client_id: &str,
    ) -> Result<(bool, Option<i64>), StoreError> {
        let [pair, ip] = self.client_auth_throttle.lock_keys(ip, client_id);
        let keys = [pair, ip, client_changed_key(client_id)];
        let values = self.ephemeral.get_many(&keys).await?;
        let locked = values.iter().take(2).any(Option::is_some);
        let changed_at = parse_millis(values.get(2).and_then(|v| v.as_deref()));
        Ok((locked, changed_at))
    }

    /// Reads a client registration from the durable store, refreshing the cache.
    pub async fn reload_client(
        &self,
        client_id: &str,
    ) -> Result<Option<Arc<ClientRecord>>, StoreError> {
        let Some(client) = self.durable.find_client(client_id).await? else {
            return Ok(None);
        };
        let client = Arc::new(client);
        self.clients
            .insert(client_id, client.clone(), self.cache_ttl);
        Ok(Some(client))
    }

    /// A user and their project name, from memory when read within the cache TTL.
    pub async fn user(&self, user_id: &str) -> Result<Option<Arc<UserView>>, StoreError> {
        if let Some(user) = self.users.get(user_id) {
            return Ok(Some(user));
        }
        let Some(user) = self.durable.find_user(user_id).await? else {
            return Ok(None);
        };
        let project_name = if user.project_name.is_empty() {
            self.durable
                .find_tenant(&user.tenant_id)
                .await?
                .map(|t| t.name)
                .unwrap_or_default()
        } else {
            user.project_name.clone()
        };
        let view = Arc::new(UserView { user, project_name });
        self.users.insert(user_id, view.clone(), self.cache_ttl);
        Ok(Some(view))
    }

    pub fn endpoint(&self, path: &str) -> String {
        format!("{}{}", self.issuer, path)
    }

    /// The browser session named by the request's cookie, if it is live.
    pub async fn current_session(
        &self,
        req: &HttpRequest,
    ) -> Result<Option<BrowserSession>, StoreError> {
        let session = match req.cookie(cookies::SESSION_COOKIE) {
            Some(cookie) => self.sessions.get(cookie.value()).await?,
            None => None,
        };
        // A session revoked through the back channel (its access token revoked, RP logout
        // from another context), or of a user whose sessions were ended, signs nobody in.
        match session {
            Some(s) if !self.lifecycle.is_live(&session_origin(&s)).await? => Ok(None),
            other => Ok(other),
        }
    }

    /// Records a security event; a failure to record is logged, never fatal to the request.
    /// Keeps a sign-in for administrators; a failed write is logged, not the user's problem.
    pub async fn sign_in(
        &self,
        outcome: crate::store::durable::SignInOutcome,
        user_id: &str,
        username: &str,
        address: &str,
    ) {
        if let Err(err) = self
            .durable
            .record_sign_in(outcome, user_id, username, address)
            .await
        {
            tracing::warn!(error = %err, "could not keep a sign-in");
        }
    }

    /// Keeps that `username`'s account was just locked, for the console's chart.
    pub async fn locked(&self, user_id: &str, username: &str, address: &str) {
        if let Err(err) = self
            .durable
            .record_lockout(user_id, username, address)
            .await
        {
            tracing::warn!(error = %err, "could not keep a lockout");
        }
    }

    pub async fn audit(&self, kind: &str, subject: &str, client_id: &str) {
        if let Err(err) = self.durable.audit(kind, subject, client_id, "").await {
            tracing::warn!(error = %err, kind, "could not write an audit event");
        }
    }
}

/// What a browser session is checked against.
pub fn session_origin(session: &BrowserSession) -> Origin<'_> {
    Origin {
        sid: &session.sid,
        grant: None,
        user: Some(&session.user_id),
        client: "",
        auth_time: Some(session.auth_time),
        issued_at: session.auth_time,
    }
}

pub use crate::web::paths::*;

/// Registers every identity-provider route.
pub fn configure(cfg: &mut web::ServiceConfig) {
    for path in [LOGIN_PATH, "/unified-login", "/unified-login/"] {
        cfg.service(
            endpoint(path)
                .route(web::get().to(login::get::show))
                .route(web::post().to(login::post::submit)),
        );
    }
    cfg.service(
        endpoint(SET_PASSWORD_PATH)
            .route(web::get().to(set_password::show))
            .route(web::post().to(set_password::submit)),
    );
    cfg.service(endpoint(AUTHORIZE_PATH).route(web::get().to(authorize::authorize)))
        .service(endpoint(TOKEN_PATH).route(web::post().to(token::token)))
        .service(endpoint(INTROSPECT_PATH).route(web::post().to(introspection::introspect)))
        .service(endpoint(REVOKE_PATH).route(web::post().to(revocation::revoke)))
        .service(
            endpoint(USERINFO_PATH)
                .route(web::get().to(userinfo::userinfo))
                .route(web::post().to(userinfo::userinfo)),
        )
        .service(
            endpoint(LOGOUT_PATH)
                .route(web::get().to(logout::logout))
                .route(web::post().to(logout::logout)),
        )
        .service(
            endpoint(END_SESSION_PATH)
                .route(web::get().to(logout::end_session))
                .route(web::post().to(logout::end_session)),
        )
        .service(
            endpoint("/.well-known/openid-configuration")
                .route(web::get().to(discovery::openid_configuration)),
        )
        .service(endpoint(JWKS_PATH).route(web::get().to(discovery::jwks)))
        .route("/healthz", web::get().to(health::healthz))
        .route("/readyz", web::get().to(health::readyz))
        .route("/static/unilogin.css", web::get().to(pages::stylesheet));
}

/// A route whose other methods answer 405 with a JSON error.
fn endpoint(path: &str) -> actix_web::Resource {
    web::resource(path).default_service(web::to(method_not_allowed))
}

async fn method_not_allowed() -> HttpResponse {
    HttpResponse::MethodNotAllowed().json(serde_json::json!({
        "error": "invalid_request",
        "error_description": "HTTP method not allowed for this endpoint",
    }))
}

pub use crate::web::{client_ip, url_with_query};

/// JSON 404 for every path nobody serves.
pub async fn not_found() -> HttpResponse {
    HttpResponse::NotFound().json(serde_json::json!({
        "error": "not_found",
        "error_description": "No such endpoint",
    }))
}
