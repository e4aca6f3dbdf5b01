//! Selling: products published through review applications, the catalogue buyers
//! browse, and taking a product off sale.

pub mod api;
pub mod catalogue;
pub mod delivery;
pub mod listing;
pub mod machine;
pub mod product;
pub mod products;
pub mod queries;
pub mod store;
