//! OpenID Connect ID tokens (Core §2): signed with the client's registered algorithm
//! (RS256 unless it chose otherwise), and read back as `id_token_hint` at logout.

use base64::Engine;
use jsonwebtoken::Algorithm;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::access_token::TokenError;

use super::keyset::{parse_alg, KeyError, KeySet};

const MAX_TOKEN_LEN: usize = 8192;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IdClaims {
    pub iss: String,
    pub sub: String,
    /// The client the token was issued to.
    pub aud: String,
    pub azp: String,
    pub exp: i64,
    pub iat: i64,
    pub auth_time: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nonce: Option<String>,
    pub at_hash: String,
    pub sid: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub preferred_username: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone_number: Option<String>,
}

/// `at_hash` (OIDC Core §3.1.3.6): base64url of the left half of the SHA-256 of the access
/// token, for the SHA-256 algorithms we sign with.
pub fn at_hash(access_token: &str) -> String {
    let digest = Sha256::digest(access_token.as_bytes());
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(&digest[..16])
}

impl KeySet {
    pub fn sign_id_token(&self, alg: Algorithm, claims: &IdClaims) -> Result<String, KeyError> {
        self.sign(alg, "JWT", claims)
    }

    /// Reads an ID token we issued, for `id_token_hint`: signature and issuer are checked;
    /// an expired one is still a valid hint (RP-Initiated Logout §2).
    pub fn verify_id_token_hint(&self, token: &str, issuer: &str) -> Result<IdClaims, TokenError> {
        let claims: IdClaims =
            self.open_jws(token, MAX_TOKEN_LEN, |typ| typ == Some("JWT"), parse_alg)?;
        if claims.iss != issuer || claims.sub.is_empty() || claims.aud.is_empty() {
            return Err(TokenError::Invalid("issuer, subject or audience".into()));
        }
        Ok(claims)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn at_hash_is_the_left_half_of_sha256() {
        // OIDC Core §A.3 example: access token "jHkWEdUXMU1BwAsC4vtUsZwnNvTIxEl0z9K3vx5KF0Y".
        assert_eq!(
            at_hash("jHkWEdUXMU1BwAsC4vtUsZwnNvTIxEl0z9K3vx5KF0Y"),
            "77QmUPtjPfzWtF2AnpK9RQ"
        );
    }
}
