//! Stopping: readiness turns first, the listener closes, requests in flight finish, and
//! the process exits 0 on SIGTERM.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Command, Stdio};
use std::time::Duration;

use crate::helpers::TestApp;

fn request(stream: &mut TcpStream, head: &str) -> String {
    stream.write_all(head.as_bytes()).unwrap();
    read_response(stream)
}

/// One HTTP/1.1 response with a Content-Length body.
fn read_response(stream: &mut TcpStream) -> String {
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let mut reader = BufReader::new(stream);
    let mut head = String::new();
    let mut length = 0;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap() == 0 {
            break;
        }
        if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
            length = v.trim().parse().unwrap();
        }
        head.push_str(&line);
        if line == "\r\n" {
            break;
        }
    }
    let mut body = vec![0; length];
    reader.read_exact(&mut body).unwrap();
    head + &String::from_utf8_lossy(&body)
}

#[tokio::test]
async fn draining_turns_readiness_closes_the_listener_and_finishes_requests_in_flight() {
    let app = TestApp::spawn_with(|s| s.drain_delay = Duration::from_secs(1)).await;
    let addr = app.base.trim_start_matches("http://").to_owned();
    let (client_id, secret) = (app.client.id.clone(), app.client.secret.clone().unwrap());
    let form =
        format!("grant_type=client_credentials&client_id={client_id}&client_secret={secret}");
    let in_flight = tokio::task::spawn_blocking({
        let addr = addr.clone();
        move || {
            // A request whose body is still arriving when the drain starts.
            let mut stream = TcpStream::connect(&addr).unwrap();
            let head = format!(
                "POST /api/v1/oauth2/token HTTP/1.1\r\nHost: {addr}\r\nContent-Type: \
                 application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\r\n",
                form.len()
            );
            stream.write_all(head.as_bytes()).unwrap();
            stream.write_all(&form.as_bytes()[..10]).unwrap();
            let readyz = format!("GET /readyz HTTP/1.1\r\nHost: {addr}\r\n\r\n");
            let before = request(&mut TcpStream::connect(&addr).unwrap(), &readyz);
            // The load balancer's next health check, once draining began.
            std::thread::sleep(Duration::from_millis(600));
            let during = request(&mut TcpStream::connect(&addr).unwrap(), &readyz);
            // After the drain delay the listener is closed; the body completes.
            std::thread::sleep(Duration::from_millis(900));
            let refused = TcpStream::connect(&addr).is_err();
            stream.write_all(&form.as_bytes()[10..]).unwrap();
            (before, during, refused, read_response(&mut stream))
        }
    });
    tokio::time::sleep(Duration::from_millis(300)).await;
    let stopped = tokio::spawn(app.app().drain());
    let (before, during, refused, finished) = in_flight.await.unwrap();
    assert!(before.starts_with("HTTP/1.1 200"), "{before}");
    assert!(during.starts_with("HTTP/1.1 503"), "{during}");
    assert!(during.contains("\"draining\""), "{during}");
    assert!(
        during.to_ascii_lowercase().contains("connection: close"),
        "{during}"
    );
    assert!(refused, "the listener is closed after the drain delay");
    assert!(finished.starts_with("HTTP/1.1 200"), "{finished}");
    assert!(finished.contains("access_token"), "{finished}");
    tokio::time::timeout(Duration::from_secs(10), stopped)
        .await
        .expect("stops once the requests in flight are answered")
        .unwrap();
}

#[test]
fn sigterm_drains_and_exits_zero() {
    let dir = tempfile::tempdir().unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_unilogin"))
        .args(["serve", "--bind", "127.0.0.1:0"])
        .current_dir(dir.path())
        .env("UNILOGIN_LOG", "info")
        .env_remove("UNILOGIN_REDIS_URL")
        .env_remove("UNILOGIN_DATABASE_URL")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    stdout.read_line(&mut line).unwrap();
    let addr = line
        .split_whitespace()
        .nth(3)
        .unwrap_or_else(|| panic!("listening line: {line:?}"))
        .to_owned();
    let mut probe = TcpStream::connect(&addr).unwrap();
    let ready = request(
        &mut probe,
        &format!("GET /readyz HTTP/1.1\r\nHost: {addr}\r\n\r\n"),
    );
    assert!(ready.starts_with("HTTP/1.1 200"), "{ready}");

    let killed = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let mut waited = None;
    for _ in 0..100 {
        if let Some(status) = child.try_wait().unwrap() {
            waited = Some(status);
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let status = waited.unwrap_or_else(|| {
        let _ = child.kill();
        panic!("still running 10 s after SIGTERM")
    });
    let mut stderr = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut stderr)
        .unwrap();
    assert_eq!(status.code(), Some(0), "{stderr}");
    assert!(stderr.contains("draining"), "{stderr}");
    assert!(TcpStream::connect(&addr).is_err());
}
