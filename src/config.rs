//! Settings read from `UNILOGIN_*` environment variables, with embedded defaults.

use std::path::PathBuf;
use std::time::Duration;

/// Argon2id cost parameters for user passwords.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Argon2Settings {
    pub memory_kib: u32,
    pub iterations: u32,
    pub parallelism: u32,
}

impl Default for Argon2Settings {
    fn default() -> Self {
        // OWASP's first recommended argon2id configuration.
        Self {
            memory_kib: 19_456,
            iterations: 2,
            parallelism: 1,
        }
    }
}

/// Lifetimes of everything the identity provider issues.
#[derive(Debug, Clone, Copy)]
pub struct Lifetimes {
    pub access_token: Duration,
    pub refresh_token: Duration,
    pub authorization_code: Duration,
    pub browser_session: Duration,
    pub pending_request: Duration,
    pub id_token: Duration,
    /// How long after a rotation the spent refresh token still answers a concurrent
    /// duplicate with the same successor instead of revoking the family.
    pub refresh_grace: Duration,
}

impl Lifetimes {
    /// The longest any signed token lives: a replaced key stays published this long.
    pub fn longest_signed_token(&self) -> i64 {
        self.access_token.max(self.id_token).as_secs() as i64
    }
}

impl Default for Lifetimes {
    fn default() -> Self {
        Self {
            access_token: Duration::from_secs(7200),
            refresh_token: Duration::from_secs(30 * 24 * 3600),
            authorization_code: Duration::from_secs(300),
            browser_session: Duration::from_secs(8 * 3600),
            pending_request: Duration::from_secs(900),
            id_token: Duration::from_secs(3600),
            refresh_grace: Duration::from_secs(2),
        }
    }
}

/// Brute-force and abuse limits.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Failed logins for one account within `failure_window` before it is locked.
    pub account_failures: u32,
    /// Failed logins from one IP address within `failure_window` before it is locked.
    pub ip_failures: u32,
    pub failure_window: Duration,
    /// First lockout; it doubles with every further failure, up to `lockout_cap`.
    pub lockout_base: Duration,
    pub lockout_cap: Duration,
    /// Failed client authentications (token, introspection, revocation) from one address
    /// for one client id within `failure_window` before that pair is refused for a while
    /// (doubling like logins); the client itself, elsewhere, is not affected.
    pub client_auth_failures: u32,
    /// The same from one address for any client ids (spraying).
    pub client_auth_failures_per_ip: u32,
    /// Requests a minute from one authenticated client to the token, introspection and
    /// revocation endpoints; 0 turns the limit off.
    pub requests_per_client: u32,
    /// How long a login waits for a free password-check slot before answering 503.
    pub password_check_wait: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            account_failures: 5,
            ip_failures: 50,
            failure_window: Duration::from_secs(15 * 60),
            lockout_base: Duration::from_secs(60),
            lockout_cap: Duration::from_secs(3600),
            client_auth_failures: 10,
            client_auth_failures_per_ip: 100,
            // 10,000 a second: a resource server introspecting at 2,000/s is nowhere near.
            requests_per_client: 600_000,
            password_check_wait: Duration::from_secs(2),
        }
    }
}

#[derive(Clone)]
pub struct Settings {
    /// Listen address, `host:port`; port 0 picks a free one.
    pub bind: String,
    /// Public base URL; `None` means `http://` + the bound address.
    pub issuer: Option<String>,
    pub database_url: String,
    /// `None` selects the in-process ephemeral store.
    pub redis_url: Option<String>,
    /// Prefix of every Redis key, so several deployments (or tests) can share one server.
    pub redis_prefix: String,
    pub keys_dir: PathBuf,
    /// How often a running server looks for keys added by `keys rotate`.
    pub keys_reload: Duration,
    pub log: String,
    pub argon2: Argon2Settings,
    pub lifetimes: Lifetimes,
    pub limits: Limits,
    /// How long client registrations and users are cached in memory (0 = not cached).
    pub cache_ttl: Duration,
    /// Seed the demo tenant, user and client, and serve `/demo/`.
    pub demo: bool,
    /// The clock every expiry and window reads (tests move theirs).
    pub clock: crate::clock::Clock,
}

