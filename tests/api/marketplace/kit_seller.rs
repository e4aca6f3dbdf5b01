//! The independent seller of the kit tests (`tests/seller/seller.py`, Python, written from
//! the upstream documentation) and the setting it plays in: HTTPS on loopback under a
//! test CA (the development switch and an extra CA file), its RSA key pair, a seller
//! (alice, tenant-a) with a SaaS product on sale, three access keys and the app
//! registered with the seller's production URL and home.
//!
//! Needs `python3` and `openssl` (Debian has both): the tests using it are `#[ignore]`d
//! in a plain `cargo test`, like the other tests that need tools cargo does not bring;
//! `.ci/run` runs them.

use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use reqwest::Method;
use serde_json::{json, Value};
use unilogin::outbound::OutboundSettings;

use super::*;
use crate::helpers::location;

pub(super) fn openssl(dir: &Path, args: &[&str]) {
    let status = Command::new("openssl")
        .args(args)
        .current_dir(dir)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .expect("openssl runs (apt-get install openssl)");
    assert!(status.success(), "openssl {args:?}");
}

/// A test CA, a certificate for `localhost` it signed, and the seller's RSA key pair.
pub(super) fn keys_and_certificates(dir: &Path) {
    openssl(
        dir,
        &[
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            "ca.key",
            "-out",
            "ca.pem",
            "-subj",
            "/CN=unilogin test CA",
            "-days",
            "2",
        ],
    );
    openssl(
        dir,
        &[
            "req",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            "server.key",
            "-out",
            "server.csr",
            "-subj",
            "/CN=localhost",
        ],
    );
    std::fs::write(dir.join("san.ext"), "subjectAltName=DNS:localhost\n").unwrap();
    openssl(
        dir,
        &[
            "x509",
            "-req",
            "-in",
            "server.csr",
            "-CA",
            "ca.pem",
            "-CAkey",
            "ca.key",
            "-CAcreateserial",
            "-out",
            "server.pem",
            "-days",
            "2",
            "-extfile",
            "san.ext",
        ],
    );
    openssl(
        dir,
        &[
            "genpkey",
            "-algorithm",
            "RSA",
            "-pkeyopt",
            "rsa_keygen_bits:3072",
            "-out",
            "seller.key",
        ],
    );
    openssl(
        dir,
        &["pkey", "-in", "seller.key", "-pubout", "-out", "seller.pub"],
    );
}

pub(super) struct Seller {
    child: Child,
    dir: PathBuf,
    port: u16,
}

impl Drop for Seller {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Seller {
    pub(super) fn start(dir: &Path, keys: serde_json::Value, idp: &str) -> Self {
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let config = serde_json::json!({
            "port": port,
            "cert": dir.join("server.pem"),
            "key": dir.join("server.key"),
            "private_key": dir.join("seller.key"),
            "log": dir.join("seller.log"),
            "faults": dir.join("faults.json"),
            "keys": keys,
            // The tests move our clock by hours; the seller's would refuse the timestamps.
            "skew_check": false,
            "idp": idp,
        });
        std::fs::write(dir.join("seller.json"), config.to_string()).unwrap();
        let script = crate::helpers::repo_root().join("tests/seller/seller.py");
        let mut child = Command::new("python3")
            .arg(script)
            .arg(dir.join("seller.json"))
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("python3 runs");
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        assert_eq!(line.trim(), "ready", "the seller started");
        Self {
            child,
            dir: dir.to_owned(),
            port,
        }
    }

    pub(super) fn url(&self) -> String {
        format!("https://localhost:{}/produce", self.port)
    }

    /// The app's home, where the portal sends users with `?code=&tenant=`.
    pub(super) fn home(&self) -> String {
        format!("https://localhost:{}/home", self.port)
    }

    pub(super) fn faults(&self, faults: serde_json::Value) {
        std::fs::write(self.dir.join("faults.json"), faults.to_string()).unwrap();
    }

    pub(super) fn log_path(&self) -> PathBuf {
        self.dir.join("seller.log")
    }

