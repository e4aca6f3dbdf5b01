//! What every workflow shares: the history log with comments and evidence, and the
//! attachments that evidence is.

pub mod attachments;
pub mod log;
