//! Signing keys: kept sealed in the durable store (`crate::keystore`), generated there at
//! first start, identified by their RFC 7638 thumbprint. JWKS publishes every key that
//! may still verify a live token.

use std::fs;
use std::path::{Path, PathBuf};

use base64::Engine;
use jsonwebtoken::jwk::{Jwk, JwkSet, KeyAlgorithm, PublicKeyUse, ThumbprintHash};
use jsonwebtoken::{Algorithm, EncodingKey};
use serde::Serialize;

use super::jws::JwsKey;
use crate::clock::Clock;
use crate::keystore::{KeyStore, KeyStoreError, SIGNING};

#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error("key file {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("key file {0} is not a usable private key")]
    BadKey(PathBuf),
    #[error("stored signing key {0} is not a usable private key")]
    BadStoredKey(String),
    #[error("could not generate a key")]
    Generate,
    #[error("signing failed: {0}")]
    Sign(String),
    #[error(transparent)]
    Store(#[from] KeyStoreError),
}

impl From<crate::store::StoreError> for KeyError {
    fn from(err: crate::store::StoreError) -> Self {
        Self::Store(KeyStoreError::Store(err))
    }
}

struct SigningKey {
    kid: String,
    alg: Algorithm,
    created_at: i64,
    /// Orders keys made within the same second (the newest signs).
    created_ms: i64,
    jws: JwsKey,
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
    clock: Clock,
}

/// The algorithm of access tokens: ECDSA P-256 signs fast and verifies everywhere.
pub const ACCESS_TOKEN_ALG: Algorithm = Algorithm::ES256;

/// ID tokens default to RS256, the one algorithm every OpenID Connect client must accept
/// (OIDC Core §15.1); a client may register ES256 instead.
pub const ID_TOKEN_DEFAULT_ALG: Algorithm = Algorithm::RS256;

/// Every algorithm we hold a key for.
pub const SIGNING_ALGS: [Algorithm; 2] = [Algorithm::ES256, Algorithm::RS256];

impl KeySet {
    /// The signing keys in `store`, after importing key files an earlier version left in
    /// `import_from` (once: a key already stored is skipped) and generating a key for
    /// every algorithm that has none.
    pub async fn load_or_create(
        store: &KeyStore,
        import_from: Option<&Path>,
        max_token_lifetime: i64,
    ) -> Result<Self, KeyError> {
        if let Some(dir) = import_from {
            import_key_files(store, dir).await?;
        }
        let set = Self::load(store, max_token_lifetime).await?;
        let missing: Vec<Algorithm> = SIGNING_ALGS
            .into_iter()
            .filter(|alg| set.active(*alg).is_none())
            .collect();
        if missing.is_empty() {
            return Ok(set);
        }
        for alg in missing {
            Self::rotate(store, alg).await?;
        }
        Self::load(store, max_token_lifetime).await
    }

    /// The signing keys in `store` as they are.
    pub async fn load(store: &KeyStore, max_token_lifetime: i64) -> Result<Self, KeyError> {
        let opened = store.list(SIGNING).await?;
        let keys = tokio::task::spawn_blocking(move || {
            let mut keys = opened
                .into_iter()
                .map(|key| {
                    let alg = parse_alg(&key.alg)
                        .ok_or_else(|| KeyError::BadStoredKey(key.kid.clone()))?;
                    let parsed = from_pem(&key.material, alg, key.created_ms)
                        .ok_or_else(|| KeyError::BadStoredKey(key.kid.clone()))?;
                    if parsed.kid != key.kid {
                        return Err(KeyError::BadStoredKey(key.kid));
                    }
                    Ok(parsed)
                })
                .collect::<Result<Vec<_>, KeyError>>()?;
            keys.sort_by_key(|k| (k.created_ms, k.kid.clone()));
            Ok::<_, KeyError>(keys)
        })
        .await
        .map_err(|_| KeyError::Generate)??;
        Ok(Self {
            keys,
            max_token_lifetime,
            clock: store.durable().clock().clone(),
        })
    }

    /// Generates and stores a new key for `alg`; running servers make it the active one
    /// when they next look (and at once when they meet a token it signed).
    pub async fn rotate(store: &KeyStore, alg: Algorithm) -> Result<KeyInfo, KeyError> {
        let created_ms = store.durable().clock().now_millis();
        let (key, pem) = tokio::task::spawn_blocking(move || generate(alg, created_ms))
            .await
            .map_err(|_| KeyError::Generate)??;
        store
            .put(SIGNING, &key.kid, alg_name(alg), created_ms, pem.as_bytes())
            .await?;
        Ok(KeyInfo {
            kid: key.kid,
            alg: alg_name(alg).to_owned(),
            created_at: key.created_at,
            status: "active",
        })
    }

    /// Deletes the keys that can no longer verify anything; returns their kids.
    pub async fn prune_retired(&self, store: &KeyStore) -> Result<Vec<String>, KeyError> {
        let mut pruned = Vec::new();
        for info in self.infos() {
            if info.status == "retired" {
                store.delete(&info.kid).await?;
                pruned.push(info.kid);
            }
        }
        Ok(pruned)
    }

