//! Who may call a handler, said by its signature: `Caller` (any verified marketplace
//! token), `SignedIn` (a person's token, no roles looked up), `Buyer`, `Seller`, `Operator`
//! and `Partner`. Each is an actix extractor that verifies the bearer token, looks up the
//! caller's roles where it needs them and refuses (401/403, the marketplace's JSON error)
//! before the handler runs.

use std::future::Future;
use std::ops::Deref;
use std::pin::Pin;
use std::sync::Arc;

use actix_web::dev::Payload;
use actix_web::{web, FromRequest, HttpRequest};

use crate::discounts::store::PartnerRecord;
use crate::http::caller::{verified_claims, Caller};
use crate::http::error::MarketError;
use crate::state::Marketplace;
use crate::store::Merchant;
use unilogin_core::tokens::AccessClaims;

type Extracted<T> = Pin<Box<dyn Future<Output = Result<T, MarketError>>>>;

fn marketplace(req: &HttpRequest) -> Result<web::Data<Marketplace>, MarketError> {
    req.app_data::<web::Data<Marketplace>>()
        .cloned()
        .ok_or(MarketError::Internal)
}

/// Verifies the caller, then `check`s the role the handler needs.
fn extract<T: 'static>(
    req: &HttpRequest,
    check: impl FnOnce(Caller) -> Result<T, MarketError> + 'static,
) -> Extracted<T> {
    let req = req.clone();
    Box::pin(async move {
        let market = marketplace(&req)?;
        let caller = Caller::identify(&req, &market).await?;
        check(caller)
    })
}

impl FromRequest for Caller {
    type Error = MarketError;
    type Future = Extracted<Self>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        extract(req, Ok)
    }
}

/// A signed-in person's verified token, for the catalogue, which is open to every user
/// whatever their roles: no role is looked up. An application's token is refused.
pub struct SignedIn(pub Arc<AccessClaims>);

impl FromRequest for SignedIn {
    type Error = MarketError;
    type Future = Extracted<Self>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move {
            let market = marketplace(&req)?;
            let header = req
                .headers()
                .get(actix_web::http::header::AUTHORIZATION)
                .map(|v| v.as_bytes());
            let claims = verified_claims(header, &market).await?;
            if claims.sid.is_empty() {
                return Err(MarketError::Forbidden(
                    "The catalogue is for signed-in users".into(),
                ));
            }
            Ok(SignedIn(claims))
        })
    }
}

/// A signed-in user acting as a buyer (the buyer scope).
pub struct Buyer(pub Caller);

impl Buyer {
    /// The buying user's id.
    pub fn user_id(&self) -> &str {
        &self.0.claims.sub
    }
}

impl FromRequest for Buyer {
    type Error = MarketError;
    type Future = Extracted<Self>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        extract(req, |caller| {
            caller.buyer()?;
            Ok(Buyer(caller))
        })
    }
}

/// A user of a merchant tenant acting as its seller (the seller scope).
pub struct Seller {
    pub caller: Caller,
    pub merchant: Merchant,
}

impl FromRequest for Seller {
    type Error = MarketError;
    type Future = Extracted<Self>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        extract(req, |caller| {
            let merchant = caller.seller()?.clone();
            Ok(Seller { caller, merchant })
        })
    }
}

/// A platform operator (reviewer) acting with the operator scope.
pub struct Operator(pub Caller);

impl FromRequest for Operator {
    type Error = MarketError;
    type Future = Extracted<Self>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        extract(req, |caller| {
            caller.operator()?;
            Ok(Operator(caller))
        })
    }
}

/// A user of a tenant in the customer service provider plan that still qualifies.
pub struct Partner {
    pub caller: Caller,
    pub partner: PartnerRecord,
}

impl FromRequest for Partner {
    type Error = MarketError;
    type Future = Extracted<Self>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move {
            let market = marketplace(&req)?;
            let caller = Caller::identify(&req, &market).await?;
            let partner = crate::discounts::service::member(&market, &caller).await?;
            Ok(Partner { caller, partner })
        })
    }
}

impl Deref for Buyer {
    type Target = Caller;
    fn deref(&self) -> &Caller {
        &self.0
    }
}

impl Deref for Operator {
    type Target = Caller;
    fn deref(&self) -> &Caller {
        &self.0
    }
}
