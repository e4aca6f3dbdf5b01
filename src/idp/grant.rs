//! Turning a validated authorize request and a browser session into a code redirect.

use crate::domain::RedirectUri;
use crate::store::ephemeral::{BrowserSession, CodeGrant, PendingRequest};
use crate::store::StoreError;

use super::Idp;

impl Idp {
    /// Issues a code for `request` on behalf of `session` and returns where to send the
    /// browser: the redirect URI with `code`, `state` (if sent), `tenant`, and `iss`
    /// (RFC 9207, against mix-up attacks).
    pub async fn code_redirect(
        &self,
        request: &PendingRequest,
        session: &BrowserSession,
    ) -> Result<String, StoreError> {
        let code = self
            .codes
            .issue(&CodeGrant {
                client_id: request.client_id.clone(),
                redirect_uri: request.redirect_uri.clone(),
                redirect_uri_sent: request.redirect_uri_sent,
                user_id: session.user_id.clone(),
                tenant_id: session.tenant_id.clone(),
                sid: session.sid.clone(),
                scope: request.scope.clone(),
                auth_time: session.auth_time,
                code_challenge: request.code_challenge.clone(),
                nonce: request.nonce.clone(),
                audience: request.audience.clone(),
                issued_at: self.clock.now_unix(),
            })
            .await?;
        let redirect = RedirectUri::parse(&request.redirect_uri)
            .map_err(|e| StoreError::Corrupt(format!("stored redirect URI: {e}")))?;
        let mut params = vec![("code", code.as_str())];
        if let Some(state) = request.state.as_deref() {
            params.push(("state", state));
        }
        params.push(("tenant", session.tenant_id.as_str()));
        params.push(("iss", self.issuer.as_str()));
        Ok(redirect.with_query(&params))
    }
}
