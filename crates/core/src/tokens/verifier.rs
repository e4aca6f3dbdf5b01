//! Verifying a bearer access token as every resource (userinfo, introspection, the
//! marketplace) must: signature against the current key set, type, issuer, expiry, the
//! audience the resource answers to, and the identity lifecycle (its session, grant,
//! user and client still good). Local only: no call to the identity provider.

use std::sync::Arc;
use std::time::Duration;

use super::{AccessClaims, LiveKeys};
use crate::cache::Cache;
use crate::lifecycle::{Lifecycle, Origin};
use crate::store::StoreError;

/// The token of an `Authorization: Bearer …` header value (RFC 6750 §2.1): `Ok(None)`
/// when there is no header, `Err(())` when it is not a bearer token.
#[allow(clippy::result_unit_err)]
pub fn bearer_token(authorization: Option<&[u8]>) -> Result<Option<&str>, ()> {
    let Some(value) = authorization else {
        return Ok(None);
    };
    let value = std::str::from_utf8(value).map_err(|_| ())?;
    match value.split_once(' ') {
        Some((scheme, token))
            if scheme.eq_ignore_ascii_case("bearer") && !token.trim().is_empty() =>
        {
            Ok(Some(token.trim()))
        }
        _ => Err(()),
    }
}

/// Why a bearer token was not accepted.
#[derive(Debug)]
pub enum Refusal {
    /// Not a live token of ours; says nothing more to the caller.
    Invalid,
    /// A live token of ours, issued for other resource servers.
    WrongAudience,
    /// The revocation store did not answer.
    Unavailable(StoreError),
}

const VERIFIED_TOKENS: usize = 20_000;

/// Why a request's `Authorization` header did not carry a token for the audience.
#[derive(Debug)]
pub enum BearerRefusal {
    /// No bearer token at all.
    Missing,
    /// A malformed header, or a token that is not a live token of ours.
    Invalid,
    /// A live token of ours, issued for other resource servers.
    WrongAudience,
    /// The revocation store did not answer.
    Unavailable(StoreError),
}

pub struct AccessVerifier {
    keys: Arc<LiveKeys>,
    lifecycle: Arc<Lifecycle>,
    issuer: String,
    /// Tokens whose signature and claims were checked, until they expire. Bounded at
    /// `VERIFIED_TOKENS` (about a kilobyte and a half each, the token with its claims), so
    /// memory stays flat however many tokens pass; a token pushed out only costs one more
    /// signature check.
    verified: Cache<AccessClaims>,
}

impl AccessVerifier {
    pub fn new(keys: Arc<LiveKeys>, lifecycle: Arc<Lifecycle>, issuer: String) -> Self {
        Self {
            verified: Cache::new(VERIFIED_TOKENS, lifecycle.clock().clone()),
            keys,
            lifecycle,
            issuer,
        }
    }

    /// The lifecycle every verification consults.
    pub fn lifecycle(&self) -> &Arc<Lifecycle> {
        &self.lifecycle
    }

    /// The claims of a live token whose `aud` names `audience` (any audience when
    /// `None`: introspection describes tokens for every resource server).
    /// The bearer token of an `Authorization` header, verified for `audience`.
    pub async fn verify_bearer(
        &self,
        authorization: Option<&[u8]>,
        audience: &str,
    ) -> Result<Arc<AccessClaims>, BearerRefusal> {
        let token = match bearer_token(authorization) {
            Ok(Some(token)) => token,
            Ok(None) => return Err(BearerRefusal::Missing),
            Err(()) => return Err(BearerRefusal::Invalid),
        };
        self.verify(token, Some(audience))
            .await
            .map_err(|refusal| match refusal {
                Refusal::Invalid => BearerRefusal::Invalid,
                Refusal::WrongAudience => BearerRefusal::WrongAudience,
                Refusal::Unavailable(err) => BearerRefusal::Unavailable(err),
            })
    }

    pub async fn verify(
        &self,
        token: &str,
        audience: Option<&str>,
    ) -> Result<Arc<AccessClaims>, Refusal> {
        Ok(self.verify_fully(token, audience).await?.claims)
    }

    /// As `verify`, also telling when the token's client registration last changed
    /// (read in the same round trip as the lifecycle check).
    pub async fn verify_fully(
        &self,
        token: &str,
        audience: Option<&str>,
    ) -> Result<Verified, Refusal> {
        let now = self.lifecycle.clock().now_unix();
        let claims = match self.verified.get(token) {
            Some(claims) if claims.exp > now => claims,
            _ => {
                let claims = self
                    .keys
                    .verify_access_token(token, &self.issuer, now)
                    .await
                    .map_err(|err| {
                        tracing::debug!(error = %err, "bearer token refused");
                        Refusal::Invalid
                    })?;
                // Signature and claims hold until `exp`; the lifecycle is checked every time.
                let ttl = Duration::from_secs((claims.exp - now).max(0) as u64);
                let claims = Arc::new(claims);
                self.verified.insert(token, claims.clone(), ttl);
                claims
            }
        };
        let liveness = self
            .lifecycle
            .check(&origin_of(&claims))
            .await
            .map_err(Refusal::Unavailable)?;
        if !liveness.live {
            return Err(Refusal::Invalid);
        }
        if audience.is_some_and(|a| !claims.aud.contains(a)) {
            return Err(Refusal::WrongAudience);
        }
        Ok(Verified {
            claims,
            client_changed_at: liveness.client_changed_at,
        })
    }
}

/// A live access token's claims, and when its client's registration last changed (unix
/// ms, if lately): what a cached copy of the registration must postdate.
pub struct Verified {
    pub claims: Arc<AccessClaims>,
    pub client_changed_at: Option<i64>,
}

/// What an access token is checked against: a user token by its session, grant, user
/// and sign-in time; an application token by its own grant and its client.
pub fn origin_of(claims: &AccessClaims) -> Origin<'_> {
    let user_token = !claims.sid.is_empty();
    Origin {
        sid: &claims.sid,
        grant: claims.gid.as_deref(),
        user: user_token.then_some(claims.sub.as_str()),
        client: &claims.client_id,
        auth_time: claims.auth_time,
        issued_at: claims.iat,
    }
}
