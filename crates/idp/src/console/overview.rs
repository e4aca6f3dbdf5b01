//! The overview: both stores' health, counts, signing-key ages, recent audit events.

use std::time::Duration;

use actix_web::{web, HttpResponse};
use askama::Template;

use super::audit::EventRow;
use super::texts::ConsoleTexts;
use super::{Admin, Chrome, Console, ConsoleError};
use crate::store::durable::{Counts, EventFilter};

#[derive(Template)]
#[template(path = "console/overview.html")]
struct Overview {
    t: &'static ConsoleTexts,
    c: Chrome,
    durable_up: bool,
    ephemeral_up: bool,
    counts: Counts,
    keys: Vec<KeyAge>,
    events: Vec<EventRow>,
    chart: super::sign_ins::Chart,
    activity: super::activity::Activity,
}

struct KeyAge {
    kid: String,
    alg: String,
    status: &'static str,
    days: i64,
}

pub async fn show(admin: Admin, console: web::Data<Console>) -> Result<HttpResponse, ConsoleError> {
    let limit = Duration::from_secs(1);
    let durable = console.service.durable();
    let durable_up = matches!(
        tokio::time::timeout(limit, durable.ping()).await,
        Ok(Ok(()))
    );
    let ephemeral_up = matches!(
        tokio::time::timeout(limit, console.sessions.ping()).await,
        Ok(Ok(()))
    );
    let counts = console.service.counts().await?;
    let now = admin.now();
    let keys = console
        .service
        .keys()
        .await?
        .into_iter()
        .map(|k| KeyAge {
            days: (now - k.created_at).max(0) / 86_400,
            kid: k.kid,
            alg: k.alg,
            status: k.status,
        })
        .collect();
    let found = console
        .service
        .events(&EventFilter::everything(), "", 10)
        .await?;
    let names = super::audit::usernames(&console, &found).await?;
    let events = found
        .into_iter()
        .map(|e| EventRow::of(e, admin.t, &names))
        .collect();
    let chart = super::sign_ins::chart(&console, now).await?;
    let activity = super::activity::activity(&console, admin.t, now).await?;
    let page = Overview {
        activity,
        chart,
        t: admin.t,
        c: admin.chrome("overview"),
        durable_up,
        ephemeral_up,
        counts,
        keys,
        events,
    };
    Ok(super::ok(page.render()))
}
