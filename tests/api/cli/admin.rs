//! Keys, merchants, operators and platform administrators through the command line, and the audit trail of every change.

use super::*;

#[tokio::test]
async fn keys_rotate_takes_effect_on_the_running_server_and_old_tokens_still_verify() {
    let app = TestApp::spawn_with(|s| {
        s.keys_reload = std::time::Duration::from_millis(200);
        s.lifetimes.access_token = std::time::Duration::from_secs(3);
        s.lifetimes.id_token = std::time::Duration::from_secs(3);
    })
    .await;
    let kid = |token: &str| -> String {
        let header = token.split('.').next().unwrap();
        let bytes =
            base64::Engine::decode(&base64::engine::general_purpose::URL_SAFE_NO_PAD, header)
                .unwrap();
        let header: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
        header["kid"].as_str().unwrap().to_owned()
    };
    let jwks_kids = || crate::helpers::jwks_kids(&app.base);
    let before = app.signed_in_oidc().await;
    let old_access = before["access_token"].as_str().unwrap().to_owned();
    let old_kids = jwks_kids().await;
    assert_eq!(old_kids.len(), 2);

    let rotated = unilogin(&app, &["keys", "rotate"], None);
    assert!(rotated.status.success(), "{rotated:?}");
    let listed: Vec<serde_json::Value> = stdout(&rotated)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let statuses = |status: &str| listed.iter().filter(|k| k["status"] == status).count();
    assert_eq!(
        (statuses("active"), statuses("retiring")),
        (2, 2),
        "{listed:?}"
    );

    // The server finds the new keys by itself: JWKS publishes old and new.
    let mut kids = jwks_kids().await;
    for _ in 0..50 {
        if kids.len() == 4 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        kids = jwks_kids().await;
    }
    assert_eq!(kids.len(), 4, "{kids:?}");
    assert!(old_kids.iter().all(|k| kids.contains(k)));

    let after = app.signed_in_oidc().await;
    let new_access = after["access_token"].as_str().unwrap();
    assert!(
        !old_kids.contains(&kid(new_access)),
        "signed with the new key"
    );
    assert!(!old_kids.contains(&kid(after["id_token"].as_str().unwrap())));
    assert_eq!(
        app.userinfo(&old_access).await.status(),
        200,
        "old token verifies"
    );
    assert_eq!(app.userinfo(new_access).await.status(), 200);

    // Once every token the old keys signed has expired, they leave JWKS.
    tokio::time::sleep(std::time::Duration::from_millis(3500)).await;
    let kids = jwks_kids().await;
    assert_eq!(kids.len(), 2, "{kids:?}");
    assert!(old_kids.iter().all(|k| !kids.contains(k)));
    one_line_error(&unilogin(&app, &["keys", "rotate", "--alg", "HS256"], None));
}

#[tokio::test]
async fn merchant_create_and_operator_grant_and_revoke() {
    let app = TestApp::spawn().await;
    let created = unilogin(
        &app,
        &[
            "merchant", "create", "--tenant", "tenant-a", "--name", "Shop A",
        ],
        None,
    );
    assert!(created.status.success(), "{created:?}");
    let shown: serde_json::Value = serde_json::from_str(stdout(&created).trim()).unwrap();
    assert_eq!(
        shown,
        serde_json::json!({"tenant": "tenant-a", "name": "Shop A"})
    );
    let merchants =
        unilogin::marketplace::store::MarketStore::new(&app.durable, app.clock().clone());
    assert!(merchants.merchant("tenant-a").await.unwrap().is_some());
    for refused in [
        vec![
            "merchant", "create", "--tenant", "tenant-a", "--name", "again",
        ],
        vec![
            "merchant",
            "create",
            "--tenant",
            "no-such-tenant",
            "--name",
            "x",
        ],
        vec![
            "merchant",
            "create",
            "--tenant",
            "bad tenant",
            "--name",
            "x",
        ],
        vec!["merchant", "create", "--tenant", "tenant-a", "--name", " "],
        vec!["operator", "grant", "--username", "nobody"],
        vec!["operator", "revoke", "--username", "alice"],
    ] {
        one_line_error(&unilogin(&app, &refused, None));
    }

    let alice = app
        .durable
        .find_user_by_username("alice")
        .await
        .unwrap()
        .unwrap();
    assert!(
        unilogin(&app, &["operator", "grant", "--username", "alice"], None)
            .status
            .success()
    );
    assert!(merchants.is_operator(&alice.id).await.unwrap());
    one_line_error(&unilogin(
        &app,
        &["operator", "grant", "--username", "alice"],
        None,
    ));
    assert!(
        unilogin(&app, &["operator", "revoke", "--username", "alice"], None)
            .status
            .success()
    );
    assert!(!merchants.is_operator(&alice.id).await.unwrap());
}

