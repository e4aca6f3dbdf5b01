//! OpenID Provider metadata and the JWKS.

use actix_web::http::header;
use actix_web::{web, HttpResponse};
use serde_json::json;

use super::error::OAuthError;
use super::{
    Idp, AUTHORIZE_PATH, END_SESSION_PATH, INTROSPECT_PATH, JWKS_PATH, LOGOUT_PATH, REVOKE_PATH,
    TOKEN_PATH, USERINFO_PATH,
};
use crate::domain::ScopeToken;
use crate::tokens::KeySet;

pub async fn openid_configuration(idp: web::Data<Idp>) -> Result<HttpResponse, OAuthError> {
    let registry = idp.registry().await?;
    let scopes: Vec<&str> = ScopeToken::ALL
        .iter()
        .map(|s| s.as_str())
        .chain(registry.api_scopes())
        .collect();
    let auth_methods = ["client_secret_basic", "client_secret_post", "none"];
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "public, max-age=300"))
        .json(json!({
            "issuer": idp.issuer,
            "authorization_endpoint": idp.endpoint(AUTHORIZE_PATH),
            "token_endpoint": idp.endpoint(TOKEN_PATH),
            "userinfo_endpoint": idp.endpoint(USERINFO_PATH),
            "jwks_uri": idp.endpoint(JWKS_PATH),
            "introspection_endpoint": idp.endpoint(INTROSPECT_PATH),
            "revocation_endpoint": idp.endpoint(REVOKE_PATH),
            "end_session_endpoint": idp.endpoint(END_SESSION_PATH),
            "logout_endpoint": idp.endpoint(LOGOUT_PATH),
            "scopes_supported": scopes,
            "response_types_supported": ["code"],
            "response_modes_supported": ["query"],
            "grant_types_supported": ["authorization_code", "refresh_token", "client_credentials"],
            "token_endpoint_auth_methods_supported": auth_methods,
            "introspection_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
            "revocation_endpoint_auth_methods_supported": auth_methods,
            "code_challenge_methods_supported": ["S256"],
            "id_token_signing_alg_values_supported": KeySet::algorithm_names(),
            "subject_types_supported": ["public"],
            "prompt_values_supported": ["none", "login"],
            "authorization_response_iss_parameter_supported": true,
            "claims_parameter_supported": false,
            "request_parameter_supported": false,
            "request_uri_parameter_supported": false,
            "claims_supported": [
                "sub", "iss", "aud", "azp", "exp", "iat", "auth_time", "nonce", "at_hash", "sid",
                "id", "userId", "userName", "name", "email", "mobile", "role",
                "organizationName", "organizationCode", "projectName", "tenant",
                "preferred_username", "phone_number"
            ],
        })))
}

pub async fn jwks(idp: web::Data<Idp>) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "public, max-age=300"))
        .json(idp.keys.current().jwks())
}
