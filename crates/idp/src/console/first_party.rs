//! Signing a console of ours in through unilogin's own authorize endpoint, as a public
//! first-party client (code + PKCE), and out through RP-initiated logout. The admin
//! console and the marketplace console differ only in the client, the scopes and where
//! they live (`base`: `/console`, `/market`).

use std::time::Duration;

use actix_web::cookie::{Cookie, SameSite};
use actix_web::{HttpRequest, HttpResponse};
use base64::Engine;
use sha2::{Digest, Sha256};

use crate::idp::Idp;
use crate::secret::random_token;
use crate::store::ephemeral::{ConsoleSession, ConsoleSessions, ConsoleSignIn, SIGN_IN_WINDOW};
use crate::store::StoreError;

/// One console as a client of unilogin.
pub struct FirstParty<'a> {
    pub client_id: &'a str,
    /// Where the console lives: its cookie's path; `{base}/callback` is its redirect URI.
    pub base: &'a str,
    pub cookie: &'a str,
    /// Beyond `openid profile`.
    pub scopes: &'a [&'a str],
    pub issuer: &'a str,
    pub secure_cookies: bool,
    pub sessions: &'a ConsoleSessions,
}

/// Why a sign-in did not complete.
#[derive(Debug)]
pub enum SignInError {
    /// Unknown or used state, an error from authorize, or a refused code.
    Failed,
    Unavailable,
    Store(StoreError),
}

impl From<StoreError> for SignInError {
    fn from(err: StoreError) -> Self {
        Self::Store(err)
    }
}

pub fn see_other(location: &str) -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header((actix_web::http::header::LOCATION, location))
        .finish()
}

impl FirstParty<'_> {
    fn callback_uri(&self) -> String {
        format!("{}{}/callback", self.issuer, self.base)
    }

    /// The cookie that binds a pending sign-in to the browser that started it: without
    /// it, a callback link from someone else's sign-in (login CSRF) would sign this
    /// browser into their account.
    fn binding_cookie(&self) -> String {
        format!("{}_sign_in", self.cookie)
    }

    fn binding(&self, state: &str, max_age: i64) -> Cookie<'static> {
        Cookie::build(self.binding_cookie(), state.to_owned())
            .path(self.base.to_owned())
            .http_only(true)
            .same_site(SameSite::Lax)
            .secure(self.secure_cookies)
            .max_age(actix_web::cookie::time::Duration::seconds(max_age))
            .finish()
    }

    /// A page of the console at `base` (or one of its paths with a query), else its
    /// home: nothing else is a place to send the browser back to.
    pub fn safe_return_for(base: &str, raw: &str) -> String {
        let home = format!("{base}/");
        if raw.starts_with(&home)
            && !raw.contains("//")
            && !raw.contains('\\')
            && !raw.chars().any(char::is_control)
            && raw.len() <= 512
        {
            raw.to_owned()
        } else {
            home
        }
    }

    /// Off to authorize, coming back to `return_to`; `fresh` asks for the password again
    /// (`prompt=login`), for actions that need a recent sign-in.
    pub async fn begin(&self, return_to: String, fresh: bool) -> Result<HttpResponse, StoreError> {
        let code_verifier = random_token() + &random_token();
        let state = self
            .sessions
            .start_sign_in(&ConsoleSignIn {
                code_verifier: code_verifier.clone(),
                return_to,
            })
            .await?;
        let redirect_uri = self.callback_uri();
        let scope = format!("openid profile {}", self.scopes.join(" "));
        let challenge = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .encode(Sha256::digest(code_verifier.as_bytes()));
        let mut pairs = vec![
            ("response_type", "code"),
            ("client_id", self.client_id),
            ("redirect_uri", redirect_uri.as_str()),
            ("scope", scope.as_str()),
            ("state", state.as_str()),
            ("code_challenge", challenge.as_str()),
            ("code_challenge_method", "S256"),
        ];
        if fresh {
            pairs.push(("prompt", "login"));
        }
        let location = crate::web::url_with_query(
            &format!("{}{}", self.issuer, crate::idp::AUTHORIZE_PATH),
            &pairs,
        );
        let mut response = see_other(&location);
        let _ = response.add_cookie(&self.binding(&state, SIGN_IN_WINDOW.as_secs() as i64));
        Ok(response)
    }

    /// `{base}/callback?code=&state=`: the code is redeemed in this process, with the
    /// same checks the token endpoint makes, and the session opens with its cookie.
    pub async fn finish(&self, req: &HttpRequest, idp: &Idp) -> Result<HttpResponse, SignInError> {
        let state = super::query(req, "state");
        let bound = req
            .cookie(&self.binding_cookie())
            .is_some_and(|cookie| !state.is_empty() && cookie.value() == state);
        if !bound {
            tracing::info!(
                client = self.client_id,
                "console sign-in: callback from another browser refused"
            );
            return Err(SignInError::Failed);
        }
        let Some(sign_in) = self.sessions.finish_sign_in(&state).await? else {
            return Err(SignInError::Failed);
        };
        // An error from authorize (the user cancelled, or the request was refused).
        let code = super::query(req, "code");
        if code.is_empty() {
            return Err(SignInError::Failed);
        }
        let tokens = crate::idp::redeem_first_party_code(
            idp,
            self.client_id,
            &code,
            &self.callback_uri(),
            &sign_in.code_verifier,
        )
        .await
        .map_err(|err| match err {
            crate::idp::OAuthError::TemporarilyUnavailable => SignInError::Unavailable,
            other => {
                tracing::info!(error = %other, client = self.client_id, "console sign-in: code refused");
                SignInError::Failed
            }
        })?;
        let session = ConsoleSession {
            access_token: tokens.access_token,
            id_token: tokens.id_token.unwrap_or_default(),
            csrf: random_token(),
        };
        let lifetime = Duration::from_secs(tokens.expires_in);
        let token = self.sessions.open(&session, lifetime).await?;
        let cookie = Cookie::build(self.cookie, token)
            .path(self.base)
            .http_only(true)
            .same_site(SameSite::Lax)
            .secure(self.secure_cookies)
            .max_age(actix_web::cookie::time::Duration::seconds(
                tokens.expires_in as i64,
            ))
            .finish();
        let mut response = see_other(&sign_in.return_to);
        let _ = response.add_cookie(&cookie);
        let _ = response.add_cookie(&self.binding("", 0));
        Ok(response)
    }

    /// Ends the session `cookie` here and the unilogin session through RP-initiated
    /// logout, which comes back to the console's home.
    pub async fn end(&self, cookie: &str, id_token: &str) -> Result<HttpResponse, StoreError> {
        self.sessions.close(cookie).await?;
        let home = format!("{}{}/", self.issuer, self.base);
        let location = crate::web::url_with_query(
            &format!("{}{}", self.issuer, crate::idp::END_SESSION_PATH),
            &[
                ("id_token_hint", id_token),
                ("client_id", self.client_id),
                ("post_logout_redirect_uri", home.as_str()),
            ],
        );
        let mut response = see_other(&location);
        let mut removal = Cookie::build(self.cookie, "").path(self.base).finish();
        removal.make_removal();
        let _ = response.add_cookie(&removal);
        Ok(response)
    }
}
