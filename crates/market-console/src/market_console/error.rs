//! The marketplace console's one error type, rendered once: a redirect to sign in, or a
//! page in the request's language (the shared chrome's `localize` knows the request; the
//! error does not).

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};
use askama::Template;

use super::texts::{texts, MarketTexts};
use crate::console::chrome::{sign_in_redirect, ErrorPage};
use crate::marketplace::MarketError;
use crate::store::StoreError;
use crate::web::Lang;

#[derive(Debug, thiserror::Error)]
pub enum PageError {
    /// Not signed in (or the session ended): sign in, then come back.
    #[error("sign in first")]
    SignIn { return_to: String },
    /// An action that needs a recent sign-in (minting an access key): sign in again.
    #[error("sign in again first")]
    Reauthenticate { return_to: String },
    #[error("CSRF token missing or wrong")]
    Csrf,
    #[error("the sign-in did not complete")]
    SignInFailed,
    #[error("not found")]
    NotFound,
    #[error("forbidden")]
    Forbidden,
    /// A refusal the marketplace explains (shown as it is).
    #[error("{0}")]
    Refused(String),
    #[error("unavailable")]
    Unavailable,
    #[error("internal error")]
    Internal,
}

impl From<StoreError> for PageError {
    fn from(err: StoreError) -> Self {
        MarketError::from(err).into()
    }
}

impl From<MarketError> for PageError {
    fn from(err: MarketError) -> Self {
        match err {
            MarketError::Unauthorized { .. } => Self::SignIn {
                return_to: "/market/".into(),
            },
            MarketError::Forbidden(_)
            | MarketError::InsufficientScope { .. }
            | MarketError::StepUp { .. } => Self::Forbidden,
            MarketError::NotFound(_) => Self::NotFound,
            MarketError::Conflict(m)
            | MarketError::Invalid(m)
            | MarketError::DebugFailed(m)
            | MarketError::TooLarge(m)
            | MarketError::QuotaExceeded(m) => Self::Refused(m),
            MarketError::Unavailable => Self::Unavailable,
            MarketError::Internal => Self::Internal,
        }
    }
}

impl ResponseError for PageError {
    fn status_code(&self) -> StatusCode {
        match self {
            Self::SignIn { .. } | Self::Reauthenticate { .. } => StatusCode::SEE_OTHER,
            Self::Csrf | Self::Forbidden => StatusCode::FORBIDDEN,
            Self::SignInFailed | Self::Refused(_) => StatusCode::BAD_REQUEST,
            Self::NotFound => StatusCode::NOT_FOUND,
            Self::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
            Self::Internal => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        self.render(Lang::Zh)
    }
}

#[derive(Template)]
#[template(path = "market/error.html")]
struct ErrorTemplate<'a> {
    t: &'static MarketTexts,
    message: &'a str,
}

impl ErrorPage for PageError {
    fn render(&self, lang: Lang) -> HttpResponse {
        let t = texts(lang);
        let message = match self {
            Self::SignIn { return_to } => return sign_in_redirect("/market", return_to, false),
            Self::Reauthenticate { return_to } => {
                return sign_in_redirect("/market", return_to, true)
            }
            Self::Csrf => t.csrf_expired,
            Self::SignInFailed => t.sign_in_failed,
            Self::NotFound => t.not_found,
            Self::Forbidden => t.forbidden,
            Self::Refused(message) => {
                let words = crate::marketplace::words::in_language(lang, message);
                let page = ErrorTemplate { t, message: &words }.render();
                return crate::web::html(self.status_code(), page);
            }
            Self::Unavailable => t.unavailable,
            Self::Internal => t.internal,
        };
        crate::web::html(self.status_code(), ErrorTemplate { t, message }.render())
    }
}
