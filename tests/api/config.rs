//! Configuration mistakes are caught before anything runs: every subcommand refuses an
//! unknown `UNILOGIN_*` variable or a malformed value with one line and exit status 2, and
//! `config check` shows the effective configuration without its secrets.

use std::process::{Command, Output};

use unilogin::config::MasterKeyBytes;

use crate::helpers::TestApp;

fn run(args: &[&str], env: &[(&str, String)]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_unilogin"));
    command.args(args);
    // Only what the test gives: the suite's own environment must not leak in.
    for (name, _) in std::env::vars() {
        if name.starts_with("UNILOGIN_") {
            command.env_remove(name);
        }
    }
    command.envs(env.iter().map(|(k, v)| (*k, v.as_str())));
    command.output().expect("the unilogin binary runs")
}

fn refused_with(output: &Output, words: &[&str]) {
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert_eq!(stderr.trim_end().lines().count(), 1, "one line: {stderr:?}");
    for word in words {
        assert!(stderr.contains(word), "{word:?} in {stderr:?}");
    }
    assert!(output.stdout.is_empty());
}

#[test]
fn every_subcommand_refuses_a_misspelt_variable_before_doing_anything() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}", dir.path().join("u.db").display());
    for args in [
        &["serve"][..],
        &["migrate"],
        &["tenant", "create", "--id", "t1", "--name", "T"],
        &["keys", "list"],
        &["config", "check"],
    ] {
        let output = run(
            args,
            &[
                ("UNILOGIN_DATABASE_URL", db.clone()),
                ("UNILOGIN_REDIS_ULR", "redis://127.0.0.1:6379/".into()),
            ],
        );
        refused_with(
            &output,
            &["UNILOGIN_REDIS_ULR", "did you mean UNILOGIN_REDIS_URL?"],
        );
    }
    assert!(!dir.path().join("u.db").exists(), "nothing was created");
}

#[test]
fn malformed_values_are_refused_with_what_is_expected() {
    for (name, value, expected) in [
        ("UNILOGIN_BIND", "8080", "host:port"),
        ("UNILOGIN_REDIS_URL", "127.0.0.1:6379", "redis://"),
        ("UNILOGIN_KEYS_RELOAD_SECS", "soon", "whole number"),
        ("UNILOGIN_ISSUER", "login.example.com", "public base URL"),
        ("UNILOGIN_MASTER_KEY", "c2hvcnQ=", "32 bytes"),
    ] {
        let output = run(&["migrate"], &[(name, value.into())]);
        refused_with(&output, &[name, expected]);
    }
    // PostgreSQL without a master key: the instances could not share their keys.
    let output = run(
        &["migrate"],
        &[(
            "UNILOGIN_DATABASE_URL",
            "postgres://postgres@127.0.0.1:5432/test".into(),
        )],
    );
    refused_with(&output, &["UNILOGIN_MASTER_KEY", "PostgreSQL"]);
}

#[tokio::test]
async fn config_check_shows_the_effective_configuration_without_secrets() {
    let master = MasterKeyBytes([9; 32]).encode();
    let output = run(
        &["config", "check"],
        &[
            (
                "UNILOGIN_DATABASE_URL",
                "postgres://app:hunter2@127.0.0.1:1/unilogin".into(),
            ),
            ("UNILOGIN_REDIS_URL", "redis://:s3cret@127.0.0.1:1/".into()),
            ("UNILOGIN_MASTER_KEY", master.clone()),
            ("UNILOGIN_ISSUER", "https://login.example.com".into()),
        ],
    );
    let stdout = String::from_utf8_lossy(&output.stdout);
    for secret in ["hunter2", "s3cret", master.as_str()] {
        assert!(!stdout.contains(secret), "{secret} shown:\n{stdout}");
    }
    for shown in [
        "UNILOGIN_ISSUER",
        "https://login.example.com",
        "PostgreSQL postgres://app:redacted@127.0.0.1:1/unilogin",
        "Redis redis://:redacted@127.0.0.1:1/",
        "key ids",
        "UNILOGIN_CACHE_TTL_MS",
        "default",
    ] {
        assert!(stdout.contains(shown), "{shown} missing:\n{stdout}");
    }
    // Nothing answers on port 1: the check says so and fails.
    assert_eq!(output.status.code(), Some(1), "{stdout}");
    assert!(stdout.contains("FAILED"), "{stdout}");

    // Against a running app's stores it passes, and sees the stored keys open.
    let app = TestApp::spawn().await;
    let output = run(&["config", "check"], &app.cli_env());
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        stdout.contains("the master key opens its 2 signing and 1 sealing keys"),
        "{stdout}"
    );
}
