//! The demo seller's routes: its production interface (`/demo/produce`, kit sync under
//! `/demo/produce/produceAPI/v2/{activity}`) and its home for the portal
//! (`/demo/kit/home?code=&tenant=`).

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;

use super::{exchange, render, start_session, Demo};

fn answered(body: Vec<u8>, sign: String) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("application/json")
        .insert_header(("Body-Sign", sign))
        .body(body)
}

#[derive(Deserialize)]
struct Signed {
    #[serde(default)]
    signature: String,
    #[serde(default)]
    timestamp: String,
    #[serde(default)]
    nonce: String,
}

/// The SaaS interface: signed in the query.
pub async fn produce(req: HttpRequest, body: web::Bytes, demo: web::Data<Demo>) -> HttpResponse {
    let signed = web::Query::<Signed>::from_query(req.query_string())
        .map(|q| q.into_inner())
        .unwrap_or(Signed {
            signature: String::new(),
            timestamp: String::new(),
            nonce: String::new(),
        });
    let now_ms = demo.clock.now_millis();
    let (body, sign) = demo.kit.handle(
        None,
        &signed.signature,
        &signed.timestamp,
        &signed.nonce,
        &body,
        now_ms,
    );
    answered(body, sign)
}

/// Kit sync: signed in the `x-sign`, `x-timestamp`, `x-nonce` headers.
pub async fn produce_sync(
    req: HttpRequest,
    path: web::Path<String>,
    body: web::Bytes,
    demo: web::Data<Demo>,
) -> HttpResponse {
    let header = |name: &str| {
        req.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
    };
    let now_ms = demo.clock.now_millis();
    let (body, sign) = demo.kit.handle(
        Some(path.as_str()),
        header("x-sign"),
        header("x-timestamp"),
        header("x-nonce"),
        &body,
        now_ms,
    );
    answered(body, sign)
}

#[derive(Deserialize)]
struct HomeQuery {
    code: Option<String>,
    tenant: Option<String>,
}

/// The documented WEB login: the credentials delivered for `tenant` redeem `code`.
pub async fn home(req: HttpRequest, demo: web::Data<Demo>) -> HttpResponse {
    let query = web::Query::<HomeQuery>::from_query(req.query_string()).ok();
    let (Some(code), Some(tenant)) = query.map_or((None, None), |q| {
        let q = q.into_inner();
        (q.code, q.tenant)
    }) else {
        let why = "the portal sends ?code=&tenant= here";
        return render(&demo, StatusCode::BAD_REQUEST, None, Some(why));
    };
    let Some((client_id, secret)) = demo.kit.credentials(&tenant) else {
        let why = format!("the demo app holds no credentials for tenant {tenant}: buy it first");
        return render(&demo, StatusCode::FORBIDDEN, None, Some(&why));
    };
    let redirect_uri = format!("{}/demo/kit/home", demo.issuer);
    let client = (client_id.as_str(), secret);
    match exchange(&demo, &code, client, &redirect_uri, Some(tenant)).await {
        Ok(session) => start_session(&demo, session),
        Err(message) => render(&demo, StatusCode::BAD_GATEWAY, None, Some(&message)),
    }
}
