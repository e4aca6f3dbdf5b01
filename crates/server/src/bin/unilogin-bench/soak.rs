//! The soak and the fault run: a steady mixed load (sign-ins, codes minted and redeemed,
//! rotating refresh chains, userinfo, introspection, marketplace reads) from a fixed
//! number of paced workers, counted in 250 ms buckets; during the fault run the bench
//! restarts its own Redis and PostgreSQL under that load.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use bytes::Bytes;
use hyper::StatusCode;

use crate::fixture::{Fixture, PASSWORD, USERNAME};
use crate::load::{Body, Connection};
use crate::scenarios::{
    basic_auth, cookie_value, dead_refresh_tokens, form, json_field, sign_in, token_for_scope,
};

const BUCKET: Duration = Duration::from_millis(250);
/// One password sign-in (an argon2 verification) per this many cycles of a worker.
const LOGIN_EVERY: u64 = 25;

#[derive(Default)]
struct Bucket {
    ok: AtomicU64,
    unavailable: AtomicU64,
    errors: AtomicU64,
}

/// What the workers saw, bucket by bucket.
pub struct Timeline {
    start: Instant,
    buckets: Vec<Bucket>,
    first_error: Mutex<Option<String>>,
    /// Microseconds each 503 took to arrive.
    unavailable_latencies: Mutex<Vec<u64>>,
}

impl Timeline {
    pub fn new(duration: Duration) -> Self {
        let count = (duration.as_millis() / BUCKET.as_millis()) as usize + 8;
        Self {
            start: Instant::now(),
            buckets: (0..count).map(|_| Bucket::default()).collect(),
            first_error: Mutex::new(None),
            unavailable_latencies: Mutex::new(Vec::new()),
        }
    }

    fn bucket(&self, at: Instant) -> &Bucket {
        let index =
            (at.saturating_duration_since(self.start).as_millis() / BUCKET.as_millis()) as usize;
        &self.buckets[index.min(self.buckets.len() - 1)]
    }

    fn ok(&self) {
        self.bucket(Instant::now())
            .ok
            .fetch_add(1, Ordering::Relaxed);
    }

    fn unavailable(&self, started: Instant) {
        self.bucket(Instant::now())
            .unavailable
            .fetch_add(1, Ordering::Relaxed);
        let micros = started.elapsed().as_micros() as u64;
        self.unavailable_latencies.lock().unwrap().push(micros);
    }

    fn error(&self, what: String) {
        self.bucket(Instant::now())
            .errors
            .fetch_add(1, Ordering::Relaxed);
        self.first_error.lock().unwrap().get_or_insert(what);
    }

    fn total(&self, pick: impl Fn(&Bucket) -> &AtomicU64) -> u64 {
        self.buckets
            .iter()
            .map(|b| pick(b).load(Ordering::Relaxed))
            .sum()
    }

    pub fn ok_total(&self) -> u64 {
        self.total(|b| &b.ok)
    }

    pub fn unavailable_total(&self) -> u64 {
        self.total(|b| &b.unavailable)
    }

    pub fn errors_total(&self) -> u64 {
        self.total(|b| &b.errors)
    }

    pub fn first_error(&self) -> Option<String> {
        self.first_error.lock().unwrap().clone()
    }

    /// The slowest 503, and the 99th percentile.
    pub fn unavailable_latency(&self) -> (Duration, Duration) {
        let mut all = self.unavailable_latencies.lock().unwrap().clone();
        if all.is_empty() {
            return (Duration::ZERO, Duration::ZERO);
        }
        all.sort_unstable();
        let p99 = all[((all.len() - 1) as f64 * 0.99).round() as usize];
        (
            Duration::from_micros(*all.last().unwrap()),
            Duration::from_micros(p99),
        )
    }

    /// Successful answers per second over `from..to` (offsets from the start).
    pub fn ok_rate(&self, from: Duration, to: Duration) -> f64 {
        let (first, last) = (self.index(from), self.index(to));
        if last <= first {
            return 0.0;
        }
        let ok: u64 = self.buckets[first..last]
            .iter()
            .map(|b| b.ok.load(Ordering::Relaxed))
            .sum();
        ok as f64 / ((last - first) as f64 * BUCKET.as_secs_f64())
    }

    fn index(&self, offset: Duration) -> usize {
        ((offset.as_millis() / BUCKET.as_millis()) as usize).min(self.buckets.len())
    }

