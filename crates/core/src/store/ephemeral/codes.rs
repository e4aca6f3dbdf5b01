//! Authorization codes: 256-bit random, single use, bound to everything the token request
//! must match. A redeemed code leaves a marker naming the grant it produced, so a replay
//! can revoke that grant.

use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::{decode, encode, SharedEphemeral};
use crate::secret::{random_token, sha256_hex};
use crate::store::StoreError;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CodeGrant {
    pub client_id: String,
    pub redirect_uri: String,
    /// Whether `redirect_uri` was in the authorize request (then the token request must repeat it).
    pub redirect_uri_sent: bool,
    pub user_id: String,
    pub tenant_id: String,
    pub sid: String,
    pub scope: String,
    pub auth_time: i64,
    pub code_challenge: Option<String>,
    pub nonce: Option<String>,
    /// Space-separated audiences of the tokens this code will buy.
    #[serde(default)]
    pub audience: String,
    /// When the code was issued (unix seconds).
    #[serde(default)]
    pub issued_at: i64,
}

#[derive(Debug)]
pub enum Redemption {
    /// Not used yet: the grant, still unspent (see `Codes::claim`).
    Fresh(Box<CodeGrant>),
    /// The code was used before; `grant_id` is what that first use produced.
    Replayed { grant_id: String },
    /// Never issued, or expired.
    Unknown,
}

#[derive(Clone)]
pub struct Codes {
    store: SharedEphemeral,
    ttl: Duration,
}

const MAX_CODE_LEN: usize = 128;

impl Codes {
    pub fn new(store: SharedEphemeral, ttl: Duration) -> Self {
        Self { store, ttl }
    }

    pub async fn issue(&self, grant: &CodeGrant) -> Result<String, StoreError> {
        let code = random_token();
        self.store
            .put(
                &format!("code:{}", sha256_hex(&code)),
                &encode(grant)?,
                self.ttl,
            )
            .await?;
        Ok(code)
    }

    /// What `code` stands for, without spending it: the caller checks the request
    /// against the grant first, so a wrong request leaves the code to its rightful owner.
    pub async fn peek(&self, code: &str) -> Result<Redemption, StoreError> {
        if code.is_empty() || code.len() > MAX_CODE_LEN {
            return Ok(Redemption::Unknown);
        }
        let hash = sha256_hex(code);
        if let Some(bytes) = self.store.get(&format!("code:{hash}")).await? {
            return Ok(Redemption::Fresh(Box::new(decode(&bytes)?)));
        }
        match self.store.get(&format!("code-used:{hash}")).await? {
            Some(bytes) => Ok(Redemption::Replayed {
                grant_id: String::from_utf8_lossy(&bytes).into_owned(),
            }),
            None => Ok(Redemption::Unknown),
        }
    }

    /// Spends `code` atomically, leaving a marker that names `grant_id`, the id the caller
    /// gives the grant it mints. False when a concurrent request spent it first.
    pub async fn claim(&self, code: &str, grant_id: &str) -> Result<bool, StoreError> {
        let hash = sha256_hex(code);
        if self.store.take(&format!("code:{hash}")).await?.is_none() {
            return Ok(false);
        }
        self.store
            .put(&format!("code-used:{hash}"), grant_id.as_bytes(), self.ttl)
            .await?;
        Ok(true)
    }

    /// Makes a claimed `code` redeemable again, until its original expiry: the exchange
    /// that claimed it could not finish (a store was away) and answered "retry later",
    /// so the retry must find the code as the client left it.
    pub async fn release(&self, code: &str, grant: &CodeGrant, now: i64) -> Result<(), StoreError> {
        let left = grant.issued_at + self.ttl.as_secs() as i64 - now;
        if left <= 0 {
            return Ok(());
        }
        let hash = sha256_hex(code);
        self.store
            .put(
                &format!("code:{hash}"),
                &encode(grant)?,
                Duration::from_secs(left as u64),
            )
            .await?;
        self.store.delete(&format!("code-used:{hash}")).await
    }
}
