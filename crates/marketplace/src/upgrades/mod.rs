//! Upgrade rules (reference §5.4): a SaaS seller maps a source SKU to a dearer target
//! SKU billed by the same year or month; a CHANGE order of a live subscription follows
//! one, is priced pro rata for the rest of the subscription, and the production
//! interface's `upgrade` call moves the same instance.

pub mod api;
pub mod rules;
pub mod service;
pub mod store;
