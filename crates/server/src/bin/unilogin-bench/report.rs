//! The Markdown report: one row per scenario, the memory figures, the machine, and the
//! targets of issue 5 with whether this run met them.

use std::fmt::Write;
use std::time::{Duration, Instant};

use unilogin::admin::PasswordHasher;
use unilogin::config::Argon2Settings;

use crate::crash::Crash;
use crate::memory::Memory;
use crate::scenarios::{Kind, Outcome};

pub struct Row {
    kind: Kind,
    connections: usize,
    rate: f64,
    p50: Duration,
    p99: Duration,
    errors: u64,
    first_error: Option<String>,
    lost_rotations: usize,
}

#[derive(Default)]
pub struct Machine {
    cpu: String,
    cores: usize,
    pinned: bool,
}

impl Machine {
    pub fn read(cores: usize, pinned: bool) -> Self {
        let cpu = std::fs::read_to_string("/proc/cpuinfo")
            .ok()
            .and_then(|info| {
                info.lines()
                    .find(|l| l.starts_with("model name"))
                    .and_then(|l| l.split_once(':'))
                    .map(|(_, name)| name.trim().to_owned())
            })
            .unwrap_or_else(|| "unknown CPU".into());
        Self { cpu, cores, pinned }
    }
}

pub struct Report {
    backend: String,
    duration: Duration,
    connections: usize,
    rows: Vec<Row>,
    pub rss_idle: u64,
    pub rss_after: u64,
    pub argon2_rate: Option<f64>,
    pub memory: Option<Memory>,
    pub crash: Option<Crash>,
    pub machine: Machine,
}

fn mib(bytes: u64) -> String {
    format!("{:.1} MiB", bytes as f64 / (1024.0 * 1024.0))
}

fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1000.0)
}

impl Report {
    pub fn new(backend: String, duration: Duration, connections: usize) -> Self {
        Self {
            backend,
            duration,
            connections,
            rows: Vec::new(),
            rss_idle: 0,
            rss_after: 0,
            argon2_rate: None,
            memory: None,
            crash: None,
            machine: Machine::default(),
        }
    }

    pub fn add(&mut self, kind: Kind, connections: usize, outcome: Outcome) {
        self.rows.push(Row {
            kind,
            connections,
            rate: outcome.tally.ok as f64 / outcome.elapsed.as_secs_f64(),
            p50: outcome.tally.percentile(0.50),
            p99: outcome.tally.percentile(0.99),
            errors: outcome.tally.errors,
            first_error: outcome.tally.first_error,
            lost_rotations: outcome.lost_rotations,
        });
    }

    fn rate(&self, kind: Kind) -> Option<f64> {
        self.rows.iter().find(|r| r.kind == kind).map(|r| r.rate)
    }

    pub fn failed(&self) -> bool {
        self.rows
            .iter()
            .any(|r| r.errors > 0 || r.lost_rotations > 0 || r.rate == 0.0)
            || self
                .crash
                .as_ref()
                .is_some_and(|c| c.lost > 0 || c.answered == 0)
    }

    pub fn markdown(&self) -> String {
        let mut out = String::new();
        let bare = self.rate(Kind::Bare);
        let _ = writeln!(
            out,
            "unilogin-bench: {} · {} s per scenario · {} connections · {} · {} core(s){}\n",
            self.backend,
            self.duration.as_secs(),
            self.connections,
            self.machine.cpu,
            self.machine.cores,
            if self.machine.pinned {
                ", server pinned to core 0, load on the others"
            } else {
                ", not pinned"
            }
        );
        out.push_str(
            "| scenario | connections | requests/s | p50 | p99 | errors | vs bare handler |\n",
        );
        out.push_str("| --- | ---: | ---: | ---: | ---: | ---: | ---: |\n");
        for row in &self.rows {
            let ratio = match bare {
                Some(b) if b > 0.0 && row.kind != Kind::Bare => {
                    format!("{:.0} %", 100.0 * row.rate / b)
                }
                _ => "—".into(),
            };
            let errors = if row.kind == Kind::Refresh {
                format!("{} ({} lost rotations)", row.errors, row.lost_rotations)
            } else {
                row.errors.to_string()
            };
            let _ = writeln!(
                out,
                "| {} | {} | {:.0} | {} | {} | {} | {} |",
                row.kind.name(),
                row.connections,
                row.rate,
                ms(row.p50),
                ms(row.p99),
                errors,
                ratio
            );
        }
        out.push('\n');
        let _ = writeln!(
            out,
            "- server RSS: {} idle, {} after the run",
            mib(self.rss_idle),
            mib(self.rss_after)
        );
        if let Some(memory) = &self.memory {
            let _ = writeln!(
                out,
                "- memory probe (in-process store): {} idle, {} with {} live browser sessions",
                mib(memory.idle),
                mib(memory.with_sessions),
                memory.sessions
            );
        }
        if let Some(rate) = self.argon2_rate {
            let login = self.rate(Kind::PasswordLogin).unwrap_or(0.0);
            let _ = writeln!(
                out,
                "- raw argon2id verify (m=19456 KiB, t=2, p=1, one thread): {rate:.1}/s; \
                 logins reach {:.0} % of it",
                100.0 * login / rate
            );
        }
        if let Some(crash) = &self.crash {
            let _ = writeln!(
                out,
                "- crash under load: {} rotating chains, {} rotations answered, then the server \
                 killed (SIGKILL) and started again: {} lost; of the last answered tokens {} \
                 refresh again and {} were spent by the rotation in flight at the kill",
                crash.chains, crash.answered, crash.lost, crash.live, crash.spent_in_flight
            );
        }
        for row in self.rows.iter().filter(|r| r.first_error.is_some()) {
            let _ = writeln!(
                out,
                "- first error in {}: {}",
                row.kind.name(),
                row.first_error.as_deref().unwrap_or_default()
            );
        }
        out.push_str(&self.targets());
        out
    }

