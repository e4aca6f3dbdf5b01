//! `unilogin config check`: the effective configuration, secrets redacted, and the stores
//! it selects.

use crate::config::{redact_url, MasterKeySource, Settings};

/// One configuration line: the variable, its effective value (redacted), and whether it
/// was set or is the default.
pub struct Line {
    pub variable: &'static str,
    pub value: String,
    pub set: bool,
}

/// The effective value of every known variable; `is_set` tells which came from the
/// environment.
pub fn report(settings: &Settings, is_set: impl Fn(&str) -> bool) -> Vec<Line> {
    let limits = &settings.limits;
    let secs = |d: std::time::Duration| d.as_secs().to_string();
    let values: Vec<(&'static str, String)> = vec![
        ("UNILOGIN_BIND", settings.bind.clone()),
        (
            "UNILOGIN_ISSUER",
            settings
                .issuer
                .clone()
                .unwrap_or_else(|| format!("http://{} (from the bound address)", settings.bind)),
        ),
        ("UNILOGIN_DATABASE_URL", redact_url(&settings.database_url)),
        (
            "UNILOGIN_DATABASE_MAX_CONNECTIONS",
            match settings.database_max_connections {
                Some(n) => n.to_string(),
                None => format!(
                    "0 (automatic: {})",
                    crate::store::durable::default_max_connections(settings.embedded_database())
                ),
            },
        ),
        (
            "UNILOGIN_REDIS_URL",
            settings
                .redis_url
                .as_deref()
                .map(redact_url)
                .unwrap_or_else(|| "(unset)".into()),
        ),
        ("UNILOGIN_REDIS_PREFIX", settings.redis_prefix.clone()),
        (
            "UNILOGIN_MASTER_KEY",
            match &settings.master_keys {
                MasterKeySource::Variable(keys) => format!("[redacted] ({} keys)", keys.len()),
                _ => "(unset)".into(),
            },
        ),
        (
            "UNILOGIN_MASTER_KEY_FILE",
            match &settings.master_keys {
                MasterKeySource::File(path, keys) => {
                    format!("{} ({} keys)", path.display(), keys.len())
                }
                _ => "(unset)".into(),
            },
        ),
        ("UNILOGIN_KEYS_DIR", settings.keys_dir.display().to_string()),
        ("UNILOGIN_KEYS_RELOAD_SECS", secs(settings.keys_reload)),
        (
            "UNILOGIN_KEYS_ROTATE_DAYS",
            match settings.keys_rotate_after {
                Some(after) => (after.as_secs() / 86_400).to_string(),
                None => "0 (off)".into(),
            },
        ),
        (
            "UNILOGIN_SHUTDOWN_GRACE_SECS",
            secs(settings.shutdown_grace),
        ),
        ("UNILOGIN_DRAIN_DELAY_SECS", secs(settings.drain_delay)),
        ("UNILOGIN_LOG", settings.log.clone()),
        (
            "UNILOGIN_ARGON2_MEMORY_KIB",
            settings.argon2.memory_kib.to_string(),
        ),
        (
            "UNILOGIN_ARGON2_ITERATIONS",
            settings.argon2.iterations.to_string(),
        ),
        (
            "UNILOGIN_ARGON2_PARALLELISM",
            settings.argon2.parallelism.to_string(),
        ),
        (
            "UNILOGIN_LOGIN_MAX_FAILURES",
            limits.account_failures.to_string(),
        ),
        (
            "UNILOGIN_LOGIN_MAX_FAILURES_PER_IP",
            limits.ip_failures.to_string(),
        ),
        (
            "UNILOGIN_CLIENT_AUTH_MAX_FAILURES",
            limits.client_auth_failures.to_string(),
        ),
        (
            "UNILOGIN_CLIENT_AUTH_MAX_FAILURES_PER_IP",
            limits.client_auth_failures_per_ip.to_string(),
        ),
        (
            "UNILOGIN_RATE_LIMIT_PER_CLIENT",
            limits.requests_per_client.to_string(),
        ),
        (
            "UNILOGIN_UPLOAD_MAX_UNATTACHED",
            limits.uploads_unattached.to_string(),
        ),
        (
            "UNILOGIN_UPLOAD_MIB_PER_DAY",
            limits.upload_mib_per_day.to_string(),
        ),
        (
            "UNILOGIN_SIGN_IN_RETENTION_DAYS",
            limits.sign_in_retention_days.to_string(),
        ),
        (
            "UNILOGIN_CACHE_TTL_MS",
            settings.cache_ttl.as_millis().to_string(),
        ),
        (
            "UNILOGIN_OUTBOUND_ALLOW_LOOPBACK",
            if settings.outbound.allow_loopback {
                "1 (development: loopback production URLs allowed)".into()
            } else {
                "0".into()
            },
        ),
        (
            "UNILOGIN_OUTBOUND_CA_FILE",
            settings
                .outbound
                .ca_file
                .as_ref()
                .map(|p| p.display().to_string())
                .unwrap_or_else(|| "(unset: the Mozilla roots only)".into()),
        ),
        (
            "UNILOGIN_MARKET_WORKER",
            if settings.market_worker {
                "1".into()
            } else {
                "0 (this instance only serves requests)".into()
            },
        ),
        (
            "UNILOGIN_TIME_ZONE",
            settings.calendar.zone_name().to_owned(),
        ),
        (
            "UNILOGIN_HOLIDAYS_FILE",
            settings
                .holidays_file
                .as_ref()
                .map(|p| p.display().to_string())
                .unwrap_or_else(|| "(unset: the compiled-in China holidays, 2025–2026)".into()),
        ),
    ];
    debug_assert_eq!(values.len(), crate::config::KNOWN_VARIABLES.len());
    values
        .into_iter()
        .map(|(variable, value)| Line {
            variable,
            set: is_set(variable),
            value,
        })
        .collect()
}

