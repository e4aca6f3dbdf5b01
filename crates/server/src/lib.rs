//! unilogin: an OAuth 2.0 / OpenID Connect identity provider for joint-operation SaaS login.
//! This crate is the server: startup (stores, keys and the actix app), the command line,
//! and the demo partner app; the rest lives in the crates it re-exports under their
//! modules' names (`unilogin::store`, `unilogin::idp`, `unilogin::marketplace`, …).

pub use unilogin_core::{
    admin, cache, calendar, clock, config, domain, keystore, lifecycle, outbound, secret, store,
    telemetry, tokens, web,
};
pub use unilogin_idp::{admin_api, console, idp};
pub use unilogin_market_console::market_console;
pub use unilogin_marketplace as marketplace;

pub mod cli;
pub mod demo;
pub mod startup;
