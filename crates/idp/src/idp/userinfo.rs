//! `GET|POST /api/v1/oauth2/userinfo`: the joint-operation user fields for a bearer token.

use std::sync::Arc;

use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};
use serde::Serialize;

use super::error::{no_store, BearerError};
use super::Idp;
use crate::domain::{Scope, ScopeToken};
use crate::tokens::{AccessClaims, Refusal, Verified};

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct UserInfo<'a> {
    id: &'a str,
    user_id: &'a str,
    user_name: &'a str,
    name: &'a str,
    email: &'a str,
    mobile: &'a str,
    role: &'a str,
    organization_name: &'a str,
    organization_code: &'a str,
    project_name: &'a str,
    tenant: &'a str,
    #[serde(flatten)]
    oidc: Option<OidcClaims<'a>>,
}

/// Standard claims, present with the `openid` scope (OpenID Connect Core §5.4).
#[derive(Debug, Serialize)]
struct OidcClaims<'a> {
    sub: &'a str,
    preferred_username: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    phone_number: Option<&'a str>,
}

/// The bearer token of the request (RFC 6750 §2.1).
pub fn bearer_token(req: &HttpRequest) -> Result<&str, BearerError> {
    let header = req
        .headers()
        .get(header::AUTHORIZATION)
        .map(|v| v.as_bytes());
    match crate::tokens::bearer_token(header) {
        Ok(Some(token)) => Ok(token),
        Ok(None) => Err(BearerError::Missing),
        Err(()) => Err(BearerError::Invalid),
    }
}

impl Idp {
    /// Verifies an access token: signature, type, issuer, expiry, that its `aud` names
    /// `audience` (when given), and its lifecycle.
    pub async fn verify_bearer(
        &self,
        token: &str,
        audience: Option<&str>,
    ) -> Result<Arc<AccessClaims>, BearerError> {
        Ok(self.verify_bearer_fully(token, audience).await?.claims)
    }

    /// As `verify_bearer`, also telling when the token's client registration last
    /// changed.
    async fn verify_bearer_fully(
        &self,
        token: &str,
        audience: Option<&str>,
    ) -> Result<Verified, BearerError> {
        self.access
            .verify_fully(token, audience)
            .await
            .map_err(|refusal| match refusal {
                Refusal::Invalid | Refusal::WrongAudience => BearerError::Invalid,
                Refusal::Unavailable(err) => BearerError::from(err),
            })
    }
}

pub async fn userinfo(req: HttpRequest, idp: web::Data<Idp>) -> Result<HttpResponse, BearerError> {
    let token = bearer_token(&req)?;
    // Userinfo is the identity provider's own resource: the token must be issued for it.
    let verified = idp.verify_bearer_fully(token, Some(&idp.issuer)).await?;
    let claims = verified.claims;
    // Tokens without a user (client credentials) have no user to describe.
    if claims.sid.is_empty() {
        return Err(BearerError::Invalid);
    }
    let view = idp
        .user(&claims.sub)
        .await?
        .filter(|v| !v.user.disabled)
        .ok_or(BearerError::Invalid)?;
    let user = &view.user;
    let role = instance_role(
        &idp,
        &claims.client_id,
        verified.client_changed_at,
        &user.id,
    )
    .await?
    .unwrap_or_else(|| user.role.clone());
    let scope = Scope::parse(&claims.scope).unwrap_or_else(|_| Scope::default_scope());
    let oidc = scope.contains(ScopeToken::OpenId).then(|| OidcClaims {
        sub: &user.id,
        preferred_username: &user.username,
        phone_number: (scope.contains(ScopeToken::Phone) && !user.mobile.is_empty())
            .then_some(user.mobile.as_str()),
    });
    let info = UserInfo {
        id: &user.id,
        user_id: &user.id,
        user_name: &user.username,
        name: &user.name,
        email: &user.email,
        mobile: &user.mobile,
        role: &role,
        organization_name: &user.org_name,
        organization_code: &user.org_code,
        project_name: &view.project_name,
        tenant: &user.tenant_id,
        oidc,
    };
    let mut response = HttpResponse::Ok();
    no_store(&mut response);
    Ok(response.json(info))
}

/// Through a joint-operation instance's registration (bound to one tenant), the user's role
/// is their role in that instance — the one last synced to the seller; elsewhere, none.
async fn instance_role(
    idp: &Idp,
    client_id: &str,
    client_changed_at: Option<i64>,
    user_id: &str,
) -> Result<Option<String>, BearerError> {
    match idp.client_as_of(client_id, client_changed_at).await? {
        Some(client) if !client.tenant_id.is_empty() => {
            Ok(idp.durable.client_user_role(client_id, user_id).await?)
        }
        _ => Ok(None),
    }
}
