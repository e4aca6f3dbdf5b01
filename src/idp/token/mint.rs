//! Minting the tokens of a grant: a signed access token and, for user grants, a rotated
//! refresh token.

use super::TokenResponse;
use crate::idp::error::OAuthError;
use crate::idp::Idp;
use crate::secret::random_token;
use crate::store::now_unix;
use crate::tokens::AccessClaims;

/// Who and what an access token speaks for.
pub struct Subject<'a> {
    pub user_id: &'a str,
    pub tenant_id: &'a str,
    pub client_id: &'a str,
    pub sid: &'a str,
    pub grant_id: &'a str,
    pub scope: &'a str,
    pub auth_time: i64,
}

impl Idp {
    pub(super) fn mint_access_token(&self, subject: &Subject<'_>) -> Result<String, OAuthError> {
        let now = now_unix();
        let claims = AccessClaims {
            iss: self.issuer.clone(),
            sub: subject.user_id.to_owned(),
            aud: self.issuer.clone(),
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
        self.keys.sign_access_token(&claims).map_err(|err| {
            tracing::error!(error = %err, "signing an access token failed");
            OAuthError::ServerError
        })
    }

    pub(super) fn token_response(
        &self,
        access_token: String,
        scope: &str,
        refresh_token: Option<String>,
    ) -> TokenResponse {
        TokenResponse {
            access_token,
            token_type: "Bearer",
            expires_in: self.lifetimes.access_token.as_secs(),
            scope: scope.to_owned(),
            refresh_token,
        }
    }

    pub(super) fn refresh_expiry(&self) -> i64 {
        now_unix() + self.lifetimes.refresh_token.as_secs() as i64
    }
}

/// A fresh refresh token (shown once) and the hash we store.
pub fn new_refresh_token() -> (String, String) {
    let token = random_token();
    let hash = crate::secret::sha256_hex(&token);
    (token, hash)
}
