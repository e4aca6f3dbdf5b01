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

/// The admin API's identifier is the issuer followed by this path.
pub const ADMIN_PATH: &str = "/api/admin";

/// Reading every registration, user, key and audit event (read-only automation).
pub const ADMIN_READ: &str = "admin.read";
/// Reading and changing them.
pub const ADMIN_WRITE: &str = "admin.write";

pub const ADMIN_SCOPES: [&str; 2] = [ADMIN_READ, ADMIN_WRITE];

pub fn admin_identifier(issuer: &str) -> String {
    format!("{issuer}{ADMIN_PATH}")
}

/// Whether `scope` is defined by a built-in resource server (the marketplace, the admin
/// API): registered resource servers may not define it.
pub fn is_builtin_scope(scope: &str) -> bool {
    MARKETPLACE_SCOPES.contains(&scope) || ADMIN_SCOPES.contains(&scope)
}

/// Whether `identifier` names a built-in resource server.
pub fn is_builtin_identifier(identifier: &str) -> bool {
    identifier.ends_with(MARKETPLACE_PATH) || identifier.ends_with(ADMIN_PATH)
}
