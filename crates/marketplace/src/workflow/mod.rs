//! What every workflow shares: the one writer of the workflow logs, the versioned step
//! (conditional update + log row in one call), count-and-page listing, and the attachments
//! that evidence is, with their quota.

pub mod attachments;
pub mod listing;
pub mod log;
pub mod side_routes;
pub mod sql;
pub mod upload_quota;
pub mod versioned;
