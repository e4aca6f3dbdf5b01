//! Signing keys, as the admin service manages them: list, and rotate (a new active key
//! per algorithm, retired keys deleted), with one audit event per rotation.

use serde_json::json;

use super::{Actor, AdminService};
use crate::admin::{AdminError, KeyAdmin};
use crate::tokens::{rotation_algs, KeyInfo, KeySet};

fn failed(err: impl std::fmt::Display) -> AdminError {
    AdminError::Invalid(format!("signing keys: {err}"))
}

impl AdminService {
    fn key_admin(&self) -> Result<&KeyAdmin, AdminError> {
        self.keys
            .as_ref()
            .ok_or_else(|| AdminError::Invalid("signing keys are not available here".into()))
    }

    /// Every signing key that can still verify a token, oldest first.
    pub async fn keys(&self) -> Result<Vec<KeyInfo>, AdminError> {
        let admin = self.key_admin()?;
        let set = KeySet::load_or_create(
            &admin.store,
            admin.import_from.as_deref(),
            admin.max_token_lifetime,
        )
        .await
        .map_err(failed)?;
        Ok(set
            .infos()
            .into_iter()
            .filter(|k| k.status != "retired")
            .collect())
    }

    /// A new active key for `alg` (every algorithm when `None`); keys that can no longer
    /// verify anything are deleted. Returns the keys that remain.
    pub async fn rotate_keys(
        &self,
        actor: &Actor,
        alg: Option<&str>,
    ) -> Result<Vec<KeyInfo>, AdminError> {
        let algs = rotation_algs(alg).map_err(AdminError::Invalid)?;
        let admin = self.key_admin()?;
        // Keys of earlier versions first, so that the new key is newer than all of them.
        KeySet::load_or_create(
            &admin.store,
            admin.import_from.as_deref(),
            admin.max_token_lifetime,
        )
        .await
        .map_err(failed)?;
        let mut created = Vec::new();
        for alg in algs {
            created.push(KeySet::rotate(&admin.store, alg).await.map_err(failed)?);
        }
        let set = KeySet::load(&admin.store, admin.max_token_lifetime)
            .await
            .map_err(failed)?;
        let deleted = set.prune_retired(&admin.store).await.map_err(failed)?;
        if let Some(live) = &admin.live {
            live.refresh().await.map_err(failed)?;
        }
        let kids: Vec<&str> = created.iter().map(|k| k.kid.as_str()).collect();
        let changes = json!({
            "created": created.iter().map(|k| json!({"kid": k.kid, "alg": k.alg})).collect::<Vec<_>>(),
            "deleted": deleted,
        });
        self.record(actor, "keys.rotated", &kids.join(" "), changes)
            .await?;
        Ok(set
            .infos()
            .into_iter()
            .filter(|k| k.status != "retired")
            .collect())
    }
}
