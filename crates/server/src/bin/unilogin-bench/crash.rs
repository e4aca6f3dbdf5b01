//! The crash check of the durable writes: rotating refresh chains under full load, the
//! server killed outright (SIGKILL) halfway, started again on the same stores. A rotation
//! is answered only once it is committed, so every chain's last answered token must be in
//! the durable store: live, or spent by the rotation that was in flight at the kill (its
//! answer never came, as after any crash). Either way, nothing answered is lost.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use hyper::StatusCode;
use unilogin::secret::sha256_hex;
use unilogin::store::durable::Durable;

use crate::fixture::Fixture;
use crate::load::Connection;
use crate::scenarios::{form, json_field, Context};
use crate::server::{self, Server};

pub struct Crash {
    pub chains: usize,
    /// Rotations answered before the kill.
    pub answered: u64,
    /// Chains whose last answered token was not in the durable store after the restart.
    pub lost: usize,
    /// Chains whose last answered token refreshed again on the restarted server.
    pub live: usize,
    /// Chains whose last answered token was spent by the rotation in flight at the kill.
    pub spent_in_flight: usize,
}

/// Runs the check on `server` (which it kills) and returns the server started again.
pub async fn check(
    server: Server,
    fixture: &Fixture,
    connections: usize,
    pin: bool,
    load_for: Duration,
) -> Result<(Crash, Server), String> {
    let context = Context::prepare(server.addr, fixture, connections, 0).await?;
    let answered = Arc::new(AtomicU64::new(0));
    let mut chains = Vec::new();
    for token in context.refresh_tokens() {
        let (addr, basic) = (server.addr, context.basic().to_owned());
        let (token, answered) = (token.clone(), answered.clone());
        chains.push(tokio::spawn(async move {
            rotate_until_refused(addr, &basic, token, &answered).await
        }));
    }
    tokio::time::sleep(load_for).await;
    // Dropping the child kills it: SIGKILL, nothing flushed or drained.
    drop(server);
    let mut last_answered = Vec::new();
    for chain in chains {
        last_answered.push(chain.await.map_err(|e| e.to_string())??);
    }
    let restarted = server::spawn("serve", &fixture.env, pin).await?;
    let durable = Durable::connect(&fixture.database_url)
        .await
        .map_err(|e| e.to_string())?;
    let mut crash = Crash {
        chains: last_answered.len(),
        answered: answered.load(Ordering::Relaxed),
        lost: 0,
        live: 0,
        spent_in_flight: 0,
    };
    let mut conn = Connection::open(restarted.addr).await?;
    for token in &last_answered {
        let stored = durable
            .find_refresh_token(&sha256_hex(token))
            .await
            .map_err(|e| e.to_string())?;
        match stored {
            None => crash.lost += 1,
            Some(record) if record.spent_at.is_some() => crash.spent_in_flight += 1,
            Some(_) => {
                let (status, _) = refresh(&mut conn, context.basic(), token).await?;
                if status == StatusCode::OK {
                    crash.live += 1;
                } else {
                    crash.lost += 1;
                }
            }
        }
    }
    durable.close().await;
    Ok((crash, restarted))
}

/// Rotates one chain as fast as answers come, until a request fails (the kill); returns
/// the last token an answer carried.
async fn rotate_until_refused(
    addr: SocketAddr,
    basic: &str,
    mut token: String,
    answered: &AtomicU64,
) -> Result<String, String> {
    let Ok(mut conn) = Connection::open(addr).await else {
        return Ok(token);
    };
    loop {
        match refresh(&mut conn, basic, &token).await {
            Ok((StatusCode::OK, body)) => {
                token = json_field(&body, "refresh_token")?;
                answered.fetch_add(1, Ordering::Relaxed);
            }
            Ok((status, body)) => {
                return Err(format!(
                    "a refresh before the kill was refused: {status} {}",
                    String::from_utf8_lossy(&body)
                ))
            }
            Err(_) => return Ok(token),
        }
    }
}

async fn refresh(
    conn: &mut Connection,
    basic: &str,
    token: &str,
) -> Result<(StatusCode, bytes::Bytes), String> {
    let request = conn
        .client_post(
            "/api/v1/oauth2/token",
            basic,
            form(&[("grant_type", "refresh_token"), ("refresh_token", token)]),
        )
        .map_err(|e| e.to_string())?;
    conn.send(request).await
}
