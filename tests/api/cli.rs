//! The command line, run as operators run it, against the running test app's database.

use std::io::Write;
use std::process::{Command, Output, Stdio};

use crate::helpers::{error_of, TestApp};

fn unilogin(app: &TestApp, args: &[&str], stdin: Option<&str>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_unilogin"))
        .args(args)
        .envs(app.cli_env())
        .env("UNILOGIN_ARGON2_MEMORY_KIB", "1024")
        .env("UNILOGIN_ARGON2_ITERATIONS", "1")
        .env_remove("UNILOGIN_REDIS_URL")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run the unilogin binary");
    if let Some(input) = stdin {
        child
            .stdin
            .take()
            .unwrap()
            .write_all(input.as_bytes())
            .unwrap();
    }
    drop(child.stdin.take());
    child.wait_with_output().unwrap()
}

fn stdout(output: &Output) -> String {
    String::from_utf8(output.stdout.clone()).unwrap()
}

fn one_line_error(output: &Output) {
    assert!(!output.status.success());
    let stderr = String::from_utf8(output.stderr.clone()).unwrap();
    assert_eq!(stderr.trim_end().lines().count(), 1, "one line: {stderr:?}");
}

#[tokio::test]
async fn client_create_list_rotate_and_delete() {
    let ttl = std::time::Duration::from_millis(300);
    let app = TestApp::spawn_with(|s| s.cache_ttl = ttl).await;
    let created = unilogin(
        &app,
        &[
            "client",
            "create",
            "--name",
            "shop",
            "--redirect-uri",
            "https://shop.example/cb",
            "--redirect-uri",
            "https://shop.example/cb2",
            "--post-logout-uri",
            "https://shop.example/bye",
            "--home-url",
            "https://shop.example/",
        ],
        None,
    );
    assert!(created.status.success(), "{created:?}");
    let out = stdout(&created);
    assert_eq!(out.lines().count(), 1, "exactly one JSON object");
    let client: serde_json::Value = serde_json::from_str(&out).unwrap();
    let id = client["client_id"].as_str().unwrap().to_owned();
    let secret = client["client_secret"].as_str().unwrap().to_owned();
    assert!(client["app_id"].is_string());
    assert_eq!(client.as_object().unwrap().len(), 3);

    let public = unilogin(
        &app,
        &[
            "client",
            "create",
            "--name",
            "spa",
            "--redirect-uri",
            "https://spa.example/cb",
            "--public",
        ],
        None,
    );
    let public: serde_json::Value = serde_json::from_str(&stdout(&public)).unwrap();
    assert!(public["client_secret"].is_null());

    let listed = stdout(&unilogin(&app, &["client", "list"], None));
    assert!(listed.lines().count() >= 3);
    for line in listed.lines() {
        let entry: serde_json::Value = serde_json::from_str(line).unwrap();
        assert!(entry.get("client_secret").is_none() && entry.get("secret_hash").is_none());
    }
    assert!(!listed.contains(&secret));

    // The secret authenticates at the running server. After a rotation the new secret
    // works at once; the old one stops within the registration cache TTL.
    let probe = |secret: String| {
        let app = &app;
        let id = id.clone();
        async move {
            let response = app.redeem_raw("x", Some((&id, &secret))).await;
            error_of(response).await.1
        }
    };
    assert_eq!(probe(secret.clone()).await, "invalid_grant");
    let rotated = unilogin(&app, &["client", "rotate-secret", &id], None);
    assert!(rotated.status.success());
    let rotated: serde_json::Value = serde_json::from_str(&stdout(&rotated)).unwrap();
    let new_secret = rotated["client_secret"].as_str().unwrap().to_owned();
    assert_ne!(new_secret, secret);
    assert_eq!(probe(new_secret.clone()).await, "invalid_grant");
    tokio::time::sleep(ttl + std::time::Duration::from_millis(100)).await;
    assert_eq!(probe(secret).await, "invalid_client");
    assert_eq!(probe(new_secret.clone()).await, "invalid_grant");

    assert!(unilogin(&app, &["client", "delete", &id], None)
        .status
        .success());
    tokio::time::sleep(ttl + std::time::Duration::from_millis(100)).await;
    assert_eq!(probe(new_secret).await, "invalid_client");
    one_line_error(&unilogin(&app, &["client", "delete", &id], None));
    one_line_error(&unilogin(
        &app,
        &[
            "client",
            "create",
            "--name",
            "x",
            "--redirect-uri",
            "javascript:alert(1)",
        ],
        None,
    ));
}

