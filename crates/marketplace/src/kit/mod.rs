//! The joint-operation kit: sellers' apps and their instances per buyer tenant, the
//! production interface called on the seller's URL (V2-signed, `Body-Sign` checked,
//! through a durable outbox), and the secrets it delivers.

pub mod app_store;
pub mod apps;
pub mod buyer;
pub mod debug_api;
pub mod debug_cases;
pub mod dispatch;
pub mod exchange;
pub mod machine;
pub mod messages;
pub mod outbox;
pub mod outcomes;
pub mod payloads;
pub mod provisioning;
pub mod secret_delivery;
pub mod signing;
pub mod store;
pub mod sweep;
