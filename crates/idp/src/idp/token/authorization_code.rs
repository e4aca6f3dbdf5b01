//! The `authorization_code` grant (RFC 6749 §4.1.3, RFC 7636 §4.6).

use std::sync::Arc;

use base64::Engine;
use sha2::{Digest, Sha256};

use super::client_auth::AuthenticatedClient;
use super::mint::{new_refresh_token, Subject};
use super::TokenResponse;
use crate::idp::error::OAuthError;
use crate::idp::{Idp, UserView};
use crate::lifecycle::Origin;
use crate::secret::{constant_time_eq, random_token};
use crate::store::durable::{ClientRecord, NewFamily};
use crate::store::ephemeral::{CodeGrant, Redemption};
use crate::tokens::Audience;

pub async fn exchange(
    idp: &Idp,
    client: &AuthenticatedClient,
    code: &str,
    redirect_uri: Option<&str>,
    code_verifier: Option<&str>,
    resources: &[&str],
) -> Result<TokenResponse, OAuthError> {
    let client_id = client.record.client_id.as_str();
    let grant = match idp.codes.peek(code).await? {
        Redemption::Fresh(grant) => grant,
        Redemption::Unknown => return Err(OAuthError::invalid_code()),
        Redemption::Replayed { grant_id } => {
            // RFC 6749 §4.1.2: a code used twice revokes what its first use produced.
            tracing::warn!(%client_id, "authorization code replayed; revoking its grant");
            idp.lifecycle.revoke_grant(&grant_id).await?;
            idp.audit("code.replayed", &grant_id, client_id).await;
            return Err(OAuthError::invalid_code());
        }
    };
    // Checked before the code is spent: a request that does not match it leaves the code
    // to the client it was issued to.
    check_binding(&grant, &client.record, redirect_uri, code_verifier)?;
    let audience = narrow(&grant.audience, resources)?;
    let grant_id = random_token();
    let origin = Origin {
        sid: &grant.sid,
        grant: None,
        user: Some(&grant.user_id),
        client: client_id,
        auth_time: Some(grant.auth_time),
        issued_at: grant.issued_at,
    };
    if !idp.lifecycle.is_live(&origin).await? {
        return Err(OAuthError::invalid_code());
    }
    if !idp.codes.claim(code, &grant_id).await? {
        // A concurrent request with the same code won.
        return Err(OAuthError::invalid_code());
    }
    let (view, refresh_token) = match open_family(idp, &grant, &grant_id, &audience).await {
        Ok(opened) => opened,
        Err(err) => {
            if matches!(err, OAuthError::TemporarilyUnavailable) {
                // Nothing was minted: the client's retry must find its code unspent.
                let now = idp.lifecycle.clock().now_unix();
                if let Err(release) = idp.codes.release(code, &grant, now).await {
                    tracing::warn!(error = %release, "could not release a claimed code");
                }
            }
            return Err(err);
        }
    };
    let user = &view.user;
    // A logout (or a user or client cutoff) that ran while the family was being created
    // may have swept the session's families before this one existed: look again now that
    // it does, and take it back if so.
    if !idp.lifecycle.is_live(&origin).await? {
        idp.durable.revoke_family(&grant_id).await?;
        return Err(OAuthError::invalid_code());
    }
    let subject = Subject {
        user_id: &user.id,
        tenant_id: &grant.tenant_id,
        client_id,
        sid: &grant.sid,
        grant_id: &grant_id,
        scope: &grant.scope,
        audience: &audience,
        auth_time: grant.auth_time,
    };
    let access_token = idp.mint_access_token(&subject)?;
    let id_token = idp.mint_id_token(
        &client.record,
        user,
        &subject,
        grant.nonce.as_deref(),
        &access_token,
    )?;
    Ok(idp.token_response(access_token, &grant.scope, Some(refresh_token), id_token))
}

