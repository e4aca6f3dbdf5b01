//! Unsubscribing (reference §5.7): a buyer's request as a state machine, decided by pure
//! rules, with the seller's decision, appeals and returns.

pub mod api;
pub mod machine;
pub mod notices;
pub mod rules;
pub mod service;
pub mod steps_api;
pub mod store;
