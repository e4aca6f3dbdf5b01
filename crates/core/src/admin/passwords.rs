//! Argon2id for user passwords, and only for them: never on token or userinfo paths.

use argon2::password_hash::{PasswordHash, PasswordHasher as _, SaltString};
use argon2::{Algorithm, Argon2, Block, Params, Version};

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
        self.verify_in(stored, password, &mut Vec::new())
    }

    /// `verify`, working in `memory` (grown as needed and kept by the caller): a thread
    /// that checks passwords all day allocates its argon2 blocks once.
    pub fn verify_in(&self, stored: Option<&str>, password: &str, memory: &mut Vec<Block>) -> bool {
        let (hash, known) = match stored {
            Some(hash) => (hash, true),
            None => (self.dummy_hash.as_str(), false),
        };
        verify_phc(hash, password.as_bytes(), memory).unwrap_or(false) && known
    }
}

/// Recomputes a PHC-format argon2 hash with its own stored parameters (so old hashes keep
/// verifying after the configured costs change) and compares in constant time.
fn verify_phc(phc: &str, password: &[u8], memory: &mut Vec<Block>) -> Option<bool> {
    let parsed = PasswordHash::new(phc).ok()?;
    let algorithm = Algorithm::try_from(parsed.algorithm).ok()?;
    let version = match parsed.version {
        Some(v) => Version::try_from(v).ok()?,
        None => Version::V0x13,
    };
    let params = Params::try_from(&parsed).ok()?;
    let expected = parsed.hash?;
    let mut salt = [0u8; 64];
    let salt = parsed.salt?.decode_b64(&mut salt).ok()?;
    let blocks = params.block_count();
    if memory.len() < blocks {
        memory.resize(blocks, Block::default());
    }
    let mut computed = vec![0u8; expected.len()];
    Argon2::new(algorithm, version, params)
        .hash_password_into_with_memory(password, salt, &mut computed, &mut memory[..blocks])
        .ok()?;
    Some(crate::secret::constant_time_eq(
        &computed,
        expected.as_bytes(),
    ))
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
    fn verification_with_kept_memory_agrees_and_reads_the_hash_parameters() {
        let cheap = cheap();
        let costlier = PasswordHasher::new(Argon2Settings {
            memory_kib: 512,
            iterations: 2,
            parallelism: 2,
        })
        .unwrap();
        let mut memory = Vec::new();
        for hash in [
            cheap.hash("pa55word!").unwrap(),
            costlier.hash("pa55word!").unwrap(),
        ] {
            // Either hasher verifies either hash: the parameters come from the hash.
            assert!(cheap.verify_in(Some(&hash), "pa55word!", &mut memory));
            assert!(!cheap.verify_in(Some(&hash), "pa55word?", &mut memory));
            assert!(costlier.verify(Some(&hash), "pa55word!"));
        }
        assert!(memory.len() >= 512);
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
