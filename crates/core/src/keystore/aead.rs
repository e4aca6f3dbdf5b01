//! AES-256-GCM with a fresh random nonce per message, the nonce stored in front of the
//! ciphertext. The context (associated data) binds a sealed value to where it belongs.

use aws_lc_rs::aead::{Aad, LessSafeKey, Nonce, UnboundKey, AES_256_GCM, NONCE_LEN};
use aws_lc_rs::rand::{SecureRandom, SystemRandom};
use base64::engine::general_purpose::STANDARD;
use base64::Engine;

pub struct Aead {
    key: LessSafeKey,
}

/// A sealed value did not open: wrong key, wrong context, or altered data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DoesNotOpen;

impl Aead {
    /// None unless `bytes` is 32 bytes long.
    pub fn new(bytes: &[u8]) -> Option<Self> {
        let key = UnboundKey::new(&AES_256_GCM, bytes).ok()?;
        Some(Self {
            key: LessSafeKey::new(key),
        })
    }

    /// Base64 of nonce || ciphertext || tag.
    pub fn seal(&self, context: &[u8], plaintext: &[u8]) -> Result<String, DoesNotOpen> {
        let mut nonce = [0u8; NONCE_LEN];
        SystemRandom::new()
            .fill(&mut nonce)
            .map_err(|_| DoesNotOpen)?;
        let mut data = plaintext.to_vec();
        self.key
            .seal_in_place_append_tag(
                Nonce::assume_unique_for_key(nonce),
                Aad::from(context),
                &mut data,
            )
            .map_err(|_| DoesNotOpen)?;
        let mut sealed = nonce.to_vec();
        sealed.extend_from_slice(&data);
        Ok(STANDARD.encode(sealed))
    }

    pub fn open(&self, context: &[u8], sealed: &str) -> Result<Vec<u8>, DoesNotOpen> {
        let bytes = STANDARD.decode(sealed).map_err(|_| DoesNotOpen)?;
        if bytes.len() < NONCE_LEN {
            return Err(DoesNotOpen);
        }
        let (nonce, ciphertext) = bytes.split_at(NONCE_LEN);
        let nonce = Nonce::try_assume_unique_for_key(nonce).map_err(|_| DoesNotOpen)?;
        let mut data = ciphertext.to_vec();
        let plain = self
            .key
            .open_in_place(nonce, Aad::from(context), &mut data)
            .map_err(|_| DoesNotOpen)?;
        Ok(plain.to_vec())
    }
}

/// 32 fresh random bytes.
pub fn random_key() -> Option<[u8; 32]> {
    let mut key = [0u8; 32];
    SystemRandom::new().fill(&mut key).ok()?;
    Some(key)
}
