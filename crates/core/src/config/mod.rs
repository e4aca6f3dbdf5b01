//! Settings read from `UNILOGIN_*` environment variables, with embedded defaults.

mod env;
mod vars;

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
    /// Marketplace uploads one user may hold unattached to anything at once.
    pub uploads_unattached: u32,
    /// Marketplace upload volume one user may send in 24 hours, in MiB.
    pub upload_mib_per_day: u32,
    /// Days the sign-ins (successful, failed, lockouts) are kept; administrative events
    /// are kept for good.
    pub sign_in_retention_days: u32,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            uploads_unattached: 20,
            upload_mib_per_day: 100,
            sign_in_retention_days: 180,
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
    /// The durable store's pool; `None`: chosen by backend (`Durable::connect_with`).
    pub database_max_connections: Option<u32>,
    /// `None` selects the in-process ephemeral store.
    pub redis_url: Option<String>,
    /// Prefix of every Redis key, so several deployments (or tests) can share one server.
    pub redis_prefix: String,
    /// Where the master key file is generated on the embedded default, and where key
    /// files of earlier versions are imported from.
    pub keys_dir: PathBuf,
    /// How often a running server looks for keys added by `keys rotate`.
    pub keys_reload: Duration,
    /// Signing keys older than this are replaced automatically (`None`: only by hand).
    pub keys_rotate_after: Option<Duration>,
    /// The keys that seal key material at rest, newest first.
    pub master_keys: MasterKeySource,
    /// How long a stopping server lets requests in flight finish.
    pub shutdown_grace: Duration,
    /// How long a stopping server keeps accepting (answering `/readyz` with 503) before
    /// it closes the listener, so that load balancers stop sending to it first.
    pub drain_delay: Duration,
    pub log: String,
    pub argon2: Argon2Settings,
    pub lifetimes: Lifetimes,
    pub limits: Limits,
    /// How long client registrations, users, the products on sale and access keys are
    /// cached in memory (0 = not cached).
    pub cache_ttl: Duration,
    /// Calls to sellers' production URLs: the development switch and an extra CA file.
    pub outbound: crate::outbound::OutboundSettings,
    /// Whether this instance works the marketplace's background jobs (production calls,
    /// expiry sweeps). Several instances may all work them; an instance with it off only
    /// serves requests.
    pub market_worker: bool,
    /// Seed the demo tenant, user and client, and serve `/demo/`.
    pub demo: bool,
    /// The clock every expiry and window reads (tests move theirs).
    pub clock: crate::clock::Clock,
    /// The zone times are shown and days counted in, and the listed holidays.
    pub calendar: crate::calendar::Calendar,
    /// Where the listed holidays came from, when not the compiled-in file.
    pub holidays_file: Option<PathBuf>,
}

impl std::fmt::Debug for Settings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Settings")
            .field("bind", &self.bind)
            .field("issuer", &self.issuer)
            .field("database_url", &redact_url(&self.database_url))
            .field("database_max_connections", &self.database_max_connections)
            .field("redis_url", &self.redis_url.as_deref().map(redact_url))
            .field("redis_prefix", &self.redis_prefix)
            .field("keys_dir", &self.keys_dir)
            .field("log", &self.log)
            .field("argon2", &self.argon2)
            .field("keys_reload", &self.keys_reload)
            .field("keys_rotate_after", &self.keys_rotate_after)
            .field("master_keys", &self.master_keys)
            .field("shutdown_grace", &self.shutdown_grace)
            .field("drain_delay", &self.drain_delay)
            .field("lifetimes", &self.lifetimes)
            .field("limits", &self.limits)
            .field("cache_ttl", &self.cache_ttl)
            .field("outbound", &self.outbound)
            .field("market_worker", &self.market_worker)
            .field("demo", &self.demo)
            .field("calendar", &self.calendar)
            .finish()
    }
}

/// Where the master keys come from. Their bytes never reach `Debug`.
#[derive(Clone, PartialEq, Eq)]
pub enum MasterKeySource {
    /// `UNILOGIN_MASTER_KEY`: base64 keys, newest first.
    Variable(Vec<MasterKeyBytes>),
    /// `UNILOGIN_MASTER_KEY_FILE`: one base64 key per line, newest first.
    File(PathBuf, Vec<MasterKeyBytes>),
    /// Neither is set: on the embedded default a key file is generated in the keys
    /// directory; on PostgreSQL this is refused at start.
    Unset,
}

impl std::fmt::Debug for MasterKeySource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Variable(keys) => write!(f, "UNILOGIN_MASTER_KEY ({} keys)", keys.len()),
            Self::File(path, keys) => write!(f, "{} ({} keys)", path.display(), keys.len()),
            Self::Unset => f.write_str("unset"),
        }
    }
}

/// 256 bits of a master key.
#[derive(Clone, PartialEq, Eq)]
pub struct MasterKeyBytes(pub [u8; 32]);

impl std::fmt::Debug for MasterKeyBytes {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("[redacted]")
    }
}

impl MasterKeyBytes {
    /// Standard base64 (with or without padding) of exactly 32 bytes.
    pub fn parse(raw: &str) -> Option<Self> {
        use base64::Engine;
        let raw = raw.trim().trim_end_matches('=');
        let bytes = base64::engine::general_purpose::STANDARD_NO_PAD
            .decode(raw)
            .or_else(|_| base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(raw))
            .ok()?;
        Some(Self(bytes.try_into().ok()?))
    }

    pub fn encode(&self) -> String {
        use base64::Engine;
        base64::engine::general_purpose::STANDARD.encode(self.0)
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
pub const DEFAULT_BIND: &str = "127.0.0.1:8080";

pub use vars::{ConfigError, KNOWN_VARIABLES};

impl Settings {
    /// Reads the process environment strictly: an unknown `UNILOGIN_*` variable or a
    /// malformed value is an error naming it. Unset variables take the embedded defaults.
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_vars(std::env::vars_os().filter_map(|(name, value)| {
            Some((
                name.into_string().ok()?,
                value.into_string().unwrap_or_default(),
            ))
        }))
    }

    /// `from_env` over the given variables (other names than `UNILOGIN_*` are ignored).
    pub fn from_vars(
        vars: impl IntoIterator<Item = (String, String)>,
    ) -> Result<Self, ConfigError> {
        env::read(vars)
    }

    /// Whether the durable store is the embedded SQLite file.
    pub fn embedded_database(&self) -> bool {
        self.database_url.starts_with("sqlite:")
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
