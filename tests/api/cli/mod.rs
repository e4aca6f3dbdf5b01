//! The command line, run as operators run it, against the running test app's database.

use std::io::Write;
use std::process::{Command, Output, Stdio};

use crate::helpers::{error_of, TestApp};

mod admin;

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
    // A user joins an existing tenant: a typo is refused, not made on the way.
    let unknown = create("bob", "bob-password-1\n");
    one_line_error(&unknown);
    assert!(
        String::from_utf8_lossy(&unknown.stderr).contains("tenant acme does not exist"),
        "{unknown:?}"
    );
    assert!(app.durable.find_tenant("acme").await.unwrap().is_none());
    let tenant = unilogin(
        &app,
        &["tenant", "create", "--id", "acme", "--name", "Acme"],
        None,
    );
    assert!(tenant.status.success(), "{tenant:?}");
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
    assert_eq!(tenant.name, "Acme", "the tenant as `tenant create` made it");

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
