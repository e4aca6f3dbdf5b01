//! The Markdown report: one row per scenario, the memory figures, the machine, and the
//! targets of issue 5 with whether this run met them.

use std::fmt::Write;
use std::time::{Duration, Instant};

use unilogin::admin::PasswordHasher;
use unilogin::config::Argon2Settings;

use crate::crash::Crash;
use crate::load::Tally;
use crate::memory::Memory;
use crate::scenarios::{Kind, Outcome};

/// A scenario's runs, one per round, taken together.
pub struct Row {
    kind: Kind,
    connections: usize,
    tally: Tally,
    elapsed: Duration,
    lost_rotations: usize,
    /// Each round's rate over the bare handler's, measured just before it: the machine's
    /// speed drifts (a shared host's neighbours), and a pair sees the same machine.
    shares: Vec<f64>,
}

/// Answered requests per second.
pub fn rate_of(ok: u64, elapsed: Duration) -> f64 {
    ok as f64 / elapsed.as_secs_f64().max(f64::EPSILON)
}

impl Row {
    fn rate(&self) -> f64 {
        rate_of(self.tally.ok, self.elapsed)
    }

    /// The median of the rounds' shares, in percent.
    fn share(&self) -> Option<f64> {
        let mut shares = self.shares.clone();
        shares.sort_by(f64::total_cmp);
        let n = shares.len();
        match n {
            0 => None,
            _ if n % 2 == 1 => Some(100.0 * shares[n / 2]),
            _ => Some(50.0 * (shares[n / 2 - 1] + shares[n / 2])),
        }
    }
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
    rounds: u32,
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

impl Row {
    fn take(&mut self, outcome: Outcome) {
        let previous = std::mem::take(&mut self.tally);
        self.tally = Tally::merge(vec![previous, outcome.tally]);
        self.elapsed += outcome.elapsed;
        self.lost_rotations += outcome.lost_rotations;
    }
}

impl Report {
    pub fn new(backend: String, duration: Duration, rounds: u32, connections: usize) -> Self {
        Self {
            backend,
            duration,
            rounds,
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

    /// Adds one round's run of `kind`, and the bare handler's run just before it, if any.
    pub fn add(&mut self, kind: Kind, connections: usize, outcome: Outcome, bare: Option<Outcome>) {
        let rate = |o: &Outcome| rate_of(o.tally.ok, o.elapsed);
        let share = bare
            .as_ref()
            .filter(|b| b.tally.ok > 0)
            .map(|b| rate(&outcome) / rate(b));
        if let Some(bare) = bare {
            self.row(Kind::Bare, connections).take(bare);
        }
        let row = self.row(kind, connections);
        row.take(outcome);
        row.shares.extend(share);
    }

    fn row(&mut self, kind: Kind, connections: usize) -> &mut Row {
        let index = match self.rows.iter().position(|r| r.kind == kind) {
            Some(index) => index,
            None => {
                self.rows.push(Row {
                    kind,
                    connections,
                    tally: Tally::default(),
                    elapsed: Duration::ZERO,
                    lost_rotations: 0,
                    shares: Vec::new(),
                });
                self.rows.len() - 1
            }
        };
        &mut self.rows[index]
    }

    fn rate(&self, kind: Kind) -> Option<f64> {
        self.rows.iter().find(|r| r.kind == kind).map(Row::rate)
    }

    /// `kind`'s share of the bare handler in percent: the median of its rounds' pairs.
    fn share(&self, kind: Kind) -> Option<f64> {
        self.rows.iter().find(|r| r.kind == kind)?.share()
    }

    pub fn failed(&self) -> bool {
        self.rows
            .iter()
            .any(|r| r.tally.errors > 0 || r.lost_rotations > 0 || r.tally.ok == 0)
            || self
                .crash
                .as_ref()
                .is_some_and(|c| c.lost > 0 || c.answered == 0)
    }

    pub fn markdown(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(
            out,
            "unilogin-bench: {} · {} s per scenario in {} rounds (shares of the bare handler: \
             the median of the rounds, each against the bare handler run just before) · \
             {} connections · {} · {} core(s){}\n",
            self.backend,
            self.duration.as_secs(),
            self.rounds,
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
            let ratio = row
                .share()
                .map_or_else(|| "—".into(), |share| format!("{share:.0} %"));
            let errors = if row.kind == Kind::Refresh {
                format!(
                    "{} ({} lost rotations)",
                    row.tally.errors, row.lost_rotations
                )
            } else {
                row.tally.errors.to_string()
            };
            let _ = writeln!(
                out,
                "| {} | {} | {:.0} | {} | {} | {} | {} |",
                row.kind.name(),
                row.connections,
                row.rate(),
                ms(row.tally.percentile(0.50)),
                ms(row.tally.percentile(0.99)),
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
        for row in self.rows.iter().filter(|r| r.tally.first_error.is_some()) {
            let _ = writeln!(
                out,
                "- first error in {}: {}",
                row.kind.name(),
                row.tally.first_error.as_deref().unwrap_or_default()
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
        let share = |kind| self.share(kind);
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

#[cfg(test)]
mod tests {
    use super::*;

    fn outcome(ok: u64) -> Outcome {
        Outcome {
            tally: Tally {
                ok,
                ..Tally::default()
            },
            elapsed: Duration::from_secs(1),
            lost_rotations: 0,
        }
    }

    #[test]
    fn a_share_is_the_median_of_its_rounds_pairs() {
        let mut report = Report::new("test".into(), Duration::from_secs(3), 3, 64);
        // The machine runs at half speed in the second round; its pair slows down with it.
        for (bare, userinfo) in [(1000, 800), (500, 390), (1000, 790)] {
            report.add(Kind::Userinfo, 64, outcome(userinfo), Some(outcome(bare)));
        }
        let share = report.share(Kind::Userinfo).unwrap();
        assert!((share - 79.0).abs() < 1e-9, "{share}");
        assert_eq!(report.rate(Kind::Bare), Some(2500.0 / 3.0));
        assert_eq!(
            report.share(Kind::Bare),
            None,
            "the bare handler is the measure"
        );
        report.add(Kind::Refresh, 64, outcome(5000), None);
        assert_eq!(report.share(Kind::Refresh), None, "a rate, not a share");
    }
}
