//! `unilogin config check`: the effective configuration, secrets redacted, the stores it
//! selects, and whether they answer.

use std::time::Duration;

use super::config_report as check;
use crate::config::Settings;
use crate::keystore::{KeyStore, MasterKeys, SEALING, SIGNING};
use crate::store::durable::Durable;
use crate::store::ephemeral::{Ephemeral, RedisStore};

const PROBE_TIMEOUT: Duration = Duration::from_secs(3);

/// Prints the report; an error when a store does not answer or the master key does not
/// open the stored keys.
pub async fn check(settings: &Settings) -> Result<(), String> {
    let is_set = |name: &str| std::env::var(name).is_ok_and(|v| !v.trim().is_empty());
    println!("configuration (set = from the environment):");
    for line in check::report(settings, is_set) {
        let origin = if line.set { "set" } else { "default" };
        println!("  {:<42} {:<8} {}", line.variable, origin, line.value);
    }
    println!("stores:");
    for (what, description) in check::stores(settings) {
        println!("  {what:<16} {description}");
    }
    let mut problems = Vec::new();
    println!("checks:");
    match probe_durable(settings).await {
        Ok(line) => println!("  durable store    {line}"),
        Err(err) => {
            println!("  durable store    FAILED: {err}");
            problems.push(err);
        }
    }
    if let Some(url) = &settings.redis_url {
        match probe_redis(url, &settings.redis_prefix).await {
            Ok(()) => println!("  ephemeral store  answers"),
            Err(err) => {
                println!("  ephemeral store  FAILED: {err}");
                problems.push(err);
            }
        }
    }
    for warning in check::warnings(settings) {
        println!("warning: {warning}");
    }
    match problems.first() {
        None => Ok(()),
        Some(first) => Err(first.clone()),
    }
}

/// Connects, and opens the stored keys with the configured master key (without
/// generating anything: a check changes nothing).
async fn probe_durable(settings: &Settings) -> Result<String, String> {
    if settings.embedded_database() {
        let path = settings
            .database_url
            .trim_start_matches("sqlite:")
            .trim_start_matches("//");
        let path = path.split('?').next().unwrap_or(path);
        if !std::path::Path::new(path).exists() {
            return Ok("the SQLite file does not exist yet: the first start creates it".into());
        }
    }
    let durable = tokio::time::timeout(
        PROBE_TIMEOUT,
        Durable::connect_with(&settings.database_url, settings.database_max_connections),
    )
    .await
    .map_err(|_| "the database did not answer within 3 s".to_owned())?
    .map_err(|e| e.to_string())?;
    // It answered; an error here is a database not migrated yet, with nothing to open.
    let stored = durable.list_stored_keys(None).await.unwrap_or_default();
    if stored.is_empty() {
        durable.close().await;
        return Ok("answers; no keys stored yet".into());
    }
    let opened = match MasterKeys::resolve_existing(settings) {
        None => Err("keys are stored but the master key file is missing".to_owned()),
        Some(Err(err)) => Err(err.to_string()),
        Some(Ok(master)) => KeyStore::open(durable.clone(), master)
            .await
            .map(|_| ())
            .map_err(|e| e.to_string()),
    };
    durable.close().await;
    opened?;
    let count = |purpose: &str| stored.iter().filter(|r| r.purpose == purpose).count();
    Ok(format!(
        "answers; the master key opens its {} signing and {} sealing keys",
        count(SIGNING),
        count(SEALING)
    ))
}

async fn probe_redis(url: &str, prefix: &str) -> Result<(), String> {
    let redis = RedisStore::new(url, prefix).map_err(|e| e.to_string())?;
    match tokio::time::timeout(PROBE_TIMEOUT, redis.ping()).await {
        Ok(Ok(())) => Ok(()),
        Ok(Err(err)) => Err(format!("Redis: {err}")),
        Err(_) => Err("Redis did not answer within 3 s".into()),
    }
}
