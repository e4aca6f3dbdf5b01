//! A user's roles in the marketplace (their tenant a merchant, so they sell; they an
//! operator, who reviews), shown and changed by administrators. The marketplace keeps
//! them and plugs itself in here, so that the admin service, its API and console need
//! not depend on the marketplace.

use std::sync::Arc;

use async_trait::async_trait;
use serde_json::json;

use super::{Actor, AdminService};
use crate::admin::AdminError;
use crate::store::durable::UserRecord;
use crate::store::StoreError;

#[async_trait]
pub trait MarketRoles: Send + Sync {
    /// The merchant name of `tenant`, if it is a merchant.
    async fn merchant(&self, tenant: &str) -> Result<Option<String>, StoreError>;
    /// Registers `tenant` as a merchant named `name`; false if it already is one.
    async fn register_merchant(&self, tenant: &str, name: &str) -> Result<bool, StoreError>;
    async fn is_operator(&self, user_id: &str) -> Result<bool, StoreError>;
    /// Grants or takes away the operator role; false if the user already stood so.
    async fn set_operator(&self, user_id: &str, operator: bool) -> Result<bool, StoreError>;
}

/// Where a user stands in the marketplace.
pub struct MarketStanding {
    /// The merchant name of the user's tenant: its users sell under it.
    pub merchant: Option<String>,
    pub operator: bool,
}

/// A merchant's name as the storefront shows it: 1 to 128 printable characters.
fn merchant_name(name: &str) -> Result<&str, AdminError> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 128 || name.chars().any(char::is_control) {
        return Err(AdminError::Invalid(
            "merchant name must be 1 to 128 printable characters".into(),
        ));
    }
    Ok(name)
}

impl AdminService {
    /// With the marketplace's roles (shown on the user page, changed there and by the
    /// command line).
    pub fn with_market_roles(mut self, roles: Arc<dyn MarketRoles>) -> Self {
        self.market = Some(roles);
        self
    }

    fn market(&self) -> Result<&dyn MarketRoles, AdminError> {
        self.market
            .as_deref()
            .ok_or_else(|| AdminError::NotFound("no marketplace here".into()))
    }

    /// Where `user` stands in the marketplace; `None` without one.
    pub async fn market_standing(
        &self,
        user: &UserRecord,
    ) -> Result<Option<MarketStanding>, AdminError> {
        let Some(market) = self.market.as_deref() else {
            return Ok(None);
        };
        Ok(Some(MarketStanding {
            merchant: market.merchant(&user.tenant_id).await?,
            operator: market.is_operator(&user.id).await?,
        }))
    }

    /// Registers the tenant as a merchant: its users become sellers.
    pub async fn register_merchant(
        &self,
        actor: &Actor,
        tenant: &str,
        name: &str,
    ) -> Result<(), AdminError> {
        let market = self.market()?;
        let name = merchant_name(name)?;
        self.tenant(tenant).await?;
        if !market.register_merchant(tenant, name).await? {
            return Err(AdminError::Conflict(format!(
                "tenant {tenant} is already a merchant"
            )));
        }
        self.record(
            actor,
            "tenant.merchant_registered",
            tenant,
            json!({"merchant": name}),
        )
        .await
    }

    /// Grants (or takes away) the operator role: reviewing products and appeals.
    pub async fn set_operator(
        &self,
        actor: &Actor,
        user_id: &str,
        operator: bool,
    ) -> Result<(), AdminError> {
        let market = self.market()?;
        let user = self.user(user_id).await?;
        if !market.set_operator(&user.id, operator).await? {
            return Err(AdminError::Conflict(if operator {
                format!("{} is already an operator", user.username)
            } else {
                format!("{} is not an operator", user.username)
            }));
        }
        let action = if operator {
            "user.operator_granted"
        } else {
            "user.operator_revoked"
        };
        let mut changes = super::Changes::default();
        changes.note("operator", &!operator, &operator);
        self.record(actor, action, &user.id, changes.into_value())
            .await
    }
}
