//! unilogin's identity provider: the protocol (the kit's unified login page and
//! `authorize`, token, userinfo, logout, discovery, JWKS, introspection, revocation), the
//! admin REST API and the admin console. It stands on the core only.

// The core's modules under their own names, so that paths read the same in every crate.
pub use unilogin_core::{
    admin, cache, calendar, clock, config, domain, keystore, lifecycle, outbound, secret, store,
    telemetry, tokens, web,
};

pub mod admin_api;
pub mod console;
pub mod idp;
