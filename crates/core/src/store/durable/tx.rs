//! One use case's transaction. Only the outermost use case begins one (`Durable::begin`)
//! and ends it (`commit`, `rollback`, or `settle`); everything it calls that writes takes
//! `&mut Tx` and works on that one connection. Taking a second connection from the pool
//! while holding one is how concurrent requests starve a pool, so the pool refuses it: a
//! task that holds a `Tx` and acquires again is a bug, reported (and, in debug builds,
//! a panic) by the pool's hooks below.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use sqlx::{Any, AnyConnection, Transaction};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use super::Backend;
use crate::clock::Clock;
use crate::store::StoreError;

/// How long a write on SQLite waits for the ones queued before it. Writes queue in the
/// process instead of failing with `database is locked`; this only bounds a stuck one.
const WRITER_QUEUE_LIMIT: Duration = Duration::from_secs(30);

/// A transaction on the durable store, with the clock its use case reads.
pub struct Tx {
    conn: Transaction<'static, Any>,
    clock: Clock,
    _held: Held,
    // Dropped after the transaction (fields drop in order): the next writer starts only
    // once this one's connection is back.
    _writer: Option<OwnedSemaphorePermit>,
}

impl std::fmt::Debug for Tx {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Tx")
    }
}

impl std::ops::Deref for Tx {
    type Target = AnyConnection;
    fn deref(&self) -> &AnyConnection {
        &self.conn
    }
}

impl std::ops::DerefMut for Tx {
    fn deref_mut(&mut self) -> &mut AnyConnection {
        &mut self.conn
    }
}

impl Tx {
    /// Now, in unix seconds, by the use case's clock.
    pub fn now(&self) -> i64 {
        self.clock.now_unix()
    }

    /// Now, in unix milliseconds.
    pub fn now_millis(&self) -> i64 {
        self.clock.now_millis()
    }

    pub fn clock(&self) -> &Clock {
        &self.clock
    }

    pub async fn commit(self) -> Result<(), StoreError> {
        self.conn.commit().await?;
        Ok(())
    }

    /// Rolls back at once: a refused change must not hold SQLite's write lock until the
    /// pool gets round to the dropped transaction.
    pub async fn rollback(self) {
        if let Err(err) = self.conn.rollback().await {
            tracing::warn!(error = %err, "rollback failed");
        }
    }

    /// Commits when `result` is Ok, else rolls back; the result either way.
    pub async fn settle<T, E: From<StoreError>>(self, result: Result<T, E>) -> Result<T, E> {
        match result {
            Ok(value) => {
                self.commit().await?;
                Ok(value)
            }
            Err(err) => {
                self.rollback().await;
                Err(err)
            }
        }
    }
}

/// What the pool needs to hand out transactions: the writer queue (SQLite) and the tasks
/// holding one.
#[derive(Clone)]
pub(super) struct Transactions {
    backend: Backend,
    writer: Arc<Semaphore>,
    holders: Holders,
}

impl Transactions {
    pub(super) fn new(backend: Backend) -> Self {
        Self {
            backend,
            writer: Arc::new(Semaphore::new(1)),
            holders: Holders::default(),
        }
    }

    pub(super) fn holders(&self) -> Holders {
        self.holders.clone()
    }

    pub(super) async fn begin(
        &self,
        pool: &sqlx::AnyPool,
        clock: &Clock,
    ) -> Result<Tx, StoreError> {
        self.holders.check("begin a transaction");
        let (writer, conn) = match self.backend {
            // One writer at a time, queued here without holding a connection; IMMEDIATE
            // takes the write lock at the start, so a transaction that reads first never
            // fails to upgrade (SQLite's busy handler is not called for that).
            Backend::Sqlite => {
                let permit =
                    tokio::time::timeout(WRITER_QUEUE_LIMIT, self.writer.clone().acquire_owned())
                        .await
                        .map_err(|_| {
                            StoreError::Unavailable("the database's writer is stuck".into())
                        })?
                        .map_err(|_| StoreError::Unavailable("the database is closing".into()))?;
                (Some(permit), pool.begin_with("BEGIN IMMEDIATE").await?)
            }
            Backend::Postgres => (None, pool.begin().await?),
        };
        Ok(Tx {
            conn,
            clock: clock.clone(),
            _held: self.holders.hold(),
            _writer: writer,
        })
    }
}

