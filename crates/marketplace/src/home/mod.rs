//! What each role has to do next: the counts a home page shows and `GET /me/todos`
//! returns. A read model over the workflows' tables with no state of its own (so no
//! machine): `service.rs` decides what counts, `store.rs` counts it in one query per role.

pub mod api;
pub mod service;
mod store;

pub use service::{todos, BuyerTodos, OperatorTodos, SellerTodos, Todos};
