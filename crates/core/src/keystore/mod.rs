//! Key material at rest: signing keys and the marketplace sealing key live in the durable
//! store, sealed with AES-256-GCM under a master key that lives outside it
//! (`UNILOGIN_MASTER_KEY`, `UNILOGIN_MASTER_KEY_FILE`, or on the embedded default a file
//! generated into the keys directory). Every instance with database access and the master
//! key sees the same keys; no shared filesystem is needed.
//!
//! Several master keys may be configured, newest first: the newest seals, any opens, so a
//! master key is rotated by adding the new one, running `unilogin keys rewrap`, and then
//! dropping the old one.

pub mod aead;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use sha2::{Digest, Sha256};

use crate::config::{MasterKeyBytes, MasterKeySource, Settings};
use crate::store::durable::{Durable, StoredKeyRecord};
use crate::store::StoreError;
use aead::Aead;

/// The master key file generated on the embedded default.
pub const MASTER_KEY_FILE: &str = "master.key";

/// What a stored key is for.
pub const SIGNING: &str = "signing";
pub const SEALING: &str = "sealing";

#[derive(Debug, thiserror::Error)]
pub enum KeyStoreError {
    #[error("master key file {path}: {source}")]
    MasterKeyFile {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("master key file {0}: expected base64 keys of 32 bytes, one per line, newest first")]
    MasterKeyMalformed(PathBuf),
    #[error(
        "no master key: set UNILOGIN_MASTER_KEY or UNILOGIN_MASTER_KEY_FILE (a generated key \
         file is only for the embedded SQLite default)"
    )]
    NoMasterKey,
    #[error(
        "the stored keys are sealed under master key {found}, which is not configured \
         (configured: {configured}); give the master key they were sealed with, newest first"
    )]
    UnknownMaster { found: String, configured: String },
    #[error("stored key {0} does not open under its master key: the master key is wrong or the row was altered")]
    DoesNotOpen(String),
    #[error("could not generate a key")]
    Generate,
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// The configured master keys, newest first.
pub struct MasterKeys {
    keys: Vec<(String, Aead)>,
}

impl MasterKeys {
    /// A key's public name: the start of its SHA-256, enough to tell keys apart, useless
    /// for guessing them.
    pub fn id_of(key: &MasterKeyBytes) -> String {
        let digest = Sha256::new()
            .chain_update(b"unilogin master key id\0")
            .chain_update(key.0)
            .finalize();
        crate::secret::hex(&digest[..8])
    }

    pub fn new(keys: &[MasterKeyBytes]) -> Result<Self, KeyStoreError> {
        let keys = keys
            .iter()
            .map(|k| {
                Ok((
                    Self::id_of(k),
                    Aead::new(&k.0).ok_or(KeyStoreError::Generate)?,
                ))
            })
            .collect::<Result<Vec<_>, KeyStoreError>>()?;
        if keys.is_empty() {
            return Err(KeyStoreError::NoMasterKey);
        }
        Ok(Self { keys })
    }

    /// The master keys the settings name; on the embedded default with none named, the
    /// key file in the keys directory, generated (0600) if missing.
    pub fn resolve(settings: &Settings) -> Result<Self, KeyStoreError> {
        match &settings.master_keys {
            MasterKeySource::Variable(keys) | MasterKeySource::File(_, keys) => Self::new(keys),
            MasterKeySource::Unset if settings.embedded_database() => {
                Self::new(&generated_file(&settings.keys_dir)?)
            }
            MasterKeySource::Unset => Err(KeyStoreError::NoMasterKey),
        }
    }

    /// As `resolve`, but never generating: `None` when the generated file would be
    /// needed and does not exist.
    pub fn resolve_existing(settings: &Settings) -> Option<Result<Self, KeyStoreError>> {
        let generated = settings.keys_dir.join(MASTER_KEY_FILE);
        if settings.master_keys == MasterKeySource::Unset
            && settings.embedded_database()
            && !generated.exists()
        {
            return None;
        }
        Some(Self::resolve(settings))
    }

    pub fn newest_id(&self) -> &str {
        &self.keys[0].0
    }

    pub fn ids(&self) -> Vec<&str> {
        self.keys.iter().map(|(id, _)| id.as_str()).collect()
    }

    fn get(&self, id: &str) -> Option<&Aead> {
        self.keys
            .iter()
            .find(|(k, _)| k == id)
            .map(|(_, aead)| aead)
    }
}

