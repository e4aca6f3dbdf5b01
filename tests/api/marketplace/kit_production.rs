//! Calls to a seller's production interface, end to end, against an independent seller
//! (`tests/seller/seller.py`, Python, written from the upstream documentation): HTTPS on
//! loopback under a test CA (the development switch and an extra CA file), V2 signatures
//! verified by the seller with the key of each interface category, Body-Sign checked by
//! us, the client secret decrypted by the seller with its private key; faults answered
//! as failures the outbox retries on the injectable clock.
//!
//! Needs `python3` and `openssl` (Debian has both); `#[ignore]`d in a plain `cargo test`
//! like the other tests that need tools cargo does not bring; `.ci/run` runs it.

use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use reqwest::Method;
use unilogin::marketplace::kit::exchange::Activity;
use unilogin::marketplace::kit::outbox::{JobStatus, NewJob, Outbox};
use unilogin::marketplace::kit::secret_delivery::DeliveryKey;
use unilogin::outbound::OutboundSettings;
use unilogin::secret::Secret;

use super::*;

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
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/seller/seller.py");
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

/// Waits (the worker runs every second; a call may take its 20 s) until `job` has been
/// tried `attempts` times.
async fn tried(
    outbox: &Outbox,
    job: &str,
    attempts: i64,
) -> unilogin::marketplace::kit::outbox::Job {
    for _ in 0..300 {
        let current = outbox.job(job).await.unwrap().unwrap();
        if current.attempts >= attempts && current.lease_free() {
            return current;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("job {job} was not tried {attempts} times");
}

#[tokio::test]
#[ignore = "needs python3 and openssl: .ci/run has them and runs it"]
async fn the_production_interface_is_called_signed_and_its_answers_checked() {
    let dir = tempfile::tempdir().unwrap();
    keys_and_certificates(dir.path());
    let ca = dir.path().join("ca.pem");
    let mut app = TestApp::spawn_with(|s| {
        s.outbound = OutboundSettings {
            allow_loopback: true,
            ca_file: Some(ca),
        }
    })
    .await;
    let c = cast(&mut app).await;
    let crm = on_sale(&app, &c, &c.alice, &product("CRM")).await;
    let (basic, basic_sk) = access_key(&app, &c.alice).await;
    let (sync, sync_sk) = access_key(&app, &c.alice).await;
    let (generic, generic_sk) = access_key(&app, &c.alice).await;
    let seller = Seller::start(
        dir.path(),
        serde_json::json!({"basic": basic_sk, "kitSync": sync_sk, "generic": generic_sk}),
        &app.url(""),
    );
    let public_key = std::fs::read_to_string(dir.path().join("seller.pub")).unwrap();
    let (status, registered) = send_json(
        &app,
        Method::POST,
        "/api/marketplace/v1/seller/kit/apps",
        &c.alice,
        &serde_json::json!({
            "productId": crm, "name": "CRM", "homeUrl": "https://crm.example.com/home",
            "productionUrl": seller.url(), "publicKey": public_key,
            "keys": {"basic": basic, "kitSync": sync, "generic": generic},
        }),
    )
    .await;
    assert_eq!(status, 201, "{registered}");
    let app_id = registered["appId"].as_str().unwrap().to_owned();
    let outbox = Outbox::new(app.durable.pool().clone(), app.clock().clone());
    let job = |activity: Activity, key: &str, payload: serde_json::Value| NewJob {
        seller_tenant_id: "tenant-a".into(),
        app_id: app_id.clone(),
        instance_id: String::new(),
        activity,
        idempotency_key: key.into(),
        payload,
    };

    // A new purchase, basic category, signed in the query: accepted with the seller's
    // instance id.
    let new = outbox
        .enqueue(&job(
            Activity::NewInstance,
            "o-1/l-1",
            serde_json::json!({"orderId": "o-1", "orderLineId": "l-1", "businessId": "b-1", "testFlag": 0}),
        ))
        .await
        .unwrap();
    let done = tried(&outbox, new.id(), 1).await;
    assert_eq!(done.status, JobStatus::Done, "{}", done.last_error);
    assert_eq!(done.answer.unwrap()["instanceId"], "ins-l-1");

    // Kit sync, signed in headers under /produceAPI/v2/: the secret decrypts at the seller.
    let delivery = DeliveryKey::from_pem(&public_key).unwrap();
    let sealed = delivery.encrypt(&Secret::new("the-tenant-secret")).unwrap();
    let sync_job = outbox
        .enqueue(&job(
            Activity::ApplicationSync,
            "app/tenant-d/1",
            serde_json::json!({"instanceId": "ins-l-1", "tenantId": "tenant-d", "appId": app_id,
                "clientId": "client-1", "clientSecret": sealed, "flag": 1, "testFlag": 0}),
        ))
        .await
        .unwrap();
    let done = tried(&outbox, sync_job.id(), 1).await;
    assert_eq!(done.status, JobStatus::Done, "{}", done.last_error);
    let log = seller.log();
    assert!(log.iter().all(|e| e["verified"] == true), "{log:?}");
    let sync_entry = log
        .iter()
        .find(|e| e["activity"] == "applicationSync")
        .unwrap();
    assert_eq!(sync_entry["path"], "/produce/produceAPI/v2/applicationSync");
    assert_eq!(sync_entry["category"], "kitSync");
    assert_eq!(sync_entry["decryptedSecret"], "the-tenant-secret");
    let new_entry = log.iter().find(|e| e["activity"] == "newInstance").unwrap();
    assert_eq!(new_entry["category"], "basic");

    // Faults: each a failed attempt with the reason, retried after the interval.
    for (fault, says) in [
        ("500", "HTTP status 500"),
        ("bad-sign", "Body-Sign signature does not match"),
        ("no-sign", "no Body-Sign"),
        ("text", "content type"),
        ("000005", "000005 (internal error)"),
        // The seller sleeps 30 s: the call gives up at 20 (the debug page's limit).
        ("timeout", "no answer within 20 s"),
    ] {
        seller.faults(serde_json::json!({"releaseInstance": [fault]}));
        let release = outbox
            .enqueue(&job(
                Activity::ReleaseInstance,
                &format!("release/{fault}"),
                serde_json::json!({"instanceId": "ins-l-1", "testFlag": 0}),
            ))
            .await
            .unwrap();
        let failed = tried(&outbox, release.id(), 1).await;
        assert_eq!(failed.status, JobStatus::Pending, "{fault}");
        assert!(
            failed.last_error.contains(says),
            "{fault}: {}",
            failed.last_error
        );
        // Fifteen minutes on, the retry goes through.
        app.clock().advance(Duration::from_secs(15 * 60));
        let retried = tried(&outbox, release.id(), 2).await;
        assert_eq!(
            retried.status,
            JobStatus::Done,
            "{fault}: {}",
            retried.last_error
        );
    }

    // A new purchase opening asynchronously (000004) is accepted as in progress.
    seller.faults(serde_json::json!({"newInstance": ["000004"]}));
    let later = outbox
        .enqueue(&job(
            Activity::NewInstance,
            "o-2/l-2",
            serde_json::json!({"orderId": "o-2", "orderLineId": "l-2", "businessId": "b-2", "testFlag": 0}),
        ))
        .await
        .unwrap();
    let done = tried(&outbox, later.id(), 1).await;
    assert_eq!(done.status, JobStatus::Done);
    assert_eq!(done.answer.unwrap()["resultCode"], "000004");
}
