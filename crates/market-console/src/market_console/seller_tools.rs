//! The seller's tools: access keys for the signed open API (the secret key shown once,
//! minting after a recent sign-in), and failed production-interface messages with retry.

use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;

use super::session::Member;
use super::texts::MarketTexts;
use super::MarketConsole;
use super::{again, done, ok, refusal, Chrome, PageError};
use crate::console::form::Form;
use crate::console::once;
use crate::marketplace::kit::messages::retry_message;
use crate::marketplace::kit::outbox::Job;
use crate::marketplace::open_api::access_keys;
use crate::marketplace::store::AccessKeyRecord;
use crate::marketplace::{MarketError, Marketplace};

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/seller/keys", web::get().to(keys))
        .route("/seller/keys", web::post().to(mint))
        .route("/seller/keys/{ak}/delete", web::post().to(delete))
        .route("/seller/messages", web::get().to(messages))
        .route("/seller/messages/{id}/retry", web::post().to(retry));
}

#[derive(Template)]
#[template(path = "market/keys.html")]
struct KeysPage {
    t: &'static MarketTexts,
    c: Chrome,
    keys: Vec<AccessKeyRecord>,
    /// Just minted: the access key and its secret, shown this once.
    minted: Option<(String, String)>,
    error: Option<String>,
}

async fn keys_page(
    member: &Member,
    market: &Marketplace,
    minted: Option<(String, String)>,
    error: Option<String>,
) -> Result<KeysPage, PageError> {
    let tenant = member.seller_tenant()?;
    Ok(KeysPage {
        t: member.t,
        c: member.chrome("keys"),
        keys: market.store.access_keys_of(&tenant).await?,
        minted,
        error,
    })
}

/// `GET /market/seller/keys[?shown=…]`: the keys, and once, right after minting, the
/// new key's secret.
async fn keys(
    req: HttpRequest,
    member: Member,
    console: web::Data<MarketConsole>,
    market: web::Data<Marketplace>,
) -> Result<HttpResponse, PageError> {
    let minted: Option<(String, String)> =
        once::shown(&console.sessions, member.cookie(), &req).await?;
    let shows_secret = minted.is_some();
    let mut response = ok(keys_page(&member, &market, minted, None).await?.render());
    if shows_secret {
        response.headers_mut().insert(
            header::CACHE_CONTROL,
            header::HeaderValue::from_static("no-store"),
        );
    }
    Ok(response)
}

async fn mint(
    member: Member,
    form: Form,
    console: web::Data<MarketConsole>,
    market: web::Data<Marketplace>,
) -> Result<HttpResponse, PageError> {
    member.check(&form)?;
    let sessions = &console.sessions;
    let act = async {
        match access_keys::mint(&market, &member.caller).await {
            Ok((record, secret)) => {
                let minted = (record.access_key, secret.expose().to_owned());
                let path = "/market/seller/keys";
                Ok(once::show_once(sessions, member.cookie(), path, &minted).await?)
            }
            // A key outlives every logout: mint only right after a sign-in.
            Err(MarketError::StepUp { .. }) => Err(PageError::Reauthenticate {
                return_to: "/market/seller/keys".into(),
            }),
            Err(err) => {
                let message = refusal(err, member.t)?;
                Ok(again(
                    keys_page(&member, &market, None, Some(message))
                        .await?
                        .render(),
                ))
            }
        }
    };
    let form_id = form.get("form_id");
    once::act_once(
        sessions,
        member.cookie(),
        form_id,
        "/market/seller/keys",
        act,
    )
    .await
}

async fn delete(
    member: Member,
    path: web::Path<String>,
    form: Form,
    market: web::Data<Marketplace>,
) -> Result<HttpResponse, PageError> {
    member.check(&form)?;
    if !form.checked("confirm") {
        let message = Some(member.t.must_confirm.to_owned());
        return Ok(again(
            keys_page(&member, &market, None, message).await?.render(),
        ));
    }
    access_keys::remove(&market, &member.caller, &path.into_inner()).await?;
    Ok(done("/market/seller/keys", "changed"))
}

#[derive(Template)]
#[template(path = "market/messages.html")]
struct MessagesPage {
    t: &'static MarketTexts,
    c: Chrome,
    messages: Vec<(Job, i64)>,
    error: Option<String>,
}

async fn messages_page(
    member: &Member,
    market: &Marketplace,
    error: Option<String>,
) -> Result<MessagesPage, PageError> {
    let tenant = member.seller_tenant()?;
    let mut messages = Vec::new();
    for job in market.outbox.failed_of(&tenant, 200).await? {
        let waiting = market.outbox.waiting_behind(&job).await?;
        messages.push((job, waiting));
    }
    Ok(MessagesPage {
        t: member.t,
        c: member.chrome("messages"),
        messages,
        error,
    })
}

async fn messages(
    member: Member,
    market: web::Data<Marketplace>,
) -> Result<HttpResponse, PageError> {
    Ok(ok(messages_page(&member, &market, None).await?.render()))
}

async fn retry(
    member: Member,
    path: web::Path<String>,
    form: Form,
    market: web::Data<Marketplace>,
) -> Result<HttpResponse, PageError> {
    member.check(&form)?;
    match retry_message(&market, &member.caller, &path.into_inner()).await {
        Ok(_) => Ok(done("/market/seller/messages", "changed")),
        Err(err) => {
            let message = refusal(err, member.t)?;
            Ok(again(
                messages_page(&member, &market, Some(message))
                    .await?
                    .render(),
            ))
        }
    }
}
