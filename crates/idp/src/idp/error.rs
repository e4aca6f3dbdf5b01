//! The error surfaces of the identity provider, each rendered in exactly one place:
//! OAuth JSON errors (token endpoint), bearer errors (userinfo), and the browser error page.

use actix_web::http::header::{self, HeaderValue};
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};
use serde::Serialize;

use super::i18n::Lang;
use super::pages::ErrorPage;
use crate::idp::i18n::LoginTexts;
use crate::store::StoreError;

#[derive(Serialize)]
struct ErrorBody<'a> {
    error: &'a str,
    error_description: &'a str,
}

/// RFC 6749 §5.2 errors of the token endpoint (and the other client-authenticated ones).
#[derive(Debug, thiserror::Error)]
pub enum OAuthError {
    #[error("{0}")]
    InvalidRequest(String),
    /// `basic`: the client tried HTTP Basic, so the answer carries `WWW-Authenticate: Basic`.
    #[error("Bad client credentials")]
    InvalidClient { basic: bool },
    #[error("{0}")]
    InvalidGrant(String),
    #[error("{0}")]
    UnauthorizedClient(String),
    #[error("{0}")]
    UnsupportedGrantType(String),
    #[error("{0}")]
    InvalidScope(String),
    /// RFC 8707 §2: a `resource` that is unknown or not an audience of the scope.
    #[error("{0}")]
    InvalidTarget(String),
    #[error("The service is temporarily unavailable, retry later")]
    TemporarilyUnavailable,
    /// Over the request budget; retry after this many seconds.
    #[error("Too many requests, retry later")]
    RateLimited { retry_after: u64 },
    #[error("The server could not complete the request")]
    ServerError,
}

impl OAuthError {
    pub fn code(&self) -> &'static str {
        match self {
            Self::InvalidRequest(_) => "invalid_request",
            Self::InvalidClient { .. } => "invalid_client",
            Self::InvalidGrant(_) => "invalid_grant",
            Self::UnauthorizedClient(_) => "unauthorized_client",
            Self::UnsupportedGrantType(_) => "unsupported_grant_type",
            Self::InvalidScope(_) => "invalid_scope",
            Self::InvalidTarget(_) => "invalid_target",
            Self::TemporarilyUnavailable => "temporarily_unavailable",
            Self::RateLimited { .. } => "too_many_requests",
            Self::ServerError => "server_error",
        }
    }

    pub fn invalid_code() -> Self {
        Self::InvalidGrant("Invalid authorization code".into())
    }

    pub fn invalid_refresh_token() -> Self {
        Self::InvalidGrant("Invalid refresh token".into())
    }
}

impl From<super::Refused> for OAuthError {
    fn from(refused: super::Refused) -> Self {
        match refused {
            super::Refused::Scope(d) => Self::InvalidScope(d),
            super::Refused::Target(d) => Self::InvalidTarget(d),
        }
    }
}

impl From<StoreError> for OAuthError {
    fn from(err: StoreError) -> Self {
        match err {
            StoreError::Unavailable(detail) => {
                tracing::warn!(%detail, "store unavailable");
                Self::TemporarilyUnavailable
            }
            other => {
                tracing::error!(error = %other, "store failure");
                Self::ServerError
            }
        }
    }
}

impl ResponseError for OAuthError {
    fn status_code(&self) -> StatusCode {
        match self {
            Self::InvalidClient { .. } => StatusCode::UNAUTHORIZED,
            Self::TemporarilyUnavailable => StatusCode::SERVICE_UNAVAILABLE,
            Self::RateLimited { .. } => StatusCode::TOO_MANY_REQUESTS,
            Self::ServerError => StatusCode::INTERNAL_SERVER_ERROR,
            _ => StatusCode::BAD_REQUEST,
        }
    }

    fn error_response(&self) -> HttpResponse {
        let mut response = HttpResponse::build(self.status_code());
        no_store(&mut response);
        match self {
            Self::InvalidClient { basic: true } => {
                response.insert_header((header::WWW_AUTHENTICATE, "Basic realm=\"unilogin\""));
            }
            Self::RateLimited { retry_after } => {
                response.insert_header((header::RETRY_AFTER, retry_after.to_string()));
            }
            _ => {}
        }
        response.json(ErrorBody {
            error: self.code(),
            error_description: &self.to_string(),
        })
    }
}

/// Marks a response as never cacheable (tokens, credentials, errors about them).
pub fn no_store(response: &mut actix_web::HttpResponseBuilder) {
    response.insert_header((header::CACHE_CONTROL, HeaderValue::from_static("no-store")));
    response.insert_header((header::PRAGMA, HeaderValue::from_static("no-cache")));
}

/// Failures of a bearer-protected resource (userinfo), in the upstream wording.
#[derive(Debug, thiserror::Error)]
pub enum BearerError {
    #[error("no bearer token")]
    Missing,
    #[error("invalid bearer token")]
    Invalid,
    #[error("store unavailable")]
    Unavailable,
}

