//! Subscriptions: what an order line starts (NEW, TRIAL) and later orders follow, as a
//! state machine with its clock (expiry, the 15-day freeze, release).

pub mod api;
pub mod clock;
pub mod machine;
pub mod service;
pub mod store;
