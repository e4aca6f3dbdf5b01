//! Prometheus metrics, process-wide: request durations per route and status class, store
//! round trips per store and operation, and counters of what matters to an operator
//! (logins, lockouts, token grants, revocations). Rendered in the text exposition format.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, OnceLock, RwLock};
use std::time::{Duration, Instant};

/// Upper bounds of the duration buckets, in seconds.
const BUCKETS: [f64; 14] = [
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

#[derive(Default)]
struct Histogram {
    buckets: [AtomicU64; BUCKETS.len()],
    count: AtomicU64,
    sum_micros: AtomicU64,
}

impl Histogram {
    fn observe(&self, elapsed: Duration) {
        let seconds = elapsed.as_secs_f64();
        if let Some(i) = BUCKETS.iter().position(|bound| seconds <= *bound) {
            self.buckets[i].fetch_add(1, Ordering::Relaxed);
        }
        self.count.fetch_add(1, Ordering::Relaxed);
        self.sum_micros
            .fetch_add(elapsed.as_micros() as u64, Ordering::Relaxed);
    }

    fn render(&self, out: &mut String, name: &str, labels: &str) {
        let mut cumulative = 0;
        for (bound, bucket) in BUCKETS.iter().zip(&self.buckets) {
            cumulative += bucket.load(Ordering::Relaxed);
            let _ = writeln!(out, "{name}_bucket{{{labels},le=\"{bound}\"}} {cumulative}");
        }
        let count = self.count.load(Ordering::Relaxed);
        let _ = writeln!(out, "{name}_bucket{{{labels},le=\"+Inf\"}} {count}");
        let sum = self.sum_micros.load(Ordering::Relaxed) as f64 / 1e6;
        let _ = writeln!(out, "{name}_sum{{{labels}}} {sum:.6}");
        let _ = writeln!(out, "{name}_count{{{labels}}} {count}");
    }
}

/// Series keyed by their label values, created on first use.
struct Family<T> {
    series: RwLock<BTreeMap<Vec<String>, Arc<T>>>,
}

impl<T: Default> Family<T> {
    fn new() -> Self {
        Self {
            series: RwLock::new(BTreeMap::new()),
        }
    }

    fn get(&self, labels: &[&str]) -> Arc<T> {
        if let Ok(series) = self.series.read() {
            if let Some(found) = series.iter().find(|(k, _)| k.iter().eq(labels.iter())) {
                return found.1.clone();
            }
        }
        let key: Vec<String> = labels.iter().map(|l| (*l).to_owned()).collect();
        match self.series.write() {
            Ok(mut series) => series.entry(key).or_default().clone(),
            Err(_) => Arc::new(T::default()),
        }
    }

    fn each(&self, mut f: impl FnMut(&[String], &T)) {
        if let Ok(series) = self.series.read() {
            for (labels, value) in series.iter() {
                f(labels, value);
            }
        }
    }
}

/// Every metric of the process.
pub struct Registry {
    requests: Family<Histogram>,
    store: Family<Histogram>,
    logins: Family<AtomicU64>,
    lockouts: Family<AtomicU64>,
    grants: Family<AtomicU64>,
    revocations: Family<AtomicU64>,
}

/// The process's registry.
pub fn registry() -> &'static Registry {
    static REGISTRY: OnceLock<Registry> = OnceLock::new();
    REGISTRY.get_or_init(|| Registry {
        requests: Family::new(),
        store: Family::new(),
        logins: Family::new(),
        lockouts: Family::new(),
        grants: Family::new(),
        revocations: Family::new(),
    })
}

