//! Signing keys: generated at first start into the keys directory (private files mode
//! 0600), identified by their RFC 7638 thumbprint. JWKS publishes every key that may still
//! verify a live token.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use base64::Engine;
use jsonwebtoken::jwk::{Jwk, JwkSet, KeyAlgorithm, PublicKeyUse, ThumbprintHash};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header};
use serde::Serialize;

use crate::store::durable::{Durable, SigningKeyRecord};
use crate::store::{now_unix, StoreError};

#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error("keys directory {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("key file {0} is not a usable private key")]
    BadKey(PathBuf),
    #[error("could not generate a key")]
    Generate,
    #[error("signing failed: {0}")]
    Sign(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

struct SigningKey {
    kid: String,
    alg: Algorithm,
    created_at: i64,
    encoding: EncodingKey,
    decoding: DecodingKey,
    jwk: Jwk,
}

/// What `keys list` shows of a key.
#[derive(Debug, Clone, Serialize)]
pub struct KeyInfo {
    pub kid: String,
    pub alg: String,
    pub created_at: i64,
    /// `active` (signs new tokens), `retiring` (still verifies), or `retired`.
    pub status: &'static str,
}

pub struct KeySet {
    /// Oldest first.
    keys: Vec<SigningKey>,
    /// The longest lifetime of any token we sign, in seconds: a replaced key stays
    /// published this long after its successor took over.
    max_token_lifetime: i64,
}

/// The algorithm of access tokens: ECDSA P-256 signs fast and verifies everywhere.
pub const ACCESS_TOKEN_ALG: Algorithm = Algorithm::ES256;

impl KeySet {
    /// Loads every key in `dir`, generating one for each algorithm that has none, and
    /// records their metadata in the durable store.
    pub async fn load_or_create(
        dir: &Path,
        durable: &Durable,
        max_token_lifetime: i64,
    ) -> Result<Self, KeyError> {
        let dir = dir.to_path_buf();
        let keys = tokio::task::spawn_blocking(move || -> Result<Vec<SigningKey>, KeyError> {
            ensure_dir(&dir)?;
            let mut keys = read_keys(&dir)?;
            if !keys.iter().any(|k| k.alg == ACCESS_TOKEN_ALG) {
                keys.push(generate(&dir, ACCESS_TOKEN_ALG)?);
            }
            keys.sort_by_key(|k| (k.created_at, k.kid.clone()));
            Ok(keys)
        })
        .await
        .map_err(|_| KeyError::Generate)??;
        for key in &keys {
            durable
                .record_signing_key(&SigningKeyRecord {
                    kid: key.kid.clone(),
                    alg: alg_name(key.alg).to_owned(),
                    created_at: key.created_at,
                })
                .await?;
        }
        Ok(Self {
            keys,
            max_token_lifetime,
        })
    }

    /// Creates a new key for `alg` in `dir`; it becomes the active one at the next load.
    pub fn rotate(dir: &Path, alg: Algorithm) -> Result<KeyInfo, KeyError> {
        ensure_dir(dir)?;
        let key = generate(dir, alg)?;
        Ok(KeyInfo {
            kid: key.kid,
            alg: alg_name(alg).to_owned(),
            created_at: key.created_at,
            status: "active",
        })
    }

    fn active(&self, alg: Algorithm) -> Option<&SigningKey> {
        self.keys.iter().rev().find(|k| k.alg == alg)
    }

    /// When the key was replaced by a newer one of the same algorithm, if it was.
    fn replaced_at(&self, key: &SigningKey) -> Option<i64> {
        self.keys
            .iter()
            .filter(|k| k.alg == key.alg && k.created_at > key.created_at)
            .map(|k| k.created_at)
            .min()
            .or_else(|| {
                let newest = self.active(key.alg)?;
                (newest.kid != key.kid).then_some(newest.created_at)
            })
    }

    fn status(&self, key: &SigningKey, now: i64) -> &'static str {
        match self.replaced_at(key) {
            None => "active",
            Some(at) if at + self.max_token_lifetime > now => "retiring",
            Some(_) => "retired",
        }
    }

    pub fn infos(&self) -> Vec<KeyInfo> {
        let now = now_unix();
        self.keys
            .iter()
            .map(|k| KeyInfo {
                kid: k.kid.clone(),
                alg: alg_name(k.alg).to_owned(),
                created_at: k.created_at,
                status: self.status(k, now),
            })
            .collect()
    }

    /// The public keys that may still verify a live token.
    pub fn jwks(&self) -> JwkSet {
        let now = now_unix();
        JwkSet {
            keys: self
                .keys
                .iter()
                .filter(|k| self.status(k, now) != "retired")
                .map(|k| k.jwk.clone())
                .collect(),
        }
    }

    /// Signs `claims` with the active key for `alg`, with header `typ`.
    pub fn sign<T: Serialize>(
        &self,
        alg: Algorithm,
        typ: &str,
        claims: &T,
    ) -> Result<String, KeyError> {
        let key = self
            .active(alg)
            .ok_or_else(|| KeyError::Sign(format!("no key for {}", alg_name(alg))))?;
        let mut header = Header::new(alg);
        header.typ = Some(typ.to_owned());
        header.kid = Some(key.kid.clone());
        jsonwebtoken::encode(&header, claims, &key.encoding)
            .map_err(|e| KeyError::Sign(e.to_string()))
    }

    /// The verification key for `kid`, only if its algorithm is `alg`: the header cannot
    /// choose a different algorithm than the key was made for.
    pub fn verification_key(&self, kid: &str, alg: Algorithm) -> Option<&DecodingKey> {
        let now = now_unix();
        self.keys
            .iter()
            .find(|k| k.kid == kid && k.alg == alg && self.status(k, now) != "retired")
            .map(|k| &k.decoding)
    }
}