    /// When the active key for `alg` was made (unix milliseconds), and its kid.
    pub fn active_since(&self, alg: Algorithm) -> Option<(i64, &str)> {
        self.active(alg).map(|k| (k.created_ms, k.kid.as_str()))
    }

    /// Whether a key with this kid is in the set.
    pub fn knows(&self, kid: &str) -> bool {
        self.keys.iter().any(|k| k.kid == kid)
    }

    /// The algorithms we sign with, by name.
    pub fn algorithm_names() -> Vec<&'static str> {
        SIGNING_ALGS.iter().map(|a| alg_name(*a)).collect()
    }

    fn active(&self, alg: Algorithm) -> Option<&SigningKey> {
        self.keys.iter().rev().find(|k| k.alg == alg)
    }

    /// `active` (signs new tokens), `retiring` (a successor signs, but tokens it signed may
    /// still be live), or `retired`. Keys are sorted, so the successor is the next key of
    /// the same algorithm.
    fn status(&self, index: usize, now: i64) -> &'static str {
        let alg = self.keys[index].alg;
        match self.keys[index + 1..].iter().find(|k| k.alg == alg) {
            None => "active",
            Some(next) if next.created_at + self.max_token_lifetime > now => "retiring",
            Some(_) => "retired",
        }
    }

    pub fn infos(&self) -> Vec<KeyInfo> {
        let now = self.clock.now_unix();
        self.keys
            .iter()
            .enumerate()
            .map(|(i, k)| KeyInfo {
                kid: k.kid.clone(),
                alg: alg_name(k.alg).to_owned(),
                created_at: k.created_at,
                status: self.status(i, now),
            })
            .collect()
    }

    /// The public keys that may still verify a live token.
    pub fn jwks(&self) -> JwkSet {
        let now = self.clock.now_unix();
        JwkSet {
            keys: self
                .keys
                .iter()
                .enumerate()
                .filter(|(i, _)| self.status(*i, now) != "retired")
                .map(|(_, k)| k.jwk.clone())
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
        key.jws
            .sign(alg_name(alg), typ, &key.kid, claims)
            .map_err(KeyError::Sign)
    }

    /// The verification key for `kid`, only if its algorithm is `alg`: the header cannot
    /// choose a different algorithm than the key was made for.
    pub fn verification_key(&self, kid: &str, alg: Algorithm) -> Option<&JwsKey> {
        let index = self
            .keys
            .iter()
            .position(|k| k.kid == kid && k.alg == alg)?;
        (self.status(index, self.clock.now_unix()) != "retired").then(|| &self.keys[index].jws)
    }
}

pub fn parse_alg(name: &str) -> Option<Algorithm> {
    SIGNING_ALGS.into_iter().find(|a| alg_name(*a) == name)
}

pub fn alg_name(alg: Algorithm) -> &'static str {
    match alg {
        Algorithm::ES256 => "ES256",
        Algorithm::RS256 => "RS256",
        Algorithm::ES384 => "ES384",
        Algorithm::PS256 => "PS256",
        Algorithm::EdDSA => "EdDSA",
        _ => "unsupported",
    }
}

/// Key files are named `<alg>_<created unix milliseconds>_<suffix>.pem` (older ones in
/// seconds); the timestamp comes back in milliseconds.
fn parse_file_name(name: &str) -> Option<(Algorithm, i64)> {
    let stem = name.strip_suffix(".pem")?;
    let mut parts = stem.splitn(3, '_');
    let alg = match parts.next()? {
        "es256" => Algorithm::ES256,
        "rs256" => Algorithm::RS256,
        _ => return None,
    };
    let created: i64 = parts.next()?.parse().ok()?;
    // Below 10^11 it can only be seconds (10^11 ms is in 1973).
    let created_ms = if created < 100_000_000_000 {
        created * 1000
    } else {
        created
    };
    Some((alg, created_ms))
}

/// Stores the key files an earlier version kept in `dir` (`<alg>_<ms>_<suffix>.pem`)
/// unless they are stored already; returns how many were new.
pub async fn import_key_files(store: &KeyStore, dir: &Path) -> Result<usize, KeyError> {
    let dir = dir.to_path_buf();
    let files = tokio::task::spawn_blocking(move || read_key_files(&dir))
        .await
        .map_err(|_| KeyError::Generate)??;
    let mut imported = 0;
    for (path, key, pem) in files {
        if store
            .put(SIGNING, &key.kid, alg_name(key.alg), key.created_ms, &pem)
            .await?
        {
            tracing::info!(kid = %key.kid, file = %path.display(), "imported a signing key file into the database");
            imported += 1;
        }
    }
    Ok(imported)
}

fn read_key_files(dir: &Path) -> Result<Vec<(PathBuf, SigningKey, Vec<u8>)>, KeyError> {
    let io = |source| KeyError::Io {
        path: dir.to_path_buf(),
        source,
    };
    let entries = match fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(err) => return Err(io(err)),
    };
    let mut keys = Vec::new();
    for entry in entries {
        let path = entry.map_err(io)?.path();
        let Some((alg, created_ms)) = path
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
        let key = from_pem(&pem, alg, created_ms).ok_or(KeyError::BadKey(path.clone()))?;
        keys.push((path, key, pem));
    }
    Ok(keys)
}