fn label_value(value: &str) -> String {
    value
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

impl Registry {
    /// One answered request: its route pattern (never the concrete path, which can carry
    /// ids), its status class and how long it took.
    pub fn request(&self, route: &str, status: u16, elapsed: Duration) {
        let class = match status {
            100..=199 => "1xx",
            200..=299 => "2xx",
            300..=399 => "3xx",
            400..=499 => "4xx",
            _ => "5xx",
        };
        self.requests.get(&[route, class]).observe(elapsed);
    }

    pub fn login(&self, success: bool) {
        let result = if success { "success" } else { "failure" };
        self.logins.get(&[result]).fetch_add(1, Ordering::Relaxed);
    }

    /// A subject locked after too many failures (`login-account`, `client-auth`, …).
    pub fn lockout(&self, kind: &str) {
        self.lockouts.get(&[kind]).fetch_add(1, Ordering::Relaxed);
    }

    pub fn grant(&self, grant_type: &str) {
        self.grants
            .get(&[grant_type])
            .fetch_add(1, Ordering::Relaxed);
    }

    /// A revocation or cutoff: `session`, `grant`, `user` or `client`.
    pub fn revocation(&self, kind: &str) {
        self.revocations
            .get(&[kind])
            .fetch_add(1, Ordering::Relaxed);
    }

    /// Times one store round trip until the guard drops.
    pub fn round_trip(&'static self, store: &'static str, op: &'static str) -> RoundTrip {
        RoundTrip {
            registry: self,
            store,
            op,
            started: Instant::now(),
        }
    }

    pub fn render(&self) -> String {
        let mut out = String::new();
        out.push_str(
            "# HELP unilogin_http_request_duration_seconds Time to answer a request, by route \
             and status class.\n# TYPE unilogin_http_request_duration_seconds histogram\n",
        );
        self.requests.each(|labels, h| {
            let labels = format!(
                "route=\"{}\",class=\"{}\"",
                label_value(&labels[0]),
                labels[1]
            );
            h.render(&mut out, "unilogin_http_request_duration_seconds", &labels);
        });
        out.push_str(
            "# HELP unilogin_store_round_trip_seconds Time of one store operation, by store \
             and operation.\n# TYPE unilogin_store_round_trip_seconds histogram\n",
        );
        self.store.each(|labels, h| {
            let labels = format!("store=\"{}\",op=\"{}\"", labels[0], labels[1]);
            h.render(&mut out, "unilogin_store_round_trip_seconds", &labels);
        });
        for (name, help, label, family) in [
            (
                "unilogin_logins_total",
                "Password sign-ins, by result.",
                "result",
                &self.logins,
            ),
            (
                "unilogin_lockouts_total",
                "Subjects locked after too many failures, by kind.",
                "kind",
                &self.lockouts,
            ),
            (
                "unilogin_token_grants_total",
                "Tokens issued at the token endpoint, by grant type.",
                "grant_type",
                &self.grants,
            ),
            (
                "unilogin_revocations_total",
                "Sessions and grants revoked, users and clients cut off.",
                "kind",
                &self.revocations,
            ),
        ] {
            let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} counter");
            family.each(|labels, counter| {
                let _ = writeln!(
                    out,
                    "{name}{{{label}=\"{}\"}} {}",
                    label_value(&labels[0]),
                    counter.load(Ordering::Relaxed)
                );
            });
        }
        out
    }
}

/// Records the time from its creation to its drop as one store round trip.
pub struct RoundTrip {
    registry: &'static Registry,
    store: &'static str,
    op: &'static str,
    started: Instant,
}

impl Drop for RoundTrip {
    fn drop(&mut self) {
        self.registry
            .store
            .get(&[self.store, self.op])
            .observe(self.started.elapsed());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn histograms_are_cumulative_and_labelled() {
        let registry = registry();
        registry.request("/unit-test/{id}", 200, Duration::from_micros(700));
        registry.request("/unit-test/{id}", 200, Duration::from_millis(30));
        registry.request("/unit-test/{id}", 503, Duration::from_secs(20));
        let text = registry.render();
        let line = |needle: &str| {
            text.lines()
                .find(|l| l.starts_with(needle))
                .unwrap_or_else(|| panic!("{needle} in\n{text}"))
                .rsplit(' ')
                .next()
                .unwrap()
                .to_owned()
        };
        let ok = "unilogin_http_request_duration_seconds";
        let labels = "route=\"/unit-test/{id}\",class=\"2xx\"";
        assert_eq!(line(&format!("{ok}_bucket{{{labels},le=\"0.0005\"}}")), "0");
        assert_eq!(line(&format!("{ok}_bucket{{{labels},le=\"0.001\"}}")), "1");
        assert_eq!(line(&format!("{ok}_bucket{{{labels},le=\"0.05\"}}")), "2");
        assert_eq!(line(&format!("{ok}_count{{{labels}}}")), "2");
        let slow = "route=\"/unit-test/{id}\",class=\"5xx\"";
        assert_eq!(line(&format!("{ok}_bucket{{{slow},le=\"10\"}}")), "0");
        assert_eq!(line(&format!("{ok}_bucket{{{slow},le=\"+Inf\"}}")), "1");
    }
}
