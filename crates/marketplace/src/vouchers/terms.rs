//! What a seller publishes: a voucher's terms, parsed at the edge, and the scope it
//! applies to.

use serde::{Deserialize, Serialize};

use crate::http::error::MarketError;
use crate::orders::pricing::MAX_AMOUNT;

pub const MAX_QUANTITY: i64 = 1_000_000;
pub const MAX_PER_BUYER: i64 = 100;
/// The longest validity, in days.
pub const MAX_DAYS: i64 = 366;
const DAY: i64 = 86_400;

/// A product, or one SKU of it, that a voucher applies to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ScopeItem {
    pub product_id: String,
    /// Scope `skus` only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sku_code: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScopeKind {
    /// Every product of the seller.
    All,
    Products,
    Skus,
}

impl ScopeKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::All => "all",
            Self::Products => "products",
            Self::Skus => "skus",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        [Self::All, Self::Products, Self::Skus]
            .into_iter()
            .find(|k| k.as_str() == raw)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scope {
    pub kind: ScopeKind,
    pub items: Vec<ScopeItem>,
}

impl Scope {
    /// Whether an order of this seller's `product_id` / `sku_code` qualifies.
    pub fn covers(&self, product_id: &str, sku_code: &str) -> bool {
        match self.kind {
            ScopeKind::All => true,
            ScopeKind::Products => self.items.iter().any(|i| i.product_id == product_id),
            ScopeKind::Skus => self
                .items
                .iter()
                .any(|i| i.product_id == product_id && i.sku_code.as_deref() == Some(sku_code)),
        }
    }

    /// Whether any of the product's SKUs qualifies (the product page offers it).
    pub fn touches(&self, product_id: &str) -> bool {
        self.kind == ScopeKind::All || self.items.iter().any(|i| i.product_id == product_id)
    }
}

/// A voucher as the seller sends it (unknown fields are refused).
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[schema(as = VoucherRequest)]
#[schema(example = json!({"name": "新客立减 10 元", "faceValue": 1000, "minimumSpend": 5000, "validFrom": "2027-01-01", "validUntil": "2027-03-31", "scope": "all", "totalQuantity": 500}))]
pub struct RawVoucher {
    /// 1 to 60 characters.
    name: String,
    /// Minor units (fen) taken off.
    #[schema(minimum = 1)]
    face_value: i64,
    /// The amount (after any exclusive discount) from which it applies; 0: any.
    #[serde(default)]
    #[schema(minimum = 0, default = 0)]
    minimum_spend: i64,
    /// yyyy-MM-dd (UTC), the first day it can be used.
    valid_from: String,
    /// yyyy-MM-dd (UTC), the last day it can be used (at most 366 days after validFrom).
    valid_until: String,
    /// `all` (every product of yours), `products` or `skus`.
    scope: String,
    /// The products (`products`) or product SKUs (`skus`) it applies to.
    #[serde(default)]
    items: Vec<ScopeItem>,
    #[schema(minimum = 1, maximum = 1000000)]
    total_quantity: i64,
    #[serde(default = "one")]
    #[schema(minimum = 1, maximum = 100, default = 1)]
    per_buyer_limit: i64,
    /// false: not usable together with an exclusive discount.
    #[serde(default = "yes")]
    #[schema(default = true)]
    combinable: bool,
}

fn one() -> i64 {
    1
}

fn yes() -> bool {
    true
}

/// Checked terms; the scope's products are checked against the store by the caller.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Terms {
    pub name: String,
    pub face_value: i64,
    pub minimum_spend: i64,
    pub valid_from: i64,
    /// The first second it is no longer valid.
    pub valid_until: i64,
    pub scope: Scope,
    pub total_quantity: i64,
    pub per_buyer_limit: i64,
    pub combinable: bool,
}

fn invalid(message: impl Into<String>) -> MarketError {
    MarketError::Invalid(message.into())
}

/// Parses a publish request; `now` refuses a validity already over.
pub fn parse(body: &[u8], now: i64) -> Result<Terms, MarketError> {
    let raw: RawVoucher =
        serde_json::from_slice(body).map_err(|e| invalid(format!("voucher body: {e}")))?;
    let name = raw.name.trim().to_owned();
    if name.is_empty() || name.chars().count() > 60 || name.chars().any(char::is_control) {
        return Err(invalid("name is 1 to 60 characters"));
    }
    if !(1..=MAX_AMOUNT).contains(&raw.face_value) {
        return Err(invalid(format!("faceValue is 1 to {MAX_AMOUNT} fen")));
    }
    if !(0..=MAX_AMOUNT).contains(&raw.minimum_spend) {
        return Err(invalid(format!("minimumSpend is 0 to {MAX_AMOUNT} fen")));
    }
    let calendar = unilogin_core::calendar::local();
    let refused = |field: &str| invalid(format!("{field} is yyyy-MM-dd"));
    let valid_from = calendar
        .parse_day(&raw.valid_from)
        .ok_or_else(|| refused("validFrom"))?;
    // Valid through the whole last day, in the configured zone.
    let valid_until = calendar
        .parse_day_end(&raw.valid_until)
        .ok_or_else(|| refused("validUntil"))?;
    if valid_until <= valid_from || valid_until - valid_from > MAX_DAYS * DAY {
        return Err(invalid(format!(
            "validUntil is on or after validFrom, at most {MAX_DAYS} days later"
        )));
    }
    if valid_until <= now {
        return Err(invalid("the validity is already over"));
    }
    if !(1..=MAX_QUANTITY).contains(&raw.total_quantity) {
        return Err(invalid(format!("totalQuantity is 1 to {MAX_QUANTITY}")));
    }
    if !(1..=MAX_PER_BUYER.min(raw.total_quantity)).contains(&raw.per_buyer_limit) {
        return Err(invalid(format!(
            "perBuyerLimit is 1 to {MAX_PER_BUYER}, and not above totalQuantity"
        )));
    }
    let kind =
        ScopeKind::parse(&raw.scope).ok_or_else(|| invalid("scope is all, products or skus"))?;
    let items = raw.items;
    match kind {
        ScopeKind::All if !items.is_empty() => {
            return Err(invalid("scope all takes no items"));
        }
        ScopeKind::Products | ScopeKind::Skus if items.is_empty() || items.len() > 50 => {
            return Err(invalid(format!(
                "scope {} needs 1 to 50 items",
                kind.as_str()
            )));
        }
        ScopeKind::Products if items.iter().any(|i| i.sku_code.is_some()) => {
            return Err(invalid("scope products names products only: no skuCode"));
        }
        ScopeKind::Skus if items.iter().any(|i| i.sku_code.is_none()) => {
            return Err(invalid("scope skus needs a skuCode in every item"));
        }
        _ => {}
    }
    let mut seen = std::collections::HashSet::new();
    if !items
        .iter()
        .all(|i| seen.insert((&i.product_id, &i.sku_code)))
    {
        return Err(invalid("an item is named twice"));
    }
    Ok(Terms {
        name,
        face_value: raw.face_value,
        minimum_spend: raw.minimum_spend,
        valid_from,
        valid_until,
        scope: Scope { kind, items },
        total_quantity: raw.total_quantity,
        per_buyer_limit: raw.per_buyer_limit,
        combinable: raw.combinable,
    })
}
