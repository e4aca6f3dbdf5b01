//! Minting the tokens of a grant: a signed access token and, for user grants, a rotated
//! refresh token.

use super::TokenResponse;
use crate::domain::{Scope, ScopeToken};
use crate::idp::error::OAuthError;
use crate::idp::Idp;
use crate::secret::random_token;
use crate::store::durable::{ClientRecord, UserRecord};
use crate::tokens::{at_hash, parse_alg, AccessClaims, Audience, IdClaims, ID_TOKEN_DEFAULT_ALG};

/// Who and what an access token speaks for.
pub struct Subject<'a> {
    pub user_id: &'a str,
    pub tenant_id: &'a str,
    pub client_id: &'a str,
    pub sid: &'a str,
    pub grant_id: &'a str,
    pub scope: &'a str,
    pub audience: &'a Audience,
    pub auth_time: i64,
}

impl Idp {
    pub(super) fn mint_access_token(&self, subject: &Subject<'_>) -> Result<String, OAuthError> {
        let now = self.clock.now_unix();
        let claims = AccessClaims {
            iss: self.issuer.clone(),
            sub: subject.user_id.to_owned(),
            aud: subject.audience.clone(),
            client_id: subject.client_id.to_owned(),
            scope: subject.scope.to_owned(),
            sid: subject.sid.to_owned(),
            tenant: subject.tenant_id.to_owned(),
            iat: now,
            exp: now + self.lifetimes.access_token.as_secs() as i64,
            jti: random_token(),
            gid: Some(subject.grant_id.to_owned()),
            auth_time: Some(subject.auth_time),
        };
        self.sign_access(&claims)
    }

    pub(super) fn sign_access(&self, claims: &AccessClaims) -> Result<String, OAuthError> {
        self.keys
            .current()
            .sign_access_token(claims)
            .map_err(|err| {
                tracing::error!(error = %err, "signing an access token failed");
                OAuthError::ServerError
            })
    }

    /// An ID token (OIDC Core §2) when the scope has `openid`: the user's claims per
    /// scope, bound to the access token by `at_hash`.
    pub(super) fn mint_id_token(
        &self,
        client: &ClientRecord,
        user: &UserRecord,
        subject: &Subject<'_>,
        nonce: Option<&str>,
        access_token: &str,
    ) -> Result<Option<String>, OAuthError> {
        let scope = Scope::parse(subject.scope).unwrap_or_else(|_| Scope::default_scope());
        if !scope.contains(ScopeToken::OpenId) {
            return Ok(None);
        }
        let claim = |token: ScopeToken, value: &str| {
            (scope.contains(token) && !value.is_empty()).then(|| value.to_owned())
        };
        let now = self.clock.now_unix();
        let claims = IdClaims {
            iss: self.issuer.clone(),
            sub: user.id.clone(),
            aud: client.client_id.clone(),
            azp: client.client_id.clone(),
            exp: now + self.lifetimes.id_token.as_secs() as i64,
            iat: now,
            auth_time: subject.auth_time,
            nonce: nonce.map(str::to_owned),
            at_hash: at_hash(access_token),
            sid: subject.sid.to_owned(),
            name: claim(ScopeToken::Profile, &user.name),
            preferred_username: claim(ScopeToken::Profile, &user.username),
            email: claim(ScopeToken::Email, &user.email),
            phone_number: claim(ScopeToken::Phone, &user.mobile),
        };
        let alg = parse_alg(&client.id_token_alg).unwrap_or(ID_TOKEN_DEFAULT_ALG);
        self.keys
            .current()
            .sign_id_token(alg, &claims)
            .map(Some)
            .map_err(|err| {
                tracing::error!(error = %err, "signing an ID token failed");
                OAuthError::ServerError
            })
    }

    pub(super) fn token_response(
        &self,
        access_token: String,
        scope: &str,
        refresh_token: Option<String>,
        id_token: Option<String>,
    ) -> TokenResponse {
        TokenResponse {
            access_token,
            token_type: "Bearer",
            expires_in: self.lifetimes.access_token.as_secs(),
            scope: scope.to_owned(),
            refresh_token,
            id_token,
        }
    }

    pub(super) fn refresh_expiry(&self) -> i64 {
        self.clock.now_unix() + self.lifetimes.refresh_token.as_secs() as i64
    }
}

/// A fresh refresh token (shown once) and the hash we store.
pub fn new_refresh_token() -> (String, String) {
    let token = random_token();
    let hash = crate::secret::sha256_hex(&token);
    (token, hash)
}
