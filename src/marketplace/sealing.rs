//! Access-key secrets at rest: AES-256-GCM under a 256-bit key kept in
//! `UNILOGIN_KEYS_DIR/marketplace-secrets.key` (generated at first start, mode 0600,
//! shared by every instance like the signing keys). The access key id is the associated
//! data, so a sealed secret cannot be moved to another key's row.

use std::fs;
use std::path::{Path, PathBuf};

use aws_lc_rs::aead::{Aad, LessSafeKey, Nonce, UnboundKey, AES_256_GCM, NONCE_LEN};
use aws_lc_rs::rand::{SecureRandom, SystemRandom};
use base64::engine::general_purpose::STANDARD;
use base64::Engine;

use crate::secret::Secret;

pub const KEY_FILE: &str = "marketplace-secrets.key";

pub struct Sealer {
    key: LessSafeKey,
}

#[derive(Debug, thiserror::Error)]
pub enum SealError {
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{0} is not a 32-byte key")]
    BadKey(PathBuf),
    #[error("a sealed secret does not open: wrong key or altered data")]
    Corrupt,
}

impl Sealer {
    /// Loads the key from `dir`, creating it (0600) if missing.
    pub fn load_or_create(dir: &Path) -> Result<Self, SealError> {
        let path = dir.join(KEY_FILE);
        let io = |source| SealError::Io {
            path: path.clone(),
            source,
        };
        let bytes = match fs::read(&path) {
            Ok(bytes) => bytes,
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => {
                let mut key = [0u8; 32];
                SystemRandom::new()
                    .fill(&mut key)
                    .map_err(|_| SealError::BadKey(path.clone()))?;
                fs::create_dir_all(dir).map_err(io)?;
                crate::secret::write_private(&path, &key).map_err(io)?;
                key.to_vec()
            }
            Err(err) => return Err(io(err)),
        };
        Self::from_bytes(&bytes).ok_or(SealError::BadKey(path))
    }

    fn from_bytes(bytes: &[u8]) -> Option<Self> {
        let key = UnboundKey::new(&AES_256_GCM, bytes).ok()?;
        Some(Self {
            key: LessSafeKey::new(key),
        })
    }

    pub fn seal(&self, context: &str, secret: &Secret) -> Result<String, SealError> {
        let mut nonce = [0u8; NONCE_LEN];
        SystemRandom::new()
            .fill(&mut nonce)
            .map_err(|_| SealError::Corrupt)?;
        let mut data = secret.expose().as_bytes().to_vec();
        self.key
            .seal_in_place_append_tag(
                Nonce::assume_unique_for_key(nonce),
                Aad::from(context.as_bytes()),
                &mut data,
            )
            .map_err(|_| SealError::Corrupt)?;
        let mut sealed = nonce.to_vec();
        sealed.extend_from_slice(&data);
        Ok(STANDARD.encode(sealed))
    }

    pub fn open(&self, context: &str, sealed: &str) -> Result<Secret, SealError> {
        let bytes = STANDARD.decode(sealed).map_err(|_| SealError::Corrupt)?;
        if bytes.len() < NONCE_LEN {
            return Err(SealError::Corrupt);
        }
        let (nonce, ciphertext) = bytes.split_at(NONCE_LEN);
        let nonce = Nonce::try_assume_unique_for_key(nonce).map_err(|_| SealError::Corrupt)?;
        let mut data = ciphertext.to_vec();
        let plain = self
            .key
            .open_in_place(nonce, Aad::from(context.as_bytes()), &mut data)
            .map_err(|_| SealError::Corrupt)?;
        let text = std::str::from_utf8(plain).map_err(|_| SealError::Corrupt)?;
        Ok(Secret::new(text))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sealed_secrets_open_only_with_their_key_and_context() {
        let dir = tempfile::tempdir().unwrap();
        let sealer = Sealer::load_or_create(dir.path()).unwrap();
        let secret = Secret::new("MFyfvK41ba2giqM7Uio6PznpdUKGpownRZlmVmHc");
        let sealed = sealer.seal("AK1", &secret).unwrap();
        assert!(!sealed.contains("MFyfvK41"));
        assert_ne!(sealed, sealer.seal("AK1", &secret).unwrap(), "fresh nonce");
        assert_eq!(
            sealer.open("AK1", &sealed).unwrap().expose(),
            secret.expose()
        );
        assert!(
            sealer.open("AK2", &sealed).is_err(),
            "bound to its access key"
        );
        // The same key file reopens it; another key does not.
        let again = Sealer::load_or_create(dir.path()).unwrap();
        assert!(again.open("AK1", &sealed).is_ok());
        let other = Sealer::load_or_create(tempfile::tempdir().unwrap().path()).unwrap();
        assert!(other.open("AK1", &sealed).is_err());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = fs::metadata(dir.path().join(KEY_FILE))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }
}
