//! Who is calling: a verified unilogin access token issued for the marketplace, the
//! marketplace scopes it carries, and the roles it holds here:
//! - buyer: any signed-in user, with the buyer scope;
//! - seller: a user of a tenant registered as a merchant, with the seller scope;
//! - operator: a platform reviewer (granted with `unilogin operator grant`), with the
//!   operator scope.

use std::sync::Arc;

use actix_web::http::header;
use actix_web::HttpRequest;
use serde::Serialize;

use crate::http::error::MarketError;
use crate::state::Marketplace;
use crate::store::Merchant;
use unilogin_core::domain::resource::{
    MARKETPLACE_BUYER, MARKETPLACE_OPERATOR, MARKETPLACE_SELLER,
};
use unilogin_core::tokens::{AccessClaims, BearerRefusal};

pub struct Caller {
    pub claims: Arc<AccessClaims>,
    /// The caller's merchant, when their tenant is one.
    pub merchant: Option<Merchant>,
    pub is_operator: bool,
}

/// Which side of an after-sale record (an unsubscribe request, a supervision, a work
/// order) a caller acts from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    Buyer,
    Seller,
    Operator,
}

impl Side {
    pub fn actor(self) -> crate::subscriptions::machine::Actor {
        use crate::subscriptions::machine::Actor;
        match self {
            Self::Buyer => Actor::Buyer,
            Self::Seller => Actor::Seller,
            Self::Operator => Actor::Operator,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Buyer,
    Seller,
    Operator,
}

/// The claims of the request's bearer token, verified locally (issued for the
/// marketplace, and alive), without looking up any role.
pub async fn verified_claims(
    header: Option<&[u8]>,
    market: &Marketplace,
) -> Result<Arc<AccessClaims>, MarketError> {
    market
        .access
        .verify_bearer(header, &market.audience)
        .await
        .map_err(|refusal| match refusal {
            BearerRefusal::Missing => MarketError::Unauthorized { missing: true },
            BearerRefusal::Invalid => MarketError::Unauthorized { missing: false },
            BearerRefusal::WrongAudience => MarketError::InsufficientScope {
                scope: MARKETPLACE_BUYER,
                description: "This token was not issued for the marketplace: request \
                              a marketplace scope"
                    .into(),
            },
            BearerRefusal::Unavailable(err) => MarketError::from(err),
        })
}

impl Caller {
    /// Verifies the bearer token locally (issued for the marketplace, and alive) and looks
    /// up the caller's roles.
    pub async fn identify(req: &HttpRequest, market: &Marketplace) -> Result<Self, MarketError> {
        let header = req
            .headers()
            .get(header::AUTHORIZATION)
            .map(|v| v.as_bytes());
        Self::from_authorization(header, market).await
    }

    /// The caller an access token names (the marketplace console holds its user's token),
    /// checked exactly as a bearer token is.
    pub async fn from_access_token(token: &str, market: &Marketplace) -> Result<Self, MarketError> {
        let header = format!("Bearer {token}");
        Self::from_authorization(Some(header.as_bytes()), market).await
    }

    async fn from_authorization(
        header: Option<&[u8]>,
        market: &Marketplace,
    ) -> Result<Self, MarketError> {
        let claims = verified_claims(header, market).await?;
        // A client-credentials token speaks for an application, not a person: no roles.
        if claims.sid.is_empty() {
            return Ok(Self {
                claims,
                merchant: None,
                is_operator: false,
            });
        }
        let (merchant, is_operator) = market.store.roles_of(&claims.tenant, &claims.sub).await?;
        Ok(Self {
            claims,
            merchant,
            is_operator,
        })
    }

    pub fn is_user(&self) -> bool {
        !self.claims.sid.is_empty()
    }

    fn has_scope(&self, scope: &str) -> bool {
        self.claims.scope.split(' ').any(|s| s == scope)
    }

    fn require_scope(&self, scope: &'static str, what: &str) -> Result<(), MarketError> {
        if self.has_scope(scope) {
            return Ok(());
        }
        Err(MarketError::InsufficientScope {
            scope,
            description: format!("{what} needs a token with the {scope} scope"),
        })
    }

    /// The roles the token may act in: held here, and granted by its scopes.
    pub fn roles(&self) -> Vec<Role> {
        let mut roles = Vec::new();
        if self.is_user() && self.has_scope(MARKETPLACE_BUYER) {
            roles.push(Role::Buyer);
        }
        if self.merchant.is_some() && self.has_scope(MARKETPLACE_SELLER) {
            roles.push(Role::Seller);
        }
        if self.is_operator && self.has_scope(MARKETPLACE_OPERATOR) {
            roles.push(Role::Operator);
        }
        roles
    }

    /// The buying user's id, or 403.
    pub fn buyer(&self) -> Result<&str, MarketError> {
        if !self.is_user() {
            return Err(MarketError::Forbidden(
                "Buying is for signed-in users".into(),
            ));
        }
        self.require_scope(MARKETPLACE_BUYER, "Buying")?;
        Ok(&self.claims.sub)
    }

    /// The caller's merchant, or 403 when they are not a seller.
    pub fn seller(&self) -> Result<&Merchant, MarketError> {
        self.require_scope(MARKETPLACE_SELLER, "Selling")?;
        self.merchant.as_ref().ok_or_else(|| {
            MarketError::Forbidden("This needs the seller role: a user of a merchant tenant".into())
        })
    }

    /// 403 unless the caller is an operator acting with the operator scope.
    pub fn operator(&self) -> Result<(), MarketError> {
        self.require_scope(MARKETPLACE_OPERATOR, "Reviewing")?;
        if self.is_operator {
            Ok(())
        } else {
            Err(MarketError::Forbidden(
                "This needs the operator role".into(),
            ))
        }
    }

    /// 403 unless the caller holds `side`'s role.
    pub fn act_as(&self, side: Side) -> Result<(), MarketError> {
        match side {
            Side::Buyer => self.buyer().map(drop),
            Side::Seller => self.seller().map(drop),
            Side::Operator => self.operator(),
        }
    }

    /// Whether a record between `buyer_user_id` and the seller tenant is the caller's to
    /// see from `side` (403 when the caller lacks that side's role). Operators see all.
    pub fn sees(
        &self,
        side: Side,
        buyer_user_id: &str,
        seller_tenant_id: &str,
    ) -> Result<bool, MarketError> {
        self.act_as(side)?;
        Ok(match side {
            Side::Buyer => self.claims.sub == buyer_user_id,
            Side::Seller => self
                .merchant
                .as_ref()
                .is_some_and(|m| m.tenant_id == seller_tenant_id),
            Side::Operator => true,
        })
    }

    /// 403 unless the user signed in within the last `max_age` seconds (by `now`).
    pub fn signed_in_within(&self, max_age: i64, now: i64) -> Result<(), MarketError> {
        match self.claims.auth_time {
            Some(at) if now - at <= max_age => Ok(()),
            _ => Err(MarketError::StepUp { max_age }),
        }
    }
}
