//! `unilogin-bench`: a load benchmark of unilogin against a bare actix-web handler in the
//! same run. It creates its own database, client and user, starts unilogin and the bare
//! handler as child processes pinned to core 0 (when `taskset` exists), drives them from
//! the other cores with many keep-alive connections, and prints a Markdown table.
//!
//! ```text
//! cargo run --release --bin unilogin-bench                      # embedded default
//! cargo run --release --bin unilogin-bench -- \
//!     --database-url postgres://postgres@127.0.0.1:5432/test --redis-url redis://127.0.0.1:6379/
//! cargo run --release --bin unilogin-bench -- soak              # 10 minutes, steady mixed load
//! cargo run --release --bin unilogin-bench -- faults            # Redis and PostgreSQL restarted
//! ```

mod crash;
mod endurance;
mod fixture;
mod load;
mod memory;
mod report;
mod scenarios;
mod server;
mod soak;
mod stores;

use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use clap::{Parser, Subcommand};

use fixture::Fixture;
use scenarios::{Context, Kind};

#[derive(Parser)]
#[command(name = "unilogin-bench", about = "Load benchmark of unilogin")]
struct Args {
    /// Seconds each scenario runs.
    #[arg(long, default_value_t = 5)]
    seconds: u64,
    /// Rounds each scenario's seconds are split into; in every round a scenario measured
    /// as a share of the bare handler runs right after a run of the bare handler.
    #[arg(long, default_value_t = 3)]
    rounds: u32,
    /// Concurrent keep-alive connections per scenario (password logins use at most 8).
    #[arg(long, default_value_t = 64)]
    connections: usize,
    /// Run on PostgreSQL: an admin URL; the bench creates and drops its own database.
    #[arg(long)]
    database_url: Option<String>,
    /// Run on Redis (the bench uses and clears its own key prefix).
    #[arg(long)]
    redis_url: Option<String>,
    /// Live browser sessions for the memory measurement.
    #[arg(long, default_value_t = 100_000)]
    sessions: usize,
    /// Only these scenarios (comma-separated keys: bare, client-credentials, refresh,
    /// userinfo, introspection, authorization-code, login, catalogue, order-query,
    /// orders, crash, memory).
    #[arg(long, value_delimiter = ',')]
    only: Vec<String>,
    /// Do not pin the server and the load to separate cores.
    #[arg(long)]
    no_pin: bool,
    #[command(subcommand)]
    mode: Option<Mode>,
}

/// The endurance runs, and the child processes the bench starts of itself.
#[derive(Subcommand)]
enum Mode {
    /// A steady mixed load on the bench's own PostgreSQL and Redis: zero errors and a
    /// flat RSS wanted.
    Soak {
        #[arg(long, default_value_t = 600)]
        seconds: u64,
        /// Requests per second, all workers together.
        #[arg(long, default_value_t = 200)]
        rate: u32,
        #[arg(long, default_value_t = 16)]
        workers: usize,
    },
    /// The same load while the bench restarts its own Redis, then its own PostgreSQL.
    Faults {
        #[arg(long, default_value_t = 120)]
        seconds: u64,
        #[arg(long, default_value_t = 200)]
        rate: u32,
        #[arg(long, default_value_t = 16)]
        workers: usize,
        /// Seconds each store stays down.
        #[arg(long, default_value_t = 5)]
        down: u64,
    },
    #[command(hide = true)]
    Serve,
    #[command(hide = true)]
    Bare,
    #[command(hide = true)]
    MemoryProbe {
        #[arg(long)]
        sessions: usize,
    },
}

const PINNED_MARK: &str = "UNILOGIN_BENCH_PINNED";

fn main() -> ExitCode {
    let args = Args::parse();
    let result = match args.mode {
        Some(Mode::Serve) => server::run_unilogin(),
        Some(Mode::Bare) => server::run_bare(),
        Some(Mode::MemoryProbe { sessions }) => memory::probe(sessions),
        Some(Mode::Soak {
            seconds,
            rate,
            workers,
        }) => endure(|| endurance::soak(load(seconds, rate, workers))),
        Some(Mode::Faults {
            seconds,
            rate,
            workers,
            down,
        }) => endure(|| endurance::faults(load(seconds, rate, workers), Duration::from_secs(down))),
        None => bench(args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("unilogin-bench: {err}");
            ExitCode::FAILURE
        }
    }
}

fn load(seconds: u64, rate: u32, workers: usize) -> endurance::Load {
    endurance::Load {
        duration: Duration::from_secs(seconds.max(1)),
        rate: rate.max(1),
        workers: workers.max(1),
    }
}

