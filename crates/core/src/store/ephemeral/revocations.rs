//! The ephemeral mirror of revocations and cutoffs, which every credential check reads:
//! a revoked session id or grant id is dead outright; a user or client cutoff holds the
//! last second (unix) whose credentials are dead. Written by `crate::lifecycle`, which
//! also keeps the durable copy.

use std::time::Duration;

use super::SharedEphemeral;
use crate::store::durable::RevocationKind;
use crate::store::StoreError;

#[derive(Clone)]
pub struct Revocations {
    store: SharedEphemeral,
}

// Keys are joined with `concat`, not `format!`: every verified request builds five.
fn key(kind: RevocationKind, id: &str) -> String {
    let prefix = match kind {
        RevocationKind::Session => "revoked-sid:",
        RevocationKind::Grant => "revoked-grant:",
        RevocationKind::User => "cutoff-user:",
        RevocationKind::Client => "cutoff-client:",
    };
    [prefix, id].concat()
}

/// What the mirror holds for one credential's origin.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Marks {
    pub session_revoked: bool,
    pub grant_revoked: bool,
    pub user_cutoff: Option<i64>,
    pub client_cutoff: Option<i64>,
    /// When the client's registration last changed (unix ms), if lately: read in the
    /// same round trip, so a caller needing the registration need not ask again.
    pub client_changed_at: Option<i64>,
}

/// The key holding when a client's registration last changed.
pub fn client_changed_key(client_id: &str) -> String {
    ["client-changed:", client_id].concat()
}

/// A time kept as unix milliseconds in text (the change and deletion markers).
pub fn parse_millis(value: Option<&[u8]>) -> Option<i64> {
    std::str::from_utf8(value?).ok()?.parse().ok()
}

/// Present while the mirror holds everything the durable store has: a store that lost
/// its data (restarted without persistence, flushed) has lost this key too.
const COMPLETE: &str = "revocations-mirrored";

/// Longer than any cache of client registrations lives.
const CLIENT_CHANGE_MEMORY: Duration = Duration::from_secs(3600);

impl Revocations {
    pub fn new(store: SharedEphemeral) -> Self {
        Self { store }
    }

    /// Records that a client's registration changed at `at_ms` (secret, URIs, scopes,
    /// deletion), so every instance stops trusting a cached copy read before it.
    pub async fn client_changed(&self, client_id: &str, at_ms: i64) -> Result<(), StoreError> {
        self.store
            .put(
                &client_changed_key(client_id),
                at_ms.to_string().as_bytes(),
                CLIENT_CHANGE_MEMORY,
            )
            .await
    }

    /// When the client's registration last changed (unix ms), if within the last hour.
    pub async fn client_changed_at(&self, client_id: &str) -> Result<Option<i64>, StoreError> {
        let value = self.store.get(&client_changed_key(client_id)).await?;
        Ok(parse_millis(value.as_deref()))
    }

    /// Whether the mirror still holds what was copied into it.
    pub async fn is_complete(&self) -> Result<bool, StoreError> {
        Ok(self.store.get(COMPLETE).await?.is_some())
    }

    /// Marks the mirror as holding every live durable entry, for `ttl`.
    pub async fn mark_complete(&self, ttl: Duration) -> Result<(), StoreError> {
        self.store.put(COMPLETE, b"1", ttl).await
    }

    /// Records `kind`/`id`; `not_before` is the cutoff second for users and clients.
    pub async fn put(
        &self,
        kind: RevocationKind,
        id: &str,
        not_before: i64,
        ttl: Duration,
    ) -> Result<(), StoreError> {
        self.store
            .put(&key(kind, id), not_before.to_string().as_bytes(), ttl)
            .await
    }

    /// Everything recorded against a session, grant, user and client (empty ids are not
    /// looked up), and when the client's registration last changed, in one round trip.
    pub async fn marks(
        &self,
        sid: &str,
        grant: Option<&str>,
        user: Option<&str>,
        client: &str,
    ) -> Result<Marks, StoreError> {
        let wanted = [
            (RevocationKind::Session, sid),
            (RevocationKind::Grant, grant.unwrap_or_default()),
            (RevocationKind::User, user.unwrap_or_default()),
            (RevocationKind::Client, client),
        ];
        let mut kinds = Vec::with_capacity(4);
        let mut keys = Vec::with_capacity(5);
        for (kind, id) in wanted {
            if !id.is_empty() {
                kinds.push(kind);
                keys.push(key(kind, id));
            }
        }
        keys.push(client_changed_key(client));
        let mut values = self.store.get_many(&keys).await?;
        let changed = values.pop().flatten();
        let mut marks = Marks {
            client_changed_at: parse_millis(changed.as_deref()),
            ..Marks::default()
        };
        for (kind, value) in kinds.into_iter().zip(values) {
            let Some(value) = value else { continue };
            let second = || -> Result<i64, StoreError> {
                std::str::from_utf8(&value)
                    .ok()
                    .and_then(|v| v.parse().ok())
                    .ok_or_else(|| StoreError::Corrupt(format!("cutoff of {}", kind.as_str())))
            };
            match kind {
                RevocationKind::Session => marks.session_revoked = true,
                RevocationKind::Grant => marks.grant_revoked = true,
                RevocationKind::User => marks.user_cutoff = Some(second()?),
                RevocationKind::Client => marks.client_cutoff = Some(second()?),
            }
        }
        Ok(marks)
    }
}
