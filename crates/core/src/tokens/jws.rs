//! Compact JWS (RFC 7515) with keys parsed once: signing and verifying a token costs the
//! signature operation and two small JSON documents, nothing more. The algorithm is
//! always the key's own; a token's header cannot choose another.

use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::rsa::KeyPair as RsaKeyPair;
use aws_lc_rs::signature::{
    EcdsaKeyPair, KeyPair, ParsedPublicKey, ECDSA_P256_SHA256_FIXED,
    ECDSA_P256_SHA256_FIXED_SIGNING, RSA_PKCS1_2048_8192_SHA256, RSA_PKCS1_SHA256,
};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use jsonwebtoken::Algorithm;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

/// A private key ready to sign, and its public half ready to verify.
pub struct JwsKey {
    signer: Signer,
    verifier: ParsedPublicKey,
}

enum Signer {
    Ec(EcdsaKeyPair),
    Rsa(RsaKeyPair),
}

/// The header fields we read; anything else in a header is ignored.
#[derive(Debug, Deserialize)]
pub struct Header {
    pub alg: String,
    #[serde(default)]
    pub kid: Option<String>,
    #[serde(default)]
    pub typ: Option<String>,
}

#[derive(Serialize)]
struct HeaderOut<'a> {
    alg: &'a str,
    typ: &'a str,
    kid: &'a str,
}

#[derive(Debug, PartialEq, Eq)]
pub enum JwsError {
    Malformed,
    BadSignature,
}

impl JwsKey {
    /// From a PKCS#8 private key of `alg` (ES256 or RS256).
    pub fn from_pkcs8(alg: Algorithm, der: &[u8]) -> Option<Self> {
        match alg {
            Algorithm::ES256 => {
                let pair = EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, der).ok()?;
                let verifier =
                    ParsedPublicKey::new(&ECDSA_P256_SHA256_FIXED, pair.public_key().as_ref())
                        .ok()?;
                Some(Self {
                    signer: Signer::Ec(pair),
                    verifier,
                })
            }
            Algorithm::RS256 => {
                let pair = RsaKeyPair::from_pkcs8(der).ok()?;
                let verifier =
                    ParsedPublicKey::new(&RSA_PKCS1_2048_8192_SHA256, pair.public_key().as_ref())
                        .ok()?;
                Some(Self {
                    signer: Signer::Rsa(pair),
                    verifier,
                })
            }
            _ => None,
        }
    }

    /// `base64url(header).base64url(claims).base64url(signature)`.
    pub fn sign<T: Serialize>(
        &self,
        alg: &str,
        typ: &str,
        kid: &str,
        claims: &T,
    ) -> Result<String, String> {
        let header = serde_json::to_vec(&HeaderOut { alg, typ, kid }).map_err(|e| e.to_string())?;
        let payload = serde_json::to_vec(claims).map_err(|e| e.to_string())?;
        let mut token = String::with_capacity(64 + (header.len() + payload.len()) * 4 / 3 + 350);
        URL_SAFE_NO_PAD.encode_string(&header, &mut token);
        token.push('.');
        URL_SAFE_NO_PAD.encode_string(&payload, &mut token);
        let rng = SystemRandom::new();
        match &self.signer {
            Signer::Ec(pair) => {
                let signature = pair
                    .sign(&rng, token.as_bytes())
                    .map_err(|_| "ECDSA signing failed".to_owned())?;
                token.push('.');
                URL_SAFE_NO_PAD.encode_string(signature.as_ref(), &mut token);
            }
            Signer::Rsa(pair) => {
                let mut signature = vec![0u8; pair.public_modulus_len()];
                pair.sign(&RSA_PKCS1_SHA256, &rng, token.as_bytes(), &mut signature)
                    .map_err(|_| "RSA signing failed".to_owned())?;
                token.push('.');
                URL_SAFE_NO_PAD.encode_string(&signature, &mut token);
            }
        }
        Ok(token)
    }

    /// Checks the signature of `token` (already split by `split`) with this key.
    pub fn verify(&self, parts: &Parts<'_>) -> Result<(), JwsError> {
        let signature = URL_SAFE_NO_PAD
            .decode(parts.signature)
            .map_err(|_| JwsError::Malformed)?;
        self.verifier
            .verify_sig(parts.signing_input.as_bytes(), &signature)
            .map_err(|_| JwsError::BadSignature)
    }
}

/// A compact JWS taken apart; nothing in it is trusted yet.
pub struct Parts<'a> {
    pub header: Header,
    signing_input: &'a str,
    payload: &'a str,
    signature: &'a str,
}

impl<'a> Parts<'a> {
    pub fn split(token: &'a str) -> Result<Self, JwsError> {
        let (signing_input, signature) = token.rsplit_once('.').ok_or(JwsError::Malformed)?;
        let (header, payload) = signing_input.split_once('.').ok_or(JwsError::Malformed)?;
        if payload.contains('.') || signature.is_empty() {
            return Err(JwsError::Malformed);
        }
        let header = URL_SAFE_NO_PAD
            .decode(header)
            .map_err(|_| JwsError::Malformed)?;
        let header: Header = serde_json::from_slice(&header).map_err(|_| JwsError::Malformed)?;
        Ok(Self {
            header,
            signing_input,
            payload,
            signature,
        })
    }

    /// The claims, to be read only after `JwsKey::verify` accepted the signature.
    pub fn claims<T: DeserializeOwned>(&self) -> Result<T, JwsError> {
        let payload = URL_SAFE_NO_PAD
            .decode(self.payload)
            .map_err(|_| JwsError::Malformed)?;
        serde_json::from_slice(&payload).map_err(|_| JwsError::Malformed)
    }
}
