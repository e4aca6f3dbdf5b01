//! The partner app's story, one method per step: authorize, sign in on the login page,
//! exchange the code, refresh, read userinfo, introspect, log out.

use oauth2::basic::BasicClient;
use oauth2::{
    AuthType, AuthUrl, AuthorizationCode, ClientId, ClientSecret, CsrfToken, IntrospectionUrl,
    RedirectUrl, RefreshToken, Scope, TokenUrl,
};
use reqwest::Response;

use super::*;

impl TestApp {
    /// The `oauth2` crate's client for `client`, with HTTP Basic authentication.
    pub fn oauth(&self, client: &TestClient) -> OAuthClient {
        let mut oauth = BasicClient::new(ClientId::new(client.id.clone()))
            .set_auth_uri(AuthUrl::new(self.url("/api/v1/oauth2/authorize")).unwrap())
            .set_token_uri(TokenUrl::new(self.url("/api/v1/oauth2/token")).unwrap())
            .set_introspection_url(
                IntrospectionUrl::new(self.url("/api/v1/oauth2/introspect")).unwrap(),
            )
            .set_redirect_uri(RedirectUrl::new(client.redirect_uri.clone()).unwrap());
        if let Some(secret) = &client.secret {
            oauth = oauth.set_client_secret(ClientSecret::new(secret.clone()));
        }
        oauth
    }

    /// The authorization URL the partner app sends the browser to, and its `state`.
    pub fn authorize_url(&self, client: &TestClient, scopes: &[&str]) -> (String, String) {
        let oauth = self.oauth(client);
        let mut request = oauth.authorize_url(CsrfToken::new_random);
        for scope in scopes {
            request = request.add_scope(Scope::new((*scope).to_owned()));
        }
        let (url, state) = request.url();
        (url.to_string(), state.secret().clone())
    }

    pub async fn get(&self, url: &str) -> Response {
        self.browser.get(url).send().await.expect("GET")
    }

    /// The text of the page at `url`, in this app's browser.
    pub async fn page(&self, url: &str) -> String {
        self.get(url).await.text().await.expect("page text")
    }

    /// The text of the page at `url`, asking for `language`.
    pub async fn page_in(&self, url: &str, language: &str) -> String {
        self.get_with_language(url, language)
            .await
            .text()
            .await
            .expect("page text")
    }

    pub async fn get_with_language(&self, url: &str, language: &str) -> Response {
        self.browser
            .get(url)
            .header("accept-language", language)
            .send()
            .await
            .expect("GET")
    }

    /// Submits the login form found at `form_url` with these credentials.
    pub async fn submit_login(&self, form_url: &str, username: &str, password: &str) -> Response {
        let page = self.get(form_url).await;
        assert_eq!(page.status(), 200, "login page at {form_url}");
        let html = page.text().await.unwrap();
        let mut fields = hidden_fields(&html);
        fields.push(("username".into(), username.into()));
        fields.push(("password".into(), password.into()));
        self.browser
            .post(self.url("/unified-login/portal-login"))
            .form(&fields)
            .send()
            .await
            .expect("POST login")
    }

    /// The whole browser leg: authorize → login page → credentials → back to the app.
    pub async fn login(&self, client: &TestClient, scopes: &[&str]) -> Callback {
        let (url, state) = self.authorize_url(client, scopes);
        let callback = self.login_at(&url, "alice", PASSWORD).await;
        assert_eq!(callback.state.as_deref(), Some(state.as_str()));
        callback
    }

    /// Follows an authorize URL through the login page (unless the browser's session
    /// answers at once) and returns the final redirect.
    pub async fn login_at(&self, authorize_url: &str, username: &str, password: &str) -> Callback {
        let response = self.get(authorize_url).await;
        assert_eq!(response.status(), 302, "authorize redirects");
        let to_login = location(&response);
        if to_login.starts_with("http") {
            return Callback::parse(&to_login);
        }
        assert!(
            to_login.starts_with("/unified-login/portal-login?req="),
            "{to_login}"
        );
        let posted = self
            .submit_login(&self.url(&to_login), username, password)
            .await;
        if posted.status() != 302 {
            let page = posted.text().await.unwrap_or_default();
            panic!("{username}'s login failed: {}", page_error(&page));
        }
        let resume = location(&posted);
        assert!(
            resume.starts_with("/api/v1/oauth2/authorize?req="),
            "{resume}"
        );
        let back = self.get(&self.url(&resume)).await;
        assert_eq!(back.status(), 302);
        Callback::parse(&location(&back))
    }

