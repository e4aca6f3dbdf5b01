//! Service supervision (服务监管): the seller's delivery of a supervised order line held
//! until the buyer accepts it, with appeals to operators (reference §5.1).

pub mod api;
pub mod machine;
pub mod service;
pub mod store;
