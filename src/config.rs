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
}

impl Default for Lifetimes {
    fn default() -> Self {
        Self {
            access_token: Duration::from_secs(7200),
            refresh_token: Duration::from_secs(30 * 24 * 3600),
            authorization_code: Duration::from_secs(300),
            browser_session: Duration::from_secs(8 * 3600),
            pending_request: Duration::from_secs(900),
        }
    }
}

#[derive(Debug, Clone)]
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
    pub log: String,
    pub argon2: Argon2Settings,
    pub lifetimes: Lifetimes,
    /// Seed the demo tenant, user and client, and serve `/demo/`.
    pub demo: bool,
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
            log: var("UNILOGIN_LOG").unwrap_or_else(|| "info".into()),
            argon2: Argon2Settings {
                memory_kib: number("UNILOGIN_ARGON2_MEMORY_KIB", defaults.memory_kib)?,
                iterations: number("UNILOGIN_ARGON2_ITERATIONS", defaults.iterations)?,
                parallelism: number("UNILOGIN_ARGON2_PARALLELISM", defaults.parallelism)?,
            },
            lifetimes: Lifetimes::default(),
            demo: false,
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
