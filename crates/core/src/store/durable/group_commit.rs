//! Group commit for the token endpoint's durable writes: the refresh-token rotations and
//! the new grant families (code exchanges) that arrive while a transaction is committing
//! are written together in the next one, one multi-row INSERT per table, and each request
//! is answered only once that transaction has committed. Every answered token is as
//! durable as before; what changes is that one commit (one fsync on PostgreSQL, one pass
//! through SQLite's single writer) carries every write that was waiting for it.
//!
//! One writer task per store handle drains a channel. There is no waiting for a batch to
//! fill: a request arriving at an idle writer is written at once, alone; under load the
//! batch is whatever queued behind the previous commit.

use std::collections::HashSet;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use sqlx::{AnyPool, Row};
use tokio::sync::{mpsc, oneshot};

use super::refresh_tokens::{NewFamily, Rotation};
use super::tx::{Transactions, Tx};
use crate::clock::Clock;
use crate::store::StoreError;

/// The most writes one transaction carries; more wait for the next.
const MAX_BATCH: usize = 256;
/// Rows per INSERT statement, under both backends' limits on bound parameters.
const ROWS_PER_STATEMENT: usize = 128;

/// A rotation: the successor of `parent_hash`, which the insert spends.
#[derive(Debug, Clone)]
pub(super) struct Successor {
    pub token_hash: String,
    pub parent_hash: String,
    pub family_id: String,
    pub scope: String,
    pub created_at: i64,
    pub expires_at: i64,
}

/// A new grant family with its first refresh token.
#[derive(Debug, Clone)]
pub(super) struct Opening {
    pub family: NewFamily,
    pub token_hash: String,
    pub created_at: i64,
    pub expires_at: i64,
}

#[derive(Debug)]
pub(super) enum Write {
    Rotate(Successor),
    Open(Opening),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Written {
    Rotation(Rotation),
    Opened,
}

struct Pending {
    write: Write,
    answer: oneshot::Sender<Result<Written, StoreError>>,
}

/// The handle requests submit their writes through; cheap to clone.
#[derive(Clone)]
pub(super) struct GroupCommit {
    pool: AnyPool,
    transactions: Transactions,
    clock: Clock,
    writer: Arc<Mutex<Option<mpsc::UnboundedSender<Pending>>>>,
    /// Transactions committed (or tried), for the tests that check writes share them.
    transactions_made: Arc<AtomicU64>,
}

impl GroupCommit {
    pub(super) fn new(pool: AnyPool, transactions: Transactions, clock: Clock) -> Self {
        Self {
            pool,
            transactions,
            clock,
            writer: Arc::default(),
            transactions_made: Arc::default(),
        }
    }

    /// Closes the writer's connection (the store is done with).
    pub(super) async fn close(&self) {
        self.pool.close().await;
    }

    #[cfg(test)]
    fn transactions_made(&self) -> u64 {
        self.transactions_made.load(Ordering::Relaxed)
    }

