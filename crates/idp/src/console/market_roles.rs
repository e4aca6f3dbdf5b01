//! A user's marketplace roles on their page: their tenant registered as a merchant (its
//! users sell), and the operator role (reviews) granted or taken away. Both need a recent
//! sign-in; the operator form names the state it wants, so a repeat changes nothing.

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};

use super::clients::enc;
use super::form::{Errors, Form};
use super::{Admin, Console, ConsoleError};
use crate::admin::AdminError;
use crate::store::durable::UserRecord;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/users/{id}/operator", web::post().to(set_operator))
        .route("/users/{id}/merchant", web::post().to(register_merchant));
}

fn user_path(user: &UserRecord) -> String {
    format!("/console/users/{}", enc(&user.id))
}

/// The user, after the form's CSRF check and a recent sign-in (which comes back to the
/// user's page).
async fn acting_on(
    admin: &Admin,
    console: &Console,
    form: &Form,
    user_id: &str,
) -> Result<UserRecord, ConsoleError> {
    admin.check_csrf(form)?;
    let user = console.service.user(user_id).await?;
    admin.require_recent_sign_in(&user_path(&user))?;
    Ok(user)
}

/// `operator=true|false`: the state wanted. Already so is success: a reload or a second
/// click lands on the same page.
async fn set_operator(
    admin: Admin,
    console: web::Data<Console>,
    path: web::Path<String>,
    form: Form,
) -> Result<HttpResponse, ConsoleError> {
    let user = acting_on(&admin, &console, &form, &path).await?;
    let operator = match form.get("operator") {
        "true" => true,
        "false" => false,
        _ => {
            return Err(ConsoleError::Refused(
                "operator must be true or false".into(),
            ))
        }
    };
    let done = if operator {
        "operator_granted"
    } else {
        "operator_revoked"
    };
    match console
        .service
        .set_operator(&admin.actor, &user.id, operator)
        .await
    {
        Ok(()) | Err(AdminError::Conflict(_)) => Ok(super::done(&user_path(&user), done)),
        Err(err) => Err(err.into()),
    }
}

async fn register_merchant(
    admin: Admin,
    console: web::Data<Console>,
    path: web::Path<String>,
    form: Form,
) -> Result<HttpResponse, ConsoleError> {
    let user = acting_on(&admin, &console, &form, &path).await?;
    let back = user_path(&user);
    let act = async {
        match console
            .service
            .register_merchant(&admin.actor, &user.tenant_id, form.get("merchant_name"))
            .await
        {
            Ok(()) => Ok(super::done(&back, "merchant_registered")),
            Err(err) => {
                let refused = Errors::refusal(err, admin.t)?;
                let mut errors = Errors::default();
                errors.add("merchant_name", refused.form.unwrap_or_default());
                let status = StatusCode::UNPROCESSABLE_ENTITY;
                super::users::page_with_errors(&admin, &console, status, user.clone(), errors).await
            }
        }
    };
    super::once(&admin, &console, &form, &back, act).await
}
