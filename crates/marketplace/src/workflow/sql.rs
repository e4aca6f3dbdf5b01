//! Values a shared statement binds, in the order its placeholders appear. Column and
//! table names in these statements are always ours (constants), never input.

use sqlx::any::AnyArguments;
use sqlx::query::Query;
use sqlx::Any;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cell<'a> {
    Text(&'a str),
    /// Text made for this statement (attachments joined, say).
    Owned(String),
    MaybeText(Option<&'a str>),
    Int(i64),
    MaybeInt(Option<i64>),
}

impl<'a> From<&'a str> for Cell<'a> {
    fn from(value: &'a str) -> Self {
        Cell::Text(value)
    }
}

impl<'a> From<&'a String> for Cell<'a> {
    fn from(value: &'a String) -> Self {
        Cell::Text(value)
    }
}

impl<'a> From<Option<&'a str>> for Cell<'a> {
    fn from(value: Option<&'a str>) -> Self {
        Cell::MaybeText(value)
    }
}

impl<'a> From<&'a Option<String>> for Cell<'a> {
    fn from(value: &'a Option<String>) -> Self {
        Cell::MaybeText(value.as_deref())
    }
}

impl From<i64> for Cell<'_> {
    fn from(value: i64) -> Self {
        Cell::Int(value)
    }
}

impl From<Option<i64>> for Cell<'_> {
    fn from(value: Option<i64>) -> Self {
        Cell::MaybeInt(value)
    }
}

impl From<bool> for Cell<'_> {
    fn from(value: bool) -> Self {
        Cell::Int(i64::from(value))
    }
}

/// Binds `cells` to `query` in order.
pub fn bind_all<'q>(
    mut query: Query<'q, Any, AnyArguments<'q>>,
    cells: &[Cell<'q>],
) -> Query<'q, Any, AnyArguments<'q>> {
    for cell in cells {
        query = match cell {
            Cell::Text(value) => query.bind(*value),
            Cell::Owned(value) => query.bind(value.clone()),
            Cell::MaybeText(value) => query.bind(*value),
            Cell::Int(value) => query.bind(*value),
            Cell::MaybeInt(value) => query.bind(*value),
        };
    }
    query
}

pub use unilogin_core::store::durable::placeholders;
