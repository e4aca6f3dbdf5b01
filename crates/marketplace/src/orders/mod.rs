//! Orders: a buyer's order of a product on sale, priced through the pricing pipeline
//! (list → exclusive discount → voucher → amount), quoted before it is placed, and what
//! follows it (invoices, shipping and receipt).

pub mod api;
pub mod fulfilment;
pub mod fulfilment_store;
pub mod pricing;
pub mod quotes;
pub mod request;
pub mod store;
