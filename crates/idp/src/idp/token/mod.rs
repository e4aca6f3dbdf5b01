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
        resources: Vec<String>,
    },
    RefreshToken {
        refresh_token: String,
        scope: Option<Scope>,
        resources: Vec<String>,
    },
    ClientCredentials {
        scope: Option<Scope>,
        resources: Vec<String>,
    },
}

impl TokenRequest {
    fn grant_type(&self) -> &'static str {
        match self {
            Self::AuthorizationCode { .. } => "authorization_code",
            Self::RefreshToken { .. } => "refresh_token",
            Self::ClientCredentials { .. } => "client_credentials",
        }
    }

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
        // RFC 8707: `resource` may repeat; each is an absolute URI without a fragment.
        let resources = || -> Result<Vec<String>, OAuthError> {
            params
                .get_all("resource")
                .into_iter()
                .map(|r| match url::Url::parse(r) {
                    Ok(u) if u.fragment().is_none() && r.len() <= 512 => Ok(r.to_owned()),
                    _ => Err(OAuthError::InvalidTarget(
                        "resource must be an absolute URI without a fragment".into(),
                    )),
                })
                .collect()
        };
        match required("grant_type")?.as_str() {
            "authorization_code" => Ok(Self::AuthorizationCode {
                code: required("code")?,
                redirect_uri: field("redirect_uri")?,
                code_verifier: field("code_verifier")?,
                resources: resources()?,
            }),
            "refresh_token" => Ok(Self::RefreshToken {
                refresh_token: required("refresh_token")?,
                scope: scope()?,
                resources: resources()?,
            }),
            "client_credentials" => Ok(Self::ClientCredentials {
                scope: scope()?,
                resources: resources()?,
            }),
            other => Err(OAuthError::UnsupportedGrantType(format!(
                "Unsupported grant type: {}",
                other.chars().take(64).collect::<String>()
            ))),
        }
    }
}

fn as_strs(values: &[String]) -> Vec<&str> {
    values.iter().map(String::as_str).collect()
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
    let grant_type = request.grant_type();
    let response = match request {
        TokenRequest::AuthorizationCode {
            code,
            redirect_uri,
            code_verifier,
            resources,
        } => {
            authorization_code::exchange(
                &idp,
                &client,
                &code,
                redirect_uri.as_deref(),
                code_verifier.as_deref(),
                &as_strs(&resources),
            )
            .await?
        }
        TokenRequest::RefreshToken {
            refresh_token,
            scope,
            resources,
        } => {
            refresh_token::refresh(&idp, &client, &refresh_token, scope, &as_strs(&resources))
                .await?
        }
        TokenRequest::ClientCredentials { scope, resources } => {
            client_credentials::grant(&idp, &client, scope, &as_strs(&resources)).await?
        }
    };
    crate::telemetry::registry().grant(grant_type);
    idp.daily.token_issued();
    let mut builder = HttpResponse::Ok();
    no_store(&mut builder);
    Ok(builder.json(response))
}

/// Redeems a code for a public first-party client living in this process (the console):
/// the same checks as the token endpoint (one use, redirect URI, PKCE), without a round
/// trip over HTTP to ourselves.
pub async fn redeem_first_party_code(
    idp: &Idp,
    client_id: &str,
    code: &str,
    redirect_uri: &str,
    code_verifier: &str,
) -> Result<TokenResponse, OAuthError> {
    let record = idp
        .client(client_id)
        .await?
        .filter(|c| c.is_public())
        .ok_or(OAuthError::InvalidClient { basic: false })?;
    let client = AuthenticatedClient { record };
    authorization_code::exchange(
        idp,
        &client,
        code,
        Some(redirect_uri),
        Some(code_verifier),
        &[],
    )
    .await
}