    /// Signs in and redeems the code: the usual start of a test.
    pub async fn signed_in_tokens(&self, scopes: &[&str]) -> oauth2::basic::BasicTokenResponse {
        let callback = self.login(&self.client, scopes).await;
        self.exchange_code(&self.client, callback.code.as_deref().unwrap())
            .await
            .expect("code exchange")
    }

    /// Signs in with `openid` and redeems the code by hand: the raw token response, which
    /// carries the `id_token` the `oauth2` crate would drop.
    pub async fn signed_in_oidc(&self) -> serde_json::Value {
        let callback = self.login(&self.client, &["openid"]).await;
        let response = self
            .redeem_raw(callback.code.as_deref().unwrap(), self.basic())
            .await;
        assert_eq!(response.status(), 200);
        response.json().await.expect("token response")
    }

    /// An application token of the default client (client credentials).
    pub async fn client_credentials(&self) -> String {
        let tokens = self
            .oauth(&self.client)
            .exchange_client_credentials()
            .request_async(&self.backchannel)
            .await
            .expect("client credentials grant");
        oauth2::TokenResponse::access_token(&tokens)
            .secret()
            .clone()
    }

    pub async fn exchange_code(&self, client: &TestClient, code: &str) -> TokenResult {
        self.oauth(client)
            .exchange_code(AuthorizationCode::new(code.to_owned()))
            .request_async(&self.backchannel)
            .await
    }

    pub async fn exchange_code_in_body(&self, client: &TestClient, code: &str) -> TokenResult {
        self.oauth(client)
            .set_auth_type(AuthType::RequestBody)
            .exchange_code(AuthorizationCode::new(code.to_owned()))
            .request_async(&self.backchannel)
            .await
    }

    pub async fn refresh(&self, client: &TestClient, refresh_token: &str) -> TokenResult {
        self.oauth(client)
            .exchange_refresh_token(&RefreshToken::new(refresh_token.to_owned()))
            .request_async(&self.backchannel)
            .await
    }

    /// HTTP Basic credentials of the default client.
    pub fn basic(&self) -> Option<(&str, &str)> {
        Some((
            self.client.id.as_str(),
            self.client.secret.as_deref().unwrap(),
        ))
    }

    /// A raw token request, for the cases a well-behaved client library never sends.
    pub async fn token_raw(&self, form: &[(&str, &str)], basic: Option<(&str, &str)>) -> Response {
        let mut request = self
            .backchannel
            .post(self.url("/api/v1/oauth2/token"))
            .form(form);
        if let Some((id, secret)) = basic {
            request = request.basic_auth(id, Some(secret));
        }
        request.send().await.expect("token request")
    }

    /// A form POST to a client-authenticated endpoint (introspection, revocation).
    pub async fn post_form(
        &self,
        path: &str,
        form: &[(&str, &str)],
        basic: Option<(&str, &str)>,
    ) -> Response {
        let mut request = self.backchannel.post(self.url(path)).form(form);
        if let Some((id, secret)) = basic {
            request = request.basic_auth(id, Some(secret));
        }
        request.send().await.expect("form POST")
    }

    /// Introspects `token` as `client` (RFC 7662), the JSON answer.
    pub async fn introspect(&self, client: &TestClient, token: &str) -> serde_json::Value {
        let response = self
            .post_form(
                "/api/v1/oauth2/introspect",
                &[("token", token)],
                Some((&client.id, client.secret.as_deref().unwrap())),
            )
            .await;
        assert_eq!(response.status(), 200);
        response.json().await.expect("introspection JSON")
    }

    /// Redeems `code` at the default client's redirect URI with these credentials, by hand.
    pub async fn redeem_raw(&self, code: &str, basic: Option<(&str, &str)>) -> Response {
        self.token_raw(
            &[
                ("grant_type", "authorization_code"),
                ("code", code),
                ("redirect_uri", &self.client.redirect_uri),
            ],
            basic,
        )
        .await
    }

    pub async fn userinfo(&self, access_token: &str) -> Response {
        self.backchannel
            .get(self.url("/api/v1/oauth2/userinfo"))
            .bearer_auth(access_token)
            .header("accept", "application/json")
            .send()
            .await
            .expect("userinfo")
    }

    pub async fn logout(&self, redirect_url: Option<&str>) -> Response {
        let url = match redirect_url {
            Some(target) => {
                let mut url = url::Url::parse(&self.url("/api/v1/logout")).unwrap();
                url.query_pairs_mut().append_pair("redirect_url", target);
                url.to_string()
            }
            None => self.url("/api/v1/logout"),
        };
        self.get(&url).await
    }
}
