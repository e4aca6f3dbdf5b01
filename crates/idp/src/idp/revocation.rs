//! `POST /api/v1/oauth2/revoke` (RFC 7009). A client revokes its own tokens: a refresh
//! token takes its whole family with it, an access token its session (or, for a
//! client-credentials token, its own grant). Unknown, foreign or dead tokens change
//! nothing and still get 200, so the answer tells nothing about other clients' tokens.

use actix_web::{web, HttpRequest, HttpResponse};

use super::error::{no_store, OAuthError};
use super::token::{authenticated_form, AuthenticatedClient};
use super::Idp;
use crate::secret::sha256_hex;

pub async fn revoke(
    req: HttpRequest,
    body: web::Bytes,
    idp: web::Data<Idp>,
) -> Result<HttpResponse, OAuthError> {
    let (client, params) = authenticated_form(&req, &body, &idp).await?;
    let token = params
        .get("token")
        .map_err(|e| OAuthError::InvalidRequest(e.to_string()))?
        .ok_or_else(|| OAuthError::InvalidRequest("Missing token".into()))?;
    if token.contains('.') {
        revoke_access_token(&idp, &client, token).await?;
    } else {
        revoke_refresh_token(&idp, &client, token).await?;
    }
    let mut response = HttpResponse::Ok();
    no_store(&mut response);
    Ok(response.finish())
}

async fn revoke_access_token(
    idp: &Idp,
    client: &AuthenticatedClient,
    token: &str,
) -> Result<(), OAuthError> {
    let now = idp.clock.now_unix();
    let Ok(claims) = idp.keys.verify_access_token(token, &idp.issuer, now).await else {
        return Ok(());
    };
    if claims.client_id != client.record.client_id {
        return Ok(());
    }
    if !claims.sid.is_empty() {
        idp.lifecycle.revoke_session(&claims.sid).await?;
        idp.audit("session.revoked", &claims.sid, &claims.client_id)
            .await;
    } else if let Some(grant_id) = &claims.gid {
        idp.lifecycle.revoke_grant(grant_id).await?;
        idp.audit("grant.revoked", grant_id, &claims.client_id)
            .await;
    }
    Ok(())
}

async fn revoke_refresh_token(
    idp: &Idp,
    client: &AuthenticatedClient,
    token: &str,
) -> Result<(), OAuthError> {
    if token.len() > 128 {
        return Ok(());
    }
    let Some(record) = idp.durable.find_refresh_token(&sha256_hex(token)).await? else {
        return Ok(());
    };
    if record.client_id != client.record.client_id || record.family_revoked {
        return Ok(());
    }
    idp.lifecycle.revoke_grant(&record.family_id).await?;
    idp.audit("grant.revoked", &record.family_id, &record.client_id)
        .await;
    Ok(())
}
