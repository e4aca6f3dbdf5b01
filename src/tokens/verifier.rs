//! Verifying a bearer access token as every resource (userinfo, introspection, the
//! marketplace) must: signature against the current key set, type, issuer, audience,
//! expiry, and that neither its session nor its grant has been revoked. Local only: no
//! call to the identity provider.

use std::sync::Arc;
use std::time::Duration;

use super::{AccessClaims, LiveKeys};
use crate::cache::Cache;
use crate::store::ephemeral::Revocations;
use crate::store::{now_unix, StoreError};

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
    /// The revocation store did not answer.
    Unavailable(StoreError),
}

pub struct AccessVerifier {
    keys: Arc<LiveKeys>,
    revocations: Revocations,
    issuer: String,
    /// Tokens whose signature and claims were checked, until they expire.
    verified: Cache<AccessClaims>,
}

impl AccessVerifier {
    pub fn new(keys: Arc<LiveKeys>, revocations: Revocations, issuer: String) -> Self {
        Self {
            keys,
            revocations,
            issuer,
            verified: Cache::new(50_000),
        }
    }

    pub async fn verify(&self, token: &str) -> Result<Arc<AccessClaims>, Refusal> {
        let claims = match self.verified.get(token) {
            Some(claims) if claims.exp > now_unix() => claims,
            _ => {
                let claims = self
                    .keys
                    .current()
                    .verify_access_token(token, &self.issuer)
                    .map_err(|err| {
                        tracing::debug!(error = %err, "bearer token refused");
                        Refusal::Invalid
                    })?;
                // Signature and claims hold until `exp`; revocation is checked every time.
                let ttl = Duration::from_secs((claims.exp - now_unix()).max(0) as u64);
                let claims = Arc::new(claims);
                self.verified.insert(token, claims.clone(), ttl);
                claims
            }
        };
        let revoked = self
            .revocations
            .is_revoked(&claims.sid, claims.gid.as_deref())
            .await
            .map_err(Refusal::Unavailable)?;
        if revoked {
            return Err(Refusal::Invalid);
        }
        Ok(claims)
    }
}
