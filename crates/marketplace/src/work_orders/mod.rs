//! Work orders (工单): a buyer's question about an order or a product, handled by the
//! seller's support with an SLA, escalated to operators when needed (reference §5.2).

pub mod api;
pub mod machine;
pub mod service;
pub mod store;
pub mod view;
