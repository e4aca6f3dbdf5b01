//! The joint-operation kit.

mod outbox;
