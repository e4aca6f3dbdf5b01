//! The admin API's errors, rendered once as `application/problem+json` (RFC 9457):
//! `type`, `title`, `status`, `detail`, and for validation failures `errors`, one entry
//! per field. A bad bearer token also gets its RFC 6750 `WWW-Authenticate` challenge.

use actix_web::http::header::{self, HeaderValue};
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};
use serde::Serialize;
use serde_json::json;

use crate::admin::AdminError;
use crate::store::StoreError;

/// One field's complaint.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

/// What an error answer holds (for the OpenAPI document; rendered by `ApiError`).
#[derive(Serialize, utoipa::ToSchema)]
pub struct Problem {
    /// `urn:unilogin:problem:<kind>`.
    #[serde(rename = "type")]
    pub kind: String,
    pub title: String,
    pub status: u16,
    pub detail: String,
    /// For validation failures: one entry per field.
    pub errors: Option<Vec<FieldError>>,
}

/// The refusals every route documents: no valid token, or not allowed.
#[derive(utoipa::IntoResponses)]
pub enum Refusals {
    #[response(
        status = 401,
        description = "No valid bearer token",
        content_type = "application/problem+json"
    )]
    Unauthorized(Problem),
    #[response(
        status = 403,
        description = "Not a platform administrator, or the scope is missing",
        content_type = "application/problem+json"
    )]
    Forbidden(Problem),
}

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// No bearer token (`missing`), or one that is not a live token of ours.
    #[error("A valid bearer token is required")]
    Unauthorized { missing: bool },
    /// A live token without the scope this route needs; `scope` is what it needs.
    #[error("{description}")]
    InsufficientScope {
        scope: &'static str,
        description: String,
    },
    #[error("{0}")]
    Forbidden(String),
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    Conflict(String),
    /// The body or query is wrong; `errors` names the fields.
    #[error("{detail}")]
    Invalid {
        detail: String,
        errors: Vec<FieldError>,
    },
    /// An update without `If-Match` (RFC 6585 §3).
    #[error("Send If-Match with the ETag of the version you read, so no one else's change is overwritten")]
    PreconditionRequired,
    /// `If-Match` names a version that is no longer current (RFC 9110 §13.1.1).
    #[error("Someone changed this since you read it: read it again (its ETag changed) and retry")]
    PreconditionFailed,
    #[error("This resource does not accept that method")]
    MethodNotAllowed,
    #[error("The service is temporarily unavailable, retry later")]
    Unavailable,
    #[error("The server could not complete the request")]
    Internal,
}

impl ApiError {
    /// A validation failure of one field.
    pub fn field(field: &str, message: impl Into<String>) -> Self {
        let message = message.into();
        Self::Invalid {
            detail: format!("{field}: {message}"),
            errors: vec![FieldError {
                field: field.to_owned(),
                message,
            }],
        }
    }

    fn slug(&self) -> &'static str {
        match self {
            Self::Unauthorized { .. } => "unauthorized",
            Self::InsufficientScope { .. } => "insufficient-scope",
            Self::Forbidden(_) => "forbidden",
            Self::NotFound(_) => "not-found",
            Self::Conflict(_) => "conflict",
            Self::Invalid { .. } => "validation",
            Self::PreconditionRequired => "precondition-required",
            Self::PreconditionFailed => "precondition-failed",
            Self::MethodNotAllowed => "method-not-allowed",
            Self::Unavailable => "unavailable",
            Self::Internal => "internal",
        }
    }

    fn title(&self) -> &'static str {
        match self {
            Self::Unauthorized { .. } => "Not signed in",
            Self::InsufficientScope { .. } => "Insufficient scope",
            Self::Forbidden(_) => "Forbidden",
            Self::NotFound(_) => "Not found",
            Self::Conflict(_) => "Conflict",
            Self::Invalid { .. } => "Invalid input",
            Self::PreconditionRequired => "If-Match required",
            Self::PreconditionFailed => "Stale version",
            Self::MethodNotAllowed => "Method not allowed",
            Self::Unavailable => "Temporarily unavailable",
            Self::Internal => "Internal error",
        }
    }
}

impl From<StoreError> for ApiError {
    fn from(err: StoreError) -> Self {
        match err {
            StoreError::Unavailable(detail) => {
                tracing::warn!(%detail, "store unavailable");
                Self::Unavailable
            }
            other => {
                tracing::error!(error = %other, "admin API store failure");
                Self::Internal
            }
        }
    }
}

impl From<AdminError> for ApiError {
    fn from(err: AdminError) -> Self {
        match err {
            AdminError::Invalid(message) => Self::Invalid {
                detail: message,
                errors: Vec::new(),
            },
            AdminError::Conflict(message) => Self::Conflict(message),
            AdminError::NotFound(message) => Self::NotFound(message),
            AdminError::Stale => Self::PreconditionFailed,
            AdminError::Store(err) => Self::from(err),
        }
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        match self {
            Self::Unauthorized { .. } => StatusCode::UNAUTHORIZED,
            Self::InsufficientScope { .. } | Self::Forbidden(_) => StatusCode::FORBIDDEN,
            Self::NotFound(_) => StatusCode::NOT_FOUND,
            Self::Conflict(_) => StatusCode::CONFLICT,
            Self::Invalid { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            Self::PreconditionRequired => StatusCode::PRECONDITION_REQUIRED,
            Self::PreconditionFailed => StatusCode::PRECONDITION_FAILED,
            Self::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            Self::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
            Self::Internal => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        let status = self.status_code();
        let mut body = json!({
            "type": format!("urn:unilogin:problem:{}", self.slug()),
            "title": self.title(),
            "status": status.as_u16(),
            "detail": self.to_string(),
        });
        if let Self::Invalid { errors, .. } = self {
            if !errors.is_empty() {
                body["errors"] = json!(errors);
            }
        }
        let mut response = HttpResponse::build(status);
        response.content_type("application/problem+json");
        let challenge = match self {
            Self::Unauthorized { missing: true } => {
                Some(r#"Bearer realm="unilogin-admin""#.to_owned())
            }
            Self::Unauthorized { missing: false } => {
                Some(r#"Bearer realm="unilogin-admin", error="invalid_token""#.to_owned())
            }
            Self::InsufficientScope { scope, .. } => Some(format!(
                r#"Bearer realm="unilogin-admin", error="insufficient_scope", scope="{scope}""#
            )),
            _ => None,
        };
        if let Some(value) = challenge.and_then(|c| HeaderValue::from_str(&c).ok()) {
            response.insert_header((header::WWW_AUTHENTICATE, value));
        }
        response.body(body.to_string())
    }
}
