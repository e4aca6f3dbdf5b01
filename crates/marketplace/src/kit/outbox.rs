//! The durable outbox of calls to sellers' production URLs. A job is claimed by a
//! conditional UPDATE of its lease (portable to SQLite and PostgreSQL, safe with several
//! instances), retried on the upstream schedule (§4.4) within a window that opens at its
//! own first attempt, and then listed to the seller as a failed message with its last
//! error, to be started again by hand. An instance's calls go out in order; a failed
//! tenant or application sync holds the calls behind it (they depend on it) until it is
//! started again or superseded by a later sync of the same subject. Delivery is at least
//! once: a worker that dies mid-call leaves a lease that expires, and the call is made
//! again (the production interface must be idempotent).

use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Duration;

use serde_json::Value;
use sqlx::any::AnyRow;
use sqlx::{AnyPool, Row};

use crate::kit::exchange::Activity;
use unilogin_core::clock::Clock;
use unilogin_core::store::durable::{Durable, Tx};
use unilogin_core::store::StoreError;

/// How long a claimed attempt may take before another instance may make it again:
/// longer than any call's total timeout.
pub const LEASE: Duration = Duration::from_secs(120);

/// How often, and for how long, an activity is tried (§4.4). New purchases and upgrades:
/// hourly for 3 hours (then the order fails). Polling an opening: every 10 minutes for
/// 3 hours. Everything else (renew, expire, release, sync, notify): every 15 minutes for
/// an hour; upstream gives the hour and leaves the interval to us.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    pub interval: Duration,
    pub window: Duration,
}

const HOUR: Duration = Duration::from_secs(3600);

pub fn retry_policy(activity: Activity) -> RetryPolicy {
    match activity {
        Activity::NewInstance | Activity::Upgrade => RetryPolicy {
            interval: HOUR,
            window: 3 * HOUR,
        },
        Activity::QueryInstance => RetryPolicy {
            interval: Duration::from_secs(600),
            window: 3 * HOUR,
        },
        _ => RetryPolicy {
            interval: Duration::from_secs(900),
            window: HOUR,
        },
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JobStatus {
    Pending,
    Done,
    Failed,
    /// A later sync of the same subject replaced it before it was delivered.
    Superseded,
}

impl JobStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Done => "done",
            Self::Failed => "failed",
            Self::Superseded => "superseded",
        }
    }

    fn parse(raw: &str) -> Result<Self, StoreError> {
        match raw {
            "pending" => Ok(Self::Pending),
            "done" => Ok(Self::Done),
            "failed" => Ok(Self::Failed),
            "superseded" => Ok(Self::Superseded),
            other => Err(StoreError::Corrupt(format!("kit job status {other:?}"))),
        }
    }
}

/// A call to make.
#[derive(Debug, Clone)]
pub struct NewJob {
    pub seller_tenant_id: String,
    pub app_id: String,
    pub instance_id: String,
    pub activity: Activity,
    /// The same key finds the same job (§4.2: `orderId + orderLineId` for a new
    /// purchase, and so on).
    pub idempotency_key: String,
    /// The body without `activity` (added when signed); secrets in it are encrypted.
    pub payload: Value,
}

#[derive(Debug, Clone)]
pub struct Job {
    /// The worker holding the job now (empty: none).
    pub lease_owner: String,
    pub id: String,
    pub seller_tenant_id: String,
    pub app_id: String,
    pub instance_id: String,
    pub activity: Activity,
    pub idempotency_key: String,
    pub payload: Value,
    pub status: JobStatus,
    pub attempts: i64,
    pub next_attempt_at: i64,
    /// When its current window opened (0: not tried since queued or started again).
    pub first_attempt_at: i64,
    pub give_up_at: i64,
    pub last_error: String,
    /// The accepted answer's JSON, once done.
    pub answer: Option<Value>,
    pub created_at: i64,
    pub updated_at: i64,
    /// Its place in its instance's order.
    pub seq: i64,
}

impl Job {
    /// No worker holds it: its last attempt is over.
    pub fn lease_free(&self) -> bool {
        self.lease_owner.is_empty()
    }

    /// This attempt opened its window: the first since it was queued or started again.
    pub fn first_in_window(&self) -> bool {
        self.next_attempt_at == self.first_attempt_at
    }
}