/// Runs an endurance run (unpinned: it measures staying power, not peak rate).
fn endure<F, Fut>(run: F) -> Result<(), String>
where
    F: FnOnce() -> Fut,
    Fut: std::future::Future<Output = Result<(), String>>,
{
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?
        .block_on(run())
}

fn bench(args: Args) -> Result<(), String> {
    // Inside the pinned re-run, the mark carries the machine's core count.
    let pinned_cores = std::env::var(PINNED_MARK)
        .ok()
        .and_then(|v| v.parse::<usize>().ok());
    let cores =
        pinned_cores.unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
    let pin = !args.no_pin && server::taskset_available() && cores >= 2;
    if pin && pinned_cores.is_none() {
        // Core 0 is the server's; the load runs on the others.
        let status = std::process::Command::new("taskset")
            .arg("-c")
            .arg(format!("1-{}", cores - 1))
            .arg(std::env::current_exe().map_err(|e| e.to_string())?)
            .args(std::env::args_os().skip(1))
            .env(PINNED_MARK, cores.to_string())
            .status()
            .map_err(|e| e.to_string())?;
        return if status.success() {
            Ok(())
        } else {
            Err("the benchmark failed".into())
        };
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    runtime.block_on(run(args, pin, cores))
}

async fn run(args: Args, pin: bool, cores: usize) -> Result<(), String> {
    let wanted = |key: &str| args.only.is_empty() || args.only.iter().any(|k| k == key);
    let duration = Duration::from_secs(args.seconds.max(1));
    let fixture = Fixture::create(args.database_url.as_deref(), args.redis_url.as_deref()).await?;
    let result = measure(&args, &fixture, pin, duration, &wanted).await;
    let memory = if wanted("memory") && result.is_ok() {
        Some(memory::measure(&fixture, args.sessions, pin).await?)
    } else {
        None
    };
    fixture.remove().await;
    let mut report = result?;
    report.memory = memory;
    report.machine = report::Machine::read(cores, pin);
    println!("{}", report.markdown());
    if report.failed() {
        return Err("errors or lost rotations: the numbers above do not count".into());
    }
    Ok(())
}

async fn measure(
    args: &Args,
    fixture: &Fixture,
    pin: bool,
    duration: Duration,
    wanted: &dyn Fn(&str) -> bool,
) -> Result<report::Report, String> {
    let bare = server::spawn("bare", &[], pin).await?;
    let unilogin = server::spawn("serve", &fixture.env, pin).await?;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let rss_idle = unilogin.rss();
    let connections = args.connections.max(1);
    let codes = if wanted(Kind::AuthorizationCode.key()) {
        4000 * duration.as_secs() as usize
    } else {
        0
    };
    let context = Arc::new(Context::prepare(unilogin.addr, fixture, connections, codes).await?);
    let rounds = args.rounds.max(1);
    let slice = duration / rounds;
    let mut report = report::Report::new(fixture.backend.clone(), duration, rounds, connections);
    report.rss_idle = rss_idle;
    for _ in 0..rounds {
        for kind in Kind::ALL {
            if !wanted(kind.key()) {
                continue;
            }
            let (addr, conns) = match kind {
                Kind::Bare => (bare.addr, connections),
                Kind::PasswordLogin => (unilogin.addr, connections.min(8)),
                _ => (unilogin.addr, connections),
            };
            let paired = if kind.is_share_of_bare() && wanted(Kind::Bare.key()) {
                Some(
                    context
                        .run(Kind::Bare, bare.addr, connections, slice)
                        .await?,
                )
            } else {
                None
            };
            let outcome = context.run(kind, addr, conns, slice).await?;
            eprintln!(
                "{}: {:.0}/s, {} errors",
                kind.name(),
                report::rate_of(outcome.tally.ok, outcome.elapsed),
                outcome.tally.errors
            );
            report.add(kind, conns, outcome, paired);
        }
    }
    report.rss_after = unilogin.rss();
    if wanted(Kind::PasswordLogin.key()) {
        report.argon2_rate = Some(report::argon2_verify_rate(
            duration.min(Duration::from_secs(3)),
        ));
    }
    if wanted("crash") {
        let (crash, _restarted) =
            crash::check(unilogin, fixture, connections, pin, duration / 2).await?;
        eprintln!(
            "crash under load: {} rotations answered, {} lost",
            crash.answered, crash.lost
        );
        report.crash = Some(crash);
    }
    Ok(report)
}