/// The user the code speaks for (still enabled) and the new refresh-token family.
async fn open_family(
    idp: &Idp,
    grant: &CodeGrant,
    grant_id: &str,
    audience: &Audience,
) -> Result<(Arc<UserView>, String), OAuthError> {
    let view = idp
        .user(&grant.user_id)
        .await?
        .filter(|v| !v.user.disabled)
        .ok_or_else(OAuthError::invalid_code)?;
    let (refresh_token, refresh_hash) = new_refresh_token();
    idp.durable
        .create_family(
            &NewFamily {
                id: grant_id.to_owned(),
                client_id: grant.client_id.clone(),
                user_id: view.user.id.clone(),
                tenant_id: grant.tenant_id.clone(),
                sid: grant.sid.clone(),
                scope: grant.scope.clone(),
                audience: audience.joined(),
                auth_time: grant.auth_time,
            },
            &refresh_hash,
            idp.refresh_expiry(),
        )
        .await?;
    Ok((view, refresh_token))
}

/// The grant's audiences, narrowed to the RFC 8707 `resource` values of the token
/// request, each of which must be one of them.
pub fn narrow(granted: &str, resources: &[&str]) -> Result<Audience, OAuthError> {
    let granted = Audience::split(granted);
    if resources.is_empty() {
        return Ok(granted);
    }
    let mut narrowed: Vec<String> = Vec::new();
    for resource in resources {
        if !granted.contains(resource) {
            return Err(OAuthError::InvalidTarget(format!(
                "{resource} is not an audience of this grant"
            )));
        }
        if !narrowed.iter().any(|n| n == resource) {
            narrowed.push((*resource).to_owned());
        }
    }
    Ok(Audience::new(narrowed))
}

/// The code must be redeemed by the client it was issued to, at the same redirect URI,
/// with the PKCE verifier if a challenge was sent.
fn check_binding(
    grant: &CodeGrant,
    client: &ClientRecord,
    redirect_uri: Option<&str>,
    code_verifier: Option<&str>,
) -> Result<(), OAuthError> {
    if grant.client_id != client.client_id {
        return Err(OAuthError::invalid_code());
    }
    match redirect_uri {
        Some(sent) if sent != grant.redirect_uri => {
            return Err(OAuthError::InvalidGrant(
                "redirect_uri does not match the authorization request".into(),
            ))
        }
        None if grant.redirect_uri_sent => {
            return Err(OAuthError::InvalidGrant(
                "redirect_uri is required: it was sent to the authorization endpoint".into(),
            ))
        }
        _ => {}
    }
    match (&grant.code_challenge, code_verifier) {
        // A public client proves nothing else: its codes must carry a challenge.
        (None, None) if client.is_public() => Err(OAuthError::InvalidGrant(
            "A public client's code must have been requested with PKCE".into(),
        )),
        (None, None) => Ok(()),
        (None, Some(_)) => Err(OAuthError::InvalidGrant(
            "code_verifier sent but no code_challenge was".into(),
        )),
        (Some(_), None) => Err(OAuthError::InvalidGrant("Missing code_verifier".into())),
        (Some(challenge), Some(verifier)) => {
            if pkce_s256_matches(challenge, verifier) {
                Ok(())
            } else {
                Err(OAuthError::InvalidGrant("PKCE verification failed".into()))
            }
        }
    }
}

/// RFC 7636 §4.6: BASE64URL(SHA256(verifier)) == challenge, verifier of 43–128 unreserved.
pub fn pkce_s256_matches(challenge: &str, verifier: &str) -> bool {
    let well_formed = (43..=128).contains(&verifier.len())
        && verifier
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~'));
    if !well_formed {
        return false;
    }
    let digest = Sha256::digest(verifier.as_bytes());
    let computed = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(digest);
    constant_time_eq(computed.as_bytes(), challenge.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc7636_appendix_b_vector() {
        assert!(pkce_s256_matches(
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
            "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
        ));
        assert!(!pkce_s256_matches(
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
            "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXX"
        ));
        assert!(!pkce_s256_matches("x", "short"));
    }
}
