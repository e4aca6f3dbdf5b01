//! One lifecycle model that every credential check consults. Sessions and grants are
//! revoked outright; users and clients get a "not valid before" cutoff: every session,
//! code and token of theirs from the cutoff second or earlier is dead. Each entry is
//! written to the durable store first (it survives restarts and reaches instances that
//! share only the database, through `watch`), then to the ephemeral mirror, which is what
//! the checks read: the access-token verifier (userinfo, introspection, the marketplace),
//! single sign-on, code exchange, refresh, and introspection of refresh tokens.

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Weak};
use std::time::Duration;

use crate::clock::Clock;
use crate::config::Lifetimes;
use crate::store::durable::{Durable, RevocationKind, RevocationRecord};
use crate::store::ephemeral::{Marks, Revocations, SharedEphemeral};
use crate::store::StoreError;

/// Where a credential came from: what it is checked against.
#[derive(Debug, Clone, Copy, Default)]
pub struct Origin<'a> {
    /// The browser session; empty for client-credentials tokens.
    pub sid: &'a str,
    /// The grant (refresh-token family, or a client-credentials token's own id).
    pub grant: Option<&'a str>,
    /// The user, for credentials that speak for one.
    pub user: Option<&'a str>,
    pub client: &'a str,
    /// When the user signed in; a user cutoff compares with this.
    pub auth_time: Option<i64>,
    /// When the credential (or the grant it came from) was issued; a client cutoff
    /// compares with this.
    pub issued_at: i64,
}

impl Origin<'_> {
    fn survives(&self, marks: &Marks) -> bool {
        if marks.session_revoked || marks.grant_revoked {
            return false;
        }
        let signed_in = self.auth_time.unwrap_or(self.issued_at);
        marks.user_cutoff.is_none_or(|cutoff| signed_in > cutoff)
            && marks
                .client_cutoff
                .is_none_or(|cutoff| self.issued_at > cutoff)
    }
}

/// What a lifecycle check found.
#[derive(Debug, Clone, Copy)]
pub struct Liveness {
    pub live: bool,
    /// When the client's registration last changed (unix ms), if lately.
    pub client_changed_at: Option<i64>,
}

/// A client cutoff that ends everything ever issued to the client (it was deleted).
pub const FOREVER: i64 = i64::MAX;

pub struct Lifecycle {
    durable: Durable,
    mirror: Revocations,
    clock: Clock,
    /// How long the mirror keeps an entry: longer than any session, code or access token
    /// issued before it can live. Refresh tokens are revoked in the durable store.
    memory: Duration,
    /// The newest durable entry this instance has mirrored (unix ms).
    watermark: AtomicI64,
}

impl Lifecycle {
    pub fn new(durable: Durable, ephemeral: SharedEphemeral, lifetimes: &Lifetimes) -> Self {
        let memory = lifetimes
            .browser_session
            .max(lifetimes.access_token)
            .max(lifetimes.authorization_code)
            + Duration::from_secs(60);
        Self {
            clock: durable.clock().clone(),
            durable,
            mirror: Revocations::new(ephemeral),
            memory,
            watermark: AtomicI64::new(0),
        }
    }

    pub fn clock(&self) -> &Clock {
        &self.clock
    }

    /// Whether a credential of this origin is still good.
    pub async fn is_live(&self, origin: &Origin<'_>) -> Result<bool, StoreError> {
        Ok(self.check(origin).await?.live)
    }

    /// Whether a credential of this origin is still good, and when its client's
    /// registration last changed, in one round trip to the mirror.
    pub async fn check(&self, origin: &Origin<'_>) -> Result<Liveness, StoreError> {
        let marks = self
            .mirror
            .marks(origin.sid, origin.grant, origin.user, origin.client)
            .await?;
        Ok(Liveness {
            live: origin.survives(&marks),
            client_changed_at: marks.client_changed_at,
        })
    }

    /// Ends a browser session and everything it produced: its access tokens (by `sid`),
    /// the refresh tokens of its grants, and single sign-on with its cookie. The entry
    /// outlives the session itself, so the session cannot come back.
    pub async fn revoke_session(&self, sid: &str) -> Result<(), StoreError> {
        // The mark goes first: a code exchange racing this sees it after creating its
        // family (and revokes that family), or created it before the sweep below.
        self.record(RevocationKind::Session, sid, 0).await?;
        self.durable.revoke_families_of_session(sid).await?;
        self.durable.end_session_record(sid).await?;
        Ok(())
    }

