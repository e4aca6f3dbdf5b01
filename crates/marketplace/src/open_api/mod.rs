//! The signed open API for sellers' servers: their AK/SK pairs, the `SDK-HMAC-SHA256`
//! signature, and the order queries it answers.

pub mod access_keys;
pub mod api;
pub mod key_cache;
pub mod signed;
pub mod signing;
