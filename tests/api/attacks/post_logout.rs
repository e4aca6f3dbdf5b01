//! Post-logout redirects: a post-logout URI any seller typed on its kit app was a valid
//! `redirect_url` for everyone's logout — an open redirect with our name on it. It is
//! honoured only when registered by a client this browser session signed in to, or by
//! the client the request names; otherwise the logged-out page.

use crate::helpers::{location, TestApp};

const LOGGED_OUT: &str = "/unified-login/portal-login";

#[tokio::test]
async fn a_logout_goes_only_where_the_sessions_own_clients_registered() {
    let app = TestApp::spawn().await;
    // Another party registers its own post-logout URI.
    let evil = app
        .register_client("evil", &["https://evil.example/cb"], false)
        .await;

    // alice signs in through the partner app, and is sent off to evil's page.
    app.signed_in_tokens(&[]).await;
    let response = app.logout(Some(&evil.post_logout_uri)).await;
    assert_eq!(response.status(), 302);
    assert_eq!(location(&response), LOGGED_OUT);

    // Her own app's page is honoured: the session signed in to it.
    app.signed_in_tokens(&[]).await;
    let response = app.logout(Some(&app.client.post_logout_uri)).await;
    assert_eq!(location(&response), app.client.post_logout_uri);

    // Naming evil's client for a session that never used it does not help: the URI must
    // be the named client's, and alice's session is not evil's.
    app.signed_in_tokens(&[]).await;
    let named = format!(
        "/api/v1/logout?client_id={}&redirect_url={}",
        app.client.id,
        url::form_urlencoded::byte_serialize(evil.post_logout_uri.as_bytes()).collect::<String>()
    );
    let response = app.get(&app.url(&named)).await;
    assert_eq!(location(&response), LOGGED_OUT);

    // end_session holds the same line: the client named by the hint or by client_id.
    let end_session = format!(
        "/api/v1/oauth2/end_session?client_id={}&post_logout_redirect_uri={}",
        app.client.id,
        url::form_urlencoded::byte_serialize(evil.post_logout_uri.as_bytes()).collect::<String>()
    );
    let response = app.get(&app.url(&end_session)).await;
    assert_eq!(response.status(), 400);
}
