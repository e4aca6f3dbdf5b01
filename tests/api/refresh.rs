//! The `refresh_token` grant: rotation, family revocation on reuse, scope narrowing.

use std::time::Duration;

use oauth2::TokenResponse;

use crate::helpers::{oauth_error, TestApp};

#[tokio::test]
async fn every_refresh_rotates_the_token() {
    let app = TestApp::spawn().await;
    let tokens = app.signed_in_tokens(&[]).await;
    let first = tokens.refresh_token().unwrap().secret().clone();

    let refreshed = app.refresh(&app.client, &first).await.expect("refresh");
    let second = refreshed
        .refresh_token()
        .expect("always a new refresh token")
        .secret();
    assert_ne!(&first, second);
    assert_ne!(
        tokens.access_token().secret(),
        refreshed.access_token().secret()
    );
    assert_eq!(
        app.userinfo(refreshed.access_token().secret())
            .await
            .status(),
        200
    );

    let third = app
        .refresh(&app.client, second)
        .await
        .expect("chain goes on");
    assert!(third.refresh_token().is_some());
}

#[tokio::test]
async fn a_spent_refresh_token_revokes_its_whole_family() {
    // No grace window: every reuse counts as theft.
    let app = TestApp::spawn_with(|s| s.lifetimes.refresh_grace = Duration::ZERO).await;
    let tokens = app.signed_in_tokens(&[]).await;
    let first = tokens.refresh_token().unwrap().secret().clone();
    let refreshed = app.refresh(&app.client, &first).await.expect("refresh");
    let successor = refreshed.refresh_token().unwrap().secret().clone();

    let reuse = app.refresh(&app.client, &first).await;
    assert_eq!(oauth_error(reuse), "invalid_grant");

    let response = app
        .token_raw(
            &[
                ("grant_type", "refresh_token"),
                ("refresh_token", &successor),
            ],
            app.basic(),
        )
        .await;
    let (status, error, description) = crate::helpers::error_of(response).await;
    assert_eq!(
        (status, error.as_str(), description.as_str()),
        (400, "invalid_grant", "Invalid refresh token")
    );
    // Access tokens of the family die too.
    assert_eq!(
        app.userinfo(refreshed.access_token().secret())
            .await
            .status(),
        401
    );
    // A fresh login is unaffected.
    let fresh = app.signed_in_tokens(&[]).await;
    assert_eq!(
        app.userinfo(fresh.access_token().secret()).await.status(),
        200
    );
}

#[tokio::test]
async fn refresh_may_narrow_the_scope_but_never_widen_it() {
    let app = TestApp::spawn().await;
    let tokens = app.signed_in_tokens(&["openid", "email"]).await;
    let refresh = tokens.refresh_token().unwrap().secret().clone();
    let auth = app.basic();

    let wider = app
        .token_raw(
            &[
                ("grant_type", "refresh_token"),
                ("refresh_token", &refresh),
                ("scope", "openid phone"),
            ],
            auth,
        )
        .await;
    assert_eq!(crate::helpers::error_of(wider).await.1, "invalid_scope");

    let narrower = app
        .token_raw(
            &[
                ("grant_type", "refresh_token"),
                ("refresh_token", &refresh),
                ("scope", "openid"),
            ],
            auth,
        )
        .await;
    assert_eq!(narrower.status(), 200);
    let body: serde_json::Value = narrower.json().await.unwrap();
    assert_eq!(body["scope"], "openid");
    // The successor still carries the original grant.
    let next = app
        .refresh(&app.client, body["refresh_token"].as_str().unwrap())
        .await
        .expect("refresh");
    let scopes: Vec<String> = next
        .scopes()
        .unwrap()
        .iter()
        .map(|s| s.to_string())
        .collect();
    assert!(scopes.contains(&"email".to_owned()), "{scopes:?}");
}

#[tokio::test]
async fn a_refresh_token_belongs_to_its_client() {
    let app = TestApp::spawn().await;
    let other = app
        .register_client("other", &["https://other.example/callback"], false)
        .await;
    let tokens = app.signed_in_tokens(&[]).await;
    let refresh = tokens.refresh_token().unwrap().secret().clone();
    assert_eq!(
        oauth_error(app.refresh(&other, &refresh).await),
        "invalid_grant"
    );
    app.refresh(&app.client, &refresh)
        .await
        .expect("the owner still can");
    assert_eq!(
        oauth_error(app.refresh(&app.client, "not-a-token").await),
        "invalid_grant"
    );
}

#[tokio::test]
async fn of_two_concurrent_refreshes_one_wins_and_the_family_survives_the_loser() {
    let app = TestApp::spawn().await;
    let tokens = app.signed_in_tokens(&[]).await;
    let token = tokens.refresh_token().unwrap().secret().clone();
    let (a, b) = tokio::join!(
        app.refresh(&app.client, &token),
        app.refresh(&app.client, &token)
    );
    let (winner, loser) = match (a, b) {
        (Ok(winner), Err(loser)) | (Err(loser), Ok(winner)) => (winner, loser),
        (a, b) => panic!(
            "exactly one refresh must win: {:?} / {:?}",
            a.is_ok(),
            b.is_ok()
        ),
    };
    assert_eq!(oauth_error(Err(loser)), "invalid_grant");
    // Inside the grace window the loser burned nothing: the winner's chain goes on.
    assert_eq!(
        app.userinfo(winner.access_token().secret()).await.status(),
        200
    );
    let successor = winner.refresh_token().unwrap().secret().clone();
    let next = app
        .refresh(&app.client, &successor)
        .await
        .expect("the winner's successor still refreshes");
    assert_eq!(
        app.count("grant_families WHERE revoked_at IS NOT NULL")
            .await,
        0
    );

    // Outside the window, the same spent token is theft: the family dies.
    tokio::time::sleep(Duration::from_millis(2100)).await;
    assert_eq!(
        oauth_error(app.refresh(&app.client, &successor).await),
        "invalid_grant"
    );
    let last = next.refresh_token().unwrap().secret().clone();
    assert_eq!(
        oauth_error(app.refresh(&app.client, &last).await),
        "invalid_grant"
    );
    assert_eq!(
        app.userinfo(next.access_token().secret()).await.status(),
        401
    );
    assert_eq!(
        app.count("grant_families WHERE revoked_at IS NOT NULL")
            .await,
        1
    );
}