    /// How long after `back` (an offset) the rate first reached `share` of `baseline`
    /// for a whole bucket, without 503s in it.
    pub fn recovery(&self, back: Duration, baseline: f64, share: f64) -> Option<Duration> {
        let per_bucket = baseline * BUCKET.as_secs_f64() * share;
        (self.index(back)..self.buckets.len())
            .find(|&i| {
                let bucket = &self.buckets[i];
                bucket.ok.load(Ordering::Relaxed) as f64 >= per_bucket
                    && bucket.unavailable.load(Ordering::Relaxed) == 0
            })
            .map(|i| (BUCKET * (i as u32 + 1)).saturating_sub(back))
    }

    pub fn since_start(&self) -> Duration {
        self.start.elapsed()
    }
}

/// What every worker shares.
pub struct Mix {
    addr: SocketAddr,
    basic: String,
    client_id: String,
    session_cookie: String,
    /// A buyer's marketplace token, for the catalogue reads.
    market_token: String,
}

/// One worker's refresh chain and the access token it last got.
struct Chain {
    refresh: String,
    access: String,
}

impl Mix {
    /// Signs in once and mints the marketplace token.
    pub async fn prepare(addr: SocketAddr, fixture: &Fixture) -> Result<Mix, String> {
        let mut conn = Connection::open(addr).await?;
        let session_cookie = sign_in(&mut conn, crate::fixture::USERNAME).await?;
        let mut mix = Mix {
            addr,
            basic: basic_auth(fixture),
            client_id: fixture.client_id.clone(),
            session_cookie,
            market_token: String::new(),
        };
        let (status, body) = mix.code_and_tokens(&mut conn, "marketplace.buyer").await?;
        if status != StatusCode::OK {
            return Err(format!("marketplace token: {status}"));
        }
        mix.market_token = json_field(&body, "access_token")?;
        Ok(mix)
    }

    /// Authorize with the session, then the token request; the token answer.
    async fn code_and_tokens(
        &self,
        conn: &mut Connection,
        scope: &str,
    ) -> Result<(StatusCode, Bytes), String> {
        token_for_scope(
            conn,
            &self.session_cookie,
            &self.basic,
            &self.client_id,
            scope,
        )
        .await
    }

    /// Runs `workers` paced workers for `duration` at `rate` requests per second in all;
    /// returns the last refresh token of every chain.
    pub async fn run(
        self: &Arc<Self>,
        timeline: &Arc<Timeline>,
        workers: usize,
        rate: u32,
        duration: Duration,
    ) -> Result<Vec<String>, String> {
        let deadline = timeline.start + duration;
        let period = Duration::from_secs_f64(workers as f64 / f64::from(rate.max(1)));
        let mut tasks = Vec::new();
        for index in 0..workers {
            let (mix, timeline) = (self.clone(), timeline.clone());
            tasks.push(tokio::spawn(async move {
                // Spread the workers' ticks over one period.
                tokio::time::sleep(period.mul_f64(index as f64 / workers as f64)).await;
                mix.worker(&timeline, period, deadline).await
            }));
        }
        let mut chains = Vec::new();
        for task in tasks {
            chains.push(task.await.map_err(|e| e.to_string())??);
        }
        Ok(chains)
    }

    async fn worker(
        &self,
        timeline: &Timeline,
        period: Duration,
        deadline: Instant,
    ) -> Result<String, String> {
        let mut conn = Connection::open(self.addr).await?;
        let (status, body) = self.code_and_tokens(&mut conn, "").await?;
        if status != StatusCode::OK {
            return Err(format!("the worker's first tokens: {status}"));
        }
        let mut chain = Chain {
            refresh: json_field(&body, "refresh_token")?,
            access: json_field(&body, "access_token")?,
        };
        let mut pace = tokio::time::interval(period);
        pace.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let mut cycle = 0u64;
        while Instant::now() < deadline {
            cycle += 1;
            for &step in Step::cycle(cycle) {
                pace.tick().await;
                if Instant::now() >= deadline {
                    break;
                }
                let started = Instant::now();
                match self.step(&mut conn, step, &mut chain).await {
                    Ok(Verdict::Ok) => timeline.ok(),
                    Ok(Verdict::Unavailable) => timeline.unavailable(started),
                    Ok(Verdict::Wrong(what)) => timeline.error(format!("{step:?}: {what}")),
                    Err(transport) => {
                        timeline.error(format!("{step:?}: {transport}"));
                        // The connection may be gone: a new one for the next request.
                        if let Ok(fresh) = Connection::open(self.addr).await {
                            conn = fresh;
                        }
                    }
                }
            }
        }
        Ok(chain.refresh)
    }

