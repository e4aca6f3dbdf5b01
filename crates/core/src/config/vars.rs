//! Reading `UNILOGIN_*` strictly: every variable is known (a misspelt one is refused
//! with the likeliest meant), every value read once, and a mistake is one line naming
//! the variable and what it expects.

use std::collections::BTreeMap;

/// Every variable unilogin reads.
pub const KNOWN_VARIABLES: &[&str] = &[
    "UNILOGIN_BIND",
    "UNILOGIN_ISSUER",
    "UNILOGIN_DATABASE_URL",
    "UNILOGIN_DATABASE_MAX_CONNECTIONS",
    "UNILOGIN_REDIS_URL",
    "UNILOGIN_REDIS_PREFIX",
    "UNILOGIN_MASTER_KEY",
    "UNILOGIN_MASTER_KEY_FILE",
    "UNILOGIN_KEYS_DIR",
    "UNILOGIN_KEYS_RELOAD_SECS",
    "UNILOGIN_KEYS_ROTATE_DAYS",
    "UNILOGIN_SHUTDOWN_GRACE_SECS",
    "UNILOGIN_DRAIN_DELAY_SECS",
    "UNILOGIN_LOG",
    "UNILOGIN_ARGON2_MEMORY_KIB",
    "UNILOGIN_ARGON2_ITERATIONS",
    "UNILOGIN_ARGON2_PARALLELISM",
    "UNILOGIN_LOGIN_MAX_FAILURES",
    "UNILOGIN_LOGIN_MAX_FAILURES_PER_IP",
    "UNILOGIN_CLIENT_AUTH_MAX_FAILURES",
    "UNILOGIN_CLIENT_AUTH_MAX_FAILURES_PER_IP",
    "UNILOGIN_RATE_LIMIT_PER_CLIENT",
    "UNILOGIN_UPLOAD_MAX_UNATTACHED",
    "UNILOGIN_UPLOAD_MIB_PER_DAY",
    "UNILOGIN_SIGN_IN_RETENTION_DAYS",
    "UNILOGIN_CACHE_TTL_MS",
    "UNILOGIN_OUTBOUND_ALLOW_LOOPBACK",
    "UNILOGIN_OUTBOUND_CA_FILE",
    "UNILOGIN_MARKET_WORKER",
    "UNILOGIN_TIME_ZONE",
    "UNILOGIN_HOLIDAYS_FILE",
];

/// Prefixes that belong to the test suite and the benchmark; unilogin itself never reads
/// them, so they may sit in the same environment.
const FOREIGN_PREFIXES: &[&str] = &["UNILOGIN_TEST_", "UNILOGIN_BENCH_"];

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("{variable}: {message}")]
pub struct ConfigError {
    pub variable: String,
    pub message: String,
}

pub(super) fn error(variable: &str, message: impl Into<String>) -> ConfigError {
    ConfigError {
        variable: variable.to_owned(),
        message: message.into(),
    }
}

/// The `UNILOGIN_*` variables of one environment, read once each.
pub(super) struct Vars(BTreeMap<String, String>);

impl Vars {
    /// The `UNILOGIN_*` variables among `vars`; an unknown one is refused, naming the
    /// known one it most likely meant.
    pub(super) fn collect(
        vars: impl IntoIterator<Item = (String, String)>,
    ) -> Result<Self, ConfigError> {
        let vars = Self(
            vars.into_iter()
                .filter(|(name, _)| name.starts_with("UNILOGIN_"))
                .collect(),
        );
        for name in vars.0.keys() {
            if !KNOWN_VARIABLES.contains(&name.as_str())
                && !FOREIGN_PREFIXES.iter().any(|p| name.starts_with(p))
            {
                let hint = closest(name)
                    .map(|known| format!(" (did you mean {known}?)"))
                    .unwrap_or_default();
                return Err(error(
                    name,
                    format!("unknown variable{hint}; `unilogin config check` lists the known ones"),
                ));
            }
        }
        Ok(vars)
    }

    /// Empty values count as unset, so `UNILOGIN_X=` in a unit file clears a setting.
    pub(super) fn get(&self, name: &str) -> Option<&str> {
        debug_assert!(KNOWN_VARIABLES.contains(&name), "{name} is not listed");
        self.0.get(name).map(|v| v.trim()).filter(|v| !v.is_empty())
    }

    pub(super) fn text(&self, name: &str, default: &str) -> String {
        self.get(name).unwrap_or(default).to_owned()
    }

    pub(super) fn number(&self, name: &str, default: u32) -> Result<u32, ConfigError> {
        match self.get(name) {
            None => Ok(default),
            Some(raw) => raw.parse().map_err(|_| {
                error(
                    name,
                    format!(
                        "expected a whole number from 0 to {}, got {raw:?}",
                        u32::MAX
                    ),
                )
            }),
        }
    }

    pub(super) fn flag(&self, name: &str, default: bool) -> Result<bool, ConfigError> {
        match self.get(name) {
            None => Ok(default),
            Some("0") | Some("false") => Ok(false),
            Some("1") | Some("true") => Ok(true),
            Some(raw) => Err(error(name, format!("expected 1 or 0, got {raw:?}"))),
        }
    }

    pub(super) fn positive(&self, name: &str, default: u32) -> Result<u32, ConfigError> {
        match self.number(name, default)? {
            0 => Err(error(name, "expected a whole number of at least 1, got 0")),
            n => Ok(n),
        }
    }
}

/// The known variable a misspelt one most likely meant.
fn closest(name: &str) -> Option<&'static str> {
    KNOWN_VARIABLES
        .iter()
        .map(|known| (distance(name, known), *known))
        .filter(|(d, _)| *d <= 4)
        .min()
        .map(|(_, known)| known)
}

/// Levenshtein distance, for suggestions only.
fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut previous = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let substitution = previous + usize::from(ca != *cb);
            previous = row[j + 1];
            row[j + 1] = substitution.min(row[j] + 1).min(row[j + 1] + 1);
        }
    }
    row[b.len()]
}