impl std::fmt::Debug for Settings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Settings")
            .field("bind", &self.bind)
            .field("issuer", &self.issuer)
            .field("database_url", &redact_url(&self.database_url))
            .field("redis_url", &self.redis_url.as_deref().map(redact_url))
            .field("redis_prefix", &self.redis_prefix)
            .field("keys_dir", &self.keys_dir)
            .field("log", &self.log)
            .field("argon2", &self.argon2)
            .field("keys_reload", &self.keys_reload)
            .field("lifetimes", &self.lifetimes)
            .field("limits", &self.limits)
            .field("cache_ttl", &self.cache_ttl)
            .field("demo", &self.demo)
            .finish()
    }
}

/// A connection URL with its password replaced, fit for logs.
pub fn redact_url(raw: &str) -> String {
    match url::Url::parse(raw) {
        Ok(mut url) if url.password().is_some() => {
            let _ = url.set_password(Some("redacted"));
            url.to_string()
        }
        _ => raw.to_owned(),
    }
}

pub const DEFAULT_DATABASE_URL: &str = "sqlite://unilogin.db";

#[derive(Debug, thiserror::Error)]
#[error("{variable}: {message}")]
pub struct ConfigError {
    variable: &'static str,
    message: String,
}

impl Settings {
    /// Reads the environment. Unset variables take the embedded defaults.
    pub fn from_env() -> Result<Self, ConfigError> {
        let defaults = Argon2Settings::default();
        let limits = Limits::default();
        Ok(Self {
            bind: var("UNILOGIN_BIND").unwrap_or_else(|| "127.0.0.1:8080".into()),
            issuer: var("UNILOGIN_ISSUER"),
            database_url: var("UNILOGIN_DATABASE_URL")
                .unwrap_or_else(|| DEFAULT_DATABASE_URL.into()),
            redis_url: var("UNILOGIN_REDIS_URL"),
            redis_prefix: var("UNILOGIN_REDIS_PREFIX").unwrap_or_else(|| "unilogin:".into()),
            keys_dir: var("UNILOGIN_KEYS_DIR")
                .map(PathBuf::from)
                .unwrap_or_else(|| PathBuf::from("keys")),
            keys_reload: Duration::from_secs(
                number("UNILOGIN_KEYS_RELOAD_SECS", 10)?.max(1).into(),
            ),
            log: var("UNILOGIN_LOG").unwrap_or_else(|| "info".into()),
            argon2: Argon2Settings {
                memory_kib: number("UNILOGIN_ARGON2_MEMORY_KIB", defaults.memory_kib)?,
                iterations: number("UNILOGIN_ARGON2_ITERATIONS", defaults.iterations)?,
                parallelism: number("UNILOGIN_ARGON2_PARALLELISM", defaults.parallelism)?,
            },
            lifetimes: Lifetimes::default(),
            limits: Limits {
                account_failures: number("UNILOGIN_LOGIN_MAX_FAILURES", limits.account_failures)?,
                ip_failures: number("UNILOGIN_LOGIN_MAX_FAILURES_PER_IP", limits.ip_failures)?,
                client_auth_failures: number(
                    "UNILOGIN_CLIENT_AUTH_MAX_FAILURES",
                    limits.client_auth_failures,
                )?,
                client_auth_failures_per_ip: number(
                    "UNILOGIN_CLIENT_AUTH_MAX_FAILURES_PER_IP",
                    limits.client_auth_failures_per_ip,
                )?,
                requests_per_client: number(
                    "UNILOGIN_RATE_LIMIT_PER_CLIENT",
                    limits.requests_per_client,
                )?,
                ..limits
            },
            cache_ttl: Duration::from_millis(number("UNILOGIN_CACHE_TTL_MS", 2000)?.into()),
            demo: false,
            clock: crate::clock::Clock::system(),
        })
    }
}

fn var(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

fn number(variable: &'static str, default: u32) -> Result<u32, ConfigError> {
    match var(variable) {
        None => Ok(default),
        Some(raw) => raw.trim().parse().map_err(|_| ConfigError {
            variable,
            message: format!("expected a positive integer, got {raw:?}"),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_output_hides_connection_passwords() {
        let settings = Settings {
            database_url: "postgres://app:hunter2@db.internal/unilogin".into(),
            redis_url: Some("redis://:s3cret@cache.internal:6379/".into()),
            ..Settings::from_env().unwrap()
        };
        let shown = format!("{settings:?}");
        assert!(
            !shown.contains("hunter2") && !shown.contains("s3cret"),
            "{shown}"
        );
        assert!(shown.contains("db.internal"));
    }
}
