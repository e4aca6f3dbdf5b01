//! Delivering an instance's client secret to the seller (`applicationSync`): encrypted
//! with the RSA public key the seller registered with the app. Decisions where upstream
//! is silent: the key is a PEM `PUBLIC KEY` (X.509 SubjectPublicKeyInfo) of at least 3072
//! bits, the padding is RSA-OAEP with SHA-256 and MGF1-SHA-256 and no label, and the
//! ciphertext travels as standard base64.

use aws_lc_rs::encoding::AsDer;
use aws_lc_rs::rsa::{OaepPublicEncryptingKey, PublicEncryptingKey, OAEP_SHA256_MGF1SHA256};
use base64::Engine;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::SubjectPublicKeyInfoDer;

use unilogin_core::secret::Secret;

pub const MIN_KEY_BITS: usize = 3072;

/// A seller's public key for secret delivery, checked when it is registered.
pub struct DeliveryKey {
    key: PublicEncryptingKey,
}

#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum DeliveryKeyError {
    #[error("the public key must be a PEM \"PUBLIC KEY\" (X.509 SubjectPublicKeyInfo)")]
    NotPem,
    #[error("the public key is not an RSA key")]
    NotRsa,
    #[error("the RSA key has {0} bits; at least {MIN_KEY_BITS} are required")]
    TooShort(usize),
    #[error("encryption failed")]
    Encryption,
}

impl DeliveryKey {
    pub fn from_pem(pem: &str) -> Result<Self, DeliveryKeyError> {
        let der = SubjectPublicKeyInfoDer::from_pem_slice(pem.trim().as_bytes())
            .map_err(|_| DeliveryKeyError::NotPem)?;
        let key =
            PublicEncryptingKey::from_der(der.as_ref()).map_err(|_| DeliveryKeyError::NotRsa)?;
        if key.key_size_bits() < MIN_KEY_BITS {
            return Err(DeliveryKeyError::TooShort(key.key_size_bits()));
        }
        Ok(Self { key })
    }

    pub fn bits(&self) -> usize {
        self.key.key_size_bits()
    }

    /// The DER form, for storing (PEM is accepted at the edge only).
    pub fn der(&self) -> Result<Vec<u8>, DeliveryKeyError> {
        self.key
            .as_der()
            .map(|d| d.as_ref().to_vec())
            .map_err(|_| DeliveryKeyError::Encryption)
    }

    /// base64(RSA-OAEP-SHA256(secret)).
    pub fn encrypt(&self, secret: &Secret) -> Result<String, DeliveryKeyError> {
        let oaep = OaepPublicEncryptingKey::new(self.key.clone())
            .map_err(|_| DeliveryKeyError::Encryption)?;
        let mut out = vec![0u8; oaep.ciphertext_size()];
        let sealed = oaep
            .encrypt(
                &OAEP_SHA256_MGF1SHA256,
                secret.expose().as_bytes(),
                &mut out,
                None,
            )
            .map_err(|_| DeliveryKeyError::Encryption)?;
        Ok(base64::engine::general_purpose::STANDARD.encode(sealed))
    }
}

/// A DER SubjectPublicKeyInfo as the PEM `PUBLIC KEY` that `from_pem` reads (what a
/// seller registers; the demo's own key is written this way).
pub fn public_key_pem(der: &[u8]) -> String {
    let body = base64::engine::general_purpose::STANDARD.encode(der);
    let lines: Vec<&str> = body
        .as_bytes()
        .chunks(64)
        .map(|c| std::str::from_utf8(c).unwrap_or_default())
        .collect();
    format!(
        "-----BEGIN PUBLIC KEY-----\n{}\n-----END PUBLIC KEY-----\n",
        lines.join("\n")
    )
}

#[cfg(test)]
mod tests {
    use aws_lc_rs::rsa::{KeySize, OaepPrivateDecryptingKey, PrivateDecryptingKey};

    use super::*;

    fn pem_of(private: &PrivateDecryptingKey) -> String {
        public_key_pem(private.public_key().as_der().unwrap().as_ref())
    }

    #[test]
    fn the_secret_decrypts_with_the_sellers_private_key() {
        let private = PrivateDecryptingKey::generate(KeySize::Rsa3072).unwrap();
        let key = DeliveryKey::from_pem(&pem_of(&private)).unwrap();
        assert_eq!(key.bits(), 3072);
        let sealed = key.encrypt(&Secret::new("the-client-secret")).unwrap();
        let ciphertext = base64::engine::general_purpose::STANDARD
            .decode(sealed)
            .unwrap();
        let oaep = OaepPrivateDecryptingKey::new(private).unwrap();
        let mut out = vec![0u8; oaep.min_output_size()];
        let plain = oaep
            .decrypt(&OAEP_SHA256_MGF1SHA256, &ciphertext, &mut out, None)
            .unwrap();
        assert_eq!(plain, b"the-client-secret");
    }

    /// The base64 body of a PEM block.
    fn der_of(pem: &str) -> Vec<u8> {
        let body: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
        base64::engine::general_purpose::STANDARD
            .decode(body)
            .unwrap()
    }

    /// `tests/vectors/secret_delivery.json`, published for sellers: its sealed secret opens
    /// with its private key under exactly our parameters, and what we seal under its
    /// public key opens the same way.
    #[test]
    fn the_published_test_vector_holds() {
        let vector: serde_json::Value = serde_json::from_str(include_str!(
            "../../../../tests/vectors/secret_delivery.json"
        ))
        .unwrap();
        let text = |path: &[&str]| {
            let mut value = &vector;
            for key in path {
                value = &value[*key];
            }
            value.as_str().unwrap().to_owned()
        };
        let open = |sealed: &str| {
            let private =
                PrivateDecryptingKey::from_pkcs8(&der_of(&text(&["privateKey"]))).unwrap();
            let oaep = OaepPrivateDecryptingKey::new(private).unwrap();
            let ciphertext = base64::engine::general_purpose::STANDARD
                .decode(sealed)
                .unwrap();
            let mut out = vec![0u8; oaep.min_output_size()];
            let plain = oaep
                .decrypt(&OAEP_SHA256_MGF1SHA256, &ciphertext, &mut out, None)
                .unwrap()
                .to_vec();
            String::from_utf8(plain).unwrap()
        };
        let plain = text(&["clientSecret", "plain"]);
        assert_eq!(open(&text(&["clientSecret", "sealed"])), plain);
        let key = DeliveryKey::from_pem(&text(&["publicKey"])).unwrap();
        let sealed = key.encrypt(&Secret::new(plain.clone())).unwrap();
        assert_ne!(
            sealed,
            text(&["clientSecret", "sealed"]),
            "OAEP is randomised"
        );
        assert_eq!(open(&sealed), plain);
    }

    #[test]
    fn short_and_malformed_keys_are_refused() {
        let short = PrivateDecryptingKey::generate(KeySize::Rsa2048).unwrap();
        assert_eq!(
            DeliveryKey::from_pem(&pem_of(&short)).err(),
            Some(DeliveryKeyError::TooShort(2048))
        );
        assert_eq!(
            DeliveryKey::from_pem("not a key").err(),
            Some(DeliveryKeyError::NotPem)
        );
    }
}