    /// Ends one grant: its refresh-token family and the access tokens minted from it.
    pub async fn revoke_grant(&self, grant_id: &str) -> Result<(), StoreError> {
        self.record(RevocationKind::Grant, grant_id, 0).await?;
        self.durable.revoke_family(grant_id).await?;
        Ok(())
    }

    /// Ends every session of a user and every token issued to them until now (password
    /// change, disable). Returns once the clock has passed the cutoff second, so that
    /// anything issued after this returns is on the live side of it.
    pub async fn end_user(&self, user_id: &str) -> Result<(), StoreError> {
        let cutoff = self.clock.now_unix();
        self.record(RevocationKind::User, user_id, cutoff).await?;
        self.durable.revoke_families_of_user(user_id).await?;
        self.durable.end_session_records_of_user(user_id).await?;
        self.clock.wait_past(cutoff).await;
        Ok(())
    }

    /// Ends every code and token issued to a client until now (or, with `FOREVER`, at
    /// all: the client was deleted). Returns once the clock has passed the cutoff second.
    pub async fn end_client(&self, client_id: &str, until: Option<i64>) -> Result<(), StoreError> {
        let now = self.clock.now_unix();
        let cutoff = until.unwrap_or(now);
        self.record(RevocationKind::Client, client_id, cutoff)
            .await?;
        self.durable.revoke_families_of_client(client_id).await?;
        self.clock.wait_past(now).await;
        Ok(())
    }

    /// A client's registration changed: every instance reloads it before trusting its
    /// cached copy again (a rotated secret, a removed redirect URI stop at once).
    pub async fn client_changed(&self, client_id: &str) -> Result<(), StoreError> {
        self.mirror
            .client_changed(client_id, self.clock.now_millis())
            .await
    }

    /// When the client's registration last changed (unix ms), if lately.
    pub async fn client_changed_at(&self, client_id: &str) -> Result<Option<i64>, StoreError> {
        self.mirror.client_changed_at(client_id).await
    }

    async fn record(
        &self,
        kind: RevocationKind,
        id: &str,
        not_before: i64,
    ) -> Result<(), StoreError> {
        let now_ms = self.clock.now_millis();
        let record = RevocationRecord {
            kind,
            id: id.to_owned(),
            not_before,
            expires_at: now_ms.div_euclid(1000) + self.memory.as_secs() as i64,
            recorded_ms: now_ms,
        };
        self.durable.record_revocation(&record).await?;
        self.mirror.put(kind, id, not_before, self.memory).await?;
        crate::telemetry::registry().revocation(kind.as_str());
        Ok(())
    }

    /// Copies durable entries written since the last call into the ephemeral mirror:
    /// at start (after a restart of either store) and then periodically, for entries
    /// written by instances (or the command line) that do not share our ephemeral store.
    /// If the ephemeral store lost its data (a restart without persistence), everything
    /// still live is copied again.
    pub async fn sync(&self) -> Result<usize, StoreError> {
        let since = if self.mirror.is_complete().await? {
            self.watermark.load(Ordering::Relaxed)
        } else {
            0
        };
        // Writers' clocks and commit order differ by a little: read a margin again.
        let records = self
            .durable
            .live_revocations(since.saturating_sub(5_000))
            .await?;
        let now = self.clock.now_unix();
        let mut newest = since;
        for record in &records {
            let ttl = Duration::from_secs((record.expires_at - now).max(1) as u64);
            self.mirror
                .put(record.kind, &record.id, record.not_before, ttl)
                .await?;
            newest = newest.max(record.recorded_ms);
        }
        self.watermark.store(newest, Ordering::Relaxed);
        self.mirror.mark_complete(self.memory).await?;
        Ok(records.len())
    }

