//! The marketplace's HTTP edge: who is calling, the errors rendered once, reading
//! request input, and the wire shapes every route shares.

pub mod caller;
pub mod error;
pub mod request;
pub mod schema;