    pub(super) fn log(&self) -> Vec<serde_json::Value> {
        std::fs::read_to_string(self.dir.join("seller.log"))
            .unwrap_or_default()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect()
    }
}

pub(super) const INSTANCES: &str = "/api/marketplace/v1/buyer/kit/instances";
pub(super) const MESSAGES: &str = "/api/marketplace/v1/seller/kit/messages";
pub(super) const DAY: u64 = 86_400;

pub(super) struct Chain {
    pub(super) app: TestApp,
    pub(super) c: Cast,
    pub(super) seller: Seller,
    pub(super) crm: String,
    pub(super) app_id: String,
    /// Trusts the test CA: the browser that follows the portal to the seller's home.
    pub(super) visitor: reqwest::Client,
    pub(super) public_key: String,
    _dir: tempfile::TempDir,
}

pub(super) async fn chain() -> Chain {
    chain_with(&product("CRM")).await
}

/// A chain whose joint-operation product is `product_body`.
pub(super) async fn chain_with(product_body: &Value) -> Chain {
    let dir = tempfile::tempdir().unwrap();
    keys_and_certificates(dir.path());
    let ca = dir.path().join("ca.pem");
    let mut app = TestApp::spawn_with(|s| {
        s.outbound = OutboundSettings {
            allow_loopback: true,
            ca_file: Some(ca.clone()),
        }
    })
    .await;
    let c = cast(&mut app).await;
    let crm = on_sale(&app, &c, &c.alice, product_body).await;
    let (basic, basic_sk) = access_key(&app, &c.alice).await;
    let (sync, sync_sk) = access_key(&app, &c.alice).await;
    let (generic, generic_sk) = access_key(&app, &c.alice).await;
    let seller = Seller::start(
        dir.path(),
        json!({"basic": basic_sk, "kitSync": sync_sk, "generic": generic_sk}),
        &app.url(""),
    );
    let public_key = std::fs::read_to_string(dir.path().join("seller.pub")).unwrap();
    let (status, registered) = send_json(
        &app,
        Method::POST,
        "/api/marketplace/v1/seller/kit/apps",
        &c.alice,
        &json!({
            "productId": crm, "name": "CRM", "homeUrl": seller.home(),
            "productionUrl": seller.url(), "publicKey": public_key,
            "keys": {"basic": basic, "kitSync": sync, "generic": generic},
        }),
    )
    .await;
    assert_eq!(status, 201, "{registered}");
    let pem = std::fs::read(&ca).unwrap();
    let visitor = reqwest::Client::builder()
        .add_root_certificate(reqwest::Certificate::from_pem(&pem).unwrap())
        .build()
        .unwrap();
    let app_id = registered["appId"].as_str().unwrap().to_owned();
    Chain {
        app,
        c,
        seller,
        crm,
        app_id,
        public_key,
        visitor,
        _dir: dir,
    }
}

impl Chain {
    pub(super) fn debug_path(&self, what: &str) -> String {
        format!("/api/marketplace/v1/seller/kit/apps/{}/{what}", self.app_id)
    }

    /// Saves a successful debug case of every required scenario (period billing).
    pub(super) async fn debug_all(&self) {
        for scenario in [
            "newInstance",
            "refreshInstance",
            "updateInstanceStatus",
            "releaseInstance",
        ] {
            let (status, case) = send_json(
                &self.app,
                Method::POST,
                &self.debug_path("debug-cases"),
                &self.c.alice,
                &json!({"scenario": scenario}),
            )
            .await;
            assert_eq!(status, 201, "{scenario}: {case}");
        }
    }

    /// Moves the clock; the marketplace tokens (two hours) are fetched again.
    pub(super) async fn advance(&mut self, by: Duration) {
        self.app.clock().advance(by);
        for (user, token) in [
            ("alice", &mut self.c.alice),
            ("bob", &mut self.c.bob),
            ("dave", &mut self.c.dave),
        ] {
            *token = token_for(&mut self.app, user).await;
        }
    }

    /// Waits (the worker runs every second) until the seller has received `count`
    /// requests matching `wanted`; the whole log then.
    pub(super) async fn received(
        &self,
        what: &str,
        count: usize,
        wanted: impl Fn(&Value) -> bool,
    ) -> Vec<Value> {
        for _ in 0..150 {
            let log = self.seller.log();
            if log.iter().filter(|e| wanted(e)).count() >= count {
                return log;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("the seller never received {what}: {:#?}", self.seller.log());
    }

    pub(super) async fn order(&self, token: &str, body: Value) -> Value {
        let (status, order) = order(&self.app, token, body, None).await;
        assert_eq!(status, 201, "{order}");
        order
    }

    pub(super) async fn instances(&self, token: &str) -> Vec<Value> {
        let (status, list, _) = call(&self.app, Method::GET, INSTANCES, Some(token)).await;
        assert_eq!(status, 200, "{list}");
        list["items"].as_array().unwrap().clone()
    }

    /// Signs `user` in at the app's portal link; the answer to the login form.
    pub(super) async fn portal(&mut self, app_id: &str, user: &str) -> reqwest::Response {
        self.app.browser = crate::helpers::browser();
        let link = format!("/unified-login/portal-login?ind=UNOP&appId={app_id}");
        self.app
            .submit_login(&self.app.url(&link), user, crate::helpers::PASSWORD)
            .await
    }

    /// Follows the portal's redirect to the seller's home, which redeems the code with
    /// the credentials it was delivered; what it learned.
    pub(super) async fn home(&self, redirect: &reqwest::Response) -> Value {
        let to = location(redirect);
        assert!(to.starts_with(&self.seller.home()), "{to}");
        let answer = self.visitor.get(&to).send().await.unwrap();
        let status = answer.status().as_u16();
        let body: Value = answer.json().await.unwrap();
        assert_eq!(status, 200, "the seller's home: {body}");
        body
    }
}

pub(super) fn activity(name: &'static str) -> impl Fn(&Value) -> bool {
    move |e: &Value| e["activity"] == name
}

/// The seller's instance id, as it answered the first opening.
pub(super) fn done_instance(log: &[Value]) -> String {
    let order_line = log[0]["body"]["orderLineId"].as_str().unwrap();
    format!("ins-{order_line}")
}
