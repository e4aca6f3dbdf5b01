//! Everything the marketplace's handlers share, as one value in the app's data.

use std::sync::Arc;

use crate::sealing::Sealer;
use crate::store::MarketStore;
use crate::{inbox, kit};
use unilogin_core::store::ephemeral::FailureLock;
use unilogin_core::tokens::AccessVerifier;

/// Where the marketplace's API is served.
pub const BASE_PATH: &str = "/api/marketplace/v1";

/// Everything the marketplace's handlers share.
pub struct Marketplace {
    pub store: MarketStore,
    /// The products on sale, kept between searches.
    pub catalogue: crate::selling::catalogue::CatalogueCache,
    /// Our identifier as a resource server: tokens must name it in `aud`.
    pub audience: String,
    /// unilogin's issuer: where a tenant without a domain of its own redeems codes.
    pub issuer: String,
    pub clock: unilogin_core::clock::Clock,
    pub access: Arc<AccessVerifier>,
    pub sealer: Sealer,
    /// Five bad signatures in a row from one address lock that access key there for five
    /// minutes.
    pub signature_lock: FailureLock,
    /// Access keys, kept between signed requests.
    pub access_keys: crate::open_api::key_cache::AccessKeyCache,
    /// The store shared by every instance (markers that reach them all at once).
    pub ephemeral: unilogin_core::store::ephemeral::SharedEphemeral,
    /// Per-tenant registrations of joint-operation apps, through the admin service.
    pub admin: Arc<unilogin_core::admin::AdminService>,
    /// The one client for sellers' production URLs.
    pub outbound: Arc<unilogin_core::outbound::Outbound>,
    /// The calls to sellers' production URLs.
    pub outbox: kit::outbox::Outbox,
    /// Where in-site messages also go (e-mail, SMS), after their change commits.
    pub channels: inbox::Channels,
    /// How much each user may upload.
    pub upload_quota: crate::workflow::upload_quota::UploadQuota,
}
