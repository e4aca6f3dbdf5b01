//! Liveness and readiness.

use std::time::Duration;

use actix_web::{web, HttpResponse};
use serde_json::json;

use super::Idp;
use crate::telemetry::Draining;

pub async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json(json!({ "status": "ok" }))
}

/// Ready when not draining and both stores answer within a second.
pub async fn readyz(idp: web::Data<Idp>, draining: Option<web::Data<Draining>>) -> HttpResponse {
    if draining.is_some_and(|d| d.is_draining()) {
        return HttpResponse::ServiceUnavailable().json(json!({ "status": "draining" }));
    }
    let limit = Duration::from_secs(1);
    let durable = matches!(
        tokio::time::timeout(limit, idp.durable.ping()).await,
        Ok(Ok(()))
    );
    let ephemeral = matches!(
        tokio::time::timeout(limit, idp.ephemeral.ping()).await,
        Ok(Ok(()))
    );
    let body = json!({
        "status": if durable && ephemeral { "ready" } else { "unavailable" },
        "durable": if durable { "up" } else { "down" },
        "ephemeral": if ephemeral { "up" } else { "down" },
    });
    if durable && ephemeral {
        HttpResponse::Ok().json(body)
    } else {
        HttpResponse::ServiceUnavailable().json(body)
    }
}