/// Which stores the settings select, in words.
pub fn stores(settings: &Settings) -> Vec<(&'static str, String)> {
    let durable = if settings.embedded_database() {
        format!(
            "SQLite file {} (embedded: one instance)",
            settings
                .database_url
                .trim_start_matches("sqlite:")
                .trim_start_matches("//")
        )
    } else {
        format!("PostgreSQL {}", redact_url(&settings.database_url))
    };
    let ephemeral = match &settings.redis_url {
        Some(url) => format!(
            "Redis {} (key prefix {})",
            redact_url(url),
            settings.redis_prefix
        ),
        None => "in-process (sessions, codes and locks are not shared between instances)".into(),
    };
    let master = match &settings.master_keys {
        MasterKeySource::Variable(keys) => format!("{} from UNILOGIN_MASTER_KEY", ids(keys)),
        MasterKeySource::File(path, keys) => format!("{} from {}", ids(keys), path.display()),
        MasterKeySource::Unset => {
            let path = settings.keys_dir.join(crate::keystore::MASTER_KEY_FILE);
            let state = if path.exists() {
                "exists"
            } else {
                "generated at first start"
            };
            format!("the file {} ({state})", path.display())
        }
    };
    vec![
        ("durable store", durable),
        ("ephemeral store", ephemeral),
        ("master key", master),
    ]
}

fn ids(keys: &[crate::config::MasterKeyBytes]) -> String {
    let ids: Vec<String> = keys
        .iter()
        .map(crate::keystore::MasterKeys::id_of)
        .collect();
    format!("key ids {} (newest first)", ids.join(", "))
}

/// What an operator should know before starting several instances on these settings.
pub fn warnings(settings: &Settings) -> Vec<String> {
    let mut out = Vec::new();
    if !settings.embedded_database() && settings.redis_url.is_none() {
        out.push(
            "PostgreSQL without UNILOGIN_REDIS_URL: each instance keeps its own sessions, codes \
             and locks, so run one instance only or set UNILOGIN_REDIS_URL"
                .to_owned(),
        );
    }
    if settings.issuer.is_none() && !settings.bind.starts_with("127.0.0.1:") {
        out.push(
            "UNILOGIN_ISSUER is unset: tokens name the bound address as their issuer; set the \
             public https URL"
                .to_owned(),
        );
    }
    out
}
