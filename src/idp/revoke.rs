//! Revoking sessions and grants: durably first (it survives restarts), then in the
//! ephemeral store that every token check consults.

use std::time::Duration;

use super::Idp;
use crate::store::durable::RevocationKind;
use crate::store::{now_unix, StoreError};

impl Idp {
    fn revocation_window(&self) -> (Duration, i64) {
        let ttl = self.lifetimes.access_token + Duration::from_secs(60);
        (ttl, now_unix() + ttl.as_secs() as i64)
    }

    /// Ends everything a browser session produced: its access tokens (by `sid`) and the
    /// refresh tokens of its grants.
    pub async fn revoke_session(&self, sid: &str) -> Result<(), StoreError> {
        let (ttl, until) = self.revocation_window();
        self.durable
            .record_revocation(RevocationKind::Session, sid, until)
            .await?;
        self.durable.revoke_families_of_session(sid).await?;
        self.revocations.revoke_session(sid, ttl).await
    }

    /// Ends one grant: its refresh-token family and the access tokens minted from it.
    pub async fn revoke_grant(&self, grant_id: &str) -> Result<(), StoreError> {
        let (ttl, until) = self.revocation_window();
        self.durable
            .record_revocation(RevocationKind::Grant, grant_id, until)
            .await?;
        self.durable.revoke_family(grant_id).await?;
        self.revocations.revoke_grant(grant_id, ttl).await
    }
}