    fn targets(&self) -> String {
        let mut lines = Vec::new();
        let mut check = |name: &str, value: Option<f64>, goal: f64, unit: &str| {
            if let Some(value) = value {
                let met = if unit == "MiB" {
                    value <= goal
                } else {
                    value >= goal
                };
                lines.push(format!(
                    "| {name} | {value:.1} {unit} | {} {goal} {unit} | {} |",
                    if unit == "MiB" { "≤" } else { "≥" },
                    if met { "met" } else { "**missed**" }
                ));
            }
        };
        let bare = self.rate(Kind::Bare);
        let share = |kind| match (self.rate(kind), bare) {
            (Some(r), Some(b)) if b > 0.0 => Some(100.0 * r / b),
            _ => None,
        };
        // The performance round's goals: shares of the bare handler measured in the same
        // run, and rates for the durable writes, by backend.
        let postgres = self.backend.starts_with("PostgreSQL");
        let redis = self.backend.contains("Redis");
        let verify_goal = if redis { 70.0 } else { 80.0 };
        let (durable_goal, orders_goal) = if postgres {
            (10_000.0, 2_000.0)
        } else {
            (15_000.0, 3_000.0)
        };
        check(
            "client_credentials vs bare",
            share(Kind::ClientCredentials),
            25.0,
            "%",
        );
        check("userinfo vs bare", share(Kind::Userinfo), verify_goal, "%");
        check(
            "introspection vs bare",
            share(Kind::Introspection),
            verify_goal,
            "%",
        );
        check(
            "rotating refresh",
            self.rate(Kind::Refresh),
            durable_goal,
            "/s",
        );
        check(
            "code exchange",
            self.rate(Kind::AuthorizationCode),
            durable_goal,
            "/s",
        );
        check("catalogue vs bare", share(Kind::Catalogue), 30.0, "%");
        check("order query vs bare", share(Kind::OrderQuery), 30.0, "%");
        check("orders", self.rate(Kind::Orders), orders_goal, "/s");
        let login_share = match (self.rate(Kind::PasswordLogin), self.argon2_rate) {
            (Some(l), Some(a)) if a > 0.0 => Some(100.0 * l / a),
            _ => None,
        };
        check("logins vs raw argon2", login_share, 90.0, "%");
        let to_mib = |b: u64| b as f64 / (1024.0 * 1024.0);
        check("RSS idle", Some(to_mib(self.rss_idle)), 12.0, "MiB");
        if let Some(memory) = &self.memory {
            check(
                "RSS with the sessions",
                Some(to_mib(memory.with_sessions)),
                150.0,
                "MiB",
            );
        }
        if let Some(crash) = &self.crash {
            lines.push(format!(
                "| rotations lost in a crash | {} | 0 | {} |",
                crash.lost,
                if crash.lost == 0 { "met" } else { "**missed**" }
            ));
        }
        let mut out =
            String::from("\n| target | this run | goal | |\n| --- | ---: | ---: | --- |\n");
        for line in lines {
            out.push_str(&line);
            out.push('\n');
        }
        out
    }
}

/// How many argon2id verifications one thread does per second at the default cost.
pub fn argon2_verify_rate(duration: Duration) -> f64 {
    let Ok(hasher) = PasswordHasher::new(Argon2Settings::default()) else {
        return 0.0;
    };
    let Ok(hash) = hasher.hash("bench-passw0rd") else {
        return 0.0;
    };
    let started = Instant::now();
    let mut done = 0u32;
    while started.elapsed() < duration || done < 3 {
        std::hint::black_box(hasher.verify(Some(&hash), "bench-passw0rd"));
        done += 1;
    }
    f64::from(done) / started.elapsed().as_secs_f64()
}
