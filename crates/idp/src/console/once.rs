//! Post/redirect/get for both consoles, written once: a value shown once (a secret just
//! made) travels to its page through a sealed one-time flash, never by repeating the
//! POST; and a form submitted again (a double click, a page sent twice) repeats nothing.

use actix_web::http::{header, StatusCode};
use actix_web::{HttpRequest, HttpResponse};
use serde::de::DeserializeOwned;
use serde::Serialize;

use super::chrome::query;
use super::first_party::see_other;
use crate::store::ephemeral::{ConsoleSessions, Submission};
use crate::store::StoreError;

/// Keeps `value` for the session `cookie` names and sends the browser to `path`, which
/// shows it the one time it is asked for.
pub async fn show_once(
    sessions: &ConsoleSessions,
    cookie: &str,
    path: &str,
    value: &impl Serialize,
) -> Result<HttpResponse, StoreError> {
    let id = sessions.flash(cookie, value).await?;
    let separator = if path.contains('?') { '&' } else { '?' };
    Ok(see_other(&format!("{path}{separator}shown={id}")))
}

/// The value `show_once` kept for this request's page, if this is the one time.
pub async fn shown<T: DeserializeOwned>(
    sessions: &ConsoleSessions,
    cookie: &str,
    req: &HttpRequest,
) -> Result<Option<T>, StoreError> {
    let id = query(req, "shown");
    sessions.take_flash(cookie, &id).await
}

/// Acts on a submitted form once (its `form_id`): submitted again, the browser goes where
/// the first submission led (or to `fallback` while it still runs) and nothing changes.
/// A form without an id acts every time.
pub async fn act_once<E: From<StoreError>>(
    sessions: &ConsoleSessions,
    cookie: &str,
    form_id: &str,
    fallback: &str,
    act: impl std::future::Future<Output = Result<HttpResponse, E>>,
) -> Result<HttpResponse, E> {
    if form_id.is_empty() {
        return act.await;
    }
    if let Submission::Again(led_to) = sessions.submitted_once(cookie, form_id).await? {
        let to = if led_to.is_empty() { fallback } else { &led_to };
        return Ok(see_other(to));
    }
    let answer = act.await;
    let led_to = answer
        .as_ref()
        .ok()
        .filter(|r| r.status() == StatusCode::SEE_OTHER)
        .and_then(|r| r.headers().get(header::LOCATION))
        .and_then(|l| l.to_str().ok())
        .map(str::to_owned);
    match led_to {
        Some(to) => sessions.remember(cookie, form_id, &to).await?,
        // Refused: the corrected form may be sent again.
        None => sessions.forget(cookie, form_id).await?,
    }
    answer
}
