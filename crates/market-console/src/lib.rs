//! unilogin's marketplace console at `/market/`: server-rendered pages that call the
//! marketplace's services (never its HTTP handlers), signed in through unilogin like the
//! admin console, whose chrome they share.

// The crates below under their modules' own names, so that paths read the same here.
pub use unilogin_core::{
    admin, cache, calendar, clock, config, domain, keystore, lifecycle, outbound, secret, store,
    telemetry, tokens, web,
};
pub use unilogin_idp::{admin_api, console, idp};
pub use unilogin_marketplace as marketplace;

pub mod market_console;
