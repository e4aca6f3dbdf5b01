//! Token signing and verification: the key set in the key store, JWT access tokens
//! and OpenID Connect ID tokens.

mod access_token;
mod id_token;
mod jws;
mod keyset;
mod live;
mod verifier;

pub use access_token::{AccessClaims, Audience, TokenError, ACCESS_TOKEN_TYP};
pub use id_token::{at_hash, IdClaims};
pub use keyset::{
    alg_name, import_key_files, parse_alg, KeyError, KeyInfo, KeySet, ACCESS_TOKEN_ALG,
    ID_TOKEN_DEFAULT_ALG, SIGNING_ALGS,
};
pub use live::{rotation_algs, LiveKeys};
pub use verifier::{bearer_token, AccessVerifier, BearerRefusal, Refusal, Verified};