/// The calls behind a failed one of these wait for it: the seller cannot place an
/// application for a tenant it does not know, nor a user in an application it lacks.
const HOLDING: &str = "('tenantSync', 'applicationSync')";

/// What a sync delivers the state of; a later sync of the same subject makes an earlier
/// one stale. Empty for calls that are events of their own.
fn subject_of(job: &NewJob) -> String {
    if job.instance_id.is_empty() {
        return String::new();
    }
    match job.activity {
        Activity::TenantSync | Activity::ApplicationSync => {
            format!("{}/{}", job.activity.as_str(), job.instance_id)
        }
        Activity::UserSync => match job.payload.get("userId").and_then(Value::as_str) {
            Some(user) => format!("userSync/{}/{user}", job.instance_id),
            None => String::new(),
        },
        _ => String::new(),
    }
}

/// What `enqueue` found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Enqueued {
    Created(String),
    /// A job with this idempotency key exists already.
    Existing(String),
}

impl Enqueued {
    pub fn id(&self) -> &str {
        match self {
            Self::Created(id) | Self::Existing(id) => id,
        }
    }
}

/// What a manual retry did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Retry {
    Restarted,
    /// Started again; this many calls of its instance were waiting behind it.
    RestartedWithFollowers(i64),
    /// No failed message of this seller's with that id.
    NotFound,
    Refused(&'static str),
}

/// What became of a failed attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AfterFailure {
    /// Tried again at this time.
    Retrying(i64),
    /// The window closed: the job is failed and listed to the seller.
    GaveUp,
    /// A later sync of the same subject was queued meanwhile: this one is not sent again.
    Superseded,
    /// The lease was lost (another instance holds the job now): nothing recorded.
    LeaseLost,
}

#[derive(Clone)]
pub struct Outbox {
    pool: AnyPool,
    durable: Durable,
    clock: Clock,
}

const COLUMNS: &str =
    "id, lease_owner, seller_tenant_id, app_id, instance_id, activity, idempotency_key, \
     payload, status, attempts, next_attempt_at, first_attempt_at, give_up_at, last_error, \
     answer, created_at, updated_at, seq";

fn job_of(row: &AnyRow) -> Result<Job, StoreError> {
    let text = |name: &str| row.try_get::<String, _>(name).map_err(StoreError::from);
    let number = |name: &str| row.try_get::<i64, _>(name).map_err(StoreError::from);
    let json = |raw: String| {
        serde_json::from_str::<Value>(&raw).map_err(|e| StoreError::Corrupt(e.to_string()))
    };
    let activity = text("activity")?;
    let answer = text("answer")?;
    Ok(Job {
        lease_owner: text("lease_owner")?,
        id: text("id")?,
        seller_tenant_id: text("seller_tenant_id")?,
        app_id: text("app_id")?,
        instance_id: text("instance_id")?,
        activity: Activity::parse(&activity)
            .ok_or_else(|| StoreError::Corrupt(format!("kit job activity {activity:?}")))?,
        idempotency_key: text("idempotency_key")?,
        payload: json(text("payload")?)?,
        status: JobStatus::parse(&text("status")?)?,
        attempts: number("attempts")?,
        next_attempt_at: number("next_attempt_at")?,
        first_attempt_at: number("first_attempt_at")?,
        give_up_at: number("give_up_at")?,
        last_error: text("last_error")?,
        answer: if answer.is_empty() {
            None
        } else {
            Some(json(answer)?)
        },
        created_at: number("created_at")?,
        updated_at: number("updated_at")?,
        seq: number("seq")?,
    })
}

impl Outbox {
    pub fn new(durable: &Durable, clock: Clock) -> Self {
        Self {
            pool: durable.pool().clone(),
            durable: durable.clone().with_clock(clock.clone()),
            clock,
        }
    }

    /// A transaction on the outbox's store (for `succeed_in` with its consequences).
    pub async fn begin(&self) -> Result<Tx, StoreError> {
        self.durable.begin().await
    }

    /// Adds a job due now, or finds the one with the same idempotency key.
    pub async fn enqueue(&self, job: &NewJob) -> Result<Enqueued, StoreError> {
        let mut tx = self.durable.begin().await?;
        let enqueued = enqueue_in(&mut tx, job).await?;
        tx.commit().await?;
        Ok(enqueued)
    }