impl From<StoreError> for BearerError {
    fn from(err: StoreError) -> Self {
        tracing::warn!(error = %err, "store failure while checking a bearer token");
        Self::Unavailable
    }
}

impl ResponseError for BearerError {
    fn status_code(&self) -> StatusCode {
        match self {
            Self::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
            _ => StatusCode::UNAUTHORIZED,
        }
    }

    fn error_response(&self) -> HttpResponse {
        let mut response = HttpResponse::build(self.status_code());
        no_store(&mut response);
        match self {
            Self::Missing => {
                response.insert_header((header::WWW_AUTHENTICATE, "Bearer realm=\"unilogin\""));
            }
            Self::Invalid => {
                response.insert_header((
                    header::WWW_AUTHENTICATE,
                    "Bearer realm=\"unilogin\", error=\"invalid_token\"",
                ));
            }
            Self::Unavailable => {
                return response.json(ErrorBody {
                    error: "temporarily_unavailable",
                    error_description: "The service is temporarily unavailable, retry later",
                });
            }
        }
        response.json(ErrorBody {
            error: "unauthorized",
            error_description: "Full authentication is required to access this resource",
        })
    }
}

/// An error shown to a person in the browser, as a page in their language.
#[derive(Debug)]
pub struct PageError {
    pub status: StatusCode,
    pub lang: Lang,
    pub message: String,
}

impl PageError {
    pub fn bad_request(lang: Lang, message: impl Into<String>) -> Self {
        Self {
            status: StatusCode::BAD_REQUEST,
            lang,
            message: message.into(),
        }
    }

    pub fn forbidden(lang: Lang, message: impl Into<String>) -> Self {
        Self {
            status: StatusCode::FORBIDDEN,
            lang,
            message: message.into(),
        }
    }

    /// A link that has expired or was used (410).
    pub fn gone(lang: Lang, message: impl Into<String>) -> Self {
        Self {
            status: StatusCode::GONE,
            lang,
            message: message.into(),
        }
    }

    pub fn store(lang: Lang, err: StoreError) -> Self {
        let status = match &err {
            StoreError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            _ => StatusCode::INTERNAL_SERVER_ERROR,
        };
        tracing::warn!(error = %err, "store failure on a browser page");
        Self {
            status,
            lang,
            message: lang.texts().unavailable.to_owned(),
        }
    }
}

impl std::fmt::Display for PageError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.status, self.message)
    }
}

impl ResponseError for PageError {
    fn status_code(&self) -> StatusCode {
        self.status
    }

    fn error_response(&self) -> HttpResponse {
        ErrorPage::render(
            self.lang,
            self.status,
            &page_words(self.lang, &self.message),
        )
    }
}

/// The English a browser page's refusal may carry (request parameters, the logout
/// form), in Chinese.
const PAGE_WORDS: &[(&str, &str)] = &[
    (
        "request parameters are not valid UTF-8 form encoding",
        "请求参数不是有效的 UTF-8 表单编码",
    ),
    (
        "Content-Type must be application/x-www-form-urlencoded",
        "请求须以 application/x-www-form-urlencoded 表单提交",
    ),
    (
        "The login form must be sent as application/x-www-form-urlencoded",
        "登录表单须以 application/x-www-form-urlencoded 提交",
    ),
    ("state is too long", "state 参数过长"),
    (
        "client_id does not match the id_token_hint",
        "client_id 与 id_token_hint 不符",
    ),
];

/// `message` as a page in `lang` shows it: the page's own words, then the domain's.
fn page_words(lang: Lang, message: &str) -> String {
    if lang != Lang::Zh {
        return message.to_owned();
    }
    if let Some((_, zh)) = PAGE_WORDS.iter().find(|(en, _)| *en == message) {
        return (*zh).to_owned();
    }
    if let Some(name) = message
        .strip_prefix("parameter `")
        .and_then(|rest| rest.strip_suffix("` is included more than once"))
    {
        return format!("参数 {name} 重复出现");
    }
    crate::domain::words::in_language(lang, message)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::idp::params::ParamError;

    #[test]
    fn every_refusal_a_browser_page_writes_reads_in_chinese() {
        let sources = [
            include_str!("authorize.rs"),
            include_str!("logout.rs"),
            include_str!("set_password.rs"),
            include_str!("login/post.rs"),
            include_str!("login/mod.rs"),
            include_str!("login/get.rs"),
        ];
        let mut messages: Vec<String> = vec![
            ParamError::Malformed.to_string(),
            ParamError::Duplicated("client_id").to_string(),
        ];
        for source in sources {
            for (at, _) in source.match_indices("PageError::bad_request(") {
                let call = &source[at..];
                let call = &call[..call.find(')').unwrap_or(call.len())];
                if let Some(literal) = call.split('"').nth(1) {
                    messages.push(literal.to_owned());
                }
            }
        }
        assert!(messages.len() > 5, "{messages:?}");
        for message in messages {
            let zh = page_words(Lang::Zh, &message);
            assert_ne!(zh, message, "no Chinese for {message:?}");
            assert_eq!(page_words(Lang::En, &message), message);
        }
    }
}
