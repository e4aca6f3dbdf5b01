//! The marketplace's JSON errors, rendered once: `{"error","error_description"}` with
//! the status; a bad bearer token is answered exactly as userinfo answers it.

use actix_web::http::header::{self, HeaderValue};
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};
use serde_json::json;

use crate::store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum MarketError {
    /// No bearer token (`missing`), or one that is not a live token of ours.
    #[error("unauthorized")]
    Unauthorized { missing: bool },
    #[error("{0}")]
    Forbidden(String),
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    Conflict(String),
    #[error("{0}")]
    Invalid(String),
    #[error("The service is temporarily unavailable, retry later")]
    Unavailable,
    #[error("The server could not complete the request")]
    Internal,
}

impl From<StoreError> for MarketError {
    fn from(err: StoreError) -> Self {
        match err {
            StoreError::Unavailable(detail) => {
                tracing::warn!(%detail, "store unavailable");
                Self::Unavailable
            }
            other => {
                tracing::error!(error = %other, "marketplace store failure");
                Self::Internal
            }
        }
    }
}

impl MarketError {
    fn code(&self) -> &'static str {
        match self {
            Self::Unauthorized { .. } => "unauthorized",
            Self::Forbidden(_) => "forbidden",
            Self::NotFound(_) => "not_found",
            Self::Conflict(_) => "conflict",
            Self::Invalid(_) => "invalid_request",
            Self::Unavailable => "temporarily_unavailable",
            Self::Internal => "server_error",
        }
    }
}

impl ResponseError for MarketError {
    fn status_code(&self) -> StatusCode {
        match self {
            Self::Unauthorized { .. } => StatusCode::UNAUTHORIZED,
            Self::Forbidden(_) => StatusCode::FORBIDDEN,
            Self::NotFound(_) => StatusCode::NOT_FOUND,
            Self::Conflict(_) => StatusCode::CONFLICT,
            Self::Invalid(_) => StatusCode::BAD_REQUEST,
            Self::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
            Self::Internal => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        let mut response = HttpResponse::build(self.status_code());
        response.insert_header((header::CACHE_CONTROL, HeaderValue::from_static("no-store")));
        let description = match self {
            Self::Unauthorized { missing } => {
                let challenge = if *missing {
                    "Bearer realm=\"unilogin\""
                } else {
                    "Bearer realm=\"unilogin\", error=\"invalid_token\""
                };
                response.insert_header((header::WWW_AUTHENTICATE, challenge));
                "Full authentication is required to access this resource".to_owned()
            }
            other => other.to_string(),
        };
        response.json(json!({
            "error": self.code(),
            "error_description": description,
        }))
    }
}
