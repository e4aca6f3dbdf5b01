//! `GET|POST /api/v1/oauth2/userinfo`: the joint-operation user fields for a bearer token.

use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};
use serde::Serialize;

use super::error::{no_store, BearerError};
use super::Idp;
use crate::domain::{Scope, ScopeToken};
use crate::tokens::AccessClaims;

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct UserInfo {
    id: String,
    user_id: String,
    user_name: String,
    name: String,
    email: String,
    mobile: String,
    role: String,
    organization_name: String,
    organization_code: String,
    project_name: String,
    tenant: String,
    #[serde(flatten)]
    oidc: Option<OidcClaims>,
}

/// Standard claims, present with the `openid` scope (OpenID Connect Core §5.4).
#[derive(Debug, Serialize)]
struct OidcClaims {
    sub: String,
    preferred_username: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    phone_number: Option<String>,
}

/// The bearer token of the request (RFC 6750 §2.1).
pub fn bearer_token(req: &HttpRequest) -> Result<&str, BearerError> {
    let value = req
        .headers()
        .get(header::AUTHORIZATION)
        .ok_or(BearerError::Missing)?
        .to_str()
        .map_err(|_| BearerError::Invalid)?;
    match value.split_once(' ') {
        Some((scheme, token))
            if scheme.eq_ignore_ascii_case("bearer") && !token.trim().is_empty() =>
        {
            Ok(token.trim())
        }
        _ => Err(BearerError::Invalid),
    }
}

impl Idp {
    /// Verifies an access token: signature, type, issuer, audience, expiry, and that neither
    /// its session nor its grant has been revoked.
    pub async fn verify_bearer(&self, token: &str) -> Result<AccessClaims, BearerError> {
        let claims = self
            .keys
            .current()
            .verify_access_token(token, &self.issuer)
            .map_err(|err| {
                tracing::debug!(error = %err, "bearer token refused");
                BearerError::Invalid
            })?;
        if self
            .revocations
            .is_revoked(&claims.sid, claims.gid.as_deref())
            .await?
        {
            return Err(BearerError::Invalid);
        }
        Ok(claims)
    }
}

pub async fn userinfo(req: HttpRequest, idp: web::Data<Idp>) -> Result<HttpResponse, BearerError> {
    let token = bearer_token(&req)?;
    let claims = idp.verify_bearer(token).await?;
    // Tokens without a user (client credentials) have no user to describe.
    if claims.sid.is_empty() {
        return Err(BearerError::Invalid);
    }
    let user = idp
        .durable
        .find_user(&claims.sub)
        .await?
        .filter(|u| !u.disabled)
        .ok_or(BearerError::Invalid)?;
    let tenant = idp.durable.find_tenant(&user.tenant_id).await?;
    let project_name = if user.project_name.is_empty() {
        tenant.map(|t| t.name).unwrap_or_default()
    } else {
        user.project_name.clone()
    };
    let scope = Scope::parse(&claims.scope).unwrap_or_else(|_| Scope::default_scope());
    let oidc = scope.contains(ScopeToken::OpenId).then(|| OidcClaims {
        sub: user.id.clone(),
        preferred_username: user.username.clone(),
        phone_number: (scope.contains(ScopeToken::Phone) && !user.mobile.is_empty())
            .then(|| user.mobile.clone()),
    });
    let info = UserInfo {
        id: user.id.clone(),
        user_id: user.id,
        user_name: user.username,
        name: user.name,
        email: user.email,
        mobile: user.mobile,
        role: user.role,
        organization_name: user.org_name,
        organization_code: user.org_code,
        project_name,
        tenant: user.tenant_id,
        oidc,
    };
    let mut response = HttpResponse::Ok();
    no_store(&mut response);
    Ok(response.json(info))
}
