//! `unilogin-bench soak` and `unilogin-bench faults`: unilogin on a PostgreSQL cluster and
//! a Redis server of the bench's own, under the steady mixed load of `soak.rs`. The soak
//! wants zero errors, zero 503s, every refresh chain live at the end and a flat RSS; the
//! fault run restarts Redis and then PostgreSQL in the middle and wants zero errors (503
//! while a store is away is the expected answer, and it must come quickly), every chain
//! live at the end, and the rate back within seconds of each store's return, without
//! restarting unilogin.

use std::fmt::Write;
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::fixture::Fixture;
use crate::server::{self, Server};
use crate::soak::{Mix, Timeline};
use crate::stores::OwnStore;

/// The load both runs put on unilogin.
#[derive(Clone, Copy)]
pub struct Load {
    pub duration: Duration,
    /// Requests per second, all workers together.
    pub rate: u32,
    pub workers: usize,
}

/// A 503 slower than this is not "quick": the pool waits 2 s for a connection.
const QUICK: Duration = Duration::from_secs(3);
/// The share of the pre-fault rate that counts as "back".
const BACK: f64 = 0.8;

struct Rig {
    redis: OwnStore,
    postgres: OwnStore,
    fixture: Option<Fixture>,
    server: Server,
    mix: Arc<Mix>,
}

impl Rig {
    async fn start() -> Result<Rig, String> {
        let redis = OwnStore::redis().await?;
        let postgres = OwnStore::postgres().await?;
        eprintln!(
            "own stores: Redis on {}, PostgreSQL on {}",
            redis.addr(),
            postgres.addr()
        );
        let fixture = Fixture::create(Some(&postgres.url()), Some(&redis.url())).await?;
        let mut env = fixture.env.clone();
        // Store outages are logged as warnings; only errors are news here.
        env.push(("UNILOGIN_LOG".into(), "error".into()));
        let server = server::spawn("serve", &env, false).await?;
        let mix = Arc::new(Mix::prepare(server.addr, &fixture).await?);
        Ok(Rig {
            redis,
            postgres,
            fixture: Some(fixture),
            server,
            mix,
        })
    }

    async fn finish(mut self) {
        if let Some(fixture) = self.fixture.take() {
            fixture.remove().await;
        }
    }
}

/// RSS of the server, every `every`, until `duration` has passed on the timeline.
async fn sample_rss(
    server: &Server,
    timeline: &Timeline,
    duration: Duration,
    every: Duration,
) -> Vec<(Duration, u64)> {
    let mut samples = Vec::new();
    while timeline.since_start() < duration {
        samples.push((timeline.since_start(), server.rss()));
        tokio::time::sleep(every).await;
    }
    samples.push((timeline.since_start(), server.rss()));
    samples
}

fn mib(bytes: u64) -> String {
    format!("{:.1} MiB", bytes as f64 / (1024.0 * 1024.0))
}

fn totals(out: &mut String, timeline: &Timeline, load: Load, dead: usize, chains: usize) {
    let (slowest, p99) = timeline.unavailable_latency();
    let _ = writeln!(out, "| | |\n|---|---|");
    let _ = writeln!(
        out,
        "| load | {} workers, {} req/s asked, {:.0} req/s answered 2xx/302 |",
        load.workers,
        load.rate,
        timeline.ok_total() as f64 / load.duration.as_secs_f64()
    );
    let _ = writeln!(out, "| answered as expected | {} |", timeline.ok_total());
    let _ = writeln!(
        out,
        "| 503 (a store away) | {} (p99 {} ms, slowest {} ms) |",
        timeline.unavailable_total(),
        p99.as_millis(),
        slowest.as_millis()
    );
    let _ = writeln!(
        out,
        "| errors | {}{} |",
        timeline.errors_total(),
        timeline
            .first_error()
            .map(|e| format!(" (first: {e})"))
            .unwrap_or_default()
    );
    let _ = writeln!(
        out,
        "| refresh chains live at the end | {} of {chains} ({dead} lost rotations) |",
        chains - dead
    );
}