    pub async fn job(&self, id: &str) -> Result<Option<Job>, StoreError> {
        let sql = format!("SELECT {COLUMNS} FROM kit_jobs WHERE id = $1");
        let row = sqlx::query(&sql)
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(job_of).transpose()
    }

    /// Claims up to `limit` due jobs for `owner` (each exactly once across instances):
    /// a lease of `LEASE`, and one more attempt counted; the first attempt since it was
    /// queued (or started again) opens its retry window. A job waits while an earlier
    /// one of its instance is pending, or is a failed sync that holds its followers, so
    /// an instance's calls arrive in order and never before what they depend on.
    pub async fn claim_due(&self, owner: &str, limit: i64) -> Result<Vec<Job>, StoreError> {
        let now = self.clock.now_unix();
        let sql = format!(
            "SELECT j.id, j.activity FROM kit_jobs j WHERE j.status = 'pending' \
             AND j.next_attempt_at <= $1 AND j.lease_until < $1 \
             AND NOT EXISTS (SELECT 1 FROM kit_jobs e WHERE j.instance_id <> '' \
               AND e.instance_id = j.instance_id AND e.seq < j.seq \
               AND (e.status = 'pending' OR (e.status = 'failed' AND e.activity IN {HOLDING}))) \
             ORDER BY j.next_attempt_at, j.seq LIMIT $2"
        );
        let candidates: Vec<(String, String)> = sqlx::query_as(&sql)
            .bind(now)
            .bind(limit)
            .fetch_all(&self.pool)
            .await?;
        let mut claimed = Vec::new();
        for (id, activity) in candidates {
            let window = Activity::parse(&activity)
                .map(|a| retry_policy(a).window.as_secs() as i64)
                .unwrap_or(0);
            let taken = sqlx::query(
                "UPDATE kit_jobs SET lease_owner = $1, lease_until = $2, \
                 attempts = attempts + 1, updated_at = $3, \
                 next_attempt_at = CASE WHEN first_attempt_at = 0 THEN $3 \
                   ELSE next_attempt_at END, \
                 give_up_at = CASE WHEN first_attempt_at = 0 THEN $5 ELSE give_up_at END, \
                 first_attempt_at = CASE WHEN first_attempt_at = 0 THEN $3 \
                   ELSE first_attempt_at END \
                 WHERE id = $4 AND status = 'pending' AND next_attempt_at <= $3 \
                 AND lease_until < $3",
            )
            .bind(owner)
            .bind(now + LEASE.as_secs() as i64)
            .bind(now)
            .bind(&id)
            .bind(now + window)
            .execute(&self.pool)
            .await?;
            if taken.rows_affected() == 1 {
                if let Some(job) = self.job(&id).await? {
                    claimed.push(job);
                }
            }
        }
        Ok(claimed)
    }

    /// Records a failed attempt: the next one is due one interval after this one was,
    /// or, past the window, the job is failed.
    pub async fn attempt_failed(
        &self,
        job: &Job,
        owner: &str,
        error: &str,
    ) -> Result<AfterFailure, StoreError> {
        let mut tx = self.durable.begin().await?;
        let after = attempt_failed_in(&mut tx, job, owner, error).await?;
        tx.commit().await?;
        Ok(after)
    }

