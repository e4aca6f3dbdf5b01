//! `unilogin keys …`: the signing keys and the master key.

use crate::config::{MasterKeyBytes, Settings};
use crate::keystore::{aead, KeyStore};
use crate::startup::open_key_store;
use crate::store::durable::Durable;
use crate::tokens::{rotation_algs, KeySet};

use super::print_json;

async fn store(settings: &Settings, durable: &Durable) -> Result<KeyStore, String> {
    open_key_store(settings, durable)
        .await
        .map_err(|e| e.to_string())
}

/// `keys list`: every signing key and its status.
pub async fn list(settings: &Settings, durable: &Durable) -> Result<(), String> {
    let store = store(settings, durable).await?;
    let set = KeySet::load_or_create(
        &store,
        Some(&settings.keys_dir),
        settings.lifetimes.longest_signed_token(),
    )
    .await
    .map_err(|e| e.to_string())?;
    for info in set.infos() {
        print_json(&info)?;
    }
    Ok(())
}

/// `keys rotate [--alg A]`: a new active key per algorithm; keys that can no longer
/// verify anything are deleted.
pub async fn rotate(
    settings: &Settings,
    durable: &Durable,
    alg: Option<&str>,
) -> Result<(), String> {
    let algs = rotation_algs(alg)?;
    let store = store(settings, durable).await?;
    let lifetime = settings.lifetimes.longest_signed_token();
    // Keys of earlier versions first, so that the new key is newer than all of them.
    KeySet::load_or_create(&store, Some(&settings.keys_dir), lifetime)
        .await
        .map_err(|e| e.to_string())?;
    for alg in algs {
        let info = KeySet::rotate(&store, alg)
            .await
            .map_err(|e| e.to_string())?;
        eprintln!(
            "new {} key {}: every running server signs with it within {} s",
            info.alg,
            info.kid,
            settings.keys_reload.as_secs()
        );
    }
    let set = KeySet::load(&store, lifetime)
        .await
        .map_err(|e| e.to_string())?;
    for kid in set.prune_retired(&store).await.map_err(|e| e.to_string())? {
        eprintln!("deleted retired key {kid}");
    }
    for info in set.infos().into_iter().filter(|i| i.status != "retired") {
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
