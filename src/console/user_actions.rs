//! What an administrator does to a user, each after a confirmation page and with a recent
//! sign-in: disable (enabling needs neither), reset the password, end sessions, revoke a
//! grant.

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};

use super::clients::enc;
use super::form::Form;
use super::{Admin, Confirm, Console, ConsoleError};
use crate::domain::{NewPassword, Username};
use crate::store::durable::UserRecord;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/users/{id}/disable", web::get().to(confirm_disable))
        .route("/users/{id}/disable", web::post().to(disable))
        .route("/users/{id}/enable", web::post().to(enable))
        .route("/users/{id}/password", web::get().to(password_form))
        .route("/users/{id}/password", web::post().to(set_password))
        .route("/users/{id}/sessions/end", web::get().to(confirm_end_all))
        .route("/users/{id}/sessions/end", web::post().to(end_all))
        .route(
            "/users/{id}/sessions/{sid}/end",
            web::get().to(confirm_end_one),
        )
        .route("/users/{id}/sessions/{sid}/end", web::post().to(end_one))
        .route(
            "/users/{id}/grants/{gid}/revoke",
            web::get().to(confirm_revoke),
        )
        .route("/users/{id}/grants/{gid}/revoke", web::post().to(revoke));
}

fn user_path(user: &UserRecord) -> String {
    format!("/console/users/{}", enc(&user.id))
}

/// What a confirmation page asks about.
struct Question<'a> {
    heading: &'a str,
    text: &'a str,
    action: String,
    option: Option<(&'a str, &'a str)>,
    password: bool,
}

fn confirm(
    admin: &Admin,
    user: &UserRecord,
    question: Question<'_>,
    status: StatusCode,
    error: Option<&str>,
) -> Result<HttpResponse, ConsoleError> {
    admin.require_recent_sign_in(&question.action)?;
    let target = format!("{} ({})", user.username, user.tenant_id);
    let cancel = user_path(user);
    let page = Confirm {
        t: admin.t,
        c: admin.chrome("users"),
        heading: question.heading,
        text: question.text,
        target: &target,
        action: &question.action,
        button: question.heading,
        cancel: &cancel,
        option: question.option,
        password: question.password,
        error,
    };
    Ok(super::page(status, askama::Template::render(&page)))
}

/// The user, after the form's CSRF check and the recent-sign-in check for `action`.
async fn acting_on(
    admin: &Admin,
    console: &Console,
    form: &Form,
    user_id: &str,
    action: &str,
) -> Result<UserRecord, ConsoleError> {
    form.check_csrf(admin)?;
    let user = console.service.user(user_id).await?;
    admin.require_recent_sign_in(&format!("{}/{action}", user_path(&user)))?;
    Ok(user)
}

fn username(user: &UserRecord) -> Result<Username, ConsoleError> {
    Username::parse(&user.username).map_err(|e| ConsoleError::Refused(e.0))
}

async fn confirm_disable(
    admin: Admin,
    console: web::Data<Console>,
    path: web::Path<String>,
) -> Result<HttpResponse, ConsoleError> {
    let user = console.service.user(&path).await?;
    let question = Question {
        heading: admin.t.disable_user,
        text: admin.t.disable_user_text,
        action: format!("{}/disable", user_path(&user)),
        option: None,
        password: false,
    };
    confirm(&admin, &user, question, StatusCode::OK, None)
}

async fn disable(
    admin: Admin,
    console: web::Data<Console>,
    path: web::Path<String>,
    form: Form,
) -> Result<HttpResponse, ConsoleError> {
    let user = acting_on(&admin, &console, &form, &path, "disable").await?;
    console
        .service
        .disable_user(&admin.actor, &username(&user)?)
        .await?;
    Ok(super::done(&user_path(&user), "user_disabled"))
}

async fn enable(
    admin: Admin,
    console: web::Data<Console>,
    path: web::Path<String>,
    form: Form,
) -> Result<HttpResponse, ConsoleError> {
    form.check_csrf(&admin)?;
    let user = console.service.user(&path).await?;
    console.service.enable_user(&admin.actor, &user.id).await?;
    Ok(super::done(&user_path(&user), "user_enabled"))
}

fn password_question<'a>(admin: &'a Admin, user: &UserRecord) -> Question<'a> {
    Question {
        heading: admin.t.reset_password,
        text: admin.t.reset_password_text,
        action: format!("{}/password", user_path(user)),
        option: None,
        password: true,
    }
}

