//! `POST /api/v1/oauth2/introspect` (RFC 7662): a confidential client asks whether a token
//! is live and what it carries. Anything not live is `{"active":false}`, nothing more.

use actix_web::{web, HttpRequest, HttpResponse};
use serde::Serialize;

use super::error::{no_store, BearerError, OAuthError};
use super::token::{authenticated_form, AuthenticatedClient};
use super::Idp;
use crate::lifecycle::Origin;
use crate::secret::sha256_hex;
use crate::store::durable::RefreshTokenRecord;
use crate::tokens::{AccessClaims, Audience};

#[derive(Debug, Serialize)]
struct Introspection<'a> {
    active: bool,
    #[serde(flatten)]
    details: Option<Details<'a>>,
}

#[derive(Debug, Serialize)]
struct Details<'a> {
    token_type: &'static str,
    client_id: &'a str,
    sub: &'a str,
    #[serde(skip_serializing_if = "str::is_empty")]
    scope: &'a str,
    exp: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    iat: Option<i64>,
    iss: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    aud: Option<&'a Audience>,
    #[serde(skip_serializing_if = "Option::is_none")]
    jti: Option<&'a str>,
    #[serde(skip_serializing_if = "str::is_empty")]
    sid: &'a str,
    #[serde(skip_serializing_if = "str::is_empty")]
    tenant: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    auth_time: Option<i64>,
}

impl<'a> Details<'a> {
    fn access(claims: &'a AccessClaims) -> Self {
        Self {
            token_type: "Bearer",
            client_id: &claims.client_id,
            sub: &claims.sub,
            scope: &claims.scope,
            exp: claims.exp,
            iat: Some(claims.iat),
            iss: &claims.iss,
            aud: Some(&claims.aud),
            jti: Some(&claims.jti),
            sid: &claims.sid,
            tenant: &claims.tenant,
            auth_time: claims.auth_time,
        }
    }

    fn refresh(record: &'a RefreshTokenRecord, issuer: &'a str) -> Self {
        Self {
            token_type: "refresh_token",
            client_id: &record.client_id,
            sub: &record.user_id,
            scope: &record.scope,
            exp: record.expires_at,
            iat: None,
            iss: issuer,
            aud: None,
            jti: None,
            sid: &record.sid,
            tenant: &record.tenant_id,
            auth_time: Some(record.auth_time),
        }
    }
}

pub async fn introspect(
    req: HttpRequest,
    body: web::Bytes,
    idp: web::Data<Idp>,
) -> Result<HttpResponse, OAuthError> {
    let (client, params) = authenticated_form(&req, &body, &idp).await?;
    if client.record.is_public() {
        return Err(OAuthError::UnauthorizedClient(
            "Introspection needs a confidential client".into(),
        ));
    }
    let token = params
        .get("token")
        .map_err(|e| OAuthError::InvalidRequest(e.to_string()))?
        .ok_or_else(|| OAuthError::InvalidRequest("Missing token".into()))?;
    let mut response = HttpResponse::Ok();
    no_store(&mut response);
    // The hint is only a hint (RFC 7662 §2.1): our access tokens are JWTs and our refresh
    // tokens never contain a dot, so the shape decides.
    if token.contains('.') {
        let claims = match idp.verify_bearer(token, None).await {
            Ok(claims) => Some(claims),
            Err(BearerError::Unavailable) => return Err(OAuthError::TemporarilyUnavailable),
            Err(_) => None,
        };
        let details = claims.as_deref().map(Details::access);
        Ok(response.json(Introspection {
            active: details.is_some(),
            details,
        }))
    } else {
        let record = live_refresh_token(&idp, &client, token).await?;
        let details = record.as_ref().map(|r| Details::refresh(r, &idp.issuer));
        Ok(response.json(Introspection {
            active: details.is_some(),
            details,
        }))
    }
}

/// A refresh token is described only to the client it was issued to.
async fn live_refresh_token(
    idp: &Idp,
    client: &AuthenticatedClient,
    token: &str,
) -> Result<Option<RefreshTokenRecord>, OAuthError> {
    if token.len() > 128 {
        return Ok(None);
    }
    let Some(record) = idp.durable.find_refresh_token(&sha256_hex(token)).await? else {
        return Ok(None);
    };
    let live = record.client_id == client.record.client_id
        && record.spent_at.is_none()
        && !record.family_revoked
        && record.expires_at > idp.clock.now_unix();
    if !live {
        return Ok(None);
    }
    let origin = Origin {
        sid: &record.sid,
        grant: Some(&record.family_id),
        user: Some(&record.user_id),
        client: &record.client_id,
        auth_time: Some(record.auth_time),
        issued_at: record.created_at,
    };
    Ok(idp.lifecycle.is_live(&origin).await?.then_some(record))
}
