//! Argon2id for user passwords, and only for them: never on token or userinfo paths.

use argon2::password_hash::{PasswordHash, PasswordHasher as _, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};

use crate::config::Argon2Settings;

#[derive(Clone)]
pub struct PasswordHasher {
    argon: Argon2<'static>,
    /// Verified against when the user does not exist, so both cases cost the same time.
    dummy_hash: String,
}

impl PasswordHasher {
    pub fn new(settings: Argon2Settings) -> Result<Self, String> {
        let params = Params::new(
            settings.memory_kib,
            settings.iterations,
            settings.parallelism,
            None,
        )
        .map_err(|e| format!("argon2 parameters: {e}"))?;
        let argon = Argon2::new(Algorithm::Argon2id, Version::V0x13, params);
        let mut hasher = Self {
            argon,
            dummy_hash: String::new(),
        };
        hasher.dummy_hash = hasher.hash(&crate::secret::random_token())?;
        Ok(hasher)
    }

    /// A PHC string (`$argon2id$v=19$m=…`) with a fresh random salt.
    pub fn hash(&self, password: &str) -> Result<String, String> {
        use rand::RngCore;
        let mut salt = [0u8; 16];
        rand::rng().fill_bytes(&mut salt);
        let salt = SaltString::encode_b64(&salt).map_err(|e| e.to_string())?;
        self.argon
            .hash_password(password.as_bytes(), &salt)
            .map(|h| h.to_string())
            .map_err(|e| e.to_string())
    }

    /// Checks `password` against `stored`; with `None` it spends the same effort on a dummy
    /// hash and answers false. CPU-bound: call it off the async runtime.
    pub fn verify(&self, stored: Option<&str>, password: &str) -> bool {
        let (hash, known) = match stored {
            Some(hash) => (hash, true),
            None => (self.dummy_hash.as_str(), false),
        };
        let Ok(parsed) = PasswordHash::new(hash) else {
            return false;
        };
        // The stored hash carries its own parameters, so old hashes keep verifying after
        // the configured costs change.
        let ok = self
            .argon
            .verify_password(password.as_bytes(), &parsed)
            .is_ok();
        ok && known
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cheap() -> PasswordHasher {
        PasswordHasher::new(Argon2Settings {
            memory_kib: 256,
            iterations: 1,
            parallelism: 1,
        })
        .unwrap()
    }

    #[test]
    fn hashes_verify_and_differ_by_salt() {
        let hasher = cheap();
        let a = hasher.hash("pa55word!").unwrap();
        let b = hasher.hash("pa55word!").unwrap();
        assert!(a.starts_with("$argon2id$v=19$m=256,t=1,p=1$"));
        assert_ne!(a, b);
        assert!(hasher.verify(Some(&a), "pa55word!"));
        assert!(!hasher.verify(Some(&a), "pa55word?"));
    }

    #[test]
    fn unknown_user_never_verifies() {
        let hasher = cheap();
        assert!(!hasher.verify(None, "anything"));
        assert!(!hasher.verify(Some("not a phc string"), "anything"));
    }

    #[test]
    fn default_parameters_are_owasp() {
        let s = Argon2Settings::default();
        assert_eq!((s.memory_kib, s.iterations, s.parallelism), (19_456, 2, 1));
    }
}
