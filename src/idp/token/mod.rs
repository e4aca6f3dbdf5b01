//! `POST /api/v1/oauth2/token`: authenticates the client once, parses the request into one
//! variant per grant, and dispatches to that grant's module.

mod authorization_code;
mod client_auth;
mod client_credentials;
mod mint;
mod refresh_token;

use actix_web::{web, HttpRequest, HttpResponse};
use serde::Serialize;

use super::error::{no_store, OAuthError};
use super::params::Params;
use super::Idp;
use crate::domain::Scope;

pub use client_auth::{authenticate_client, AuthenticatedClient};

/// A token request, holding exactly the fields its grant needs.
#[derive(Debug)]
enum TokenRequest {
    AuthorizationCode {
        code: String,
        redirect_uri: Option<String>,
        code_verifier: Option<String>,
    },
    RefreshToken {
        refresh_token: String,
        scope: Option<Scope>,
    },
    ClientCredentials {
        scope: Option<Scope>,
    },
}

impl TokenRequest {
    fn parse(params: &Params) -> Result<Self, OAuthError> {
        let field = |name: &'static str| -> Result<Option<String>, OAuthError> {
            params
                .get(name)
                .map(|v| v.map(str::to_owned))
                .map_err(|e| OAuthError::InvalidRequest(e.to_string()))
        };
        let required = |name: &'static str| -> Result<String, OAuthError> {
            field(name)?.ok_or_else(|| OAuthError::InvalidRequest(format!("Missing {name}")))
        };
        let scope = || -> Result<Option<Scope>, OAuthError> {
            field("scope")?
                .map(|raw| Scope::parse(&raw))
                .transpose()
                .map_err(|e| OAuthError::InvalidScope(e.0))
        };
        match required("grant_type")?.as_str() {
            "authorization_code" => Ok(Self::AuthorizationCode {
                code: required("code")?,
                redirect_uri: field("redirect_uri")?,
                code_verifier: field("code_verifier")?,
            }),
            "refresh_token" => Ok(Self::RefreshToken {
                refresh_token: required("refresh_token")?,
                scope: scope()?,
            }),
            "client_credentials" => Ok(Self::ClientCredentials { scope: scope()? }),
            other => Err(OAuthError::UnsupportedGrantType(format!(
                "Unsupported grant type: {}",
                other.chars().take(64).collect::<String>()
            ))),
        }
    }
}

/// The successful token response (RFC 6749 §5.1).
#[derive(Debug, Serialize)]
pub struct TokenResponse {
    pub access_token: String,
    pub token_type: &'static str,
    pub expires_in: u64,
    /// Empty for client-credentials tokens, which carry no user scope.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub scope: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub refresh_token: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id_token: Option<String>,
}

/// The common front of the client-authenticated endpoints (token, introspection,
/// revocation): a form body, then the client's credentials.
pub async fn authenticated_form(
    req: &HttpRequest,
    body: &[u8],
    idp: &Idp,
) -> Result<(AuthenticatedClient, Params), OAuthError> {
    let limits = idp.limits;
    let ip = super::client_ip(req);
    if let Some(retry_after) = idp
        .rate_limiter
        .hit("ip", &ip, limits.requests_per_ip)
        .await?
    {
        tracing::info!(%ip, "request rate limit reached");
        return Err(OAuthError::RateLimited { retry_after });
    }
    if !super::params::is_form_encoded(req) {
        return Err(OAuthError::InvalidRequest(
            "Content-Type must be application/x-www-form-urlencoded".into(),
        ));
    }
    let params = Params::parse(body).map_err(|e| OAuthError::InvalidRequest(e.to_string()))?;
    for name in ["grant_type", "token", "token_type_hint"] {
        params
            .get(name)
            .map_err(|e| OAuthError::InvalidRequest(e.to_string()))?;
    }
    let client = authenticate_client(idp, req, &params).await?;
    crate::telemetry::record_client(&client.record.client_id);
    // Counted after authentication: nobody can spend another client's budget.
    if let Some(retry_after) = idp
        .rate_limiter
        .hit(
            "client",
            &client.record.client_id,
            limits.requests_per_client,
        )
        .await?
    {
        tracing::info!("client rate limit reached");
        return Err(OAuthError::RateLimited { retry_after });
    }
    Ok((client, params))
}

pub async fn token(
    req: HttpRequest,
    body: web::Bytes,
    idp: web::Data<Idp>,
) -> Result<HttpResponse, OAuthError> {
    let (client, params) = authenticated_form(&req, &body, &idp).await?;
    let request = TokenRequest::parse(&params)?;
    let response = match request {
        TokenRequest::AuthorizationCode {
            code,
            redirect_uri,
            code_verifier,
        } => {
            authorization_code::exchange(
                &idp,
                &client,
                &code,
                redirect_uri.as_deref(),
                code_verifier.as_deref(),
            )
            .await?
        }
        TokenRequest::RefreshToken {
            refresh_token,
            scope,
        } => refresh_token::refresh(&idp, &client, &refresh_token, scope).await?,
        TokenRequest::ClientCredentials { scope } => {
            client_credentials::grant(&idp, &client, scope)?
        }
    };
    let mut builder = HttpResponse::Ok();
    no_store(&mut builder);
    Ok(builder.json(response))
}
