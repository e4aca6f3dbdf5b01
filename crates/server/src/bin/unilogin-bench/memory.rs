//! The memory measurement: a unilogin process (the real `Application`, in-process store)
//! holding N live browser sessions, created exactly as a login creates them.

use std::time::Duration;

use unilogin::store::ephemeral::BrowserSession;

use crate::fixture::Fixture;

pub struct Memory {
    pub idle: u64,
    pub with_sessions: u64,
    pub sessions: usize,
}

/// Runs the probe as a child process (on the server's core) and reads its answer.
pub async fn measure(fixture: &Fixture, sessions: usize, pin: bool) -> Result<Memory, String> {
    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    let mut command = if pin {
        let mut c = std::process::Command::new("taskset");
        c.arg("-c").arg("0").arg(&exe);
        c
    } else {
        std::process::Command::new(&exe)
    };
    command
        .arg("memory-probe")
        .arg("--sessions")
        .arg(sessions.to_string())
        .envs(fixture.env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
        // The in-process store is what is measured, whatever the run used.
        .env_remove("UNILOGIN_REDIS_URL")
        .env("UNILOGIN_BIND", "127.0.0.1:0");
    let output = tokio::task::spawn_blocking(move || command.output())
        .await
        .map_err(|e| e.to_string())?
        .map_err(|e| e.to_string())?;
    let text = String::from_utf8_lossy(&output.stdout);
    let numbers: Vec<u64> = text
        .split_whitespace()
        .filter_map(|w| w.split_once('=').and_then(|(_, n)| n.parse().ok()))
        .collect();
    match (output.status.success(), numbers.as_slice()) {
        (true, [idle, with_sessions]) => Ok(Memory {
            idle: *idle,
            with_sessions: *with_sessions,
            sessions,
        }),
        _ => Err(format!(
            "memory probe failed: {text} {}",
            String::from_utf8_lossy(&output.stderr)
        )),
    }
}

/// The child: start the app, settle, create the sessions, report RSS before and after.
pub fn probe(sessions: usize) -> Result<(), String> {
    crate::server::with_unilogin(|mut app| async move {
        app.spawn();
        tokio::time::sleep(Duration::from_millis(500)).await;
        let pid = std::process::id();
        let idle = crate::server::rss_of(pid);
        let idp = app.idp();
        let now = unilogin::clock::Clock::system().now_unix();
        for _ in 0..sessions {
            idp.sessions
                .create(&BrowserSession {
                    sid: unilogin::secret::random_token(),
                    user_id: unilogin::admin::new_uuid(),
                    tenant_id: "bench-tenant".into(),
                    auth_time: now,
                })
                .await
                .map_err(|e| e.to_string())?;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
        println!("idle={idle} sessions={}", crate::server::rss_of(pid));
        Ok(())
    })
}
