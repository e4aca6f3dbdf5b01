//! The key set a running server signs with, reloaded when `unilogin keys rotate` (on any
//! instance sharing the keys directory) adds a key: no restart needed.

use std::path::PathBuf;
use std::sync::{Arc, Mutex, RwLock, Weak};
use std::time::Duration;

use super::keyset::{KeyError, KeySet};
use crate::store::durable::Durable;

pub struct LiveKeys {
    dir: PathBuf,
    durable: Durable,
    max_token_lifetime: i64,
    current: RwLock<Arc<KeySet>>,
    /// The key file names the current set was loaded from.
    loaded_from: Mutex<Vec<String>>,
}

impl LiveKeys {
    pub async fn load(
        dir: PathBuf,
        durable: Durable,
        max_token_lifetime: i64,
    ) -> Result<Self, KeyError> {
        let set = KeySet::load_or_create(&dir, &durable, max_token_lifetime).await?;
        let loaded_from = fingerprint(dir.clone()).await;
        Ok(Self {
            dir,
            durable,
            max_token_lifetime,
            current: RwLock::new(Arc::new(set)),
            loaded_from: Mutex::new(loaded_from),
        })
    }

    /// The key set to sign and verify with now.
    pub fn current(&self) -> Arc<KeySet> {
        match self.current.read() {
            Ok(guard) => guard.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    /// Reloads the set if the directory's key files changed; true when it did.
    pub async fn refresh(&self) -> Result<bool, KeyError> {
        let now = fingerprint(self.dir.clone()).await;
        if self.loaded_from.lock().map(|f| *f == now).unwrap_or(false) {
            return Ok(false);
        }
        let set = KeySet::load_or_create(&self.dir, &self.durable, self.max_token_lifetime).await?;
        let now = fingerprint(self.dir.clone()).await;
        if let Ok(mut current) = self.current.write() {
            *current = Arc::new(set);
        }
        if let Ok(mut loaded) = self.loaded_from.lock() {
            *loaded = now;
        }
        tracing::info!("signing keys reloaded");
        Ok(true)
    }

    /// Checks the directory every `period` for as long as the server holds the keys.
    pub fn watch(self: &Arc<Self>, period: Duration) {
        let weak: Weak<Self> = Arc::downgrade(self);
        tokio::spawn(async move {
            let mut ticker = tokio::time::interval(period);
            ticker.tick().await;
            loop {
                ticker.tick().await;
                let Some(keys) = weak.upgrade() else { return };
                if let Err(err) = keys.refresh().await {
                    tracing::warn!(error = %err, "could not reload signing keys");
                }
            }
        });
    }
}

async fn fingerprint(dir: PathBuf) -> Vec<String> {
    tokio::task::spawn_blocking(move || KeySet::fingerprint(&dir))
        .await
        .unwrap_or_default()
}
