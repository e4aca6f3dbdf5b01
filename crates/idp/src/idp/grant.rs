//! Turning a validated authorize request and a browser session into a code redirect.

use crate::domain::RedirectUri;
use crate::store::ephemeral::{BrowserSession, CodeGrant, PendingRequest};
use crate::store::StoreError;

use super::error::PageError;
use super::i18n::Lang;
use super::Idp;
use crate::idp::i18n::LoginTexts;

/// Why a signed-in user gets no code for a client.
#[derive(Debug)]
pub enum NoCode {
    /// The registration is disabled (a frozen or released instance) or gone.
    AppUnavailable,
    /// The app has no live instance for the user's tenant.
    NoInstance,
    /// The user's tenant has the app, but the user was not authorized for it.
    NotAuthorized,
    Store(StoreError),
}

impl From<StoreError> for NoCode {
    fn from(err: StoreError) -> Self {
        Self::Store(err)
    }
}

impl NoCode {
    /// A page saying so, in the user's language.
    pub fn page(self, lang: Lang) -> PageError {
        let texts = lang.texts();
        match self {
            Self::AppUnavailable => PageError::forbidden(lang, texts.app_unavailable),
            Self::NoInstance => PageError::forbidden(lang, texts.no_instance),
            Self::NotAuthorized => PageError::forbidden(lang, texts.not_authorized_for_app),
            Self::Store(err) => PageError::store(lang, err),
        }
    }
}

impl Idp {
    /// Whether `session`'s user may sign in to `client_id`: the registration is enabled,
    /// and one bound to a tenant signs in only that tenant's users it was authorized for.
    pub async fn may_sign_in(
        &self,
        client_id: &str,
        session: &BrowserSession,
    ) -> Result<(), NoCode> {
        let client = self
            .client(client_id)
            .await?
            .ok_or(NoCode::AppUnavailable)?;
        if client.disabled {
            return Err(NoCode::AppUnavailable);
        }
        if client.tenant_id.is_empty() {
            return Ok(());
        }
        if client.tenant_id != session.tenant_id {
            return Err(NoCode::NoInstance);
        }
        match self
            .durable
            .client_user_role(client_id, &session.user_id)
            .await?
        {
            Some(_) => Ok(()),
            None => Err(NoCode::NotAuthorized),
        }
    }

    /// Issues a code for `request` on behalf of `session` and returns where to send the
    /// browser: the redirect URI with `code`, `state` (if sent), `tenant`, and `iss`
    /// (RFC 9207, against mix-up attacks).
    pub async fn code_redirect(
        &self,
        request: &PendingRequest,
        session: &BrowserSession,
    ) -> Result<String, NoCode> {
        self.may_sign_in(&request.client_id, session).await?;
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
