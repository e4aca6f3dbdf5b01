//! What every web surface (the identity provider, the admin API and console, the
//! marketplace and its console) shares: the two languages, the identity provider's
//! public paths, the route tables, and small helpers for requests and pages.

mod lang;
pub mod paths;
pub mod route_table;

use actix_web::http::header::{self, HeaderValue};
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse};

pub use lang::{Lang, LANG_COOKIE};

/// `base?k=v&…` with form encoding (`base` has no query of its own).
pub fn url_with_query(base: &str, pairs: &[(&str, &str)]) -> String {
    let mut query = url::form_urlencoded::Serializer::new(String::new());
    for (key, value) in pairs {
        query.append_pair(key, value);
    }
    format!("{base}?{}", query.finish())
}

/// The peer address; a proxy in front is one client to us (X-Forwarded-For is not
/// trusted: anyone can send it).
pub fn client_ip(req: &HttpRequest) -> String {
    req.peer_addr()
        .map(|a| a.ip().to_string())
        .unwrap_or_default()
}

/// An HTML response that is never cached (pages carry CSRF tokens and session state).
pub fn html(status: StatusCode, rendered: Result<String, askama::Error>) -> HttpResponse {
    match rendered {
        Ok(body) => HttpResponse::build(status)
            .insert_header((header::CONTENT_TYPE, "text/html; charset=utf-8"))
            .insert_header((header::CACHE_CONTROL, HeaderValue::from_static("no-store")))
            .body(body),
        Err(err) => {
            tracing::error!(error = %err, "template rendering failed");
            HttpResponse::InternalServerError()
                .insert_header((header::CONTENT_TYPE, "text/plain; charset=utf-8"))
                .body("internal error")
        }
    }
}
