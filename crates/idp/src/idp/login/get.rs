//! `GET /unified-login/portal-login`: the form, or straight back to the app when the
//! browser already has a session (single sign-on).

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;

use super::{render_form, switch_href, Flow};
use crate::idp::authorize::found;
use crate::idp::error::PageError;
use crate::idp::i18n::Lang;
use crate::idp::i18n::LoginTexts;
use crate::idp::pages::{html, SignedInPage};
use crate::idp::params::Params;
use crate::idp::Idp;

pub async fn show(req: HttpRequest, idp: web::Data<Idp>) -> Result<HttpResponse, PageError> {
    let params = Params::parse(req.query_string().as_bytes())
        .map_err(|e| PageError::bad_request(Lang::negotiate(&req, None), e.to_string()))?;
    let lang = Lang::negotiate(&req, params.get("lang").ok().flatten());
    let flow = Flow::resolve(&idp, &params, lang).await?;
    let session = idp
        .current_session(&req)
        .await
        .map_err(|e| PageError::store(lang, e))?;
    match (&flow, session) {
        (Flow::Plain, Some(session)) => {
            let user = idp
                .durable
                .find_user(&session.user_id)
                .await
                .map_err(|e| PageError::store(lang, e))?;
            let username = user.map(|u| u.username).unwrap_or_default();
            let page = SignedInPage {
                t: lang.texts(),
                switch_href: switch_href(lang, &params),
                username: &username,
            };
            Ok(html(StatusCode::OK, page.render()))
        }
        (Flow::Portal { .. } | Flow::PortalApp { .. }, Some(session)) => {
            let location = flow
                .destination(&idp, &session)
                .await
                .map_err(|e| e.page(lang))?;
            Ok(found(&location))
        }
        // An authorize request lands here only when it needs a (fresh) login.
        _ => Ok(render_form(&idp, &req, lang, &flow, &params, None, "")),
    }
}