    /// The seller's manual retry of a failed job: due now, its window opening at the
    /// attempt, and the calls of its instance waiting behind it following once it is
    /// delivered. Refused for a failed opening (its order was unsubscribed), for a sync
    /// a later one replaced, and for a call a later one of its instance has overtaken
    /// (a freeze after the unfreeze would undo it).
    pub async fn retry_now(
        &self,
        seller_tenant_id: &str,
        job_id: &str,
    ) -> Result<Retry, StoreError> {
        let now = self.clock.now_unix();
        let job = self.job(job_id).await?;
        let Some(job) = job.filter(|j| j.seller_tenant_id == seller_tenant_id) else {
            return Ok(Retry::NotFound);
        };
        match job.status {
            JobStatus::Failed => {}
            JobStatus::Superseded => {
                return Ok(Retry::Refused(
                    "a later sync of the same instance replaced this one",
                ))
            }
            JobStatus::Pending | JobStatus::Done => {
                return Ok(Retry::Refused("only a failed message is started again"))
            }
        }
        if matches!(
            job.activity,
            Activity::NewInstance | Activity::QueryInstance
        ) {
            return Ok(Retry::Refused(
                "the opening failed and its order was unsubscribed; the buyer orders again",
            ));
        }
        // A user's authorization and an order notice are events of their own: what was
        // delivered after them does not make them stale.
        let independent = matches!(job.activity, Activity::UserSync | Activity::OrderNotify);
        let overtaken: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM kit_jobs WHERE instance_id = $1 AND instance_id <> '' \
             AND seq > $2 AND status = 'done'",
        )
        .bind(&job.instance_id)
        .bind(job.seq)
        .fetch_one(&self.pool)
        .await?;
        if overtaken > 0 && !independent {
            return Ok(Retry::Refused(
                "a later message of the same instance has been sent since",
            ));
        }
        let restarted = sqlx::query(
            "UPDATE kit_jobs SET status = 'pending', next_attempt_at = $1, \
             first_attempt_at = 0, updated_at = $1 \
             WHERE id = $2 AND seller_tenant_id = $3 AND status = 'failed'",
        )
        .bind(now)
        .bind(job_id)
        .bind(seller_tenant_id)
        .execute(&self.pool)
        .await?;
        if restarted.rows_affected() != 1 {
            return Ok(Retry::Refused("only a failed message is started again"));
        }
        let waiting = self.waiting_behind(&job).await?;
        Ok(if waiting > 0 {
            Retry::RestartedWithFollowers(waiting)
        } else {
            Retry::Restarted
        })
    }

    /// How many calls of `job`'s instance are queued behind it, not yet delivered.
    pub async fn waiting_behind(&self, job: &Job) -> Result<i64, StoreError> {
        if job.instance_id.is_empty() {
            return Ok(0);
        }
        let waiting: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM kit_jobs WHERE instance_id = $1 AND seq > $2 \
             AND status = 'pending'",
        )
        .bind(&job.instance_id)
        .bind(job.seq)
        .fetch_one(&self.pool)
        .await?;
        Ok(waiting)
    }

    /// The seller's messages that were not delivered (failed, or superseded by a later
    /// sync), most recent first.
    pub async fn failed_of(
        &self,
        seller_tenant_id: &str,
        limit: i64,
    ) -> Result<Vec<Job>, StoreError> {
        let sql = format!(
            "SELECT {COLUMNS} FROM kit_jobs WHERE seller_tenant_id = $1 \
             AND status IN ('failed', 'superseded') ORDER BY updated_at DESC, id LIMIT $2"
        );
        let rows = sqlx::query(&sql)
            .bind(seller_tenant_id)
            .bind(limit)
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(job_of).collect()
    }
}

/// `attempt_failed` inside the caller's transaction (giving up and its consequences
/// are one commit). A sync that a later one of its subject replaced meanwhile is marked
/// superseded instead of being tried again.
pub async fn attempt_failed_in(
    tx: &mut Tx,
    job: &Job,
    owner: &str,
    error: &str,
) -> Result<AfterFailure, StoreError> {
    let now = tx.now();
    // The schedule keeps its slots (0, 1, 2, 3 hours) however late an attempt ran.
    let slot = job.next_attempt_at + retry_policy(job.activity).interval.as_secs() as i64;
    let next = slot.max(now);
    let replaced: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM kit_jobs WHERE subject = (SELECT subject FROM kit_jobs \
         WHERE id = $1) AND subject <> '' AND seq > $2",
    )
    .bind(&job.id)
    .bind(job.seq)
    .fetch_one(&mut **tx)
    .await?;
    let (status, after) = if replaced > 0 {
        (JobStatus::Superseded, AfterFailure::Superseded)
    } else if next > job.give_up_at {
        (JobStatus::Failed, AfterFailure::GaveUp)
    } else {
        (JobStatus::Pending, AfterFailure::Retrying(next))
    };
    let error: String = error.chars().take(1000).collect();
    let recorded = sqlx::query(
        "UPDATE kit_jobs SET status = $1, next_attempt_at = $2, last_error = $3, \
         lease_owner = '', lease_until = 0, updated_at = $4 \
         WHERE id = $5 AND lease_owner = $6 AND status = 'pending'",
    )
    .bind(status.as_str())
    .bind(next)
    .bind(&error)
    .bind(now)
    .bind(&job.id)
    .bind(owner)
    .execute(&mut **tx)
    .await?;
    Ok(if recorded.rows_affected() == 1 {
        after
    } else {
        AfterFailure::LeaseLost
    })
}

