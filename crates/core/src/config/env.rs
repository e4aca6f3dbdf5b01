//! The settings from the `UNILOGIN_*` variables: each value checked where it is read,
//! with its default when unset.

use std::path::PathBuf;
use std::time::Duration;

use super::vars::{error, ConfigError, Vars};
use super::{
    Argon2Settings, Lifetimes, Limits, MasterKeyBytes, MasterKeySource, Settings, DEFAULT_BIND,
    DEFAULT_DATABASE_URL,
};

pub(super) fn read(
    vars: impl IntoIterator<Item = (String, String)>,
) -> Result<Settings, ConfigError> {
    let vars = Vars::collect(vars)?;
    let limits = Limits::default();
    let argon = Argon2Settings::default();
    let argon2 = Argon2Settings {
        memory_kib: vars.number("UNILOGIN_ARGON2_MEMORY_KIB", argon.memory_kib)?,
        iterations: vars.positive("UNILOGIN_ARGON2_ITERATIONS", argon.iterations)?,
        parallelism: vars.positive("UNILOGIN_ARGON2_PARALLELISM", argon.parallelism)?,
    };
    if argon2.memory_kib < 8 * argon2.parallelism {
        return Err(error(
            "UNILOGIN_ARGON2_MEMORY_KIB",
            format!(
                "expected at least 8 KiB per lane ({} with UNILOGIN_ARGON2_PARALLELISM={}), got {}",
                8 * argon2.parallelism,
                argon2.parallelism,
                argon2.memory_kib
            ),
        ));
    }
    let rotate_days = vars.number("UNILOGIN_KEYS_ROTATE_DAYS", 0)?;
    let database_url = database_url(&vars)?;
    let (calendar, holidays_file) = calendar(&vars)?;
    let master_keys = master_keys(&vars)?;
    if !database_url.starts_with("sqlite:") && master_keys == MasterKeySource::Unset {
        // A generated key file would differ on every machine; the instances must share one.
        return Err(error(
            "UNILOGIN_MASTER_KEY",
            "expected with a PostgreSQL database (every instance needs the same one): set \
             UNILOGIN_MASTER_KEY or UNILOGIN_MASTER_KEY_FILE (`unilogin keys generate-master` \
             makes one)",
        ));
    }
    Ok(Settings {
        bind: bind(&vars)?,
        issuer: issuer(&vars)?,
        database_url,
        database_max_connections: match vars.number("UNILOGIN_DATABASE_MAX_CONNECTIONS", 0)? {
            0 => None,
            n => Some(n),
        },
        redis_url: redis_url(&vars)?,
        redis_prefix: vars.text("UNILOGIN_REDIS_PREFIX", "unilogin:"),
        keys_dir: PathBuf::from(vars.text("UNILOGIN_KEYS_DIR", "keys")),
        keys_reload: Duration::from_secs(vars.positive("UNILOGIN_KEYS_RELOAD_SECS", 10)?.into()),
        keys_rotate_after: (rotate_days > 0)
            .then(|| Duration::from_secs(u64::from(rotate_days) * 86_400)),
        master_keys,
        drain_delay: Duration::from_secs(vars.number("UNILOGIN_DRAIN_DELAY_SECS", 0)?.into()),
        shutdown_grace: Duration::from_secs(
            vars.number("UNILOGIN_SHUTDOWN_GRACE_SECS", 20)?.into(),
        ),
        log: log_filter(&vars)?,
        argon2,
        lifetimes: Lifetimes::default(),
        limits: Limits {
            account_failures: vars
                .number("UNILOGIN_LOGIN_MAX_FAILURES", limits.account_failures)?,
            ip_failures: vars.number("UNILOGIN_LOGIN_MAX_FAILURES_PER_IP", limits.ip_failures)?,
            client_auth_failures: vars.number(
                "UNILOGIN_CLIENT_AUTH_MAX_FAILURES",
                limits.client_auth_failures,
            )?,
            client_auth_failures_per_ip: vars.number(
                "UNILOGIN_CLIENT_AUTH_MAX_FAILURES_PER_IP",
                limits.client_auth_failures_per_ip,
            )?,
            requests_per_client: vars
                .number("UNILOGIN_RATE_LIMIT_PER_CLIENT", limits.requests_per_client)?,
            uploads_unattached: vars
                .number("UNILOGIN_UPLOAD_MAX_UNATTACHED", limits.uploads_unattached)?,
            upload_mib_per_day: vars
                .number("UNILOGIN_UPLOAD_MIB_PER_DAY", limits.upload_mib_per_day)?,
            sign_in_retention_days: vars.number(
                "UNILOGIN_SIGN_IN_RETENTION_DAYS",
                limits.sign_in_retention_days,
            )?,
            ..limits
        },
        cache_ttl: Duration::from_millis(vars.number("UNILOGIN_CACHE_TTL_MS", 2000)?.into()),
        outbound: crate::outbound::OutboundSettings {
            allow_loopback: vars.flag("UNILOGIN_OUTBOUND_ALLOW_LOOPBACK", false)?,
            ca_file: ca_file(&vars)?,
        },
        market_worker: vars.flag("UNILOGIN_MARKET_WORKER", true)?,
        demo: false,
        clock: crate::clock::Clock::system(),
        calendar,
        holidays_file,
    })
}

