//! Token signing and verification: the key set in `UNILOGIN_KEYS_DIR`, JWT access tokens.

mod access_token;
mod keyset;

pub use access_token::{AccessClaims, TokenError, ACCESS_TOKEN_TYP};
pub use keyset::{KeyError, KeyInfo, KeySet};
