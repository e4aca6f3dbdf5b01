//! `unilogin keys …`: the signing keys and the master key.

use crate::admin::{Actor, AdminService, KeyAdmin};
use crate::config::{MasterKeyBytes, Settings};
use crate::keystore::{aead, KeyStore};
use crate::startup::open_key_store;
use crate::store::durable::Durable;

use super::print_json;

async fn store(settings: &Settings, durable: &Durable) -> Result<KeyStore, String> {
    open_key_store(settings, durable)
        .await
        .map_err(|e| e.to_string())
}

/// The admin service with the signing keys of `settings`' stores.
pub async fn with_keys(settings: &Settings, service: AdminService) -> Result<AdminService, String> {
    let store = store(settings, service.durable()).await?;
    Ok(service.with_keys(KeyAdmin {
        store,
        max_token_lifetime: settings.lifetimes.longest_signed_token(),
        import_from: Some(settings.keys_dir.clone()),
        live: None,
    }))
}

/// `keys list`: every signing key that can still verify a token, and its status.
pub async fn list(service: &AdminService) -> Result<(), String> {
    for info in service.keys().await.map_err(|e| e.to_string())? {
        print_json(&info)?;
    }
    Ok(())
}

/// `keys rotate [--alg A]`: a new active key per algorithm; keys that can no longer
/// verify anything are deleted.
pub async fn rotate(
    settings: &Settings,
    service: &AdminService,
    alg: Option<&str>,
) -> Result<(), String> {
    let before: Vec<String> = service
        .keys()
        .await
        .map_err(|e| e.to_string())?
        .into_iter()
        .map(|k| k.kid)
        .collect();
    let keys = service
        .rotate_keys(&Actor::command_line(), alg)
        .await
        .map_err(|e| e.to_string())?;
    for info in keys.iter().filter(|k| !before.contains(&k.kid)) {
        eprintln!(
            "new {} key {}: every running server signs with it within {} s",
            info.alg,
            info.kid,
            settings.keys_reload.as_secs()
        );
    }
    for info in keys {
        print_json(&info)?;
    }
    Ok(())
}

/// `keys rewrap`: reseals every stored key under the newest master key.
pub async fn rewrap(settings: &Settings, durable: &Durable) -> Result<(), String> {
    let store = store(settings, durable).await?;
    let (resealed, total) = store.rewrap().await.map_err(|e| e.to_string())?;
    let newest = store.master().newest_id().to_owned();
    eprintln!(
        "{resealed} of {total} stored keys resealed; all are now under master key {newest}, \
         so older master keys can be removed from the configuration"
    );
    print_json(&serde_json::json!({
        "resealed": resealed,
        "stored": total,
        "master_key_id": newest,
    }))
}

/// `keys generate-master`: a new random master key on standard output.
pub fn generate_master() -> Result<(), String> {
    let key = aead::random_key().ok_or("could not generate a key")?;
    let key = MasterKeyBytes(key);
    eprintln!(
        "master key id {}: put it first in UNILOGIN_MASTER_KEY (or the key file), keep the \
         old ones after it until `unilogin keys rewrap` has run",
        crate::keystore::MasterKeys::id_of(&key)
    );
    println!("{}", key.encode());
    Ok(())
}
