//! The durable store: one sqlx `Any` implementation serving SQLite and PostgreSQL.
//! Queries use portable SQL with `$n` placeholders, which both drivers accept.

mod audit;
mod clients;
mod daily_counts;
mod group_commit;
mod migrations;
mod password_links;
mod portal_apps;
mod refresh_tokens;
mod resource_servers;
mod revocations;
mod sign_ins;
mod stored_keys;
mod tenants;
mod tx;
mod user_sessions;
mod users;

use std::time::Duration;

use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{AnyPool, ConnectOptions, Executor};

pub use audit::{AdminEvent, EventFilter};
pub use clients::{ClientChange, ClientRecord, NewClient};
pub use daily_counts::DailyMetric;
pub use portal_apps::PortalAppRecord;
pub use refresh_tokens::{GrantRecord, NewFamily, RefreshTokenRecord, Rotation};
pub use resource_servers::ResourceServerRecord;
pub use revocations::{RevocationKind, RevocationRecord};
pub use sign_ins::{SignIn, SignInDay, SignInFilter, SignInOutcome};
pub use stored_keys::StoredKeyRecord;
pub use tenants::{TenantRecord, Versioned};
pub use tx::Tx;
pub use user_sessions::SessionRecord;
pub use users::{NewUser, UserProfile, UserRecord};

use super::StoreError;
use crate::clock::Clock;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Handle to the durable store; cheap to clone.
#[derive(Clone)]
pub struct Durable {
    pool: AnyPool,
    clock: Clock,
    transactions: tx::Transactions,
    group: group_commit::GroupCommit,
}

/// The pool size when `UNILOGIN_DATABASE_MAX_CONNECTIONS` is unset. Every request holds
/// at most one connection at a time (see `Tx`), so a request waits for a connection only
/// as long as the ones before it take to finish theirs.
pub fn default_max_connections(sqlite: bool) -> u32 {
    if sqlite {
        // Writers queue for SQLite's one write lock anyway (in `Tx`); WAL lets a few
        // readers run beside the writer.
        4
    } else {
        // Enough to keep the server's cores busy while others wait on the network.
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get()) as u32;
        (cores * 4).clamp(8, 32)
    }
}

impl Durable {
    /// Connects to `url` (`sqlite://…` creates the file if missing, `postgres://…`) with
    /// the default pool size.
    pub async fn connect(url: &str) -> Result<Self, StoreError> {
        Self::connect_with(url, None).await
    }

    /// Connects with a pool of `max_connections` (`None`: `default_max_connections`).
    pub async fn connect_with(url: &str, max_connections: Option<u32>) -> Result<Self, StoreError> {
        sqlx::any::install_default_drivers();
        let (url, backend) = normalize_url(url)?;
        let options: AnyConnectOptions = url
            .parse::<AnyConnectOptions>()
            .map_err(|e| StoreError::Backend(format!("bad database URL: {e}")))?
            .disable_statement_logging();
        let max = max_connections
            .unwrap_or_else(|| default_max_connections(backend == Backend::Sqlite))
            .max(1);
        let transactions = tx::Transactions::new(backend);
        let pool = pool_options(backend, &transactions, max)
            .connect_with(options.clone())
            .await?;
        // The group commit's own connection: its transactions must not queue for a
        // connection behind the reads of the requests waiting on them.
        let writer = pool_options(backend, &transactions, 1).connect_lazy_with(options);
        let clock = Clock::system();
        let group = group_commit::GroupCommit::new(writer, transactions.clone(), clock.clone());
        Ok(Self {
            pool,
            clock,
            transactions,
            group,
        })
    }

    /// Begins a use case's transaction (see `Tx`): on SQLite it queues behind the other
    /// writers of this process and takes the write lock at once.
    pub async fn begin(&self) -> Result<Tx, StoreError> {
        self.transactions.begin(&self.pool, &self.clock).await
    }

    /// The same store, reading `clock` for every time it records.
    pub fn with_clock(self, clock: Clock) -> Self {
        Self { clock, ..self }
    }

    pub fn clock(&self) -> &Clock {
        &self.clock
    }

    /// Now, in unix seconds, by the store's clock.
    pub fn now(&self) -> i64 {
        self.clock.now_unix()
    }

    /// Applies the embedded migrations that have not run yet.
    pub async fn migrate(&self) -> Result<(), StoreError> {
        migrations::run(&self.pool).await
    }

    /// A trivial round trip, for readiness checks.
    pub async fn ping(&self) -> Result<(), StoreError> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    /// Closes every connection (a short-lived process that is done with the store).
    pub async fn close(&self) {
        self.pool.close().await;
        self.group.close().await;
    }

    /// The connection pool, for the marketplace's own tables (same database, own code).
    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }
}

