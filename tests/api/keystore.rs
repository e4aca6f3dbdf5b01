//! Keys in the durable store: sealed under the master key, shared by every instance
//! without a shared directory, rotated from the command line or by the instances
//! themselves, and refused with a clear error under a wrong master key.

use std::time::Duration;

use unilogin::config::{MasterKeyBytes, MasterKeySource};
use unilogin::startup::Application;

use crate::helpers::{jwks_kids, TestApp};

fn kid_of(token: &str) -> String {
    let header = token.split('.').next().unwrap();
    let bytes =
        base64::Engine::decode(&base64::engine::general_purpose::URL_SAFE_NO_PAD, header).unwrap();
    let header: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
    header["kid"].as_str().unwrap().to_owned()
}

async fn userinfo_at(base: &str, token: &str) -> u16 {
    reqwest::Client::new()
        .get(format!("{base}/api/v1/oauth2/userinfo"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

#[tokio::test]
async fn keys_are_stored_sealed_and_a_wrong_master_key_stops_the_start() {
    let app = TestApp::spawn().await;
    let rows = app.durable.list_stored_keys(None).await.unwrap();
    let purposes: Vec<&str> = rows.iter().map(|r| r.purpose.as_str()).collect();
    assert_eq!(
        purposes.iter().filter(|p| **p == "signing").count(),
        2,
        "{rows:?}"
    );
    assert_eq!(purposes.iter().filter(|p| **p == "sealing").count(), 1);
    for row in &rows {
        assert!(!row.sealed.contains("PRIVATE KEY"), "sealed: {row:?}");
    }
    // Nothing key-like is written to the keys directory but the master key file (on the
    // embedded default, where it is generated).
    let files: Vec<String> = std::fs::read_dir(&app.settings.keys_dir)
        .map(|entries| {
            entries
                .flatten()
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    let expected: Vec<String> = match app.settings.master_keys {
        MasterKeySource::Unset => vec!["master.key".into()],
        _ => vec![],
    };
    assert_eq!(files, expected);

    let mut wrong = app.settings.clone();
    wrong.bind = "127.0.0.1:0".into();
    wrong.master_keys = MasterKeySource::Variable(vec![MasterKeyBytes([42; 32])]);
    let err = match Application::build(wrong).await {
        Ok(_) => panic!("started under a wrong master key"),
        Err(err) => err.to_string(),
    };
    assert!(
        err.contains("master key") && err.contains("not configured"),
        "{err}"
    );
    // Nothing was generated beside the keys nobody could have read.
    assert_eq!(app.durable.list_stored_keys(None).await.unwrap().len(), 3);
}

#[tokio::test]
async fn key_files_of_an_earlier_version_are_imported_once() {
    // A key directory as earlier versions wrote it: one ES256 key file and the
    // marketplace secrets key.
    let earlier = TestApp::spawn().await;
    let store = earlier.key_store().await;
    let es256 = store
        .list("signing")
        .await
        .unwrap()
        .into_iter()
        .find(|k| k.alg == "ES256")
        .unwrap();
    let legacy = tempfile::tempdir().unwrap();
    let file = legacy
        .path()
        .join(format!("es256_{}_abcd1234.pem", es256.created_ms));
    std::fs::write(&file, &es256.material).unwrap();
    std::fs::write(legacy.path().join("marketplace-secrets.key"), [7u8; 32]).unwrap();

    let app = TestApp::spawn_with(|s| s.keys_dir = legacy.path().to_path_buf()).await;
    let kids = jwks_kids(&app.base).await;
    assert!(kids.contains(&es256.kid), "imported: {kids:?}");
    let stored = app.durable.list_stored_keys(Some("signing")).await.unwrap();
    assert_eq!(
        stored.len(),
        2,
        "the imported ES256 key and a new RS256 one"
    );
    // It signs: the imported key is the only ES256 key.
    let token = app.signed_in_tokens(&[]).await;
    assert_eq!(
        kid_of(oauth2::TokenResponse::access_token(&token).secret()),
        es256.kid
    );
    // A second start finds it stored and imports nothing again.
    let app = app.restart().await;
    assert_eq!(
        app.durable
            .list_stored_keys(Some("signing"))
            .await
            .unwrap()
            .len(),
        2
    );
}

#[tokio::test]
async fn a_key_rotated_elsewhere_verifies_at_once_on_every_instance() {
    // Reload intervals far longer than the test: only the unknown-kid reload can help.
    let app = TestApp::spawn_with(|s| s.keys_reload = Duration::from_secs(3600)).await;
    let second = app.second_instance().await;
    let old = jwks_kids(&second.base).await;

    let store = app.key_store().await;
    unilogin::tokens::KeySet::rotate(&store, jsonwebtoken::Algorithm::ES256)
        .await
        .unwrap();
    // Instance A notices first and signs with the new key.
    assert!(app.app().idp().keys.refresh().await.unwrap());
    let tokens = app.signed_in_tokens(&[]).await;
    let access = oauth2::TokenResponse::access_token(&tokens)
        .secret()
        .clone();
    assert!(!old.contains(&kid_of(&access)), "signed with the new key");
    // Instance B has not reloaded yet; the token names a kid it does not know, so it
    // looks once and accepts it.
    assert_eq!(jwks_kids(&second.base).await, old);
    assert_eq!(userinfo_at(&second.base, &access).await, 200);
    assert_eq!(jwks_kids(&second.base).await.len(), 3);
    // A made-up kid is still refused (and costs at most one reload a second).
    let forged = format!("{}x", access);
    assert_eq!(userinfo_at(&second.base, &forged).await, 401);
}

#[tokio::test]
async fn automatic_rotation_happens_once_across_instances() {
    let app = TestApp::spawn_with(|s| {
        s.keys_reload = Duration::from_millis(100);
        s.keys_rotate_after = Some(Duration::from_secs(30 * 86_400));
    })
    .await;
    let second = app.second_instance().await;
    let before = jwks_kids(&app.base).await;
    assert_eq!(before.len(), 2);

    // Not due yet: nothing happens.
    app.clock().advance(Duration::from_secs(29 * 86_400));
    tokio::time::sleep(Duration::from_millis(400)).await;
    assert_eq!(jwks_kids(&app.base).await, before);

    app.clock().advance(Duration::from_secs(2 * 86_400));
    let mut after = Vec::new();
    for _ in 0..50 {
        tokio::time::sleep(Duration::from_millis(100)).await;
        after = jwks_kids(&second.base).await;
        if after.len() == 4 && jwks_kids(&app.base).await.len() == 4 {
            break;
        }
    }
    assert_eq!(
        after.len(),
        4,
        "both instances publish old and new: {after:?}"
    );
    assert_eq!(jwks_kids(&app.base).await, after);
    // Both instances were due at the same moment; one new key per algorithm was made.
    assert_eq!(
        app.durable
            .list_stored_keys(Some("signing"))
            .await
            .unwrap()
            .len(),
        4
    );
    let tokens = app.signed_in_tokens(&[]).await;
    let access = oauth2::TokenResponse::access_token(&tokens)
        .secret()
        .clone();
    assert!(!before.contains(&kid_of(&access)));
    assert_eq!(userinfo_at(&second.base, &access).await, 200);
}

#[tokio::test]
async fn keys_rewrap_moves_every_key_to_a_new_master_key() {
    let app = TestApp::spawn().await;
    let old = match &app.settings.master_keys {
        MasterKeySource::Variable(keys) => keys[0].encode(),
        _ => {
            let text = std::fs::read_to_string(app.settings.keys_dir.join("master.key")).unwrap();
            text.lines()
                .find(|l| !l.starts_with('#') && !l.trim().is_empty())
                .unwrap()
                .to_owned()
        }
    };
    let new = MasterKeyBytes([77; 32]).encode();
    let unilogin = |args: &[&str], master: String| {
        let mut env = app.cli_env();
        env.retain(|(name, _)| *name != "UNILOGIN_MASTER_KEY");
        env.push(("UNILOGIN_MASTER_KEY", master));
        std::process::Command::new(env!("CARGO_BIN_EXE_unilogin"))
            .args(args)
            .envs(env)
            .output()
            .unwrap()
    };
    let generated = unilogin(&["keys", "generate-master"], new.clone());
    let fresh = String::from_utf8(generated.stdout).unwrap();
    assert!(MasterKeyBytes::parse(fresh.trim()).is_some(), "{fresh:?}");

    let rewrapped = unilogin(&["keys", "rewrap"], format!("{new},{old}"));
    assert!(rewrapped.status.success(), "{rewrapped:?}");
    let report: serde_json::Value = serde_json::from_slice(&rewrapped.stdout).unwrap();
    assert_eq!(
        (report["resealed"].as_i64(), report["stored"].as_i64()),
        (Some(3), Some(3))
    );

    // The new key alone opens everything now; the old one alone opens nothing.
    let listed = unilogin(&["keys", "list"], new.clone());
    assert!(listed.status.success(), "{listed:?}");
    assert_eq!(String::from_utf8(listed.stdout).unwrap().lines().count(), 2);
    let refused = unilogin(&["keys", "list"], old);
    assert_eq!(refused.status.code(), Some(1));
    let stderr = String::from_utf8(refused.stderr).unwrap();
    assert!(stderr.contains("not configured"), "{stderr}");
    // And the running server keeps signing with the keys it holds.
    let tokens = app.signed_in_tokens(&[]).await;
    let access = oauth2::TokenResponse::access_token(&tokens)
        .secret()
        .clone();
    assert_eq!(app.userinfo(&access).await.status(), 200);
}