/// Reads the generated master key file, creating it first if it does not exist.
fn generated_file(dir: &Path) -> Result<Vec<MasterKeyBytes>, KeyStoreError> {
    let path = dir.join(MASTER_KEY_FILE);
    let io = |source| KeyStoreError::MasterKeyFile {
        path: path.clone(),
        source,
    };
    match std::fs::read_to_string(&path) {
        Ok(text) => {
            let keys: Option<Vec<_>> = text
                .lines()
                .map(str::trim)
                .filter(|l| !l.is_empty() && !l.starts_with('#'))
                .map(MasterKeyBytes::parse)
                .collect();
            match keys {
                Some(keys) if !keys.is_empty() => Ok(keys),
                _ => Err(KeyStoreError::MasterKeyMalformed(path)),
            }
        }
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => {
            let key = MasterKeyBytes(aead::random_key().ok_or(KeyStoreError::Generate)?);
            create_private_dir(dir).map_err(io)?;
            let text = format!(
                "# unilogin master key (newest first): it seals the keys in the database. \
                 Back it up; without it they cannot be opened.\n{}\n",
                key.encode()
            );
            match crate::secret::write_private(&path, text.as_bytes()) {
                Ok(()) => {
                    tracing::info!(path = %path.display(), "generated a master key file");
                    Ok(vec![key])
                }
                // Another process made it first: use theirs.
                Err(err) if err.kind() == std::io::ErrorKind::AlreadyExists => generated_file(dir),
                Err(err) => Err(io(err)),
            }
        }
        Err(err) => Err(io(err)),
    }
}

fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    builder.create(dir)
}

/// A key as it comes out of the store. The material never reaches `Debug`.
pub struct OpenedKey {
    pub kid: String,
    pub alg: String,
    pub created_ms: i64,
    pub material: Vec<u8>,
}

impl std::fmt::Debug for OpenedKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OpenedKey")
            .field("kid", &self.kid)
            .field("alg", &self.alg)
            .field("created_ms", &self.created_ms)
            .finish_non_exhaustive()
    }
}

/// The sealed keys of the durable store. Cheap to clone.
#[derive(Clone)]
pub struct KeyStore {
    durable: Durable,
    master: Arc<MasterKeys>,
}

fn context(purpose: &str, kid: &str) -> Vec<u8> {
    format!("unilogin stored key\0{purpose}\0{kid}").into_bytes()
}

impl KeyStore {
    /// The key store on `durable`, after checking that the configured master keys open
    /// every key stored so far: a wrong master key stops here, before anything is
    /// generated next to keys nobody can read.
    pub async fn open(durable: Durable, master: MasterKeys) -> Result<Self, KeyStoreError> {
        let store = Self {
            durable,
            master: Arc::new(master),
        };
        let mut checked: Vec<String> = Vec::new();
        for row in store.durable.list_stored_keys(None).await? {
            if checked.contains(&row.master_id) {
                continue;
            }
            store.open_row(&row)?;
            checked.push(row.master_id);
        }
        Ok(store)
    }

    pub fn durable(&self) -> &Durable {
        &self.durable
    }

    pub fn master(&self) -> &MasterKeys {
        &self.master
    }

    fn open_row(&self, row: &StoredKeyRecord) -> Result<OpenedKey, KeyStoreError> {
        let aead = self
            .master
            .get(&row.master_id)
            .ok_or_else(|| KeyStoreError::UnknownMaster {
                found: row.master_id.clone(),
                configured: self.master.ids().join(", "),
            })?;
        let material = aead
            .open(&context(&row.purpose, &row.kid), &row.sealed)
            .map_err(|_| KeyStoreError::DoesNotOpen(row.kid.clone()))?;
        Ok(OpenedKey {
            kid: row.kid.clone(),
            alg: row.alg.clone(),
            created_ms: row.created_ms,
            material,
        })
    }

    /// Seals and stores a key unless its kid is taken; true when this call stored it.
    pub async fn put(
        &self,
        purpose: &str,
        kid: &str,
        alg: &str,
        created_ms: i64,
        material: &[u8],
    ) -> Result<bool, KeyStoreError> {
        let (master_id, aead) = &self.master.keys[0];
        let sealed = aead
            .seal(&context(purpose, kid), material)
            .map_err(|_| KeyStoreError::Generate)?;
        Ok(self
            .durable
            .insert_stored_key(&StoredKeyRecord {
                kid: kid.to_owned(),
                purpose: purpose.to_owned(),
                alg: alg.to_owned(),
                created_ms,
                master_id: master_id.clone(),
                sealed,
            })
            .await?)
    }

    /// Every key of `purpose`, opened, oldest first.
    pub async fn list(&self, purpose: &str) -> Result<Vec<OpenedKey>, KeyStoreError> {
        self.durable
            .list_stored_keys(Some(purpose))
            .await?
            .iter()
            .map(|row| self.open_row(row))
            .collect()
    }

    /// The kids of `purpose`, sorted.
    pub async fn ids(&self, purpose: &str) -> Result<Vec<String>, KeyStoreError> {
        Ok(self.durable.stored_key_ids(purpose).await?)
    }

    pub async fn delete(&self, kid: &str) -> Result<(), KeyStoreError> {
        Ok(self.durable.delete_stored_key(kid).await?)
    }

