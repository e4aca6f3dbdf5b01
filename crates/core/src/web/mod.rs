//! What every web surface (the identity provider, the admin API and console, the
//! marketplace and its console) shares: the two languages, the identity provider's
//! public paths, the route tables, and small helpers for requests and pages.

pub mod csv;
mod lang;
pub mod openapi;
pub mod paths;
pub mod route_table;

use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderValue};
use actix_web::http::StatusCode;
use actix_web::middleware::Next;
use actix_web::{HttpRequest, HttpResponse, ResponseError};

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

/// Whether the request's path, percent-decoded, holds a control character (a NUL, a line
/// break): no identifier of ours does, and PostgreSQL refuses a NUL in a text parameter.
pub fn path_has_control_characters(req: &ServiceRequest) -> bool {
    let path = req.uri().path();
    // Only an escaped path can hide one: the common path is read once, without copying.
    path.chars().any(char::is_control)
        || (path.contains('%')
            && url::form_urlencoded::parse(format!("p={path}").as_bytes())
                .any(|(_, decoded)| decoded.chars().any(char::is_control)))
}

/// Middleware body: a path with a control character names nothing, and is answered with
/// `refusal` (a surface's own not-found error, rendered as that surface renders errors)
/// before any handler reads the store.
pub async fn refuse_control_characters<B, E>(
    req: ServiceRequest,
    next: Next<B>,
    refusal: impl FnOnce() -> E,
) -> Result<ServiceResponse<EitherBody<B>>, actix_web::Error>
where
    B: MessageBody,
    E: ResponseError + 'static,
{
    if path_has_control_characters(&req) {
        return Ok(req.error_response(refusal()).map_into_right_body());
    }
    next.call(req)
        .await
        .map(ServiceResponse::map_into_left_body)
}
