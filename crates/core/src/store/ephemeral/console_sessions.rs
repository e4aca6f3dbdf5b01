//! The admin console's sign-ins in progress (keyed by `state`) and its sessions (keyed by
//! the hash of the cookie, like the identity provider's own sessions). A session holds
//! the tokens the console signed in with; every request verifies the access token again,
//! so whatever ends it at the identity provider ends the console session too.

use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::{decode, encode, SharedEphemeral};
use crate::secret::{random_token, sha256_hex};
use crate::store::StoreError;

/// How long a browser may take between leaving for the sign-in page and coming back.
pub const SIGN_IN_WINDOW: Duration = Duration::from_secs(600);

const MAX_TOKEN_LEN: usize = 128;

/// A sign-in on its way through authorize: the PKCE verifier and where to go after.
#[derive(Serialize, Deserialize)]
pub struct ConsoleSignIn {
    pub code_verifier: String,
    pub return_to: String,
}

/// A signed-in console: its tokens and the CSRF token of its forms.
#[derive(Clone, Serialize, Deserialize)]
pub struct ConsoleSession {
    pub access_token: String,
    pub id_token: String,
    pub csrf: String,
}

impl std::fmt::Debug for ConsoleSession {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ConsoleSession { .. }")
    }
}

#[derive(Clone)]
pub struct ConsoleSessions {
    store: SharedEphemeral,
}

fn well_formed(token: &str) -> bool {
    !token.is_empty() && token.len() <= MAX_TOKEN_LEN
}

impl ConsoleSessions {
    pub fn new(store: SharedEphemeral) -> Self {
        Self { store }
    }

    /// Stores a sign-in in progress; returns its `state`.
    pub async fn start_sign_in(&self, sign_in: &ConsoleSignIn) -> Result<String, StoreError> {
        let state = random_token();
        self.store
            .put(
                &format!("console:signin:{}", sha256_hex(&state)),
                &encode(sign_in)?,
                SIGN_IN_WINDOW,
            )
            .await?;
        Ok(state)
    }

    /// The sign-in of `state`, once.
    pub async fn finish_sign_in(&self, state: &str) -> Result<Option<ConsoleSignIn>, StoreError> {
        if !well_formed(state) {
            return Ok(None);
        }
        let key = format!("console:signin:{}", sha256_hex(state));
        self.store.take(&key).await?.map(|b| decode(&b)).transpose()
    }

    /// Stores a session for `ttl`; returns the cookie value that names it.
    pub async fn open(
        &self,
        session: &ConsoleSession,
        ttl: Duration,
    ) -> Result<String, StoreError> {
        let token = random_token();
        self.store
            .put(&session_key(&token), &encode(session)?, ttl)
            .await?;
        Ok(token)
    }

    pub async fn get(&self, token: &str) -> Result<Option<ConsoleSession>, StoreError> {
        if !well_formed(token) {
            return Ok(None);
        }
        self.store
            .get(&session_key(token))
            .await?
            .map(|b| decode(&b))
            .transpose()
    }

    /// Whether the store behind the sessions answers.
    pub async fn ping(&self) -> Result<(), StoreError> {
        self.store.ping().await
    }

    pub async fn close(&self, token: &str) -> Result<(), StoreError> {
        if !well_formed(token) {
            return Ok(());
        }
        self.store.delete(&session_key(token)).await
    }
}

fn session_key(token: &str) -> String {
    format!("console:session:{}", sha256_hex(token))
}
