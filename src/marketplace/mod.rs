//! The marketplace: a resource server that trusts only unilogin tokens and AK/SK
//! signatures. It never reads passwords or session cookies.

pub mod signing;
