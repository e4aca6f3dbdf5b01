//! Who is calling the admin API: a verified unilogin access token issued for it, with
//! `admin.read` (reads) or `admin.write` (reads and changes). A token that speaks for a
//! person must belong to a platform administrator, checked on every request so that a
//! revoked administrator is refused at once; a client-credentials token speaks for a
//! client that an administrator granted the admin scopes.
//!
//! Handlers say which they need in their signature: `Reader` (admin.read or admin.write)
//! or `Writer` (admin.write), extractors that refuse before the handler runs.

use std::future::Future;
use std::pin::Pin;

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{web, FromRequest, HttpRequest};

use super::problem::ApiError;
use super::AdminApi;
use crate::admin::Actor;
use crate::domain::resource::{ADMIN_READ, ADMIN_WRITE};
use crate::tokens::BearerRefusal;

/// What the route does to the data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    Read,
    Write,
}

pub struct Caller {
    pub actor: Actor,
}

impl Caller {
    pub async fn identify(
        req: &HttpRequest,
        api: &AdminApi,
        access: Access,
    ) -> Result<Self, ApiError> {
        let header = req
            .headers()
            .get(header::AUTHORIZATION)
            .map(|v| v.as_bytes());
        let claims = api
            .access
            .verify_bearer(header, &api.audience)
            .await
            .map_err(|refusal| match refusal {
                BearerRefusal::Missing => ApiError::Unauthorized { missing: true },
                BearerRefusal::Invalid => ApiError::Unauthorized { missing: false },
                BearerRefusal::WrongAudience => ApiError::InsufficientScope {
                    scope: ADMIN_READ,
                    description: "This token was not issued for the admin API: request \
                                  admin.read or admin.write"
                        .into(),
                },
                BearerRefusal::Unavailable(err) => ApiError::from(err),
            })?;
        let scopes: Vec<&str> = claims.scope.split_whitespace().collect();
        let allowed = match access {
            Access::Read => scopes.contains(&ADMIN_READ) || scopes.contains(&ADMIN_WRITE),
            Access::Write => scopes.contains(&ADMIN_WRITE),
        };
        if !allowed {
            let scope = if access == Access::Read {
                ADMIN_READ
            } else {
                ADMIN_WRITE
            };
            return Err(ApiError::InsufficientScope {
                scope,
                description: format!("This needs the {scope} scope"),
            });
        }
        let address = crate::web::client_ip(req);
        if claims.sid.is_empty() {
            return Ok(Self {
                actor: Actor::client(&claims.client_id, &address),
            });
        }
        match api.service.platform_admin(&claims.sub).await? {
            Some(user) => Ok(Self {
                actor: Actor::user(&user.id, &address),
            }),
            None => Err(ApiError::Forbidden(
                "Only platform administrators may use the admin API".into(),
            )),
        }
    }
}

/// A caller allowed to read (admin.read or admin.write); reads are not audited, so who
/// it is matters only for letting it in.
pub struct Reader;

/// A caller allowed to change (admin.write).
pub struct Writer(pub Caller);

type Extracted<T> = Pin<Box<dyn Future<Output = Result<T, ApiError>>>>;

fn extract<T: 'static>(req: &HttpRequest, access: Access, wrap: fn(Caller) -> T) -> Extracted<T> {
    let req = req.clone();
    Box::pin(async move {
        let api = req
            .app_data::<web::Data<AdminApi>>()
            .cloned()
            .ok_or(ApiError::Internal)?;
        Caller::identify(&req, &api, access).await.map(wrap)
    })
}

impl FromRequest for Reader {
    type Error = ApiError;
    type Future = Extracted<Self>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        extract(req, Access::Read, |_| Reader)
    }
}

impl FromRequest for Writer {
    type Error = ApiError;
    type Future = Extracted<Self>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        extract(req, Access::Write, Writer)
    }
}
