//! A restart on the same database and keys: issued tokens keep working, revoked ones stay
//! revoked.

use oauth2::TokenResponse;

use crate::helpers::{oauth_error, TestApp};

#[tokio::test]
async fn tokens_and_refresh_tokens_survive_a_restart() {
    let app = TestApp::spawn().await;
    let kept = app.signed_in_tokens(&[]).await;
    let jwks_before = app.page(&app.url("/api/v1/oauth2/jwks")).await;

    let app = {
        let mut app = app;
        app.browser = crate::helpers::browser();
        let revoked = app.signed_in_tokens(&[]).await;
        app.logout(None).await;
        let app = app.restart().await;
        assert_eq!(
            app.userinfo(revoked.access_token().secret()).await.status(),
            401,
            "a logged-out session stays dead after a restart"
        );
        app
    };

    let jwks_after = app.page(&app.url("/api/v1/oauth2/jwks")).await;
    assert_eq!(jwks_before, jwks_after, "the same keys are loaded");
    assert_eq!(
        app.userinfo(kept.access_token().secret()).await.status(),
        200
    );
    let refreshed = app
        .refresh(&app.client, kept.refresh_token().unwrap().secret())
        .await
        .expect("refresh after restart");
    assert_eq!(
        app.userinfo(refreshed.access_token().secret())
            .await
            .status(),
        200
    );
    assert_eq!(
        oauth_error(
            app.refresh(&app.client, kept.refresh_token().unwrap().secret())
                .await
        ),
        "invalid_grant"
    );
}