    /// Runs `sync` every `period` for as long as the lifecycle is in use.
    pub fn watch(self: &Arc<Self>, period: Duration) {
        let weak: Weak<Self> = Arc::downgrade(self);
        tokio::spawn(async move {
            let mut ticker = tokio::time::interval(period);
            ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            ticker.tick().await;
            loop {
                ticker.tick().await;
                let Some(lifecycle) = weak.upgrade() else {
                    return;
                };
                if let Err(err) = lifecycle.sync().await {
                    tracing::warn!(error = %err, "could not mirror revocations");
                }
            }
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::ephemeral::{Ephemeral, MemoryStore};

    async fn lifecycle() -> (Lifecycle, Clock, tempfile::TempDir) {
        let dir = tempfile::tempdir().unwrap();
        let clock = Clock::system();
        let url = format!("sqlite://{}", dir.path().join("l.db").display());
        let durable = Durable::connect(&url)
            .await
            .unwrap()
            .with_clock(clock.clone());
        durable.migrate().await.unwrap();
        let store = MemoryStore::new(Duration::from_secs(60), clock.clone());
        let lifecycle = Lifecycle::new(durable, store, &Lifetimes::default());
        (lifecycle, clock, dir)
    }

    fn user_origin(auth_time: i64) -> Origin<'static> {
        Origin {
            sid: "s1",
            grant: Some("g1"),
            user: Some("u1"),
            client: "c1",
            auth_time: Some(auth_time),
            issued_at: auth_time,
        }
    }

    #[tokio::test]
    async fn a_revoked_session_stays_dead_longer_than_it_lives() {
        let (lifecycle, clock, _dir) = lifecycle().await;
        let origin = user_origin(clock.now_unix());
        assert!(lifecycle.is_live(&origin).await.unwrap());
        lifecycle.revoke_session("s1").await.unwrap();
        clock.advance(Duration::from_secs(8 * 3600 - 1));
        assert!(!lifecycle.is_live(&origin).await.unwrap());
    }

    #[tokio::test]
    async fn a_user_cutoff_ends_the_past_and_spares_what_follows() {
        let (lifecycle, clock, _dir) = lifecycle().await;
        let before = user_origin(clock.now_unix());
        lifecycle.end_user("u1").await.unwrap();
        assert!(!lifecycle.is_live(&before).await.unwrap());
        let after = user_origin(clock.now_unix());
        assert!(lifecycle.is_live(&after).await.unwrap());
        let other_user = Origin {
            user: Some("u2"),
            ..before
        };
        assert!(lifecycle.is_live(&other_user).await.unwrap());
    }

    #[tokio::test]
    async fn a_deleted_client_has_nothing_live() {
        let (lifecycle, clock, _dir) = lifecycle().await;
        lifecycle.end_client("c1", Some(FOREVER)).await.unwrap();
        let later = user_origin(clock.now_unix() + 60);
        assert!(!lifecycle.is_live(&later).await.unwrap());
    }

    #[tokio::test]
    async fn sync_refills_a_mirror_that_lost_its_data() {
        let (lifecycle, clock, _dir) = lifecycle().await;
        let store = MemoryStore::new(Duration::from_secs(60), clock.clone());
        let lifecycle = Lifecycle::new(
            lifecycle.durable.clone(),
            store.clone(),
            &Lifetimes::default(),
        );
        let origin = user_origin(clock.now_unix());
        lifecycle.revoke_session("s1").await.unwrap();
        lifecycle.sync().await.unwrap();
        // The ephemeral store restarts empty (no persistence).
        for key in ["revoked-sid:s1", "revocations-mirrored"] {
            store.delete(key).await.unwrap();
        }
        assert!(lifecycle.is_live(&origin).await.unwrap(), "forgotten");
        lifecycle.sync().await.unwrap();
        assert!(!lifecycle.is_live(&origin).await.unwrap(), "copied again");
    }

    #[tokio::test]
    async fn sync_mirrors_entries_written_elsewhere() {
        let (lifecycle, clock, _dir) = lifecycle().await;
        // Another process: same database, its own ephemeral store.
        let elsewhere = Lifecycle::new(
            lifecycle.durable.clone(),
            MemoryStore::new(Duration::from_secs(60), clock.clone()),
            &Lifetimes::default(),
        );
        let origin = user_origin(clock.now_unix());
        elsewhere.revoke_session("s1").await.unwrap();
        assert!(lifecycle.is_live(&origin).await.unwrap());
        assert_eq!(lifecycle.sync().await.unwrap(), 1);
        assert!(!lifecycle.is_live(&origin).await.unwrap());
    }
}
