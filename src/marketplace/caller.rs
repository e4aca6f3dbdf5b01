//! Who is calling: a verified unilogin access token, and the roles it carries here.
//! - buyer: any signed-in user;
//! - seller: a user of a tenant registered as a merchant;
//! - operator: a platform reviewer (granted with `unilogin operator grant`).

use std::sync::Arc;

use actix_web::http::header;
use actix_web::HttpRequest;
use serde::Serialize;

use super::error::MarketError;
use super::store::Merchant;
use super::Marketplace;
use crate::tokens::{AccessClaims, Refusal};

pub struct Caller {
    pub claims: Arc<AccessClaims>,
    /// The caller's merchant, when their tenant is one.
    pub merchant: Option<Merchant>,
    pub operator: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Buyer,
    Seller,
    Operator,
}

impl Caller {
    /// Verifies the bearer token locally and looks up the caller's roles.
    pub async fn identify(req: &HttpRequest, market: &Marketplace) -> Result<Self, MarketError> {
        let header = req
            .headers()
            .get(header::AUTHORIZATION)
            .map(|v| v.as_bytes());
        let token = match crate::tokens::bearer_token(header) {
            Ok(Some(token)) => token,
            Ok(None) => return Err(MarketError::Unauthorized { missing: true }),
            Err(()) => return Err(MarketError::Unauthorized { missing: false }),
        };
        let claims = market
            .access
            .verify(token)
            .await
            .map_err(|refusal| match refusal {
                Refusal::Invalid => MarketError::Unauthorized { missing: false },
                Refusal::Unavailable(err) => MarketError::from(err),
            })?;
        // A client-credentials token speaks for an application, not a person: no roles.
        if claims.sid.is_empty() {
            return Ok(Self {
                claims,
                merchant: None,
                operator: false,
            });
        }
        let merchant = market.store.merchant(&claims.tenant).await?;
        let operator = market.store.is_operator(&claims.sub).await?;
        Ok(Self {
            claims,
            merchant,
            operator,
        })
    }

    pub fn is_user(&self) -> bool {
        !self.claims.sid.is_empty()
    }

    pub fn roles(&self) -> Vec<Role> {
        let mut roles = Vec::new();
        if self.is_user() {
            roles.push(Role::Buyer);
        }
        if self.merchant.is_some() {
            roles.push(Role::Seller);
        }
        if self.operator {
            roles.push(Role::Operator);
        }
        roles
    }

    /// The caller's merchant, or 403 when they are not a seller.
    pub fn seller(&self) -> Result<&Merchant, MarketError> {
        self.merchant.as_ref().ok_or_else(|| {
            MarketError::Forbidden("This needs the seller role: a user of a merchant tenant".into())
        })
    }
}