    async fn step(
        &self,
        conn: &mut Connection,
        step: Step,
        chain: &mut Chain,
    ) -> Result<Verdict, String> {
        let request = match step {
            Step::Code => {
                let (status, body) = self.code_and_tokens(conn, "").await?;
                return Ok(judge(status, StatusCode::OK, &body));
            }
            Step::Login => {
                let request = conn
                    .request("GET", "/unified-login/portal-login")
                    .body(Body::default())
                    .map_err(|e| e.to_string())?;
                let page = conn.send_full(request).await?;
                let verdict = judge(page.status(), StatusCode::OK, page.body());
                let Some(csrf) = cookie_value(page.headers(), "unilogin_csrf") else {
                    return Ok(match verdict {
                        Verdict::Ok => Verdict::Wrong("the login page set no CSRF cookie".into()),
                        other => other,
                    });
                };
                let cookie = format!("unilogin_csrf={csrf}");
                let body = form(&[
                    ("csrf_token", &csrf),
                    ("username", USERNAME),
                    ("password", PASSWORD),
                ]);
                let request = conn
                    .request("POST", "/unified-login/portal-login")
                    .header("content-type", "application/x-www-form-urlencoded")
                    .header("cookie", &cookie)
                    .body(Body::from(body))
                    .map_err(|e| e.to_string())?;
                let (status, body) = conn.send(request).await?;
                return Ok(judge(status, StatusCode::FOUND, &body));
            }
            Step::Refresh => conn.client_post(
                "/api/v1/oauth2/token",
                &self.basic,
                form(&[
                    ("grant_type", "refresh_token"),
                    ("refresh_token", &chain.refresh),
                ]),
            ),
            Step::Userinfo => conn.bearer_get("/api/v1/oauth2/userinfo", &chain.access),
            Step::Introspect => conn.client_post(
                "/api/v1/oauth2/introspect",
                &self.basic,
                form(&[("token", &chain.access)]),
            ),
            Step::Catalogue => {
                conn.bearer_get("/api/marketplace/v1/products?limit=10", &self.market_token)
            }
        }
        .map_err(|e| e.to_string())?;
        let (status, body) = conn.send(request).await?;
        let verdict = judge(status, StatusCode::OK, &body);
        if !matches!(verdict, Verdict::Ok) {
            return Ok(verdict);
        }
        Ok(match step {
            Step::Refresh => {
                chain.refresh = json_field(&body, "refresh_token")?;
                chain.access = json_field(&body, "access_token")?;
                Verdict::Ok
            }
            Step::Introspect if !body.starts_with(br#"{"active":true"#) => {
                Verdict::Wrong("the worker's access token introspected inactive".into())
            }
            _ => Verdict::Ok,
        })
    }

    /// Introspects the last refresh token of every chain: how many are no longer live.
    pub async fn dead_chains(&self, tokens: &[String]) -> Result<usize, String> {
        dead_refresh_tokens(self.addr, &self.basic, &self.client_id, tokens).await
    }
}

#[derive(Debug, Clone, Copy)]
enum Step {
    Login,
    Code,
    Refresh,
    Userinfo,
    Introspect,
    Catalogue,
}

impl Step {
    fn cycle(number: u64) -> &'static [Step] {
        const WITH_LOGIN: [Step; 6] = [
            Step::Login,
            Step::Code,
            Step::Refresh,
            Step::Userinfo,
            Step::Introspect,
            Step::Catalogue,
        ];
        if number % LOGIN_EVERY == 0 {
            &WITH_LOGIN
        } else {
            &WITH_LOGIN[1..]
        }
    }
}

enum Verdict {
    Ok,
    /// 503: a store is away; the request may be retried.
    Unavailable,
    Wrong(String),
}

fn judge(status: StatusCode, want: StatusCode, body: &Bytes) -> Verdict {
    if status == want {
        Verdict::Ok
    } else if status == StatusCode::SERVICE_UNAVAILABLE {
        Verdict::Unavailable
    } else {
        Verdict::Wrong(format!(
            "status {status}: {}",
            String::from_utf8_lossy(&body[..body.len().min(200)])
        ))
    }
}
