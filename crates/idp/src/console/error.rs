//! The console's one error type, rendered once: as a redirect to sign in, or as a page in
//! the browser's language (the chrome's `localize` knows the request; the error alone
//! does not).

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};
use askama::Template;

use super::chrome::{sign_in_redirect, ErrorPage};
use super::texts::{texts, ConsoleTexts};
use crate::admin::AdminError;
use crate::store::StoreError;
use crate::web::Lang;

#[derive(Debug, thiserror::Error)]
pub enum ConsoleError {
    /// Not signed in to the console (or its session ended): sign in, then come back.
    #[error("sign in first")]
    SignIn { return_to: String },
    /// A destructive action after a sign-in older than the recent-sign-in window.
    #[error("sign in again first")]
    Reauthenticate { return_to: String },
    #[error("not a platform administrator")]
    NotAdmin,
    #[error("CSRF token missing or wrong")]
    Csrf,
    #[error("the sign-in did not complete")]
    SignInFailed,
    #[error("not found")]
    NotFound,
    /// A refusal the admin service explains (shown as it is).
    #[error("{0}")]
    Refused(String),
    #[error("store unavailable")]
    Unavailable,
    #[error("internal error")]
    Internal,
}

impl From<StoreError> for ConsoleError {
    fn from(err: StoreError) -> Self {
        match err {
            StoreError::Unavailable(detail) => {
                tracing::warn!(%detail, "console: store unavailable");
                Self::Unavailable
            }
            other => {
                tracing::error!(error = %other, "console: store failure");
                Self::Internal
            }
        }
    }
}

impl From<AdminError> for ConsoleError {
    fn from(err: AdminError) -> Self {
        match err {
            AdminError::NotFound(_) => Self::NotFound,
            AdminError::Invalid(message) | AdminError::Conflict(message) => Self::Refused(message),
            AdminError::Stale => Self::Refused("changed since it was read".into()),
            AdminError::Store(err) => Self::from(err),
        }
    }
}

impl ResponseError for ConsoleError {
    fn status_code(&self) -> StatusCode {
        match self {
            Self::SignIn { .. } | Self::Reauthenticate { .. } => StatusCode::SEE_OTHER,
            Self::NotAdmin | Self::Csrf => StatusCode::FORBIDDEN,
            Self::SignInFailed | Self::Refused(_) => StatusCode::BAD_REQUEST,
            Self::NotFound => StatusCode::NOT_FOUND,
            Self::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
            Self::Internal => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// Without the request's language; `localize` replaces it with the localized page.
    fn error_response(&self) -> HttpResponse {
        self.render(Lang::Zh)
    }
}

#[derive(Template)]
#[template(path = "console/error.html")]
struct ErrorTemplate<'a> {
    t: &'static ConsoleTexts,
    message: &'a str,
    sign_in_other: bool,
}

impl ErrorPage for ConsoleError {
    fn render(&self, lang: Lang) -> HttpResponse {
        let t = texts(lang);
        let refused;
        let message = match self {
            Self::SignIn { return_to } => return sign_in_redirect("/console", return_to, false),
            Self::Reauthenticate { return_to } => {
                return sign_in_redirect("/console", return_to, true)
            }
            Self::NotAdmin => t.not_admin,
            Self::Csrf => t.csrf_expired,
            Self::SignInFailed => t.sign_in_failed,
            Self::NotFound => t.not_found,
            Self::Refused(message) => {
                refused = crate::domain::words::in_language(lang, message);
                refused.as_str()
            }
            Self::Unavailable => t.unavailable,
            Self::Internal => t.internal,
        };
        let page = ErrorTemplate {
            t,
            message,
            sign_in_other: matches!(self, Self::NotAdmin),
        };
        crate::web::html(self.status_code(), page.render())
    }
}
