//! The joint-operation kit.

mod outbox;
mod portal;
