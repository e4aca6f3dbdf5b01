//! unilogin's core: what both halves of the system stand on. The clock, settings and
//! validated input types; the durable and ephemeral stores and the keys at rest; token
//! signing and verification, the identity lifecycle and the admin service; outbound
//! calls, telemetry, and the web basics every surface shares. Nothing here imports the
//! crates above it (the identity provider, the marketplace, their consoles, the server).

pub mod admin;
pub mod cache;
pub mod calendar;
pub mod clock;
pub mod config;
pub mod domain;
pub mod keystore;
pub mod lifecycle;
pub mod outbound;
pub mod secret;
pub mod store;
pub mod telemetry;
pub mod tokens;
pub mod web;