    /// Writes `write` with whatever else is waiting, and answers once it is committed.
    pub(super) async fn write(&self, write: Write) -> Result<Written, StoreError> {
        let (answer, answered) = oneshot::channel();
        let mut pending = Pending { write, answer };
        // A writer started on a runtime that has since ended (a test's, a CLI's) is gone:
        // its channel refuses, and a new writer starts on this one.
        for _ in 0..2 {
            match self.sender().send(pending) {
                Ok(()) => {
                    return answered.await.unwrap_or_else(|_| {
                        Err(StoreError::Unavailable("the durable writer stopped".into()))
                    })
                }
                Err(mpsc::error::SendError(back)) => {
                    pending = back;
                    self.lock().take();
                }
            }
        }
        Err(StoreError::Unavailable(
            "the durable writer cannot start".into(),
        ))
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Option<mpsc::UnboundedSender<Pending>>> {
        self.writer
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn sender(&self) -> mpsc::UnboundedSender<Pending> {
        let mut slot = self.lock();
        match &*slot {
            Some(sender) if !sender.is_closed() => sender.clone(),
            _ => {
                let (sender, receiver) = mpsc::unbounded_channel();
                let writer = Writer {
                    pool: self.pool.clone(),
                    transactions: self.transactions.clone(),
                    clock: self.clock.clone(),
                    transactions_made: self.transactions_made.clone(),
                };
                tokio::spawn(writer.run(receiver));
                *slot = Some(sender.clone());
                sender
            }
        }
    }
}

struct Writer {
    pool: AnyPool,
    transactions: Transactions,
    clock: Clock,
    transactions_made: Arc<AtomicU64>,
}

impl Writer {
    async fn run(self, mut receiver: mpsc::UnboundedReceiver<Pending>) {
        let mut batch = Vec::with_capacity(MAX_BATCH);
        while receiver.recv_many(&mut batch, MAX_BATCH).await > 0 {
            self.commit(std::mem::take(&mut batch)).await;
        }
    }

    async fn commit(&self, batch: Vec<Pending>) {
        let writes: Vec<&Write> = batch.iter().map(|p| &p.write).collect();
        match self.write_together(&writes).await {
            Ok(written) => {
                for (pending, written) in batch.into_iter().zip(written) {
                    let _ = pending.answer.send(Ok(written));
                }
            }
            // The database is away: every write of the batch would wait for it in turn.
            Err(StoreError::Unavailable(why)) => {
                for pending in batch {
                    let _ = pending
                        .answer
                        .send(Err(StoreError::Unavailable(why.clone())));
                }
            }
            // One write the database refuses must not fail the others: each alone.
            Err(err) if batch.len() == 1 => {
                let _ = batch.into_iter().next().map(|p| p.answer.send(Err(err)));
            }
            Err(_) => {
                for pending in batch {
                    let alone = self
                        .write_together(&[&pending.write])
                        .await
                        .map(|mut written| written.remove(0));
                    let _ = pending.answer.send(alone);
                }
            }
        }
    }

    /// One transaction for all of `writes`; their outcomes in the same order.
    async fn write_together(&self, writes: &[&Write]) -> Result<Vec<Written>, StoreError> {
        let _timer = crate::telemetry::registry().round_trip("durable", "group_commit");
        self.transactions_made.fetch_add(1, Ordering::Relaxed);
        let openings: Vec<&Opening> = writes
            .iter()
            .filter_map(|w| match w {
                Write::Open(opening) => Some(opening),
                Write::Rotate(_) => None,
            })
            .collect();
        // The first rotation of a token in the batch is its only candidate: the others
        // lost the race already, as they would have against the unique index.
        let mut candidates = HashSet::new();
        let outcomes: Vec<Option<&Successor>> = writes
            .iter()
            .map(|w| match w {
                Write::Rotate(s) if candidates.insert(s.parent_hash.as_str()) => Some(s),
                _ => None,
            })
            .collect();
        let successors: Vec<&Successor> = outcomes.iter().flatten().copied().collect();
        let mut tx = self.transactions.begin(&self.pool, &self.clock).await?;
        let spent = match insert_all(&mut tx, &openings, &successors).await {
            Ok(spent) => spent,
            Err(err) => {
                tx.rollback().await;
                return Err(err);
            }
        };
        tx.commit().await?;
        Ok(writes
            .iter()
            .zip(outcomes)
            .map(|(write, candidate)| match (write, candidate) {
                (Write::Open(_), _) => Written::Opened,
                (Write::Rotate(_), Some(s)) if spent.contains(s.parent_hash.as_str()) => {
                    Written::Rotation(Rotation::Rotated)
                }
                (Write::Rotate(_), _) => Written::Rotation(Rotation::AlreadySpent),
            })
            .collect())
    }
}

/// Inserts the families, their first tokens and the successors; returns the parents the
/// successors spent (a parent spent before keeps its successor and is not returned).
async fn insert_all(
    tx: &mut Tx,
    openings: &[&Opening],
    successors: &[&Successor],
) -> Result<HashSet<String>, StoreError> {
    for chunk in openings.chunks(ROWS_PER_STATEMENT) {
        let sql = multi_row_insert(
            "INSERT INTO grant_families (id, client_id, user_id, tenant_id, sid, scope, \
             auth_time, created_at, audience) VALUES ",
            9,
            chunk.len(),
            "",
        );
        let mut query = sqlx::query(&sql);
        for o in chunk {
            let f = &o.family;
            query = query
                .bind(&f.id)
                .bind(&f.client_id)
                .bind(&f.user_id)
                .bind(&f.tenant_id)
                .bind(&f.sid)
                .bind(&f.scope)
                .bind(f.auth_time)
                .bind(o.created_at)
                .bind(&f.audience);
        }
        query.execute(&mut **tx).await?;
        let sql = multi_row_insert(
            "INSERT INTO refresh_tokens (token_hash, family_id, scope, created_at, expires_at) \
             VALUES ",
            5,
            chunk.len(),
            "",
        );
        let mut query = sqlx::query(&sql);
        for o in chunk {
            query = query
                .bind(&o.token_hash)
                .bind(&o.family.id)
                .bind(&o.family.scope)
                .bind(o.created_at)
                .bind(o.expires_at);
        }
        query.execute(&mut **tx).await?;
    }
    let mut spent = HashSet::new();
    for chunk in successors.chunks(ROWS_PER_STATEMENT) {
        // The unique index on `parent_hash` still arbitrates, now against rotations of
        // other instances and earlier batches: the losers are skipped, not errors, so
        // that they do not abort the transaction of the others.
        let sql = multi_row_insert(
            "INSERT INTO refresh_tokens \
             (token_hash, parent_hash, family_id, scope, created_at, expires_at) VALUES ",
            6,
            chunk.len(),
            " ON CONFLICT DO NOTHING RETURNING parent_hash",
        );
        let mut query = sqlx::query(&sql);
        for s in chunk {
            query = query
                .bind(&s.token_hash)
                .bind(&s.parent_hash)
                .bind(&s.family_id)
                .bind(&s.scope)
                .bind(s.created_at)
                .bind(s.expires_at);
        }
        for row in query.fetch_all(&mut **tx).await? {
            spent.insert(row.try_get::<String, _>("parent_hash")?);
        }
    }
    Ok(spent)
}

/// `head` followed by `rows` groups of `columns` numbered placeholders, then `tail`.
fn multi_row_insert(head: &str, columns: usize, rows: usize, tail: &str) -> String {
    let groups: Vec<String> = (0..rows)
        .map(|row| format!("({})", super::placeholders(row * columns + 1, columns)))
        .collect();
    format!("{head}{}{tail}", groups.join(", "))
}

#[cfg(test)]
mod tests {
    use super::super::Durable;
    use super::*;

    async fn store() -> (Durable, tempfile::TempDir) {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("g.db").display());
        let durable = Durable::connect(&url).await.unwrap();
        durable.migrate().await.unwrap();
        (durable, dir)
    }

    fn family(id: &str) -> NewFamily {
        NewFamily {
            id: id.into(),
            client_id: "c".into(),
            user_id: "u".into(),
            tenant_id: "t".into(),
            sid: "s".into(),
            scope: "openid".into(),
            audience: String::new(),
            auth_time: 1,
        }
    }

    /// Runs every future as its own task, all at once; their outputs in order.
    async fn at_once<T, F>(futures: impl IntoIterator<Item = F>) -> Vec<T>
    where
        T: Send + 'static,
        F: std::future::Future<Output = T> + Send + 'static,
    {
        let tasks: Vec<_> = futures.into_iter().map(tokio::spawn).collect();
        let mut outputs = Vec::with_capacity(tasks.len());
        for task in tasks {
            outputs.push(task.await.unwrap());
        }
        outputs
    }

    async fn count(durable: &Durable, sql: &str) -> i64 {
        sqlx::query_scalar(sql)
            .fetch_one(durable.pool())
            .await
            .unwrap()
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn writes_that_arrive_together_commit_and_each_token_is_spent_once() {
        let (durable, _dir) = store().await;
        let opened = at_once((0..50).map(|n| {
            let durable = durable.clone();
            async move {
                durable
                    .create_family(&family(&format!("f{n}")), &format!("t{n}"), i64::MAX)
                    .await
            }
        }))
        .await;
        assert!(opened.iter().all(Result::is_ok), "{opened:?}");
        // Every token rotated twice at once: one successor each, the other refused.
        let rotations = at_once((0..100).map(|n| {
            let durable = durable.clone();
            let family = n % 50;
            async move {
                let rotation = durable
                    .rotate_refresh_token(
                        &format!("t{family}"),
                        &format!("f{family}"),
                        &format!("t{family}-next-{n}"),
                        "openid",
                        i64::MAX,
                    )
                    .await
                    .unwrap();
                (family, rotation)
            }
        }))
        .await;
        for family in 0..50 {
            let won = rotations
                .iter()
                .filter(|(f, r)| *f == family && *r == Rotation::Rotated)
                .count();
            assert_eq!(won, 1, "family {family}: {rotations:?}");
        }
        assert_eq!(
            count(&durable, "SELECT COUNT(*) FROM grant_families").await,
            50
        );
        assert_eq!(
            count(&durable, "SELECT COUNT(*) FROM refresh_tokens").await,
            100
        );
        // 150 writes arriving together shared transactions.
        let made = durable.group.transactions_made();
        assert!(made < 150, "{made} transactions for 150 writes");
        // A later rotation of a spent token is refused as before.
        let again = durable
            .rotate_refresh_token("t0", "f0", "t0-late", "openid", i64::MAX)
            .await
            .unwrap();
        assert_eq!(again, Rotation::AlreadySpent);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn a_write_the_database_refuses_fails_alone() {
        let (durable, _dir) = store().await;
        for n in 0..20 {
            let token = format!("t{n}");
            durable
                .create_family(&family(&format!("f{n}")), &token, i64::MAX)
                .await
                .unwrap();
        }
        let results = at_once((0..21).map(|n| {
            let durable = durable.clone();
            async move {
                // The last one names a family that does not exist.
                let family = if n == 20 {
                    "nobody".into()
                } else {
                    format!("f{n}")
                };
                durable
                    .rotate_refresh_token(&format!("t{n}"), &family, &format!("s{n}"), "", 9)
                    .await
            }
        }))
        .await;
        assert!(results[20].is_err(), "{:?}", results[20]);
        assert!(results[..20]
            .iter()
            .all(|r| matches!(r, Ok(Rotation::Rotated))));
        assert_eq!(
            count(&durable, "SELECT COUNT(*) FROM refresh_tokens").await,
            40
        );
    }

    #[test]
    fn a_store_outliving_its_runtime_writes_from_the_next() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("g.db").display());
        let runtime = || {
            tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap()
        };
        let durable = runtime().block_on(async {
            let durable = Durable::connect(&url).await.unwrap();
            durable.migrate().await.unwrap();
            durable.create_family(&family("f1"), "t1", 9).await.unwrap();
            durable
        });
        // The first runtime, and the writer it ran, are gone.
        runtime().block_on(async {
            durable.create_family(&family("f2"), "t2", 9).await.unwrap();
            assert_eq!(
                count(&durable, "SELECT COUNT(*) FROM grant_families").await,
                2
            );
        });
    }

    #[test]
    fn placeholders_are_numbered_across_rows() {
        assert_eq!(
            multi_row_insert("INSERT INTO t (a, b) VALUES ", 2, 2, " RETURNING a"),
            "INSERT INTO t (a, b) VALUES ($1, $2), ($3, $4) RETURNING a"
        );
    }
}