async fn password_form(
    admin: Admin,
    console: web::Data<Console>,
    path: web::Path<String>,
) -> Result<HttpResponse, ConsoleError> {
    let user = console.service.user(&path).await?;
    let question = password_question(&admin, &user);
    confirm(&admin, &user, question, StatusCode::OK, None)
}

async fn set_password(
    admin: Admin,
    console: web::Data<Console>,
    path: web::Path<String>,
    form: Form,
) -> Result<HttpResponse, ConsoleError> {
    let user = acting_on(&admin, &console, &form, &path, "password").await?;
    let unprocessable = StatusCode::UNPROCESSABLE_ENTITY;
    if form.raw("password") != form.raw("confirm") {
        let question = password_question(&admin, &user);
        let error = Some(admin.t.passwords_differ);
        return confirm(&admin, &user, question, unprocessable, error);
    }
    let password = match NewPassword::parse(form.raw("password")) {
        Ok(password) => password,
        Err(err) => {
            let question = password_question(&admin, &user);
            return confirm(&admin, &user, question, unprocessable, Some(&err.0));
        }
    };
    console
        .service
        .set_password(&admin.actor, &username(&user)?, password)
        .await?;
    Ok(super::done(&user_path(&user), "password_reset"))
}

async fn confirm_end_all(
    admin: Admin,
    console: web::Data<Console>,
    path: web::Path<String>,
) -> Result<HttpResponse, ConsoleError> {
    let user = console.service.user(&path).await?;
    let question = Question {
        heading: admin.t.end_all_sessions,
        text: admin.t.end_all_sessions_text,
        action: format!("{}/sessions/end", user_path(&user)),
        option: None,
        password: false,
    };
    confirm(&admin, &user, question, StatusCode::OK, None)
}

async fn end_all(
    admin: Admin,
    console: web::Data<Console>,
    path: web::Path<String>,
    form: Form,
) -> Result<HttpResponse, ConsoleError> {
    let user = acting_on(&admin, &console, &form, &path, "sessions/end").await?;
    console.service.end_sessions(&admin.actor, &user.id).await?;
    Ok(super::done(&user_path(&user), "sessions_ended"))
}

async fn confirm_end_one(
    admin: Admin,
    console: web::Data<Console>,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ConsoleError> {
    let (user_id, sid) = path.into_inner();
    let user = console.service.user(&user_id).await?;
    let question = Question {
        heading: admin.t.end_session,
        text: admin.t.end_session_text,
        action: format!("{}/sessions/{}/end", user_path(&user), enc(&sid)),
        option: None,
        password: false,
    };
    confirm(&admin, &user, question, StatusCode::OK, None)
}

async fn end_one(
    admin: Admin,
    console: web::Data<Console>,
    path: web::Path<(String, String)>,
    form: Form,
) -> Result<HttpResponse, ConsoleError> {
    let (user_id, sid) = path.into_inner();
    let action = format!("sessions/{}/end", enc(&sid));
    let user = acting_on(&admin, &console, &form, &user_id, &action).await?;
    console
        .service
        .end_session(&admin.actor, &user.id, &sid)
        .await?;
    Ok(super::done(&user_path(&user), "sessions_ended"))
}

async fn confirm_revoke(
    admin: Admin,
    console: web::Data<Console>,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ConsoleError> {
    let (user_id, grant_id) = path.into_inner();
    let user = console.service.user(&user_id).await?;
    let question = Question {
        heading: admin.t.revoke_grant,
        text: admin.t.revoke_grant_text,
        action: format!("{}/grants/{}/revoke", user_path(&user), enc(&grant_id)),
        option: None,
        password: false,
    };
    confirm(&admin, &user, question, StatusCode::OK, None)
}

async fn revoke(
    admin: Admin,
    console: web::Data<Console>,
    path: web::Path<(String, String)>,
    form: Form,
) -> Result<HttpResponse, ConsoleError> {
    let (user_id, grant_id) = path.into_inner();
    let action = format!("grants/{}/revoke", enc(&grant_id));
    let user = acting_on(&admin, &console, &form, &user_id, &action).await?;
    console
        .service
        .revoke_grant(&admin.actor, &user.id, &grant_id)
        .await?;
    Ok(super::done(&user_path(&user), "grant_revoked"))
}