/// The administrative events about `target`, as (action, changes).
async fn events(app: &TestApp, target: &str) -> Vec<(String, serde_json::Value)> {
    app.durable
        .admin_events(target)
        .await
        .unwrap()
        .into_iter()
        .map(|e| {
            assert!(e.actor.starts_with("cli:"), "{e:?}");
            assert_eq!(e.address, "local");
            (e.action, serde_json::from_str(&e.changes).unwrap())
        })
        .collect()
}

fn json_out(output: &Output) -> serde_json::Value {
    assert!(output.status.success(), "{output:?}");
    serde_json::from_str(stdout(output).trim()).unwrap()
}

#[tokio::test]
async fn each_change_through_the_command_line_writes_one_audit_event_without_secrets() {
    let app = TestApp::spawn().await;
    json_out(&unilogin(
        &app,
        &["tenant", "create", "--id", "tenant-two", "--name", "Two"],
        None,
    ));
    assert_eq!(
        events(&app, "tenant-two").await,
        [(
            "tenant.created".to_owned(),
            serde_json::json!({"name": "Two", "domain_name": null})
        )]
    );

    let password = "first-passw0rd!";
    let bob = json_out(&unilogin(
        &app,
        &[
            "user",
            "create",
            "--username",
            "bob",
            "--tenant",
            "tenant-two",
            "--password-stdin",
        ],
        Some(password),
    ))["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let second = "second-passw0rd!";
    for (args, stdin) in [
        (vec!["admin", "grant", "--username", "bob"], None),
        (vec!["admin", "revoke", "--username", "bob"], None),
        (
            vec!["user", "passwd", "--username", "bob", "--password-stdin"],
            Some(second),
        ),
        (vec!["user", "disable", "--username", "bob"], None),
    ] {
        let output = unilogin(&app, &args, stdin);
        assert!(output.status.success(), "{args:?}: {output:?}");
    }
    let actions: Vec<String> = events(&app, &bob).await.into_iter().map(|e| e.0).collect();
    assert_eq!(
        actions,
        [
            "user.created",
            "user.admin_granted",
            "user.admin_revoked",
            "user.password_set",
            "user.disabled"
        ]
    );
    // Refused: nothing changed, so nothing recorded.
    one_line_error(&unilogin(
        &app,
        &["admin", "revoke", "--username", "bob"],
        None,
    ));
    one_line_error(&unilogin(
        &app,
        &["admin", "grant", "--username", "nobody"],
        None,
    ));
    assert_eq!(events(&app, &bob).await.len(), 5);

    let created = json_out(&unilogin(
        &app,
        &[
            "client",
            "create",
            "--name",
            "shop",
            "--redirect-uri",
            "https://shop.example/cb",
        ],
        None,
    ));
    let id = created["client_id"].as_str().unwrap().to_owned();
    let rotated = json_out(&unilogin(&app, &["client", "rotate-secret", &id], None));
    let scoped = unilogin(
        &app,
        &["client", "update", &id, "--scope", "marketplace.buyer"],
        None,
    );
    assert!(scoped.status.success(), "{scoped:?}");
    assert!(unilogin(&app, &["client", "delete", &id], None)
        .status
        .success());
    one_line_error(&unilogin(&app, &["client", "delete", &id], None));
    let recorded = events(&app, &id).await;
    let actions: Vec<&str> = recorded.iter().map(|e| e.0.as_str()).collect();
    assert_eq!(
        actions,
        [
            "client.created",
            "client.secret_rotated",
            "client.updated",
            "client.deleted"
        ]
    );
    assert_eq!(
        recorded[2].1,
        serde_json::json!({"scopes": {"from": [], "to": ["marketplace.buyer"]}})
    );

    // No secret anywhere in the trail.
    let trail = format!("{:?}", app.durable.admin_events("").await.unwrap());
    for secret in [
        password,
        second,
        created["client_secret"].as_str().unwrap(),
        rotated["client_secret"].as_str().unwrap(),
    ] {
        assert!(!trail.contains(secret), "a secret in the audit trail");
    }
}

#[tokio::test]
async fn platform_administration_is_granted_and_revoked_once() {
    let app = TestApp::spawn().await;
    let admin = |user: &str| {
        let durable = app.durable.clone();
        let user = user.to_owned();
        async move {
            durable
                .find_user_by_username(&user)
                .await
                .unwrap()
                .unwrap()
                .platform_admin
        }
    };
    assert!(!admin("alice").await);
    let granted = unilogin(&app, &["admin", "grant", "--username", "alice"], None);
    assert!(granted.status.success(), "{granted:?}");
    assert!(admin("alice").await);
    let again = unilogin(&app, &["admin", "grant", "--username", "alice"], None);
    one_line_error(&again);
    assert!(String::from_utf8_lossy(&again.stderr).contains("already a platform administrator"));
    assert!(
        unilogin(&app, &["admin", "revoke", "--username", "alice"], None)
            .status
            .success()
    );
    assert!(!admin("alice").await);
}
