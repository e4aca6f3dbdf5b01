//! The admin console's sign-ins in progress (keyed by `state`) and its sessions (keyed by
//! the hash of the cookie, like the identity provider's own sessions). A session holds
//! the tokens the console signed in with; every request verifies the access token again,
//! so whatever ends it at the identity provider ends the console session too.

use std::time::Duration;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::{decode, encode, SharedEphemeral};
use crate::keystore::aead::Aead;
use crate::secret::{random_token, sha256_hex};
use crate::store::StoreError;

/// How long a one-time value (a secret just made) waits for the page that shows it.
pub const FLASH_TTL: Duration = Duration::from_secs(120);

/// How long a submitted form is remembered, so that submitting it again repeats nothing.
pub const FORM_MEMORY: Duration = Duration::from_secs(3600);

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

/// The key a session's flashes are sealed under: from the cookie, which only the browser
/// holds (the store keys everything by the cookie's hash), so what the store keeps does
/// not open without the browser.
fn flash_sealer(cookie: &str) -> Aead {
    let mut hasher = Sha256::new();
    hasher.update(b"unilogin console flash\0");
    hasher.update(cookie.as_bytes());
    Aead::new(&hasher.finalize()).expect("a SHA-256 digest is 32 bytes")
}

/// What `submitted_once` found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Submission {
    /// The first time: go on, then `remember` where it led.
    First,
    /// Submitted before: where the first submission led (empty while it is still running).
    Again(String),
}

impl ConsoleSessions {
    /// Keeps `value` for the session `cookie` names, to be shown once after a redirect
    /// (post/redirect/get); returns the flash's id for the page's address.
    pub async fn flash(&self, cookie: &str, value: &impl Serialize) -> Result<String, StoreError> {
        let id = random_token();
        let sealed = flash_sealer(cookie)
            .seal(id.as_bytes(), &encode(value)?)
            .map_err(|_| StoreError::Corrupt("a flash cannot be sealed".into()))?;
        self.store
            .put(&flash_key(cookie, &id), sealed.as_bytes(), FLASH_TTL)
            .await?;
        Ok(id)
    }

    /// The value `flash` kept under `id` for this session, once; `None` when it was shown
    /// already, has expired, or belongs to another session.
    pub async fn take_flash<T: DeserializeOwned>(
        &self,
        cookie: &str,
        id: &str,
    ) -> Result<Option<T>, StoreError> {
        if !well_formed(id) || !well_formed(cookie) {
            return Ok(None);
        }
        let Some(sealed) = self.store.take(&flash_key(cookie, id)).await? else {
            return Ok(None);
        };
        let sealed = String::from_utf8(sealed).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        match flash_sealer(cookie).open(id.as_bytes(), &sealed) {
            Ok(plain) => decode(&plain).map(Some),
            Err(_) => Ok(None),
        }
    }

    /// Marks the form `form_id` of this session submitted: `First` the first time (the
    /// caller acts, then `remember`s where it led), `Again` with that place afterwards,
    /// so a double submit or a resubmitted page repeats nothing.
    pub async fn submitted_once(
        &self,
        cookie: &str,
        form_id: &str,
    ) -> Result<Submission, StoreError> {
        if !well_formed(form_id) {
            return Ok(Submission::Again(String::new()));
        }
        let key = form_key(cookie, form_id);
        if self.store.put_if_absent(&key, b"", FORM_MEMORY).await? {
            return Ok(Submission::First);
        }
        let led_to = self.store.get(&key).await?.unwrap_or_default();
        Ok(Submission::Again(
            String::from_utf8_lossy(&led_to).into_owned(),
        ))
    }

    /// Where the first submission of `form_id` led.
    pub async fn remember(
        &self,
        cookie: &str,
        form_id: &str,
        led_to: &str,
    ) -> Result<(), StoreError> {
        self.store
            .put(&form_key(cookie, form_id), led_to.as_bytes(), FORM_MEMORY)
            .await
    }

    /// Forgets a submission that failed, so that the form may be sent again.
    pub async fn forget(&self, cookie: &str, form_id: &str) -> Result<(), StoreError> {
        self.store.delete(&form_key(cookie, form_id)).await
    }
}

fn flash_key(cookie: &str, id: &str) -> String {
    format!("console:flash:{}:{}", sha256_hex(cookie), sha256_hex(id))
}

fn form_key(cookie: &str, form_id: &str) -> String {
    format!(
        "console:form:{}:{}",
        sha256_hex(cookie),
        sha256_hex(form_id)
    )
}
