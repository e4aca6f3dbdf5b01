//! Unsubscribing (reference §5.7): a buyer's request as a state machine, decided by pure
//! rules, with the seller's decision, appeals and returns; or, for non-supervised SaaS
//! and images, the buyer's own unsubscription in the billing centre.

pub mod api;
pub mod billing;
pub mod billing_api;
pub mod machine;
pub mod notices;
pub mod rules;
pub mod service;
pub mod steps_api;
pub mod store;