/// A pool of up to `max` connections, set up for the backend, that refuses a task holding
/// a transaction a second connection (see `Tx`).
fn pool_options(backend: Backend, transactions: &tx::Transactions, max: u32) -> AnyPoolOptions {
    let (on_reuse, on_connect) = (transactions.holders(), transactions.holders());
    AnyPoolOptions::new()
        .max_connections(max)
        // A database that is down costs a request at most this long before its 503;
        // a busy one costs no more than the requests before it take.
        .acquire_timeout(Duration::from_secs(2))
        // A SQLite connection is a file handle that cannot drop; pinging it before every
        // use cost a round trip to its thread per query. A PostgreSQL one can (a restart,
        // a cut), and is checked.
        .test_before_acquire(backend == Backend::Postgres)
        .before_acquire(move |_conn, _meta| {
            on_reuse.check("take a second pool connection");
            Box::pin(async { Ok(true) })
        })
        .after_connect(move |conn, _meta| {
            on_connect.check("open a second pool connection");
            Box::pin(async move {
                if backend == Backend::Sqlite {
                    // WAL lets readers run beside the writer; foreign keys are off by
                    // default in SQLite.
                    conn.execute("PRAGMA journal_mode = WAL").await?;
                    conn.execute("PRAGMA synchronous = NORMAL").await?;
                    conn.execute("PRAGMA foreign_keys = ON").await?;
                    conn.execute("PRAGMA busy_timeout = 5000").await?;
                    // Fewer, larger checkpoints: a page rewritten by many commits is copied
                    // to the database file once.
                    conn.execute("PRAGMA wal_autocheckpoint = 16384").await?;
                    // Statement journals (multi-row inserts) and sorts stay off the disk.
                    conn.execute("PRAGMA temp_store = MEMORY").await?;
                }
                Ok(())
            })
        })
}

fn normalize_url(url: &str) -> Result<(String, Backend), StoreError> {
    if let Some(rest) = url.strip_prefix("sqlite:") {
        let mut url = format!("sqlite:{rest}");
        if !rest.contains("mode=") && !rest.contains(":memory:") {
            url.push(if rest.contains('?') { '&' } else { '?' });
            url.push_str("mode=rwc");
        }
        Ok((url, Backend::Sqlite))
    } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        Ok((url.to_owned(), Backend::Postgres))
    } else {
        Err(StoreError::Backend(
            "database URL must start with sqlite: or postgres://".into(),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sqlite_urls_create_the_file() {
        assert_eq!(
            normalize_url("sqlite://unilogin.db").unwrap().0,
            "sqlite://unilogin.db?mode=rwc"
        );
        assert_eq!(
            normalize_url("sqlite://x.db?mode=ro").unwrap().0,
            "sqlite://x.db?mode=ro"
        );
        assert!(normalize_url("mysql://x").is_err());
    }

    #[test]
    fn placeholders_are_numbered_from_the_first() {
        assert_eq!(placeholders(3, 3), "$3, $4, $5");
        assert_eq!(placeholders(1, 0), "");
    }
}

/// `$first, $first+1, …` for `count` placeholders.
pub fn placeholders(first: usize, count: usize) -> String {
    (first..first + count)
        .map(|n| format!("${n}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// A `LIKE … ESCAPE '\\'` pattern matching lower-cased text that contains `search`.
pub(crate) fn contains_pattern(search: &str) -> String {
    format!(
        "%{}%",
        search
            .to_lowercase()
            .replace('\\', "\\\\")
            .replace('%', "\\%")
            .replace('_', "\\_")
    )
}

/// How many of each record there are (the console's overview).
#[derive(Debug, Clone, Copy, Default)]
pub struct Counts {
    pub tenants: i64,
    pub users: i64,
    pub disabled_users: i64,
    pub platform_admins: i64,
    pub clients: i64,
}

impl Durable {
    pub async fn counts(&self) -> Result<Counts, StoreError> {
        use sqlx::Row;
        let row = sqlx::query(
            "SELECT (SELECT COUNT(*) FROM tenants) AS tenants, \
             (SELECT COUNT(*) FROM users) AS users, \
             (SELECT COUNT(*) FROM users WHERE disabled <> 0) AS disabled_users, \
             (SELECT COUNT(*) FROM users WHERE platform_admin <> 0) AS platform_admins, \
             (SELECT COUNT(*) FROM clients) AS clients",
        )
        .fetch_one(&self.pool)
        .await?;
        Ok(Counts {
            tenants: row.try_get("tenants")?,
            users: row.try_get("users")?,
            disabled_users: row.try_get("disabled_users")?,
            platform_admins: row.try_get("platform_admins")?,
            clients: row.try_get("clients")?,
        })
    }
}
