//! HTML pages of the identity provider, rendered with askama (auto-escaped).

use actix_web::http::header;
use actix_web::http::StatusCode;
use actix_web::HttpResponse;
use askama::Template;

use super::i18n::{Lang, LoginTexts, Texts};

#[derive(Template)]
#[template(path = "login.html")]
pub struct LoginPage<'a> {
    pub t: &'static Texts,
    pub lang_code: &'static str,
    pub switch_href: String,
    pub app_name: Option<&'a str>,
    pub error: Option<&'static str>,
    pub csrf_token: &'a str,
    pub req: Option<&'a str>,
    pub app_id: Option<&'a str>,
    pub username: &'a str,
}

#[derive(Template)]
#[template(path = "signed_in.html")]
pub struct SignedInPage<'a> {
    pub t: &'static Texts,
    pub switch_href: String,
    pub username: &'a str,
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorTemplate<'a> {
    t: &'static Texts,
    message: &'a str,
    status: u16,
}

pub struct ErrorPage;

impl ErrorPage {
    pub fn render(lang: Lang, status: StatusCode, message: &str) -> HttpResponse {
        let page = ErrorTemplate {
            t: lang.texts(),
            message,
            status: status.as_u16(),
        };
        html(status, page.render())
    }
}

pub use crate::web::html;

/// The stylesheet, embedded in the binary.
pub async fn stylesheet() -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, "text/css; charset=utf-8"))
        .insert_header((header::CACHE_CONTROL, "public, max-age=3600"))
        .body(include_str!("../../templates/unilogin.css"))
}
