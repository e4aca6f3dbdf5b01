//! JWT access tokens (RFC 9068): signed with the active ES256 key, verified against the
//! key named by `kid` with the algorithm pinned to that key.

use jsonwebtoken::{Algorithm, Validation};
use serde::{Deserialize, Serialize};

use super::keyset::{KeySet, ACCESS_TOKEN_ALG};

pub const ACCESS_TOKEN_TYP: &str = "at+jwt";

/// Longer inputs are refused before any parsing.
const MAX_TOKEN_LEN: usize = 4096;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccessClaims {
    pub iss: String,
    pub sub: String,
    pub aud: String,
    pub client_id: String,
    /// Empty (and left out) on client-credentials tokens, which have no user.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub scope: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub sid: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub tenant: String,
    pub iat: i64,
    pub exp: i64,
    pub jti: String,
    /// The grant (refresh-token family) the token came from; revoking it kills the token.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gid: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auth_time: Option<i64>,
}

/// Why a presented token was refused; logged, never shown beyond "invalid token".
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum TokenError {
    #[error("token too long")]
    TooLong,
    #[error("malformed token header")]
    BadHeader,
    #[error("unexpected token type")]
    WrongType,
    #[error("unknown key or algorithm")]
    UnknownKey,
    #[error("invalid token: {0}")]
    Invalid(String),
}

impl KeySet {
    pub fn sign_access_token(&self, claims: &AccessClaims) -> Result<String, super::KeyError> {
        self.sign(ACCESS_TOKEN_ALG, ACCESS_TOKEN_TYP, claims)
    }

    /// Verifies signature, `typ`, `iss`, `aud` and `exp`; revocation is the caller's check.
    pub fn verify_access_token(
        &self,
        token: &str,
        issuer: &str,
    ) -> Result<AccessClaims, TokenError> {
        if token.len() > MAX_TOKEN_LEN {
            return Err(TokenError::TooLong);
        }
        let header = jsonwebtoken::decode_header(token).map_err(|_| TokenError::BadHeader)?;
        let typ_ok = header.typ.as_deref().is_some_and(|t| {
            t.eq_ignore_ascii_case(ACCESS_TOKEN_TYP) || t.eq_ignore_ascii_case("application/at+jwt")
        });
        if !typ_ok {
            return Err(TokenError::WrongType);
        }
        let kid = header.kid.as_deref().ok_or(TokenError::UnknownKey)?;
        if header.alg != ACCESS_TOKEN_ALG {
            return Err(TokenError::UnknownKey);
        }
        let key = self
            .verification_key(kid, header.alg)
            .ok_or(TokenError::UnknownKey)?;
        let mut validation = Validation::new(Algorithm::ES256);
        validation.algorithms = vec![header.alg];
        validation.leeway = 5;
        validation.set_issuer(&[issuer]);
        validation.set_audience(&[issuer]);
        validation.set_required_spec_claims(&["exp", "iss", "aud", "sub", "iat"]);
        jsonwebtoken::decode::<AccessClaims>(token, key, &validation)
            .map(|data| data.claims)
            .map_err(|e| TokenError::Invalid(e.to_string()))
    }
}