fn alg_name(alg: Algorithm) -> &'static str {
    match alg {
        Algorithm::ES256 => "ES256",
        Algorithm::RS256 => "RS256",
        Algorithm::ES384 => "ES384",
        Algorithm::PS256 => "PS256",
        Algorithm::EdDSA => "EdDSA",
        _ => "unsupported",
    }
}

fn ensure_dir(dir: &Path) -> Result<(), KeyError> {
    let io = |source| KeyError::Io {
        path: dir.to_path_buf(),
        source,
    };
    fs::create_dir_all(dir).map_err(io)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = fs::metadata(dir).map_err(io)?.permissions().mode();
        if mode & 0o077 != 0 && !dir.join("README.md").exists() {
            fs::set_permissions(dir, fs::Permissions::from_mode(0o700)).map_err(io)?;
        }
    }
    Ok(())
}

/// Key files are named `<alg>_<created unix seconds>_<suffix>.pem`.
fn parse_file_name(name: &str) -> Option<(Algorithm, i64)> {
    let stem = name.strip_suffix(".pem")?;
    let mut parts = stem.splitn(3, '_');
    let alg = match parts.next()? {
        "es256" => Algorithm::ES256,
        _ => return None,
    };
    let created = parts.next()?.parse().ok()?;
    Some((alg, created))
}

fn read_keys(dir: &Path) -> Result<Vec<SigningKey>, KeyError> {
    let io = |source| KeyError::Io {
        path: dir.to_path_buf(),
        source,
    };
    let mut keys = Vec::new();
    for entry in fs::read_dir(dir).map_err(io)? {
        let path = entry.map_err(io)?.path();
        let Some((alg, created_at)) = path
            .file_name()
            .and_then(|n| n.to_str())
            .and_then(parse_file_name)
        else {
            continue;
        };
        let pem = fs::read(&path).map_err(|source| KeyError::Io {
            path: path.clone(),
            source,
        })?;
        keys.push(from_pem(&pem, alg, created_at).ok_or(KeyError::BadKey(path))?);
    }
    Ok(keys)
}

