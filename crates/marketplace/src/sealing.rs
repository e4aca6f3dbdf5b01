//! Access-key secrets at rest: AES-256-GCM under a 256-bit key kept in the durable store,
//! itself sealed under the master key (`unilogin_core::keystore`), so every instance holds the
//! same one. The access key id is the associated data, so a sealed secret cannot be moved
//! to another key's row.

use std::path::{Path, PathBuf};

use unilogin_core::keystore::aead::{self, Aead};
use unilogin_core::keystore::{KeyStore, KeyStoreError, SEALING};
use unilogin_core::secret::Secret;

/// Where versions before the key store kept it (in the keys directory); imported once.
pub const KEY_FILE: &str = "marketplace-secrets.key";

/// The stored key's name.
const KID: &str = "marketplace-access-keys";

pub struct Sealer {
    key: Aead,
}

#[derive(Debug, thiserror::Error)]
pub enum SealError {
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{0} is not a 32-byte key")]
    BadKey(String),
    #[error(transparent)]
    Store(#[from] KeyStoreError),
    #[error("a sealed secret does not open: wrong key or altered data")]
    Corrupt,
}

impl Sealer {
    /// The stored key; at first start the key file of an earlier version in
    /// `import_from` if there is one, else a new key.
    pub async fn load_or_create(store: &KeyStore, import_from: &Path) -> Result<Self, SealError> {
        if let Some(sealer) = Self::stored(store).await? {
            return Ok(sealer);
        }
        let path = import_from.join(KEY_FILE);
        let (bytes, imported) = match std::fs::read(&path) {
            Ok(bytes) => (bytes, true),
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => (
                aead::random_key()
                    .ok_or_else(|| SealError::BadKey("a new key".into()))?
                    .to_vec(),
                false,
            ),
            Err(source) => return Err(SealError::Io { path, source }),
        };
        if bytes.len() != 32 {
            return Err(SealError::BadKey(path.display().to_string()));
        }
        let created_ms = store.durable().clock().now_millis();
        // Of instances starting together, the first to store its key wins; all use it.
        if store
            .put(SEALING, KID, "A256GCM", created_ms, &bytes)
            .await?
            && imported
        {
            tracing::info!(file = %path.display(), "imported the marketplace secrets key file into the database");
        }
        Self::stored(store)
            .await?
            .ok_or_else(|| SealError::BadKey(KID.into()))
    }

    async fn stored(store: &KeyStore) -> Result<Option<Self>, SealError> {
        match store
            .list(SEALING)
            .await?
            .into_iter()
            .find(|k| k.kid == KID)
        {
            Some(key) => Ok(Some(Self {
                key: Aead::new(&key.material).ok_or_else(|| SealError::BadKey(KID.into()))?,
            })),
            None => Ok(None),
        }
    }

    pub fn seal(&self, context: &str, secret: &Secret) -> Result<String, SealError> {
        self.key
            .seal(context.as_bytes(), secret.expose().as_bytes())
            .map_err(|_| SealError::Corrupt)
    }

    pub fn open(&self, context: &str, sealed: &str) -> Result<Secret, SealError> {
        let plain = self
            .key
            .open(context.as_bytes(), sealed)
            .map_err(|_| SealError::Corrupt)?;
        let text = String::from_utf8(plain).map_err(|_| SealError::Corrupt)?;
        Ok(Secret::new(text))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use unilogin_core::config::MasterKeyBytes;
    use unilogin_core::keystore::MasterKeys;
    use unilogin_core::store::durable::Durable;

    async fn store(dir: &Path, master: u8) -> KeyStore {
        let url = format!("sqlite://{}", dir.join("s.db").display());
        let durable = Durable::connect(&url).await.unwrap();
        durable.migrate().await.unwrap();
        KeyStore::open(
            durable,
            MasterKeys::new(&[MasterKeyBytes([master; 32])]).unwrap(),
        )
        .await
        .unwrap()
    }

    #[tokio::test]
    async fn sealed_secrets_open_only_with_their_key_and_context() {
        let dir = tempfile::tempdir().unwrap();
        let keys = store(dir.path(), 1).await;
        let sealer = Sealer::load_or_create(&keys, dir.path()).await.unwrap();
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
        // The stored key reopens it; another database's key does not.
        let again = Sealer::load_or_create(&keys, dir.path()).await.unwrap();
        assert!(again.open("AK1", &sealed).is_ok());
        let elsewhere = tempfile::tempdir().unwrap();
        let other = Sealer::load_or_create(&store(elsewhere.path(), 1).await, elsewhere.path())
            .await
            .unwrap();
        assert!(other.open("AK1", &sealed).is_err());
    }

    #[tokio::test]
    async fn an_earlier_key_file_is_imported_once() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(KEY_FILE), [9u8; 32]).unwrap();
        let from_file = Sealer {
            key: Aead::new(&[9u8; 32]).unwrap(),
        };
        let sealed = from_file.seal("AK1", &Secret::new("s")).unwrap();
        let keys = store(dir.path(), 2).await;
        let sealer = Sealer::load_or_create(&keys, dir.path()).await.unwrap();
        assert_eq!(sealer.open("AK1", &sealed).unwrap().expose(), "s");
        // The file going away changes nothing: the database holds the key now.
        std::fs::remove_file(dir.path().join(KEY_FILE)).unwrap();
        let later = Sealer::load_or_create(&keys, dir.path()).await.unwrap();
        assert_eq!(later.open("AK1", &sealed).unwrap().expose(), "s");
    }
}
