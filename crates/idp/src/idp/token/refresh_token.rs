//! The `refresh_token` grant (RFC 6749 §6) with rotation: every use spends the token and
//! returns a successor; presenting a spent token revokes the whole family.

use super::client_auth::AuthenticatedClient;
use super::mint::{new_refresh_token, Subject};
use super::TokenResponse;
use crate::domain::Scope;
use crate::idp::error::OAuthError;
use crate::idp::Idp;
use crate::lifecycle::Origin;
use crate::secret::sha256_hex;
use crate::store::durable::Rotation;

/// Refresh tokens are our own 43-character tokens; longer input is not looked up.
const MAX_TOKEN_LEN: usize = 128;

pub async fn refresh(
    idp: &Idp,
    client: &AuthenticatedClient,
    refresh_token: &str,
    requested_scope: Option<Scope>,
    resources: &[&str],
) -> Result<TokenResponse, OAuthError> {
    if refresh_token.len() > MAX_TOKEN_LEN {
        return Err(OAuthError::invalid_refresh_token());
    }
    if let Some(scope) = &requested_scope {
        // Values nobody defines are refused as such, before the token is looked up.
        idp.registry().await?.audience(Some(scope), &[])?;
    }
    let client_id = client.record.client_id.as_str();
    let old_hash = sha256_hex(refresh_token);
    let record = idp
        .durable
        .find_refresh_token(&old_hash)
        .await?
        .ok_or_else(OAuthError::invalid_refresh_token)?;
    let now = idp.clock.now_unix();
    if record.client_id != client_id || record.family_revoked || record.expires_at <= now {
        return Err(OAuthError::invalid_refresh_token());
    }
    if let Some(spent_at) = record.spent_at {
        if now - spent_at < idp.lifetimes.refresh_grace.as_secs() as i64 {
            return Err(lost_race(client_id));
        }
        return Err(reuse_detected(idp, &record.family_id, client_id).await);
    }
    let granted = Scope::parse(&record.scope)
        .map_err(|e| crate::store::StoreError::Corrupt(format!("stored scope: {e}")))?;
    let scope = match requested_scope {
        Some(requested) if !requested.is_subset_of(&granted) => {
            return Err(OAuthError::InvalidScope(
                "The requested scope exceeds the scope originally granted".into(),
            ))
        }
        Some(requested) => requested,
        None => granted.clone(),
    };
    let audience = super::authorization_code::narrow(&record.audience, resources)?;
    // The grant's session, user and client are checked too: a logout or a cutoff ends
    // its refresh tokens even where the sweep of families has not reached this one.
    let origin = Origin {
        sid: &record.sid,
        grant: Some(&record.family_id),
        user: Some(&record.user_id),
        client: client_id,
        auth_time: Some(record.auth_time),
        issued_at: record.created_at,
    };
    if !idp.lifecycle.is_live(&origin).await? {
        return Err(OAuthError::invalid_refresh_token());
    }
    let view = idp
        .user(&record.user_id)
        .await?
        .filter(|v| !v.user.disabled)
        .ok_or_else(OAuthError::invalid_refresh_token)?;
    let user = &view.user;

    let (new_token, new_hash) = new_refresh_token();
    // The successor keeps the original grant's scope: narrowing one access token does
    // not narrow later refreshes (RFC 6749 §6).
    let rotation = idp
        .durable
        .rotate_refresh_token(
            &old_hash,
            &record.family_id,
            &new_hash,
            &granted.to_string(),
            idp.refresh_expiry(),
        )
        .await?;
    if rotation == Rotation::AlreadySpent {
        // It was live when we read it: a concurrent refresh spent it just now.
        return Err(lost_race(client_id));
    }
    // A logout or cutoff that raced this rotation: the successor must not outlive it.
    if !idp.lifecycle.is_live(&origin).await? {
        idp.durable.revoke_family(&record.family_id).await?;
        return Err(OAuthError::invalid_refresh_token());
    }
    let scope = scope.to_string();
    let subject = Subject {
        user_id: &user.id,
        tenant_id: &record.tenant_id,
        client_id,
        sid: &record.sid,
        grant_id: &record.family_id,
        scope: &scope,
        audience: &audience,
        auth_time: record.auth_time,
    };
    let access_token = idp.mint_access_token(&subject)?;
    // OIDC Core §12.2: a refreshed ID token carries no nonce.
    let id_token = idp.mint_id_token(&client.record, user, &subject, None, &access_token)?;
    Ok(idp.token_response(access_token, &scope, Some(new_token), id_token))
}

/// Two refreshes with one token raced (a retry, two tabs): the other one won and its
/// successor stands. Refused, but not treated as theft, inside the grace window.
fn lost_race(client_id: &str) -> OAuthError {
    tracing::info!(%client_id, "refresh token spent moments ago by a concurrent request");
    OAuthError::invalid_refresh_token()
}

/// A spent token came back: someone holds a copy. Revoke the family and everything it
/// minted (RFC 9700 §4.14.2).
async fn reuse_detected(idp: &Idp, family_id: &str, client_id: &str) -> OAuthError {
    tracing::warn!(%client_id, "spent refresh token presented; revoking its family");
    if let Err(err) = idp.lifecycle.revoke_grant(family_id).await {
        return OAuthError::from(err);
    }
    idp.audit("refresh.reused", family_id, client_id).await;
    OAuthError::invalid_refresh_token()
}