fn calendar(vars: &Vars) -> Result<(crate::calendar::Calendar, Option<PathBuf>), ConfigError> {
    let zone = vars.text("UNILOGIN_TIME_ZONE", crate::calendar::DEFAULT_ZONE);
    let file = "UNILOGIN_HOLIDAYS_FILE";
    let (holidays, path) = match vars.get(file) {
        None => (crate::calendar::CHINA_HOLIDAYS.to_owned(), None),
        Some(path) => match std::fs::read_to_string(path) {
            Ok(text) => (text, Some(PathBuf::from(path))),
            Err(e) => return Err(error(file, format!("cannot read {path}: {e}"))),
        },
    };
    let calendar = crate::calendar::Calendar::new(&zone, &holidays).map_err(|message| {
        // A bad zone is the zone's fault; anything else is the file's.
        if message.contains("time zone") {
            error(
                "UNILOGIN_TIME_ZONE",
                format!("expected an IANA time zone such as Asia/Shanghai or UTC: {message}"),
            )
        } else {
            error(file, format!("cannot use the file: {message}"))
        }
    })?;
    Ok((calendar, path))
}

fn bind(vars: &Vars) -> Result<String, ConfigError> {
    let raw = vars.text("UNILOGIN_BIND", DEFAULT_BIND);
    check_bind(&raw).map_err(|message| error("UNILOGIN_BIND", message))?;
    Ok(raw)
}

/// `host:port` (an IPv6 host in brackets); port 0 picks a free one.
pub fn check_bind(raw: &str) -> Result<(), String> {
    let expected =
        || format!("expected host:port such as 127.0.0.1:8080 or [::]:8080, got {raw:?}");
    let (host, port) = raw.rsplit_once(':').ok_or_else(expected)?;
    port.parse::<u16>().map_err(|_| expected())?;
    let host_ok = if let Some(v6) = host.strip_prefix('[').and_then(|h| h.strip_suffix(']')) {
        v6.parse::<std::net::Ipv6Addr>().is_ok()
    } else {
        !host.is_empty()
            && host
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-')
    };
    if host_ok {
        Ok(())
    } else {
        Err(expected())
    }
}

fn issuer(vars: &Vars) -> Result<Option<String>, ConfigError> {
    let Some(raw) = vars.get("UNILOGIN_ISSUER") else {
        return Ok(None);
    };
    let expected = |why: &str| {
        error(
            "UNILOGIN_ISSUER",
            format!("expected the public base URL, such as https://login.example.com ({why}), got {raw:?}"),
        )
    };
    let url = url::Url::parse(raw).map_err(|_| expected("not a URL"))?;
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
        return Err(expected("http or https with a host"));
    }
    if url.query().is_some() || url.fragment().is_some() || !url.username().is_empty() {
        return Err(expected("no query, fragment or user"));
    }
    Ok(Some(raw.trim_end_matches('/').to_owned()))
}

