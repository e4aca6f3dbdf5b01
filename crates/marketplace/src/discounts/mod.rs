//! Exclusive discounts (专属优惠, reference §5.8): tenants an operator registered in the
//! customer service provider plan apply for a discount for a designated customer and
//! product; within their authorized discount it is effective at once with a private link
//! (and its QR code) that only that customer can use, deeper it waits for an operator.
//! An order through the link pays the discounted price and binds the partner.

pub mod api;
pub mod machine;
pub mod plan_api;
pub mod redeem;
pub mod service;
pub mod store;
