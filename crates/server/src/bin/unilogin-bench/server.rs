//! The processes under test: unilogin itself and the bare actix-web reference, each a
//! child process of this binary, pinned to core 0 when `taskset` exists.

use std::net::{SocketAddr, TcpListener};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use std::future::Future;

use actix_web::{web, App, HttpResponse, HttpServer};
use unilogin::startup::Application;

/// A running child server, stopped when dropped.
pub struct Server {
    child: Child,
    pub addr: SocketAddr,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Server {
    /// Resident memory of the server process, in bytes.
    pub fn rss(&self) -> u64 {
        rss_of(self.child.id())
    }
}

pub fn rss_of(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|status| {
            status
                .lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kib| kib.parse::<u64>().ok())
        })
        .map_or(0, |kib| kib * 1024)
}

pub fn taskset_available() -> bool {
    Path::new("/usr/bin/taskset").exists() || Path::new("/bin/taskset").exists()
}

pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .unwrap_or(18080)
}

/// Starts this binary as `mode` (a hidden subcommand) with `env`, on core 0 if `pin`.
pub async fn spawn(mode: &str, env: &[(String, String)], pin: bool) -> Result<Server, String> {
    let port = free_port();
    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    let mut command = if pin {
        let mut c = Command::new("taskset");
        c.arg("-c").arg("0").arg(&exe);
        c
    } else {
        Command::new(&exe)
    };
    command
        .arg(mode)
        .env("UNILOGIN_BIND", format!("127.0.0.1:{port}"))
        .envs(env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
        .stdout(Stdio::null())
        .stderr(Stdio::inherit());
    let child = command.spawn().map_err(|e| format!("spawn {mode}: {e}"))?;
    let addr: SocketAddr = ([127, 0, 0, 1], port).into();
    let server = Server { child, addr };
    for _ in 0..200 {
        if tokio::net::TcpStream::connect(addr).await.is_ok() {
            return Ok(server);
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    Err(format!("{mode} did not start listening on {addr}"))
}

/// Builds the real `Application` from the environment, as `unilogin serve` does, on a
/// runtime of its own, and hands it to `body`.
pub fn with_unilogin<F, Fut>(body: F) -> Result<(), String>
where
    F: FnOnce(Application) -> Fut,
    Fut: Future<Output = Result<(), String>>,
{
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    runtime.block_on(async {
        let settings = unilogin::config::Settings::from_env().map_err(|e| e.to_string())?;
        unilogin::telemetry::init(&settings.log);
        let app = Application::build(settings)
            .await
            .map_err(|e| e.to_string())?;
        body(app).await
    })
}

/// `unilogin serve`, exactly as the CLI runs it.
pub fn run_unilogin() -> Result<(), String> {
    with_unilogin(|app| async move { app.run_until_stopped().await.map_err(|e| e.to_string()) })
}

/// The physical-limit reference: one tiny route on the same runtime, with the same worker
/// count rule and the same JSON body size class as a small API answer.
pub fn run_bare() -> Result<(), String> {
    let bind = std::env::var("UNILOGIN_BIND").map_err(|e| e.to_string())?;
    let workers = std::thread::available_parallelism().map_or(1, |n| n.get());
    actix_web::rt::System::new().block_on(async move {
        HttpServer::new(|| {
            App::new().route(
                "/bare",
                web::get().to(|| async {
                    HttpResponse::Ok()
                        .content_type("application/json")
                        .body(r#"{"ok":true}"#)
                }),
            )
        })
        .workers(workers)
        .bind(bind)
        .map_err(|e| e.to_string())?
        .run()
        .await
        .map_err(|e| e.to_string())
    })
}