fn from_pem(pem: &[u8], alg: Algorithm, created_at: i64) -> Option<SigningKey> {
    let encoding = match alg {
        Algorithm::ES256 => EncodingKey::from_ec_pem(pem).ok()?,
        _ => return None,
    };
    let mut jwk = Jwk::from_encoding_key(&encoding, alg).ok()?;
    let kid = jwk.thumbprint(ThumbprintHash::SHA256);
    jwk.common.key_id = Some(kid.clone());
    jwk.common.public_key_use = Some(PublicKeyUse::Signature);
    jwk.common.key_algorithm = Some(match alg {
        Algorithm::ES256 => KeyAlgorithm::ES256,
        _ => return None,
    });
    let decoding = DecodingKey::from_jwk(&jwk).ok()?;
    Some(SigningKey {
        kid,
        alg,
        created_at,
        encoding,
        decoding,
        jwk,
    })
}

fn generate(dir: &Path, alg: Algorithm) -> Result<SigningKey, KeyError> {
    use aws_lc_rs::signature::{EcdsaKeyPair, ECDSA_P256_SHA256_FIXED_SIGNING};
    let der = match alg {
        Algorithm::ES256 => EcdsaKeyPair::generate(&ECDSA_P256_SHA256_FIXED_SIGNING)
            .and_then(|pair| pair.to_pkcs8v1())
            .map_err(|_| KeyError::Generate)?,
        _ => return Err(KeyError::Generate),
    };
    let pem = pem_encode("PRIVATE KEY", der.as_ref());
    let created_at = now_unix();
    let name = format!(
        "{}_{}_{}.pem",
        alg_name(alg).to_ascii_lowercase(),
        created_at,
        crate::secret::random_id(8)
    );
    let path = dir.join(name);
    write_private(&path, pem.as_bytes())?;
    from_pem(pem.as_bytes(), alg, created_at).ok_or(KeyError::BadKey(path))
}

/// Writes a file readable by its owner only, atomically (no window with wider modes).
fn write_private(path: &Path, contents: &[u8]) -> Result<(), KeyError> {
    let io = |source| KeyError::Io {
        path: path.to_path_buf(),
        source,
    };
    let tmp = path.with_extension("tmp");
    let mut options = fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(&tmp).map_err(io)?;
    file.write_all(contents).map_err(io)?;
    file.sync_all().map_err(io)?;
    fs::rename(&tmp, path).map_err(io)?;
    Ok(())
}

fn pem_encode(label: &str, der: &[u8]) -> String {
    let b64 = base64::engine::general_purpose::STANDARD.encode(der);
    let mut out = format!("-----BEGIN {label}-----\n");
    for chunk in b64.as_bytes().chunks(64) {
        out.push_str(std::str::from_utf8(chunk).unwrap_or_default());
        out.push('\n');
    }
    out.push_str(&format!("-----END {label}-----\n"));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_round_trip() {
        assert_eq!(
            parse_file_name("es256_1700000000_ab12cd34.pem"),
            Some((Algorithm::ES256, 1_700_000_000))
        );
        assert_eq!(parse_file_name("README.md"), None);
        assert_eq!(parse_file_name("rs999_1_x.pem"), None);
    }

    #[test]
    fn generated_keys_are_private_and_reload_with_the_same_kid() {
        let dir = tempfile::tempdir().unwrap();
        let key = generate(dir.path(), Algorithm::ES256).unwrap();
        let files: Vec<_> = fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(files.len(), 1);
        let path = files[0].as_ref().unwrap().path();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        let reloaded = read_keys(dir.path()).unwrap();
        assert_eq!(reloaded[0].kid, key.kid);
        // RFC 7638 thumbprints of SHA-256 are 43 base64url characters.
        assert_eq!(key.kid.len(), 43);
    }
}
