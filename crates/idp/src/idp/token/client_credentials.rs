//! The `client_credentials` grant (RFC 6749 §4.4): an application acting for itself. The
//! token has no user and no session, `sub` is the client id, and there is no refresh token.

use super::client_auth::AuthenticatedClient;
use super::TokenResponse;
use crate::domain::Scope;
use crate::idp::error::OAuthError;
use crate::idp::Idp;
use crate::secret::random_token;
use crate::tokens::AccessClaims;

pub async fn grant(
    idp: &Idp,
    client: &AuthenticatedClient,
    scope: Option<Scope>,
    resources: &[&str],
) -> Result<TokenResponse, OAuthError> {
    if client.record.is_public() {
        return Err(OAuthError::UnauthorizedClient(
            "A public client cannot use the client_credentials grant".into(),
        ));
    }
    if scope.as_ref().is_some_and(Scope::has_user_values) {
        // The OpenID Connect scopes name a user's data; an application token has no user.
        return Err(OAuthError::InvalidScope(
            "client_credentials tokens carry no user scope: ask for API scopes".into(),
        ));
    }
    let registry = idp.registry().await?;
    if let Some(scope) = &scope {
        registry.check_scope(scope, &client.record)?;
    }
    let audience = registry.audience(scope.as_ref(), resources)?;
    let now = idp.clock.now_unix();
    let client_id = client.record.client_id.clone();
    let scope = scope.map(|s| s.to_string()).unwrap_or_default();
    let claims = AccessClaims {
        iss: idp.issuer.clone(),
        sub: client_id.clone(),
        aud: audience,
        client_id,
        scope: scope.clone(),
        sid: String::new(),
        tenant: String::new(),
        iat: now,
        exp: now + idp.lifetimes.access_token.as_secs() as i64,
        jti: random_token(),
        // A grant of its own, so that revoking this one token is possible.
        gid: Some(random_token()),
        auth_time: None,
    };
    let access_token = idp.sign_access(&claims)?;
    Ok(idp.token_response(access_token, &scope, None, None))
}