#[tokio::test]
async fn user_create_passwd_and_disable() {
    let app = TestApp::spawn().await;
    let create = |username: &'static str, password: &'static str| {
        unilogin(
            &app,
            &[
                "user",
                "create",
                "--username",
                username,
                "--tenant",
                "acme",
                "--password-stdin",
                "--name",
                "Bob",
                "--email",
                "bob@example.com",
                "--mobile",
                "13700000000",
                "--role",
                "admin",
                "--org-code",
                "A1",
                "--org-name",
                "Acme",
            ],
            Some(password),
        )
    };
    let created = create("bob", "bob-password-1\n");
    assert!(created.status.success(), "{created:?}");
    one_line_error(&create("bob", "another-pass-2\n"));
    one_line_error(&create("carol", "short\n"));
    one_line_error(&create("dave", "\n"));
    one_line_error(&unilogin(
        &app,
        &["user", "create", "--username", "x", "--bogus"],
        None,
    ));

    let bob = app
        .durable
        .find_user_by_username("bob")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (bob.role.as_str(), bob.tenant_id.as_str()),
        ("admin", "acme")
    );
    let tenant = app.durable.find_tenant("acme").await.unwrap().unwrap();
    assert_eq!(tenant.name, "acme", "created with name = id");

    // The new user signs in through the real page.
    let (authorize, _) = app.authorize_url(&app.client, &[]);
    let callback = app.login_at(&authorize, "bob", "bob-password-1").await;
    assert!(callback.code.is_some());

    let passwd = unilogin(
        &app,
        &["user", "passwd", "--username", "bob", "--password-stdin"],
        Some("bob-new-pass-9"),
    );
    assert!(passwd.status.success(), "{passwd:?}");
    let stored = app
        .durable
        .find_user_by_username("bob")
        .await
        .unwrap()
        .unwrap();
    assert!(app
        .hasher
        .verify(Some(&stored.password_hash), "bob-new-pass-9"));
    assert!(!app
        .hasher
        .verify(Some(&stored.password_hash), "bob-password-1"));

    assert!(
        unilogin(&app, &["user", "disable", "--username", "bob"], None)
            .status
            .success()
    );
    assert!(
        app.durable
            .find_user_by_username("bob")
            .await
            .unwrap()
            .unwrap()
            .disabled
    );
    one_line_error(&unilogin(
        &app,
        &["user", "disable", "--username", "nobody"],
        None,
    ));
}

#[tokio::test]
async fn tenant_create_and_keys_list() {
    let app = TestApp::spawn().await;
    let created = unilogin(
        &app,
        &[
            "tenant",
            "create",
            "--id",
            "t-42",
            "--name",
            "Tenant 42",
            "--domain-name",
            "https://t42.example",
        ],
        None,
    );
    assert!(created.status.success(), "{created:?}");
    let tenant = app.durable.find_tenant("t-42").await.unwrap().unwrap();
    assert_eq!(tenant.domain_name.as_deref(), Some("https://t42.example"));
    one_line_error(&unilogin(
        &app,
        &["tenant", "create", "--id", "t-42", "--name", "again"],
        None,
    ));
    one_line_error(&unilogin(
        &app,
        &["tenant", "create", "--id", "bad id", "--name", "x"],
        None,
    ));

    let keys = stdout(&unilogin(&app, &["keys", "list"], None));
    let mut listed: Vec<(String, String)> = keys
        .lines()
        .map(|line| {
            let key: serde_json::Value = serde_json::from_str(line).unwrap();
            assert_eq!(key["kid"].as_str().unwrap().len(), 43, "{line}");
            assert!(key["created_at"].as_i64().unwrap() > 0, "{line}");
            (
                key["alg"].as_str().unwrap().into(),
                key["status"].as_str().unwrap().into(),
            )
        })
        .collect();
    listed.sort();
    assert_eq!(
        listed,
        [
            ("ES256".into(), "active".into()),
            ("RS256".into(), "active".into())
        ]
    );
    assert!(unilogin(&app, &["migrate"], None).status.success());
}

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
        serde_json::json!({"scopes": ["marketplace.buyer"]})
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
