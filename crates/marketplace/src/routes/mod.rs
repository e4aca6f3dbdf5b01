//! The marketplace's route table: every path, method and handler, from which the router
//! is built and against which the OpenAPI document is checked; one list per area.

mod after_sale;
mod commerce;
pub mod document;
mod kit;
mod selling;

use unilogin_core::web::route_table::RouteEntry;

/// Every route the marketplace serves (full paths).
pub fn routes() -> Vec<RouteEntry> {
    [
        selling::routes(),
        kit::routes(),
        after_sale::routes(),
        commerce::routes(),
    ]
    .into_iter()
    .flatten()
    .collect()
}
