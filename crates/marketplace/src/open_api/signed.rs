//! The AK/SK-signed caller of the open API: a seller's server, known by the access key
//! that signed the request (`SDK-HMAC-SHA256`, as Huawei Cloud's API gateway checks it).
//! `Signed` is an extractor, so a handler's signature says that only signed requests
//! reach it; a refusal is the gateway's own answer (`APIGW.0301`), not the marketplace's.

use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

use actix_web::dev::Payload;
use actix_web::http::{header, StatusCode};
use actix_web::{web, FromRequest, HttpRequest, HttpResponse, ResponseError};
use serde::Serialize;

use crate::open_api::key_cache;
use crate::open_api::signing::{self, Authorization, CanonicalInput};
use crate::state::Marketplace;
use unilogin_core::secret::constant_time_eq;
use unilogin_core::store::StoreError;

/// Signatures dated further than this from server time are refused.
const MAX_SKEW_SECS: i64 = 15 * 60;
/// Consecutive bad signatures that lock an access key at one source address, and for how
/// long.
pub const MAX_FAILURES: u32 = 5;
pub const LOCKOUT: Duration = Duration::from_secs(5 * 60);

/// A request signed with one of a seller's access keys: the seller's tenant, and the body
/// the signature covered.
pub struct Signed {
    pub tenant: String,
    pub body: web::Bytes,
}

impl FromRequest for Signed {
    type Error = Rejected;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Rejected>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let req = req.clone();
        let body = web::Bytes::from_request(&req, payload);
        Box::pin(async move {
            let body = body
                .await
                .map_err(|_| Rejected::Signature("verify aksk signature fail"))?;
            let market = req
                .app_data::<web::Data<Marketplace>>()
                .cloned()
                .ok_or(Rejected::Unavailable)?;
            let tenant = verify(&req, &body, &market).await?;
            Ok(Signed { tenant, body })
        })
    }
}

/// Why a signed request was refused (the gateway's 401 answer).
#[derive(Debug, thiserror::Error)]
pub enum Rejected {
    #[error("{0}")]
    Signature(&'static str),
    #[error("the service is temporarily unavailable")]
    Unavailable,
}

/// The gateway's own refusal, before the marketplace sees the request.
#[derive(Serialize, utoipa::ToSchema)]
pub struct GatewayError<'a> {
    /// APIGW.0301 (bad signature) or APIGW.0500.
    error_code: &'a str,
    error_msg: &'a str,
    request_id: String,
}

impl ResponseError for Rejected {
    fn status_code(&self) -> StatusCode {
        match self {
            Self::Signature(_) => StatusCode::UNAUTHORIZED,
            Self::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
        }
    }

    fn error_response(&self) -> HttpResponse {
        let request_id = unilogin_core::secret::random_id(32);
        match self {
            Self::Signature(message) => HttpResponse::Unauthorized().json(GatewayError {
                error_code: "APIGW.0301",
                error_msg: message,
                request_id,
            }),
            Self::Unavailable => HttpResponse::ServiceUnavailable().json(GatewayError {
                error_code: "APIGW.0500",
                error_msg: "The service is temporarily unavailable, retry later",
                request_id,
            }),
        }
    }
}

impl From<StoreError> for Rejected {
    fn from(err: StoreError) -> Self {
        tracing::warn!(error = %err, "store failure while verifying a signature");
        Self::Unavailable
    }
}

/// Checks the request's signature; the merchant (tenant id) the access key belongs to.
async fn verify(req: &HttpRequest, body: &[u8], market: &Marketplace) -> Result<String, Rejected> {
    let fail = Rejected::Signature("verify aksk signature fail");
    let authorization = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(Authorization::parse)
        .ok_or(Rejected::Signature("verify aksk signature fail"))?;
    let signed = &authorization.signed_headers;
    if !signed.iter().any(|h| h == "host") || !signed.iter().any(|h| h == signing::DATE_HEADER) {
        return Err(Rejected::Signature("host and x-sdk-date must be signed"));
    }
    let lockout = &market.signature_lock;
    let ak = authorization.access_key.as_str();
    // Failures count per access key and source address: an outsider who knows an AK
    // locks only their own address out, never the owner's servers.
    let attempt = format!("{ak}|{}", unilogin_core::web::client_ip(req));
    let (locked, deletion) = lockout
        .is_locked_reading(&attempt, &key_cache::deleted_marker(ak))
        .await?;
    if locked {
        return Err(Rejected::Signature(
            "access key locked after repeated signature failures",
        ));
    }
    let header = |name: &str| -> Option<&str> {
        let mut values = req.headers().get_all(name);
        let value = values.next()?.to_str().ok()?;
        values.next().is_none().then_some(value)
    };
    let date =
        header(signing::DATE_HEADER).ok_or(Rejected::Signature("verify aksk signature fail"))?;
    let signed_at = unilogin_core::calendar::parse_sdk_date(date)
        .ok_or(Rejected::Signature("verify aksk signature fail"))?;
    if (market.clock.now_unix() - signed_at).abs() > MAX_SKEW_SECS {
        return Err(Rejected::Signature("signature expired"));
    }
    let mut signed_headers = Vec::with_capacity(signed.len());
    for name in signed {
        let value = header(name).ok_or(Rejected::Signature("verify aksk signature fail"))?;
        signed_headers.push((name.clone(), value.to_owned()));
    }
    let deleted_at = unilogin_core::store::ephemeral::parse_millis(deletion.as_deref());
    let Some(key) = market
        .access_keys
        .get(&market.store, ak, deleted_at)
        .await?
    else {
        lockout.failed(&attempt).await?;
        return Err(fail);
    };
    let secret = market
        .sealer
        .open(&key.access_key, &key.secret_sealed)
        .map_err(|err| {
            tracing::error!(error = %err, "an access key secret does not open");
            Rejected::Unavailable
        })?;
    // `X-Sdk-Content-Sha256` stands in for the body hash; with an empty body the Python
    // SDK still hashes the empty string, so both are accepted then.
    let mut hashes = Vec::with_capacity(2);
    match header(signing::CONTENT_SHA256_HEADER) {
        Some(declared) => {
            hashes.push(declared.to_owned());
            if body.is_empty() {
                hashes.push(signing::EMPTY_BODY_SHA256.to_owned());
            }
        }
        None => hashes.push(unilogin_core::secret::sha256_hex(body)),
    }
    let matches = hashes.iter().any(|hash| {
        let canonical = signing::canonical_request(&CanonicalInput {
            method: req.method().as_str(),
            raw_path: req.uri().path(),
            raw_query: req.query_string(),
            signed_headers: &signed_headers,
            payload_hash: hash,
        });
        let expected = signing::signature(
            secret.expose().as_bytes(),
            &signing::string_to_sign(date, &canonical),
        );
        constant_time_eq(expected.as_bytes(), authorization.signature.as_bytes())
    });
    if !matches {
        lockout.failed(&attempt).await?;
        return Err(fail);
    }
    lockout.succeeded(&attempt).await?;
    Ok(key.tenant_id)
}
