//! The built-in resource servers: their identifiers (the `aud` of their tokens) and the
//! API scopes they define. The identity provider registers them; each checks its own.

/// The marketplace's identifier is the issuer followed by this path.
pub const MARKETPLACE_PATH: &str = "/api/marketplace";

/// Buying: the catalogue, placing and reading one's orders.
pub const MARKETPLACE_BUYER: &str = "marketplace.buyer";
/// Selling: products, review applications, access keys, the orders of one's products.
pub const MARKETPLACE_SELLER: &str = "marketplace.seller";
/// Operating: the review queue.
pub const MARKETPLACE_OPERATOR: &str = "marketplace.operator";

pub const MARKETPLACE_SCOPES: [&str; 3] =
    [MARKETPLACE_BUYER, MARKETPLACE_SELLER, MARKETPLACE_OPERATOR];

pub fn marketplace_identifier(issuer: &str) -> String {
    format!("{issuer}{MARKETPLACE_PATH}")
}
