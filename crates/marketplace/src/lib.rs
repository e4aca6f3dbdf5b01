//! unilogin's marketplace: a resource server. It trusts a request only through a
//! verified unilogin access token or AK/SK signature, and depends on the core only, never
//! on the identity provider: the compiler holds it to seeing the IdP through tokens.

// The core's modules under their own names, so that paths read the same in every crate.
pub use unilogin_core::{
    admin, cache, calendar, clock, config, domain, keystore, lifecycle, outbound, secret, store,
    telemetry, tokens, web,
};

pub mod marketplace;
