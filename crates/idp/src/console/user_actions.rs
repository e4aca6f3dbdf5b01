//! What an administrator does to a user, each after a confirmation page and with a recent
//! sign-in: disable (enabling needs neither), reset the password, end sessions, revoke a
//! grant.

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};

use super::clients::enc;
use super::form::Form;
use super::{Admin, Console, ConsoleError, Question};
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

/// A question about `user`, answered on `/console/users/{id}/{action}`.
fn question<'a>(user: &UserRecord, heading: &'a str, text: &'a str, action: &str) -> Question<'a> {
    Question {
        heading,
        text,
        target: format!("{} ({})", user.username, user.tenant_id),
        action: format!("{}/{action}", user_path(user)),
        cancel: user_path(user),
        option: None,
        password: false,
        grace: false,
    }
}

fn confirm(
    admin: &Admin,
    question: Question<'_>,
    status: StatusCode,
    error: Option<&str>,
) -> Result<HttpResponse, ConsoleError> {
    super::confirm(admin, "users", &question, status, error)
}

/// The user, after the form's CSRF check and the recent-sign-in check for `action`.
async fn acting_on(
    admin: &Admin,
    console: &Console,
    form: &Form,
    user_id: &str,
    action: &str,
) -> Result<UserRecord, ConsoleError> {
    admin.check_csrf(form)?;
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
    let t = admin.t;
    let question = question(&user, t.disable_user, t.disable_user_text, "disable");
    confirm(&admin, question, StatusCode::OK, None)
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
    admin.check_csrf(&form)?;
    let user = console.service.user(&path).await?;
    console.service.enable_user(&admin.actor, &user.id).await?;
    Ok(super::done(&user_path(&user), "user_enabled"))
}

fn password_question<'a>(admin: &'a Admin, user: &UserRecord) -> Question<'a> {
    let t = admin.t;
    Question {
        password: true,
        grace: false,
        ..question(user, t.reset_password, t.reset_password_text, "password")
    }
}

async fn password_form(
    admin: Admin,
    console: web::Data<Console>,
    path: web::Path<String>,
) -> Result<HttpResponse, ConsoleError> {
    let user = console.service.user(&path).await?;
    let question = password_question(&admin, &user);
    confirm(&admin, question, StatusCode::OK, None)
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
        return confirm(&admin, question, unprocessable, error);
    }
    let password = match NewPassword::parse(form.raw("password")) {
        Ok(password) => password,
        Err(err) => {
            let question = password_question(&admin, &user);
            let words = crate::domain::words::in_language(admin.lang, &err.0);
            return confirm(&admin, question, unprocessable, Some(&words));
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
    let t = admin.t;
    let question = question(
        &user,
        t.end_all_sessions,
        t.end_all_sessions_text,
        "sessions/end",
    );
    confirm(&admin, question, StatusCode::OK, None)
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
    let t = admin.t;
    let action = format!("sessions/{}/end", enc(&sid));
    let question = question(&user, t.end_session, t.end_session_text, &action);
    confirm(&admin, question, StatusCode::OK, None)
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
    let t = admin.t;
    let action = format!("grants/{}/revoke", enc(&grant_id));
    let question = question(&user, t.revoke_grant, t.revoke_grant_text, &action);
    confirm(&admin, question, StatusCode::OK, None)
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