    /// Claims a one-time slot (an automatic rotation); true for exactly one caller.
    pub async fn claim(&self, slot: &str) -> Result<bool, KeyStoreError> {
        Ok(self.durable.claim_key_rotation(slot).await?)
    }

    /// Reseals every key not sealed under the newest master key with it; returns how many
    /// were resealed and how many there are.
    pub async fn rewrap(&self) -> Result<(usize, usize), KeyStoreError> {
        let rows = self.durable.list_stored_keys(None).await?;
        let (newest, aead) = &self.master.keys[0];
        let mut resealed = 0;
        for row in &rows {
            if &row.master_id == newest {
                continue;
            }
            let opened = self.open_row(row)?;
            let sealed = aead
                .seal(&context(&row.purpose, &row.kid), &opened.material)
                .map_err(|_| KeyStoreError::Generate)?;
            if self
                .durable
                .reseal_stored_key(&row.kid, &row.master_id, newest, &sealed)
                .await?
            {
                resealed += 1;
            }
        }
        Ok((resealed, rows.len()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn durable() -> (tempfile::TempDir, Durable) {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("k.db").display());
        let durable = Durable::connect(&url).await.unwrap();
        durable.migrate().await.unwrap();
        (dir, durable)
    }

    #[tokio::test]
    async fn keys_open_under_any_configured_master_key_and_rewrap_to_the_newest() {
        let (_dir, durable) = durable().await;
        let old = MasterKeyBytes([1; 32]);
        let new = MasterKeyBytes([2; 32]);
        let store = KeyStore::open(
            durable.clone(),
            MasterKeys::new(std::slice::from_ref(&old)).unwrap(),
        )
        .await
        .unwrap();
        assert!(store
            .put(SIGNING, "k1", "ES256", 1, b"material")
            .await
            .unwrap());
        assert!(
            !store
                .put(SIGNING, "k1", "ES256", 2, b"other")
                .await
                .unwrap(),
            "kid taken"
        );
        let raw = durable.list_stored_keys(None).await.unwrap();
        assert!(!raw[0].sealed.contains("material"));

        // The new key first, the old one still listed: everything opens; rewrap moves it.
        let both = KeyStore::open(
            durable.clone(),
            MasterKeys::new(&[new.clone(), old.clone()]).unwrap(),
        )
        .await
        .unwrap();
        assert_eq!(both.list(SIGNING).await.unwrap()[0].material, b"material");
        assert_eq!(both.rewrap().await.unwrap(), (1, 1));
        assert_eq!(both.rewrap().await.unwrap(), (0, 1));

        // Now the old key alone is a clear error, and the new one alone opens.
        let err = KeyStore::open(durable.clone(), MasterKeys::new(&[old]).unwrap())
            .await
            .err()
            .expect("refused");
        assert!(matches!(err, KeyStoreError::UnknownMaster { .. }), "{err}");
        let only_new = KeyStore::open(durable, MasterKeys::new(&[new]).unwrap())
            .await
            .unwrap();
        assert_eq!(
            only_new.list(SIGNING).await.unwrap()[0].material,
            b"material"
        );
    }

    #[tokio::test]
    async fn an_altered_row_does_not_open() {
        let (_dir, durable) = durable().await;
        let master = MasterKeyBytes([3; 32]);
        let store = KeyStore::open(
            durable.clone(),
            MasterKeys::new(std::slice::from_ref(&master)).unwrap(),
        )
        .await
        .unwrap();
        store.put(SEALING, "a", "A256GCM", 1, b"one").await.unwrap();
        store.put(SEALING, "b", "A256GCM", 2, b"two").await.unwrap();
        // Row b's ciphertext moved into row a: the associated data catches it.
        let rows = durable.list_stored_keys(None).await.unwrap();
        sqlx::query("UPDATE stored_keys SET sealed = $1 WHERE kid = 'a'")
            .bind(&rows[1].sealed)
            .execute(durable.pool())
            .await
            .unwrap();
        let err = KeyStore::open(durable, MasterKeys::new(&[master]).unwrap())
            .await
            .err()
            .expect("refused");
        assert!(
            matches!(err, KeyStoreError::DoesNotOpen(ref kid) if kid == "a"),
            "{err}"
        );
    }

    #[test]
    fn the_generated_master_key_file_is_private_and_stable() {
        let dir = tempfile::tempdir().unwrap();
        let keys_dir = dir.path().join("keys");
        let first = generated_file(&keys_dir).unwrap();
        let again = generated_file(&keys_dir).unwrap();
        assert_eq!(first, again);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(keys_dir.join(MASTER_KEY_FILE))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        std::fs::write(keys_dir.join(MASTER_KEY_FILE), "not a key\n").unwrap();
        assert!(matches!(
            generated_file(&keys_dir),
            Err(KeyStoreError::MasterKeyMalformed(_))
        ));
    }
}
