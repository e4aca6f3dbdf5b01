//! The key set a running server signs with. Keys live in the durable store, so a key that
//! `unilogin keys rotate` (from any machine) or another instance adds is picked up within
//! the reload interval, and at once when a token it signed arrives first. Optionally the
//! instances rotate by themselves, exactly one of them per due key.

use std::sync::{Arc, Mutex, RwLock, Weak};
use std::time::{Duration, Instant};

use jsonwebtoken::Algorithm;

use super::keyset::{alg_name, KeyError, KeySet, SIGNING_ALGS};
use super::{AccessClaims, TokenError};
use crate::keystore::{KeyStore, SIGNING};

/// The least time between two reloads caused by tokens naming an unknown key, so that
/// made-up kids cannot turn into a query each.
const UNKNOWN_KID_RELOAD_GAP: Duration = Duration::from_secs(1);

pub struct LiveKeys {
    store: KeyStore,
    max_token_lifetime: i64,
    rotate_after: Option<Duration>,
    current: RwLock<Arc<KeySet>>,
    /// The stored kids the current set was loaded from.
    loaded_from: Mutex<Vec<String>>,
    last_unknown_kid_reload: Mutex<Option<Instant>>,
}

impl LiveKeys {
    pub async fn load(
        store: KeyStore,
        import_from: Option<&std::path::Path>,
        max_token_lifetime: i64,
        rotate_after: Option<Duration>,
    ) -> Result<Self, KeyError> {
        let set = KeySet::load_or_create(&store, import_from, max_token_lifetime).await?;
        let loaded_from = store.ids(SIGNING).await?;
        let keys = Self {
            store,
            max_token_lifetime,
            rotate_after,
            current: RwLock::new(Arc::new(set)),
            loaded_from: Mutex::new(loaded_from),
            last_unknown_kid_reload: Mutex::new(None),
        };
        keys.rotate_if_due().await?;
        Ok(keys)
    }

    /// The key set to sign and verify with now.
    pub fn current(&self) -> Arc<KeySet> {
        match self.current.read() {
            Ok(guard) => guard.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    /// Reloads the set if the stored keys changed; true when they did.
    pub async fn refresh(&self) -> Result<bool, KeyError> {
        let ids = self.store.ids(SIGNING).await?;
        if self.loaded_from.lock().map(|f| *f == ids).unwrap_or(false) {
            return Ok(false);
        }
        let set = KeySet::load(&self.store, self.max_token_lifetime).await?;
        if let Ok(mut current) = self.current.write() {
            *current = Arc::new(set);
        }
        if let Ok(mut loaded) = self.loaded_from.lock() {
            *loaded = ids;
        }
        tracing::info!("signing keys reloaded");
        Ok(true)
    }

    /// Replaces every active key older than the rotation age. Of several instances
    /// doing this at once, the one that claims the key's slot rotates; the others pick
    /// the new key up.
    pub async fn rotate_if_due(&self) -> Result<usize, KeyError> {
        let Some(after) = self.rotate_after else {
            return Ok(0);
        };
        let set = self.current();
        let now_ms = self.store.durable().clock().now_millis();
        let mut rotated = 0;
        for alg in SIGNING_ALGS {
            let Some((since, kid)) = set.active_since(alg) else {
                continue;
            };
            if now_ms - since < after.as_millis() as i64 {
                continue;
            }
            if !self.store.claim(&format!("rotate {kid}")).await? {
                continue;
            }
            let info = KeySet::rotate(&self.store, alg).await?;
            tracing::info!(alg = alg_name(alg), kid = %info.kid, replaced = %kid, "signing key rotated automatically");
            rotated += 1;
        }
        if rotated > 0 {
            self.refresh().await?;
            let pruned = self.current().prune_retired(&self.store).await?;
            if !pruned.is_empty() {
                tracing::info!(count = pruned.len(), "retired signing keys deleted");
            }
        }
        Ok(rotated)
    }

    /// Verifies an access token, reloading once first if it names a key we do not know
    /// yet (another instance may have just rotated).
    pub async fn verify_access_token(
        &self,
        token: &str,
        issuer: &str,
        now: i64,
    ) -> Result<AccessClaims, TokenError> {
        self.checked(|set| set.verify_access_token(token, issuer, now))
            .await
    }

    /// As `verify_access_token`, for an ID token hint.
    pub async fn verify_id_token_hint(
        &self,
        token: &str,
        issuer: &str,
    ) -> Result<super::IdClaims, TokenError> {
        self.checked(|set| set.verify_id_token_hint(token, issuer))
            .await
    }

    /// `check` against the current set, and once more after a reload if the token
    /// named an unknown key.
    async fn checked<T>(
        &self,
        check: impl Fn(&KeySet) -> Result<T, TokenError>,
    ) -> Result<T, TokenError> {
        match check(&self.current()) {
            Err(TokenError::UnknownKey) if self.reload_for_unknown_kid().await => {
                check(&self.current())
            }
            other => other,
        }
    }

    /// Reloads unless that was done for this reason within the last second; true when
    /// the set changed.
    async fn reload_for_unknown_kid(&self) -> bool {
        {
            let Ok(mut last) = self.last_unknown_kid_reload.lock() else {
                return false;
            };
            if last.is_some_and(|at| at.elapsed() < UNKNOWN_KID_RELOAD_GAP) {
                return false;
            }
            *last = Some(Instant::now());
        }
        match self.refresh().await {
            Ok(changed) => changed,
            Err(err) => {
                tracing::warn!(error = %err, "could not reload signing keys");
                false
            }
        }
    }

    /// Looks for new keys (and rotates when due) every `period`, for as long as the
    /// server holds the keys.
    pub fn watch(self: &Arc<Self>, period: Duration) {
        let weak: Weak<Self> = Arc::downgrade(self);
        tokio::spawn(async move {
            let mut ticker = tokio::time::interval(period);
            ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            ticker.tick().await;
            loop {
                ticker.tick().await;
                let Some(keys) = weak.upgrade() else { return };
                if let Err(err) = keys.refresh().await {
                    tracing::warn!(error = %err, "could not reload signing keys");
                }
                if let Err(err) = keys.rotate_if_due().await {
                    tracing::warn!(error = %err, "could not rotate signing keys");
                }
            }
        });
    }
}

/// The algorithms a rotation may name.
pub fn rotation_algs(name: Option<&str>) -> Result<Vec<Algorithm>, String> {
    match name {
        None => Ok(SIGNING_ALGS.to_vec()),
        Some(name) => super::parse_alg(name).map(|alg| vec![alg]).ok_or_else(|| {
            format!(
                "unknown algorithm {name:?}: expected one of {}",
                KeySet::algorithm_names().join(", ")
            )
        }),
    }
}
