//! The identity provider's public paths: the kit's login API and the standard endpoints.
//! Other surfaces name them (in documents, links and redirects) without depending on the
//! identity provider itself.

pub const LOGIN_PATH: &str = "/unified-login/portal-login";
pub const SET_PASSWORD_PATH: &str = "/unified-login/set-password";
pub const AUTHORIZE_PATH: &str = "/api/v1/oauth2/authorize";
pub const TOKEN_PATH: &str = "/api/v1/oauth2/token";
pub const USERINFO_PATH: &str = "/api/v1/oauth2/userinfo";
pub const JWKS_PATH: &str = "/api/v1/oauth2/jwks";
pub const LOGOUT_PATH: &str = "/api/v1/logout";
pub const INTROSPECT_PATH: &str = "/api/v1/oauth2/introspect";
pub const REVOKE_PATH: &str = "/api/v1/oauth2/revoke";
pub const END_SESSION_PATH: &str = "/api/v1/oauth2/end_session";
