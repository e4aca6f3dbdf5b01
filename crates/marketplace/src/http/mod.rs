//! The marketplace's HTTP edge: who is calling, the errors rendered once, reading
//! request input, the wire shapes every route shares, and the role extractors that say in
//! a handler's signature who may call it.

pub mod caller;
pub mod error;
pub mod me;
pub mod request;
pub mod roles;
pub mod schema;
