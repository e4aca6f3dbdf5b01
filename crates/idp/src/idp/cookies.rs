//! The identity provider's cookies: HttpOnly, SameSite=Lax, Secure under an https issuer.

use actix_web::cookie::time::Duration as CookieDuration;
use actix_web::cookie::{Cookie, SameSite};

pub const SESSION_COOKIE: &str = "unilogin_session";
pub const CSRF_COOKIE: &str = "unilogin_csrf";
pub use crate::web::LANG_COOKIE;

pub fn build(
    name: &'static str,
    value: String,
    secure: bool,
    max_age_secs: i64,
) -> Cookie<'static> {
    Cookie::build(name, value)
        .path("/")
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(secure)
        .max_age(CookieDuration::seconds(max_age_secs))
        .finish()
}

/// A cookie that makes the browser forget `name`.
pub fn removal(name: &'static str, secure: bool) -> Cookie<'static> {
    let mut cookie = build(name, String::new(), secure, 0);
    cookie.make_removal();
    cookie
}