fn database_url(vars: &Vars) -> Result<String, ConfigError> {
    let raw = vars.text("UNILOGIN_DATABASE_URL", DEFAULT_DATABASE_URL);
    let ok = match raw.split_once(':') {
        Some(("sqlite", rest)) => !rest.trim_start_matches('/').is_empty(),
        Some(("postgres" | "postgresql", _)) => url::Url::parse(&raw)
            .ok()
            .is_some_and(|u| u.host_str().is_some_and(|h| !h.is_empty())),
        _ => false,
    };
    if ok {
        Ok(raw)
    } else {
        Err(error(
            "UNILOGIN_DATABASE_URL",
            format!(
                "expected sqlite://FILE or postgres://USER@HOST:PORT/DATABASE, got {:?}",
                super::redact_url(&raw)
            ),
        ))
    }
}

fn redis_url(vars: &Vars) -> Result<Option<String>, ConfigError> {
    let Some(raw) = vars.get("UNILOGIN_REDIS_URL") else {
        return Ok(None);
    };
    let ok = url::Url::parse(raw)
        .ok()
        .is_some_and(|u| u.scheme() == "redis" && u.host_str().is_some_and(|h| !h.is_empty()));
    if ok {
        Ok(Some(raw.to_owned()))
    } else {
        Err(error(
            "UNILOGIN_REDIS_URL",
            format!(
                "expected redis://[:PASSWORD@]HOST[:PORT][/DB], got {:?}",
                super::redact_url(raw)
            ),
        ))
    }
}

/// A CA file must be readable now, not at the first call to a seller.
fn ca_file(vars: &Vars) -> Result<Option<PathBuf>, ConfigError> {
    let name = "UNILOGIN_OUTBOUND_CA_FILE";
    let Some(path) = vars.get(name) else {
        return Ok(None);
    };
    match std::fs::metadata(path) {
        Ok(meta) if meta.is_file() => Ok(Some(PathBuf::from(path))),
        Ok(_) => Err(error(name, format!("cannot read {path}: not a file"))),
        Err(e) => Err(error(name, format!("cannot read {path}: {e}"))),
    }
}

fn master_keys(vars: &Vars) -> Result<MasterKeySource, ConfigError> {
    let parse_list = |name: &str, raw: &str, separator: &[char]| {
        let keys: Option<Vec<_>> = raw
            .split(separator)
            .map(str::trim)
            .filter(|k| !k.is_empty() && !k.starts_with('#'))
            .map(MasterKeyBytes::parse)
            .collect();
        match keys {
            Some(keys) if !keys.is_empty() => Ok(keys),
            _ => Err(error(
                name,
                "expected base64 keys of 32 bytes each, newest first \
                 (make one with `unilogin keys generate-master`)",
            )),
        }
    };
    match (
        vars.get("UNILOGIN_MASTER_KEY"),
        vars.get("UNILOGIN_MASTER_KEY_FILE"),
    ) {
        (Some(_), Some(_)) => Err(error(
            "UNILOGIN_MASTER_KEY",
            "set either UNILOGIN_MASTER_KEY or UNILOGIN_MASTER_KEY_FILE, not both",
        )),
        (Some(raw), None) => Ok(MasterKeySource::Variable(parse_list(
            "UNILOGIN_MASTER_KEY",
            raw,
            &[','],
        )?)),
        (None, Some(path)) => {
            let text = std::fs::read_to_string(path).map_err(|e| {
                error(
                    "UNILOGIN_MASTER_KEY_FILE",
                    format!("cannot read {path}: {e}"),
                )
            })?;
            let keys = parse_list("UNILOGIN_MASTER_KEY_FILE", &text, &['\n', ','])?;
            Ok(MasterKeySource::File(PathBuf::from(path), keys))
        }
        (None, None) => Ok(MasterKeySource::Unset),
    }
}