fn from_pem(pem: &[u8], alg: Algorithm, created_ms: i64) -> Option<SigningKey> {
    let encoding = match alg {
        Algorithm::ES256 => EncodingKey::from_ec_pem(pem).ok()?,
        Algorithm::RS256 => EncodingKey::from_rsa_pem(pem).ok()?,
        _ => return None,
    };
    // jsonwebtoken builds the JWK (and its thumbprint); signing uses the parsed key.
    let mut jwk = Jwk::from_encoding_key(&encoding, alg).ok()?;
    let kid = jwk.thumbprint(ThumbprintHash::SHA256);
    jwk.common.key_id = Some(kid.clone());
    jwk.common.public_key_use = Some(PublicKeyUse::Signature);
    jwk.common.key_algorithm = Some(match alg {
        Algorithm::ES256 => KeyAlgorithm::ES256,
        Algorithm::RS256 => KeyAlgorithm::RS256,
        _ => return None,
    });
    let jws = JwsKey::from_pkcs8(alg, &pem_decode(pem)?)?;
    Some(SigningKey {
        kid,
        alg,
        created_at: created_ms / 1000,
        created_ms,
        jws,
        jwk,
    })
}

/// A new private key for `alg`, and its PEM.
fn generate(alg: Algorithm, created_ms: i64) -> Result<(SigningKey, String), KeyError> {
    use aws_lc_rs::encoding::{AsDer, Pkcs8V1Der};
    use aws_lc_rs::rsa::{KeyPair as RsaKeyPair, KeySize};
    use aws_lc_rs::signature::{EcdsaKeyPair, ECDSA_P256_SHA256_FIXED_SIGNING};
    let der: Vec<u8> = match alg {
        Algorithm::ES256 => EcdsaKeyPair::generate(&ECDSA_P256_SHA256_FIXED_SIGNING)
            .and_then(|pair| pair.to_pkcs8v1())
            .map(|doc| doc.as_ref().to_vec()),
        Algorithm::RS256 => RsaKeyPair::generate(KeySize::Rsa2048)
            .and_then(|pair| AsDer::<Pkcs8V1Der<'static>>::as_der(&pair))
            .map(|der| der.as_ref().to_vec()),
        _ => return Err(KeyError::Generate),
    }
    .map_err(|_| KeyError::Generate)?;
    let pem = pem_encode("PRIVATE KEY", &der);
    let key = from_pem(pem.as_bytes(), alg, created_ms).ok_or(KeyError::Generate)?;
    Ok((key, pem))
}

/// The DER inside a single-block PEM file.
fn pem_decode(pem: &[u8]) -> Option<Vec<u8>> {
    let text = std::str::from_utf8(pem).ok()?;
    let body: String = text
        .lines()
        .filter(|l| !l.starts_with("-----"))
        .map(str::trim)
        .collect();
    base64::engine::general_purpose::STANDARD.decode(body).ok()
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
            Some((Algorithm::ES256, 1_700_000_000_000))
        );
        assert_eq!(
            parse_file_name("rs256_1700000000123_ab12cd34.pem"),
            Some((Algorithm::RS256, 1_700_000_000_123))
        );
        assert_eq!(parse_file_name("README.md"), None);
        assert_eq!(parse_file_name("rs999_1_x.pem"), None);
    }

    #[test]
    fn generated_keys_reparse_with_the_same_kid() {
        let (key, pem) = generate(Algorithm::ES256, 1_700_000_000_123).unwrap();
        let again = from_pem(pem.as_bytes(), Algorithm::ES256, 1).unwrap();
        assert_eq!(again.kid, key.kid);
        // RFC 7638 thumbprints of SHA-256 are 43 base64url characters.
        assert_eq!(key.kid.len(), 43);
    }

    #[test]
    fn a_replaced_key_retires_after_the_longest_token_lifetime() {
        let clock = Clock::system();
        let now = clock.now_unix();
        let key = |created_at| {
            let (mut key, _) = generate(Algorithm::ES256, created_at * 1000).unwrap();
            key.created_at = created_at;
            key
        };
        let set = KeySet {
            keys: vec![key(now - 20_000), key(now - 8_000), key(now - 50)],
            max_token_lifetime: 7200,
            clock,
        };
        let statuses: Vec<_> = set.infos().iter().map(|i| i.status).collect();
        assert_eq!(statuses, ["retired", "retiring", "active"]);
        assert_eq!(set.jwks().keys.len(), 2);
        assert!(set
            .verification_key(&set.keys[0].kid, Algorithm::ES256)
            .is_none());
        assert!(set
            .verification_key(&set.keys[1].kid, Algorithm::ES256)
            .is_some());
        assert!(set
            .verification_key(&set.keys[2].kid, Algorithm::RS256)
            .is_none());
    }
}