/// The tasks that hold a transaction of one pool, counted. (Code outside a task, such as
/// a command-line subcommand's `block_on`, is not watched; every request and background
/// job runs in a task.)
#[derive(Clone, Default)]
pub(super) struct Holders(Arc<Mutex<HashMap<tokio::task::Id, usize>>>);

impl Holders {
    fn hold(&self) -> Held {
        let task = tokio::task::try_id();
        if let Some(task) = task {
            *self.lock().entry(task).or_default() += 1;
        }
        Held {
            holders: self.clone(),
            task,
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<tokio::task::Id, usize>> {
        self.0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Called whenever the pool hands out a connection: the calling task must not hold a
    /// transaction of this pool already.
    pub(super) fn check(&self, doing: &str) {
        let Some(task) = tokio::task::try_id() else {
            return;
        };
        if self.lock().contains_key(&task) {
            tracing::error!(
                "a task holding a transaction tried to {doing} on the same pool: pass the \
                 transaction down instead"
            );
            debug_assert!(
                false,
                "a second pool connection while holding a transaction ({doing})"
            );
        }
    }
}

struct Held {
    holders: Holders,
    task: Option<tokio::task::Id>,
}

impl Drop for Held {
    fn drop(&mut self) {
        let Some(task) = self.task else {
            return;
        };
        let mut holders = self.holders.lock();
        if let Some(count) = holders.get_mut(&task) {
            *count -= 1;
            if *count == 0 {
                holders.remove(&task);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::Durable;

    async fn sqlite() -> (Durable, tempfile::TempDir) {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("tx.db").display());
        let durable = Durable::connect(&url).await.unwrap();
        sqlx::query("CREATE TABLE counter (n INTEGER NOT NULL)")
            .execute(durable.pool())
            .await
            .unwrap();
        sqlx::query("INSERT INTO counter (n) VALUES (0)")
            .execute(durable.pool())
            .await
            .unwrap();
        (durable, dir)
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn sqlite_writers_that_read_first_queue_instead_of_failing() {
        let (durable, _dir) = sqlite().await;
        let mut tasks = Vec::new();
        for _ in 0..24 {
            let durable = durable.clone();
            tasks.push(tokio::spawn(async move {
                let mut tx = durable.begin().await?;
                let n: i64 = sqlx::query_scalar("SELECT n FROM counter")
                    .fetch_one(&mut *tx)
                    .await?;
                tokio::time::sleep(std::time::Duration::from_millis(2)).await;
                sqlx::query("UPDATE counter SET n = $1")
                    .bind(n + 1)
                    .execute(&mut *tx)
                    .await?;
                tx.commit().await?;
                Ok::<_, crate::store::StoreError>(())
            }));
        }
        for task in tasks {
            task.await.unwrap().expect("no write refused");
        }
        let n: i64 = sqlx::query_scalar("SELECT n FROM counter")
            .fetch_one(durable.pool())
            .await
            .unwrap();
        assert_eq!(n, 24, "no update lost");
    }

    #[cfg(debug_assertions)]
    #[tokio::test]
    #[should_panic(expected = "a second pool connection while holding a transaction")]
    async fn a_second_connection_while_holding_a_transaction_is_a_bug() {
        let (durable, _dir) = sqlite().await;
        // Inside a task, as every request and background job runs.
        let task = tokio::spawn(async move {
            let _tx = durable.begin().await.unwrap();
            let _ = sqlx::query("SELECT n FROM counter")
                .fetch_one(durable.pool())
                .await;
        });
        if let Err(err) = task.await {
            std::panic::resume_unwind(err.into_panic());
        }
    }

    #[tokio::test]
    async fn the_connection_is_free_again_once_the_transaction_ends() {
        let (durable, _dir) = sqlite().await;
        let tx = durable.begin().await.unwrap();
        tx.rollback().await;
        let tx = durable.begin().await.unwrap();
        tx.commit().await.unwrap();
        let n: i64 = sqlx::query_scalar("SELECT n FROM counter")
            .fetch_one(durable.pool())
            .await
            .unwrap();
        assert_eq!(n, 0);
    }
}