fn log_filter(vars: &Vars) -> Result<String, ConfigError> {
    let raw = vars.text("UNILOGIN_LOG", "info");
    tracing_subscriber::EnvFilter::try_new(&raw).map_err(|e| {
        error(
            "UNILOGIN_LOG",
            format!("expected a tracing filter such as info or unilogin=debug,actix_web=warn: {e}"),
        )
    })?;
    Ok(raw)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_one(name: &str, value: &str) -> Result<Settings, ConfigError> {
        read([(name.to_owned(), value.to_owned())])
    }

    fn vars(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn a_misspelt_variable_is_refused_with_a_suggestion() {
        let err = read_one("UNILOGIN_REDIS_ULR", "redis://127.0.0.1/").unwrap_err();
        assert_eq!(err.variable, "UNILOGIN_REDIS_ULR");
        assert!(
            err.message.contains("did you mean UNILOGIN_REDIS_URL?"),
            "{err}"
        );
        assert!(read_one("UNILOGIN_NO_SUCH_THING", "1").is_err());
        // The test suite's and the bench's own variables are not ours to refuse.
        assert!(read_one("UNILOGIN_TEST_REDIS_URL", "anything").is_ok());
        assert!(read_one("OTHER_VARIABLE", "anything").is_ok());
    }

    #[test]
    fn the_calendar_takes_a_zone_and_an_operators_holiday_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("holidays.txt");
        std::fs::write(&path, "2027-01-01 holiday 元旦\n").unwrap();
        let settings = read(vars(&[
            ("UNILOGIN_TIME_ZONE", "Europe/Berlin"),
            ("UNILOGIN_HOLIDAYS_FILE", path.to_str().unwrap()),
        ]))
        .unwrap();
        assert_eq!(settings.calendar.zone_name(), "Europe/Berlin");
        assert_eq!(settings.holidays_file.as_deref(), Some(path.as_path()));
        // Thursday + 1 working day: the listed Friday is a holiday, then the weekend.
        let thursday = settings.calendar.parse_day("2026-12-31").unwrap();
        let monday = settings.calendar.parse_day("2027-01-04").unwrap();
        assert_eq!(settings.calendar.add_working_days(thursday, 1), monday);

        std::fs::write(&path, "2027-01-01 feast\n").unwrap();
        let err = read_one("UNILOGIN_HOLIDAYS_FILE", path.to_str().unwrap()).unwrap_err();
        assert!(err.message.contains("line 1"), "{err}");
        let default = read(vars(&[])).unwrap();
        assert_eq!(default.calendar.zone_name(), "Asia/Shanghai");
        assert_eq!(default.holidays_file, None);
    }

    #[test]
    fn malformed_values_name_the_variable() {
        for (name, value) in [
            ("UNILOGIN_BIND", "8080"),
            ("UNILOGIN_BIND", "localhost:http"),
            ("UNILOGIN_ISSUER", "login.example.com"),
            ("UNILOGIN_ISSUER", "ftp://login.example.com"),
            ("UNILOGIN_ISSUER", "https://login.example.com/?a=b"),
            ("UNILOGIN_DATABASE_URL", "mysql://db/unilogin"),
            ("UNILOGIN_DATABASE_URL", "postgres:///nohost"),
            ("UNILOGIN_REDIS_URL", "127.0.0.1:6379"),
            ("UNILOGIN_REDIS_URL", "rediss://cache:6380"),
            ("UNILOGIN_KEYS_RELOAD_SECS", "0"),
            ("UNILOGIN_KEYS_RELOAD_SECS", "ten"),
            ("UNILOGIN_LOGIN_MAX_FAILURES", "-1"),
            ("UNILOGIN_CACHE_TTL_MS", "1.5"),
            ("UNILOGIN_ARGON2_MEMORY_KIB", "4"),
            ("UNILOGIN_MASTER_KEY", "too-short"),
            ("UNILOGIN_MASTER_KEY_FILE", "/nonexistent/master.key"),
            ("UNILOGIN_LOG", "info,[[["),
            ("UNILOGIN_OUTBOUND_ALLOW_LOOPBACK", "yes"),
            ("UNILOGIN_OUTBOUND_CA_FILE", "/nonexistent/ca.pem"),
            ("UNILOGIN_TIME_ZONE", "Mars/Olympus_Mons"),
            ("UNILOGIN_TIME_ZONE", "+08:00"),
            ("UNILOGIN_HOLIDAYS_FILE", "/nonexistent/holidays.txt"),
        ] {
            let err = read_one(name, value).unwrap_err();
            assert_eq!(err.variable, name, "{name}={value}: {err}");
            assert!(
                err.message.starts_with("expected") || err.message.starts_with("cannot"),
                "{err}"
            );
        }
    }

    #[test]
    fn good_values_are_taken() {
        let key = MasterKeyBytes([7; 32]);
        let older = MasterKeyBytes([8; 32]);
        let settings = read([
            ("UNILOGIN_BIND".to_owned(), "[::]:0".to_owned()),
            (
                "UNILOGIN_ISSUER".to_owned(),
                "https://login.example.com/".to_owned(),
            ),
            (
                "UNILOGIN_DATABASE_URL".to_owned(),
                "postgres://u@db:5432/x".to_owned(),
            ),
            (
                "UNILOGIN_REDIS_URL".to_owned(),
                "redis://:pw@cache:6379/2".to_owned(),
            ),
            ("UNILOGIN_KEYS_ROTATE_DAYS".to_owned(), "30".to_owned()),
            (
                "UNILOGIN_MASTER_KEY".to_owned(),
                format!("{}, {}", key.encode(), older.encode()),
            ),
            ("UNILOGIN_LOGIN_MAX_FAILURES".to_owned(), " ".to_owned()),
            ("UNILOGIN_MARKET_WORKER".to_owned(), "0".to_owned()),
        ])
        .unwrap();
        assert!(!settings.market_worker);
        assert_eq!(
            settings.issuer.as_deref(),
            Some("https://login.example.com")
        );
        assert_eq!(
            settings.master_keys,
            MasterKeySource::Variable(vec![key, older])
        );
        assert_eq!(
            settings.keys_rotate_after,
            Some(Duration::from_secs(30 * 86_400))
        );
        assert_eq!(settings.limits.account_failures, 5, "blank is unset");
        let shown = format!("{settings:?}");
        assert!(
            !shown.contains("BwcH") && !shown.contains(":pw@"),
            "{shown}"
        );
    }

    #[test]
    fn postgresql_needs_a_master_key() {
        let err = read_one("UNILOGIN_DATABASE_URL", "postgres://u@db/x").unwrap_err();
        assert_eq!(err.variable, "UNILOGIN_MASTER_KEY");
        assert!(read_one("UNILOGIN_DATABASE_URL", "sqlite://other.db").is_ok());
    }

    #[test]
    fn both_master_key_variables_are_refused() {
        let err = read([
            (
                "UNILOGIN_MASTER_KEY".to_owned(),
                MasterKeyBytes([1; 32]).encode(),
            ),
            (
                "UNILOGIN_MASTER_KEY_FILE".to_owned(),
                "/etc/unilogin/master.key".to_owned(),
            ),
        ])
        .unwrap_err();
        assert!(err.message.contains("not both"), "{err}");
    }

    #[test]
    fn the_pool_size_is_automatic_unless_set() {
        assert_eq!(
            read_one("UNILOGIN_LOG", "info")
                .unwrap()
                .database_max_connections,
            None
        );
        let sized = read_one("UNILOGIN_DATABASE_MAX_CONNECTIONS", "24").unwrap();
        assert_eq!(sized.database_max_connections, Some(24));
        let automatic = read_one("UNILOGIN_DATABASE_MAX_CONNECTIONS", "0").unwrap();
        assert_eq!(automatic.database_max_connections, None);
        let err = read_one("UNILOGIN_DATABASE_MAX_CONNECTIONS", "many").unwrap_err();
        assert_eq!(err.variable, "UNILOGIN_DATABASE_MAX_CONNECTIONS");
    }
}
