//! `/unified-login/set-password?token=…`: where a user an administrator created without a
//! password sets one, through the one-time link the administrator was shown. The form
//! carries the login page's CSRF cookie pattern; the link is spent on success.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;

use super::cookies::{self, CSRF_COOKIE};
use super::error::PageError;
use super::i18n::{Lang, Texts};
use super::login::csrf_token;
use super::pages::html;
use super::params::Params;
use super::Idp;
use crate::admin::{AdminError, AdminService};
use crate::domain::NewPassword;
use crate::idp::i18n::LoginTexts;
use crate::secret::{constant_time_eq, random_token};

#[derive(Template)]
#[template(path = "set_password.html")]
struct SetPasswordPage<'a> {
    t: &'static Texts,
    lang_code: &'static str,
    username: &'a str,
    token: &'a str,
    csrf_token: &'a str,
    error: Option<&'static str>,
    done: bool,
}

fn form(
    idp: &Idp,
    req: &HttpRequest,
    lang: Lang,
    username: &str,
    token: &str,
    error: Option<&'static str>,
) -> HttpResponse {
    let csrf = csrf_token(req).unwrap_or_else(random_token);
    let page = SetPasswordPage {
        t: lang.texts(),
        lang_code: lang.code(),
        username,
        token,
        csrf_token: &csrf,
        error,
        done: false,
    };
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let mut response = html(status, page.render());
    let max_age = idp.lifetimes.pending_request.as_secs() as i64 * 4;
    let cookie = cookies::build(CSRF_COOKIE, csrf, idp.secure_cookies, max_age);
    if let Err(err) = response.add_cookie(&cookie) {
        tracing::error!(error = %err, "could not set a cookie");
    }
    response
}

fn invalid(lang: Lang) -> PageError {
    PageError::gone(lang, lang.texts().password_link_invalid)
}

pub async fn show(
    req: HttpRequest,
    idp: web::Data<Idp>,
    admin: web::Data<AdminService>,
) -> Result<HttpResponse, PageError> {
    let lang = Lang::negotiate(&req, None);
    let params = Params::parse(req.query_string().as_bytes())
        .map_err(|e| PageError::bad_request(lang, e.to_string()))?;
    let token = params.get("token").ok().flatten().unwrap_or_default();
    let user = link_user(&admin, lang, token).await?;
    Ok(form(&idp, &req, lang, &user.username, token, None))
}

pub async fn submit(
    req: HttpRequest,
    idp: web::Data<Idp>,
    admin: web::Data<AdminService>,
    body: web::Bytes,
) -> Result<HttpResponse, PageError> {
    let fallback = Lang::negotiate(&req, None);
    let params =
        Params::parse(&body).map_err(|e| PageError::bad_request(fallback, e.to_string()))?;
    let lang = Lang::negotiate(&req, params.get("lang").ok().flatten());
    let field = |name: &'static str| params.get(name).ok().flatten().unwrap_or_default();
    let csrf_ok = csrf_token(&req)
        .is_some_and(|cookie| constant_time_eq(cookie.as_bytes(), field("csrf_token").as_bytes()));
    if !csrf_ok {
        return Err(PageError::forbidden(lang, lang.texts().csrf_failed));
    }
    let token = field("token");
    let user = link_user(&admin, lang, token).await?;
    let t = lang.texts();
    if field("password") != field("confirm") {
        return Ok(form(
            &idp,
            &req,
            lang,
            &user.username,
            token,
            Some(t.passwords_differ),
        ));
    }
    let Ok(password) = NewPassword::parse(field("password")) else {
        return Ok(form(
            &idp,
            &req,
            lang,
            &user.username,
            token,
            Some(t.password_too_weak),
        ));
    };
    admin
        .complete_password_link(token, password, &super::client_ip(&req))
        .await
        .map_err(|e| page_error(lang, e))?;
    let page = SetPasswordPage {
        t,
        lang_code: lang.code(),
        username: &user.username,
        token: "",
        csrf_token: "",
        error: None,
        done: true,
    };
    Ok(html(StatusCode::OK, page.render()))
}

/// The user a good link is for; a readable 410 page otherwise.
async fn link_user(
    admin: &AdminService,
    lang: Lang,
    token: &str,
) -> Result<crate::store::durable::UserRecord, PageError> {
    admin
        .password_link_user(token)
        .await
        .map_err(|e| page_error(lang, e))?
        .ok_or_else(|| invalid(lang))
}

fn page_error(lang: Lang, err: AdminError) -> PageError {
    match err {
        AdminError::Store(err) => PageError::store(lang, err),
        AdminError::NotFound(_) => invalid(lang),
        other => {
            let words = crate::domain::words::in_language(lang, &other.to_string());
            PageError::bad_request(lang, words)
        }
    }
}