pub async fn soak(load: Load) -> Result<(), String> {
    let rig = Rig::start().await?;
    let timeline = Arc::new(Timeline::new(load.duration));
    let every = (load.duration / 30).clamp(Duration::from_secs(1), Duration::from_secs(10));
    let (chains, samples) = tokio::join!(
        rig.mix
            .run(&timeline, load.workers, load.rate, load.duration),
        sample_rss(&rig.server, &timeline, load.duration, every)
    );
    let chains = chains?;
    let dead = rig.mix.dead_chains(&chains).await?;
    rig.finish().await;

    // After a warm-up of a tenth of the run, the second half may not outgrow the first.
    let warm = (load.duration / 10).max(Duration::from_secs(5));
    let warmed: Vec<u64> = samples
        .iter()
        .filter(|(at, _)| *at >= warm)
        .map(|(_, rss)| *rss)
        .collect();
    let (first, second) = warmed.split_at(warmed.len() / 2);
    let first_max = first.iter().copied().max().unwrap_or(0);
    let second_max = second.iter().copied().max().unwrap_or(0);
    let flat = !first.is_empty() && second_max as f64 <= first_max as f64 * 1.10;

    let mut out = format!(
        "## Soak: {} s on PostgreSQL + Redis (the bench's own)\n\n",
        load.duration.as_secs()
    );
    totals(&mut out, &timeline, load, dead, chains.len());
    let _ = writeln!(
        out,
        "| RSS | {} at start, {} after warm-up, {} at the end; max {} in the first half, {} in the second: {} |",
        mib(samples.first().map_or(0, |s| s.1)),
        mib(warmed.first().copied().unwrap_or(0)),
        mib(samples.last().map_or(0, |s| s.1)),
        mib(first_max),
        mib(second_max),
        if flat { "flat" } else { "GROWING" }
    );
    println!("{out}");
    let clean =
        timeline.errors_total() == 0 && timeline.unavailable_total() == 0 && dead == 0 && flat;
    if clean {
        Ok(())
    } else {
        Err("the soak saw errors, 503s, lost rotations or a growing RSS".into())
    }
}

/// One restart under load, as measured.
struct Restart {
    store: &'static str,
    down_at: Duration,
    back_at: Duration,
}

pub async fn faults(load: Load, down: Duration) -> Result<(), String> {
    let mut rig = Rig::start().await?;
    let timeline = Arc::new(Timeline::new(load.duration));
    let start = Instant::now();
    let plan = [
        (load.duration / 4, "Redis"),
        (load.duration * 3 / 5, "PostgreSQL"),
    ];
    let restarts = async {
        let mut done = Vec::new();
        for (at, store) in plan {
            tokio::time::sleep_until((start + at).into()).await;
            let down_at = timeline.since_start();
            eprintln!("restarting {store} at {} s", down_at.as_secs());
            let target = if store == "Redis" {
                &mut rig.redis
            } else {
                &mut rig.postgres
            };
            let back = target.restart(down).await?;
            let back_at = back.saturating_duration_since(start);
            eprintln!("{store} back at {:.1} s", back_at.as_secs_f64());
            done.push(Restart {
                store,
                down_at,
                back_at,
            });
        }
        Ok::<_, String>(done)
    };
    let (chains, restarts) = tokio::join!(
        rig.mix
            .run(&timeline, load.workers, load.rate, load.duration),
        restarts
    );
    let (chains, restarts) = (chains?, restarts?);
    let dead = rig.mix.dead_chains(&chains).await?;
    rig.finish().await;

    let mut out = format!(
        "## Faults: {} s on PostgreSQL + Redis (the bench's own), each restarted once \
         ({} s down)\n\n",
        load.duration.as_secs(),
        down.as_secs()
    );
    totals(&mut out, &timeline, load, dead, chains.len());
    let mut recovered = true;
    for restart in &restarts {
        let from = restart.down_at.saturating_sub(Duration::from_secs(10));
        let baseline = timeline.ok_rate(from.max(Duration::from_secs(2)), restart.down_at);
        let recovery = timeline.recovery(restart.back_at, baseline, BACK);
        recovered &= recovery.is_some_and(|r| r <= Duration::from_secs(10));
        let _ = writeln!(
            out,
            "| {} restart | stopped at {:.1} s, accepting again at {:.1} s; {:.0} req/s before; \
             back to {:.0}% of it {} |",
            restart.store,
            restart.down_at.as_secs_f64(),
            restart.back_at.as_secs_f64(),
            baseline,
            BACK * 100.0,
            recovery.map_or("never".into(), |r| format!(
                "{:.2} s after the store returned",
                r.as_secs_f64()
            ))
        );
    }
    println!("{out}");
    let (slowest, _) = timeline.unavailable_latency();
    if timeline.errors_total() == 0 && dead == 0 && slowest <= QUICK && recovered {
        Ok(())
    } else {
        Err("the fault run saw errors, lost rotations, slow 503s or no recovery".into())
    }
}
