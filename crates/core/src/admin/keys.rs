//! What the admin service needs to manage signing keys (its key operations are in
//! `service::keys`).

use std::path::PathBuf;
use std::sync::Arc;

use crate::keystore::KeyStore;
use crate::tokens::LiveKeys;

/// What key management needs: the sealed store, the longest token lifetime (how long a
/// retiring key must keep verifying), and, inside a server, the keys it signs with.
pub struct KeyAdmin {
    pub store: KeyStore,
    pub max_token_lifetime: i64,
    /// Key files of earlier versions to import first (the command line's keys directory).
    pub import_from: Option<PathBuf>,
    /// The running server's keys, refreshed at once after a rotation here.
    pub live: Option<Arc<LiveKeys>>,
}