/// Records an accepted answer, inside the caller's transaction; false if the lease
/// was lost meanwhile.
pub async fn succeed_in(
    tx: &mut Tx,
    job_id: &str,
    owner: &str,
    answer: &Value,
) -> Result<bool, StoreError> {
    let now = tx.now();
    let done = sqlx::query(
        "UPDATE kit_jobs SET status = 'done', answer = $1, last_error = '', \
         lease_owner = '', lease_until = 0, updated_at = $2 \
         WHERE id = $3 AND lease_owner = $4 AND status = 'pending'",
    )
    .bind(answer.to_string())
    .bind(now)
    .bind(job_id)
    .bind(owner)
    .execute(&mut **tx)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// `enqueue` inside the caller's transaction (a state change and the calls it makes
/// are one commit). A sync supersedes the earlier ones of its subject that are not
/// being delivered right now.
pub async fn enqueue_in(tx: &mut Tx, job: &NewJob) -> Result<Enqueued, StoreError> {
    let now = tx.now();
    let id = format!("job-{}", unilogin_core::secret::random_id(20));
    let window = retry_policy(job.activity).window.as_secs() as i64;
    let subject = subject_of(job);
    let seq = next_seq(tx);
    let inserted = sqlx::query(
        "INSERT INTO kit_jobs (id, seller_tenant_id, app_id, instance_id, activity, \
         idempotency_key, payload, status, next_attempt_at, give_up_at, created_at, \
         updated_at, seq, subject) VALUES ($1, $2, $3, $4, $5, $6, $7, 'pending', $8, $9, \
         $8, $8, $10, $11) ON CONFLICT (idempotency_key) DO NOTHING",
    )
    .bind(&id)
    .bind(&job.seller_tenant_id)
    .bind(&job.app_id)
    .bind(&job.instance_id)
    .bind(job.activity.as_str())
    .bind(&job.idempotency_key)
    .bind(job.payload.to_string())
    .bind(now)
    .bind(now + window)
    .bind(seq)
    .bind(&subject)
    .execute(&mut **tx)
    .await?;
    if inserted.rows_affected() == 1 {
        if !subject.is_empty() {
            sqlx::query(
                "UPDATE kit_jobs SET status = 'superseded', updated_at = $1 \
                 WHERE subject = $2 AND seq < $3 AND lease_until < $1 \
                 AND status IN ('pending', 'failed')",
            )
            .bind(now)
            .bind(&subject)
            .bind(seq)
            .execute(&mut **tx)
            .await?;
        }
        return Ok(Enqueued::Created(id));
    }
    let existing: String = sqlx::query_scalar("SELECT id FROM kit_jobs WHERE idempotency_key = $1")
        .bind(&job.idempotency_key)
        .fetch_one(&mut **tx)
        .await?;
    Ok(Enqueued::Existing(existing))
}

/// Enqueue order: the clock's milliseconds and a counter, so jobs enqueued in one
/// transaction keep their order.
fn next_seq(tx: &Tx) -> i64 {
    static COUNTER: AtomicI64 = AtomicI64::new(0);
    tx.now_millis() * 1000 + COUNTER.fetch_add(1, Ordering::Relaxed) % 1000
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_retry_schedule_follows_upstream() {
        let new = retry_policy(Activity::NewInstance);
        assert_eq!((new.interval, new.window), (HOUR, 3 * HOUR));
        assert_eq!(retry_policy(Activity::Upgrade), new);
        let holding = [Activity::TenantSync, Activity::ApplicationSync]
            .map(|a| format!("'{}'", a.as_str()))
            .join(", ");
        assert_eq!(HOLDING, format!("({holding})"));
        for activity in [
            Activity::RefreshInstance,
            Activity::UpdateInstanceStatus,
            Activity::ReleaseInstance,
        ] {
            assert_eq!(retry_policy(activity).window, HOUR, "{activity:?}");
        }
    }
}
