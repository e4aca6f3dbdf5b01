//! The marketplace's JSON errors, rendered once: `{"error","error_description"}` with
//! the status; a bad bearer token is answered exactly as userinfo answers it.

use actix_web::http::header::{self, HeaderValue};
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};

use unilogin_core::store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum MarketError {
    /// No bearer token (`missing`), or one that is not a live token of ours.
    #[error("unauthorized")]
    Unauthorized { missing: bool },
    #[error("{0}")]
    Forbidden(String),
    /// A live token of ours without the scope (or audience) this route needs (RFC 6750
    /// §3.1); `scope` is what it needs.
    #[error("{description}")]
    InsufficientScope {
        scope: &'static str,
        description: String,
    },
    /// The sign-in behind the token is older than `max_age` seconds: sign in again
    /// (RFC 9470's step-up, answered 403 here).
    #[error("This needs a sign-in within the last {} minutes: sign in again (prompt=login or max_age={max_age}) and retry", max_age / 60)]
    StepUp { max_age: i64 },
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    Conflict(String),
    #[error("{0}")]
    Invalid(String),
    #[error("{0}")]
    TooLarge(String),
    /// A per-user quota is used up for now; the message says which and until when.
    #[error("{0}")]
    QuotaExceeded(String),
    /// A debug call to the seller's production URL failed; the reason is the seller's to fix.
    #[error("{0}")]
    DebugFailed(String),
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
            Self::InsufficientScope { .. } => "insufficient_scope",
            Self::StepUp { .. } => "insufficient_user_authentication",
            Self::NotFound(_) => "not_found",
            Self::Conflict(_) => "conflict",
            Self::Invalid(_) => "invalid_request",
            Self::TooLarge(_) => "payload_too_large",
            Self::QuotaExceeded(_) => "quota_exceeded",
            Self::DebugFailed(_) => "debug_failed",
            Self::Unavailable => "temporarily_unavailable",
            Self::Internal => "server_error",
        }
    }
}

impl ResponseError for MarketError {
    fn status_code(&self) -> StatusCode {
        match self {
            Self::Unauthorized { .. } => StatusCode::UNAUTHORIZED,
            Self::Forbidden(_) | Self::InsufficientScope { .. } | Self::StepUp { .. } => {
                StatusCode::FORBIDDEN
            }
            Self::NotFound(_) => StatusCode::NOT_FOUND,
            Self::Conflict(_) => StatusCode::CONFLICT,
            Self::Invalid(_) => StatusCode::BAD_REQUEST,
            Self::TooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            Self::QuotaExceeded(_) => StatusCode::TOO_MANY_REQUESTS,
            Self::DebugFailed(_) => StatusCode::UNPROCESSABLE_ENTITY,
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
            Self::InsufficientScope { scope, .. } => {
                response.insert_header((
                    header::WWW_AUTHENTICATE,
                    format!("Bearer realm=\"unilogin\", error=\"insufficient_scope\", scope=\"{scope}\""),
                ));
                self.to_string()
            }
            Self::StepUp { max_age } => {
                response.insert_header((
                    header::WWW_AUTHENTICATE,
                    format!(
                        "Bearer realm=\"unilogin\", error=\"insufficient_user_authentication\", max_age={max_age}"
                    ),
                ));
                self.to_string()
            }
            other => other.to_string(),
        };
        response.json(crate::http::schema::ErrorBody {
            error: self.code(),
            error_description: description,
        })
    }
}
