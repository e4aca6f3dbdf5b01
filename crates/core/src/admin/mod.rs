//! Management of tenants, users and client registrations. `AdminService` is the one way
//! in for every surface (the command line, the admin API and the console); the functions
//! re-exported beside it (`create_user`, `create_client`, …) are its storage steps, also
//! used to seed demo and test data. Input arrives already parsed into domain types.

mod audit_csv;
mod clients;
pub mod daily_counts;
mod keys;
mod passwords;
mod service;
mod users;

pub use audit_csv::{csv_attachment, events_csv};
pub use clients::{
    create_client, create_resource_server, delete_client, list_clients, rotate_secret,
    set_client_scopes, ClientListing, CreatedClient, NewClientRequest, SecretRotation,
    MAX_SECRET_GRACE_SECONDS,
};
pub use keys::KeyAdmin;
pub use passwords::PasswordHasher;
pub use service::{
    Actor, AdminService, AppRole, ClientUpdate, MarketRoles, MarketStanding, TenantUpdate,
    UserUpdate,
};
pub use users::{create_tenant, create_user, disable_user, set_password, NewUserRequest};

use crate::store::StoreError;

/// The console's client id: a public client (code + PKCE) registered at every start.
pub const CONSOLE_CLIENT_ID: &str = "unilogin-console";
/// The marketplace console's own registration (`/market/`), maintained like the console's.
pub const MARKET_CONSOLE_CLIENT_ID: &str = "unilogin-market";

#[derive(Debug, thiserror::Error)]
pub enum AdminError {
    #[error("{0}")]
    Invalid(String),
    #[error("{0}")]
    Conflict(String),
    #[error("{0}")]
    NotFound(String),
    /// The record changed since the version the caller read.
    #[error("changed since it was read")]
    Stale,
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<crate::domain::Invalid> for AdminError {
    fn from(err: crate::domain::Invalid) -> Self {
        Self::Invalid(err.0)
    }
}

/// A random UUID (version 4) in its usual text form, for user ids.
pub fn new_uuid() -> String {
    use rand::RngCore;
    let mut b = [0u8; 16];
    rand::rng().fill_bytes(&mut b);
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let hex: String = b.iter().map(|x| format!("{x:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    )
}
