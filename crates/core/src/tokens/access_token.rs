//! JWT access tokens (RFC 9068): signed with the active ES256 key, verified against the
//! key named by `kid` with the algorithm pinned to that key.

use jsonwebtoken::Algorithm;
use serde::{Deserialize, Serialize};

use super::jws::Parts;
use super::keyset::{alg_name, KeySet, ACCESS_TOKEN_ALG};

pub const ACCESS_TOKEN_TYP: &str = "at+jwt";

/// Clock skew tolerated on `exp`.
const LEEWAY_SECS: i64 = 5;

/// Longer inputs are refused before any parsing.
const MAX_TOKEN_LEN: usize = 4096;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccessClaims {
    pub iss: String,
    pub sub: String,
    /// The resource servers the token is for (RFC 9068 §3, RFC 8707).
    pub aud: Audience,
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

/// The `aud` claim: one identifier is written as a string, several as an array.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Audience(Vec<String>);

impl Audience {
    pub fn new(identifiers: Vec<String>) -> Self {
        Self(identifiers)
    }

    pub fn contains(&self, identifier: &str) -> bool {
        self.0.iter().any(|a| a == identifier)
    }

    pub fn identifiers(&self) -> &[String] {
        &self.0
    }

    /// Space-separated, as stored with a grant.
    pub fn joined(&self) -> String {
        self.0.join(" ")
    }

    pub fn split(joined: &str) -> Self {
        Self(
            joined
                .split(' ')
                .filter(|a| !a.is_empty())
                .map(str::to_owned)
                .collect(),
        )
    }
}

impl Serialize for Audience {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self.0.as_slice() {
            [one] => s.serialize_str(one),
            many => many.serialize(s),
        }
    }
}

impl<'de> Deserialize<'de> for Audience {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            One(String),
            Many(Vec<String>),
        }
        Ok(match Raw::deserialize(d)? {
            Raw::One(one) => Self(vec![one]),
            Raw::Many(many) => Self(many),
        })
    }
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
    /// The claims of a JWS we signed: size, `typ`, the header's algorithm (which must be
    /// the algorithm of the key its `kid` names) and the signature are checked here; the
    /// claims themselves are the caller's to check.
    pub(super) fn open_jws<T: serde::de::DeserializeOwned>(
        &self,
        token: &str,
        max_len: usize,
        typ_ok: impl Fn(Option<&str>) -> bool,
        alg_of: impl Fn(&str) -> Option<Algorithm>,
    ) -> Result<T, TokenError> {
        if token.len() > max_len {
            return Err(TokenError::TooLong);
        }
        let parts = Parts::split(token).map_err(|_| TokenError::BadHeader)?;
        let header = &parts.header;
        if !typ_ok(header.typ.as_deref()) {
            return Err(TokenError::WrongType);
        }
        let alg = alg_of(&header.alg).ok_or(TokenError::UnknownKey)?;
        let kid = header.kid.as_deref().ok_or(TokenError::UnknownKey)?;
        let key = self
            .verification_key(kid, alg)
            .ok_or(TokenError::UnknownKey)?;
        key.verify(&parts)
            .map_err(|e| TokenError::Invalid(format!("{e:?}")))?;
        parts
            .claims()
            .map_err(|_| TokenError::Invalid("claims".into()))
    }

    pub fn sign_access_token(&self, claims: &AccessClaims) -> Result<String, super::KeyError> {
        self.sign(ACCESS_TOKEN_ALG, ACCESS_TOKEN_TYP, claims)
    }

    /// Verifies signature, `typ`, `iss` and `exp` (at `now`); the audience and the
    /// lifecycle are the caller's checks.
    pub fn verify_access_token(
        &self,
        token: &str,
        issuer: &str,
        now: i64,
    ) -> Result<AccessClaims, TokenError> {
        let claims: AccessClaims = self.open_jws(
            token,
            MAX_TOKEN_LEN,
            |typ| {
                typ.is_some_and(|t| {
                    t.eq_ignore_ascii_case(ACCESS_TOKEN_TYP)
                        || t.eq_ignore_ascii_case("application/at+jwt")
                })
            },
            |alg| (alg == alg_name(ACCESS_TOKEN_ALG)).then_some(ACCESS_TOKEN_ALG),
        )?;
        if claims.iss != issuer || claims.aud.identifiers().is_empty() {
            return Err(TokenError::Invalid("issuer or audience".into()));
        }
        if claims.exp + LEEWAY_SECS <= now {
            return Err(TokenError::Invalid("expired".into()));
        }
        if claims.sub.is_empty() {
            return Err(TokenError::Invalid("no subject".into()));
        }
        Ok(claims)
    }
}
