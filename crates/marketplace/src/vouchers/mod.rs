//! Vouchers (代金券, reference §5.3): sellers publish spend-threshold vouchers for their
//! products or SKUs, buyers claim them within a quantity and a per-buyer limit, and an
//! order pays part of its amount with one (the pricing pipeline's voucher step).

pub mod api;
pub mod claim_store;
pub mod machine;
pub mod redeem;
pub mod service;
pub mod store;
pub mod terms;
