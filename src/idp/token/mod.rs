//! `POST /api/v1/oauth2/token`: authenticates the client once, parses the request into one
//! variant per grant, and dispatches to that grant's module.

mod authorization_code;
mod client_auth;
mod mint;
mod refresh_token;

use actix_web::{web, HttpRequest, HttpResponse};
use serde::Serialize;

use super::error::{no_store, OAuthError};
use super::params::Params;
use super::Idp;
use crate::domain::Scope;

pub use client_auth::authenticate_client;

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
        match required("grant_type")?.as_str() {
            "authorization_code" => Ok(Self::AuthorizationCode {
                code: required("code")?,
                redirect_uri: field("redirect_uri")?,
                code_verifier: field("code_verifier")?,
            }),
            "refresh_token" => Ok(Self::RefreshToken {
                refresh_token: required("refresh_token")?,
                scope: field("scope")?
                    .map(|raw| Scope::parse(&raw))
                    .transpose()
                    .map_err(|e| OAuthError::InvalidScope(e.0))?,
            }),
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
    pub scope: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub refresh_token: Option<String>,
}

pub async fn token(
    req: HttpRequest,
    body: web::Bytes,
    idp: web::Data<Idp>,
) -> Result<HttpResponse, OAuthError> {
    if !super::params::is_form_encoded(&req) {
        return Err(OAuthError::InvalidRequest(
            "Content-Type must be application/x-www-form-urlencoded".into(),
        ));
    }
    let params = Params::parse(&body).map_err(|e| OAuthError::InvalidRequest(e.to_string()))?;
    if params.get("grant_type").is_err() {
        return Err(OAuthError::InvalidRequest(
            "parameter `grant_type` is included more than once".into(),
        ));
    }
    let client = authenticate_client(&idp, &req, &params).await?;
    crate::telemetry::record_client(&client.record.client_id);
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
    };
    let mut builder = HttpResponse::Ok();
    no_store(&mut builder);
    Ok(builder.json(response))
}
