//! Two unilogin processes on one PostgreSQL + Redis, each in its own directory (nothing
//! shared on disk), behind HAProxy on loopback: round-robin, no stickiness. Every
//! request goes through HAProxy, which names the instance that answered in a response
//! header, so each step of the walk is proven to land where the story says.

use std::net::TcpListener;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use base64::Engine;
use reqwest::Response;

use crate::helpers::{location, Callback, TestApp, PASSWORD};

const HAPROXY: &str = "/usr/sbin/haproxy";
const RELOAD_SECS: u64 = 1;

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A child process, killed with the test whatever happens.
struct Process {
    name: &'static str,
    child: Child,
    log: std::path::PathBuf,
}

impl Process {
    fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// SIGTERM, as an orchestrator stops an instance; its exit status.
    fn terminate(mut self) -> std::process::ExitStatus {
        let pid = self.child.id().to_string();
        Command::new("kill").args(["-TERM", &pid]).status().unwrap();
        let status = self.child.wait().unwrap();
        assert!(
            status.success(),
            "{} exited {status}:\n{}",
            self.name,
            self.log()
        );
        status
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `unilogin serve` in a directory of its own, on the seed app's stores.
fn start_instance(
    name: &'static str,
    seed: &TestApp,
    port: u16,
    issuer: &str,
    dir: &Path,
) -> Process {
    let log = dir.join(format!("{name}.log"));
    let child = Command::new(env!("CARGO_BIN_EXE_unilogin"))
        .arg("serve")
        .current_dir(dir)
        .envs(instance_env(seed))
        .env("UNILOGIN_BIND", format!("127.0.0.1:{port}"))
        .env("UNILOGIN_ISSUER", issuer)
        .env("UNILOGIN_KEYS_DIR", dir.join("keys"))
        .env("UNILOGIN_KEYS_RELOAD_SECS", RELOAD_SECS.to_string())
        .env("UNILOGIN_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(&log).unwrap())
        .spawn()
        .expect("unilogin starts");
    Process { name, child, log }
}

/// The stores, master key and password cost every process of this deployment shares.
fn instance_env(seed: &TestApp) -> Vec<(&'static str, String)> {
    let settings = &seed.settings;
    let mut env: Vec<_> = seed
        .cli_env()
        .into_iter()
        .filter(|(name, _)| *name != "UNILOGIN_KEYS_DIR")
        .collect();
    env.push((
        "UNILOGIN_REDIS_URL",
        settings.redis_url.clone().expect("Redis"),
    ));
    env.push(("UNILOGIN_REDIS_PREFIX", settings.redis_prefix.clone()));
    env.push(("UNILOGIN_ARGON2_MEMORY_KIB", "1024".into()));
    env.push(("UNILOGIN_ARGON2_ITERATIONS", "1".into()));
    env
}

fn start_haproxy(dir: &Path, port: u16, a: u16, b: u16) -> Process {
    assert!(
        Path::new(HAPROXY).exists(),
        "{HAPROXY} is missing: apt-get install haproxy (.ci/run does)"
    );
    let config = dir.join("haproxy.cfg");
    std::fs::write(
        &config,
        format!(
            "global\n    maxconn 256\n\n\
             defaults\n    mode http\n    timeout connect 2s\n    timeout client 30s\n    \
             timeout server 30s\n\n\
             frontend unilogin\n    bind 127.0.0.1:{port}\n    default_backend instances\n\n\
             backend instances\n    balance roundrobin\n    option httpchk GET /readyz\n    \
             http-response set-header X-Served-By %s\n    \
             server a 127.0.0.1:{a} check inter 1s\n    \
             server b 127.0.0.1:{b} check inter 1s\n"
        ),
    )
    .unwrap();
    let check = Command::new(HAPROXY)
        .args(["-c", "-q", "-f"])
        .arg(&config)
        .output()
        .unwrap();
    assert!(check.status.success(), "haproxy -c: {check:?}");
    let log = dir.join("haproxy.log");
    let child = Command::new(HAPROXY)
        .arg("-db")
        .arg("-f")
        .arg(&config)
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(&log).unwrap())
        .spawn()
        .expect("haproxy starts");
    Process {
        name: "haproxy",
        child,
        log,
    }
}

async fn wait_ready(base: &str, process: &mut Process) {
    crate::helpers::tls();
    for _ in 0..600 {
        if let Ok(response) = reqwest::get(format!("{base}/readyz")).await {
            if response.status() == 200 {
                return;
            }
        }
        if let Some(status) = process.child.try_wait().unwrap() {
            panic!("{} exited {status}:\n{}", process.name, process.log());
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("{} not ready:\n{}", process.name, process.log());
}

fn served_by(response: &Response) -> String {
    response
        .headers()
        .get("x-served-by")
        .expect("HAProxy names the instance")
        .to_str()
        .unwrap()
        .to_owned()
}

/// The walk's view of the load balancer: which instance answered last.
struct Balancer<'a> {
    app: &'a TestApp,
    last: String,
}

impl Balancer<'_> {
    /// Sends probes through HAProxy until the next request will land on `instance`
    /// (round-robin: the one after the last that answered).
    async fn next_on(&mut self, instance: &str) {
        for _ in 0..4 {
            if !self.last.is_empty() && self.last != instance {
                return;
            }
            let probe = self.app.get(&self.app.url("/healthz")).await;
            self.last = served_by(&probe);
        }
        panic!("HAProxy never alternated: always {}", self.last);
    }

    /// Records that `response` came from `instance`.
    fn answered(&mut self, response: &Response, instance: &str) {
        let by = served_by(response);
        assert_eq!(by, instance, "{} answered by {by}", response.url());
        self.last = by;
    }
}

/// A JWT's header.
fn header_of(jwt: &str) -> serde_json::Value {
    let header = jwt.split('.').next().unwrap();
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(header)
        .unwrap();
    serde_json::from_slice(&bytes).unwrap()
}

fn kid_of(jwt: &str) -> String {
    header_of(jwt)["kid"].as_str().unwrap().to_owned()
}

fn cli(seed: &TestApp, args: &[&str]) -> String {
    let output = Command::new(env!("CARGO_BIN_EXE_unilogin"))
        .args(args)
        .envs(instance_env(seed))
        .output()
        .unwrap();
    assert!(output.status.success(), "unilogin {args:?}: {output:?}");
    String::from_utf8(output.stdout).unwrap()
}

#[tokio::test]
#[ignore = "needs PostgreSQL + Redis and haproxy: .ci/run runs it on its services pass"]
async fn two_instances_behind_haproxy_share_every_session_token_key_and_cutoff() {
    super::required();
    let (lb, a, b) = (free_port(), free_port(), free_port());
    let issuer = format!("http://127.0.0.1:{lb}");
    // The seed app makes the database, the Redis prefix, alice and the partner client;
    // then it stops, and only the two processes serve.
    let mut seed = TestApp::spawn_with(|s| s.issuer = Some(issuer.clone())).await;
    seed.stop_serving().await;
    seed.base = issuer.clone();

    let (dir_a, dir_b, dir_lb) = (tempdir(), tempdir(), tempdir());
    let mut instance_a = start_instance("a", &seed, a, &issuer, dir_a.path());
    let mut instance_b = start_instance("b", &seed, b, &issuer, dir_b.path());
    wait_ready(&format!("http://127.0.0.1:{a}"), &mut instance_a).await;
    wait_ready(&format!("http://127.0.0.1:{b}"), &mut instance_b).await;
    let mut haproxy = start_haproxy(dir_lb.path(), lb, a, b);
    wait_ready(&issuer, &mut haproxy).await;
    let mut lb = Balancer {
        app: &seed,
        last: String::new(),
    };

    // Login through A; every leg of it alternates, so the login state is shared.
    lb.next_on("a").await;
    let (authorize_url, state) = seed.authorize_url(&seed.client, &["openid"]);
    let authorize = seed.get(&authorize_url).await;
    lb.answered(&authorize, "a");
    let page = seed.get(&seed.url(&location(&authorize))).await;
    lb.answered(&page, "b");
    let fields = {
        let mut fields = crate::helpers::hidden_fields(&page.text().await.unwrap());
        fields.push(("username".into(), "alice".into()));
        fields.push(("password".into(), PASSWORD.into()));
        fields
    };
    let posted = seed
        .browser
        .post(seed.url("/unified-login/portal-login"))
        .form(&fields)
        .send()
        .await
        .unwrap();
    lb.answered(&posted, "a");
    assert_eq!(posted.status(), 302, "signed in on a");
    let resumed = seed.get(&seed.url(&location(&posted))).await;
    lb.answered(&resumed, "b");
    let callback = Callback::parse(&location(&resumed));
    assert_eq!(callback.state.as_deref(), Some(state.as_str()));
    assert_eq!(callback.iss.as_deref(), Some(issuer.as_str()));

    // The token from B.
    lb.next_on("b").await;
    let redeemed = seed
        .redeem_raw(callback.code.as_deref().unwrap(), seed.basic())
        .await;
    lb.answered(&redeemed, "b");
    assert_eq!(redeemed.status(), 200);
    let tokens: serde_json::Value = redeemed.json().await.unwrap();
    let access = tokens["access_token"].as_str().unwrap().to_owned();
    let refresh = tokens["refresh_token"].as_str().unwrap().to_owned();
    let old_kid = kid_of(&access);

    // Userinfo on A.
    let userinfo = seed.userinfo(&access).await;
    lb.answered(&userinfo, "a");
    assert_eq!(userinfo.status(), 200);

    // Refresh on B.
    let refreshed = seed
        .token_raw(
            &[("grant_type", "refresh_token"), ("refresh_token", &refresh)],
            seed.basic(),
        )
        .await;
    lb.answered(&refreshed, "b");
    assert_eq!(refreshed.status(), 200);
    let tokens: serde_json::Value = refreshed.json().await.unwrap();
    let access = tokens["access_token"].as_str().unwrap().to_owned();
    let refresh = tokens["refresh_token"].as_str().unwrap().to_owned();
    let userinfo = seed.userinfo(&access).await;
    lb.answered(&userinfo, "a");
    assert_eq!(userinfo.status(), 200);

    // Logout through A kills the tokens on B.
    lb.next_on("a").await;
    let logout = seed.logout(None).await;
    lb.answered(&logout, "a");
    assert!(logout.status().is_success() || logout.status().is_redirection());
    let userinfo = seed.userinfo(&access).await;
    lb.answered(&userinfo, "b");
    assert_eq!(userinfo.status(), 401, "the access token is dead on b");
    lb.next_on("b").await;
    let refused = seed
        .token_raw(
            &[("grant_type", "refresh_token"), ("refresh_token", &refresh)],
            seed.basic(),
        )
        .await;
    lb.answered(&refused, "b");
    assert_eq!(refused.status(), 400, "the refresh token is dead on b");

    // A fresh sign-in, then `keys rotate` from a third machine: both instances sign
    // with the new key within the reload interval, and the old key's tokens still hold.
    let callback = seed.login(&seed.client, &[]).await;
    let before = seed
        .exchange_code(&seed.client, callback.code.as_deref().unwrap())
        .await
        .expect("code exchange");
    let before = oauth2::TokenResponse::access_token(&before)
        .secret()
        .clone();
    assert_eq!(kid_of(&before), old_kid);
    let alg = header_of(&before)["alg"].as_str().unwrap().to_owned();
    let rotated = cli(&seed, &["keys", "rotate", "--alg", &alg]);
    let new_kid = rotated
        .lines()
        .map(|line| serde_json::from_str::<serde_json::Value>(line).unwrap())
        .find(|key| key["status"] == "active" && key["alg"] == alg.as_str())
        .expect("an active key")["kid"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_ne!(new_kid, old_kid);
    let rotated_at = Instant::now();
    let mut signed_new = std::collections::BTreeSet::new();
    while signed_new.len() < 2 {
        assert!(
            rotated_at.elapsed() < Duration::from_secs(RELOAD_SECS * 3 + 2),
            "only {signed_new:?} sign with {new_kid} {:?} after the rotation",
            rotated_at.elapsed()
        );
        let response = seed
            .token_raw(&[("grant_type", "client_credentials")], seed.basic())
            .await;
        let by = served_by(&response);
        let token: serde_json::Value = response.json().await.unwrap();
        if kid_of(token["access_token"].as_str().unwrap()) == new_kid {
            signed_new.insert(by);
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    lb.last.clear();
    for instance in ["a", "b"] {
        lb.next_on(instance).await;
        let userinfo = seed.userinfo(&before).await;
        lb.answered(&userinfo, instance);
        assert_eq!(userinfo.status(), 200, "the old key still verifies");
    }

    // `user disable` from a third machine: refused on both at once.
    cli(&seed, &["user", "disable", "--username", "alice"]);
    for instance in ["a", "b"] {
        lb.next_on(instance).await;
        let userinfo = seed.userinfo(&before).await;
        lb.answered(&userinfo, instance);
        assert_eq!(
            userinfo.status(),
            401,
            "alice's token is refused on {instance}"
        );
    }

    // Both drain and exit 0 on SIGTERM.
    drop(haproxy);
    instance_a.terminate();
    instance_b.terminate();
}

fn tempdir() -> tempfile::TempDir {
    tempfile::tempdir().expect("temp dir")
}
