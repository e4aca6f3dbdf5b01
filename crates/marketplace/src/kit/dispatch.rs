//! Making one claimed call: the app's production URL and the secret of the access key
//! bound to the activity's category, the signed request through the one outbound
//! client, the answer checked, and the outcome recorded in the outbox. A worker runs
//! this for due jobs on every instance; the outbox's leases keep each attempt single.

use std::sync::Arc;
use std::time::Duration;

use crate::kit::app_store::KitApp;
use serde_json::Value;

use crate::kit::exchange::{
    check_answer, sign_request, Accepted, Activity, Category, SignedRequest,
};
use crate::kit::outbox::Job;
use crate::kit::outcomes::{settle_accepted, settle_failed};
use crate::state::Marketplace;
use unilogin_core::outbound::Answer;
use unilogin_core::secret::Secret;

/// The total time a production call may take (upstream's debug page waits 20 s).
pub const CALL_TIMEOUT: Duration = Duration::from_secs(20);

/// What became of one attempt.
#[derive(Debug)]
pub enum Attempt {
    Accepted(Accepted),
    /// Refused or unreachable; the text is what the seller is shown.
    Failed(String),
}

/// The secret of the access key `app` binds to `category`.
pub async fn category_key(
    market: &Marketplace,
    app: &KitApp,
    category: Category,
) -> Result<Secret, String> {
    let id = match category {
        Category::Basic => &app.keys.basic,
        Category::KitSync => &app.keys.kit_sync,
        Category::Generic => &app.keys.generic,
    };
    let record = market
        .store
        .access_key(id)
        .await
        .map_err(|e| format!("access key {id}: {e}"))?
        .filter(|k| k.tenant_id == app.seller_tenant_id)
        .ok_or_else(|| format!("access key {id} bound to the app no longer exists"))?;
    market
        .sealer
        .open(&record.access_key, &record.secret_sealed)
        .map_err(|_| format!("access key {id} cannot be opened"))
}

/// One call of `job`'s activity to `app`, signed now.
pub async fn call(market: &Marketplace, app: &KitApp, job: &Job, timeout: Duration) -> Attempt {
    let url = app.production_url.clone();
    call_at(
        market,
        app,
        &url,
        job.activity,
        job.payload.clone(),
        timeout,
    )
    .await
}

/// The signed request of `activity` with `payload` to `base_url` (the production URL,
/// or a debug case's), with the key bound to its category.
pub async fn signed(
    market: &Marketplace,
    app: &KitApp,
    base_url: &str,
    activity: Activity,
    payload: Value,
) -> Result<(SignedRequest, Secret), String> {
    let key = category_key(market, app, activity.category()).await?;
    let url = market
        .outbound
        .check_url(base_url)
        .map_err(|e| e.to_string())?;
    let nonce = unilogin_core::secret::random_id(32);
    let now_ms = market.clock.now_millis();
    let request = sign_request(&url, activity, &key, payload, &nonce, now_ms);
    Ok((request, key))
}

/// A debug call as the seller reads it: its outcome, the answer's status and body as
/// they came (however the check failed), and how long it took.
#[derive(Debug)]
pub struct DebugCall {
    pub attempt: Attempt,
    pub status: Option<u16>,
    /// The answer's body as text, at most `SHOWN_ANSWER_BYTES`.
    pub answer: Option<String>,
    pub latency_ms: i64,
}

/// The most of an answer a debug page shows.
const SHOWN_ANSWER_BYTES: usize = 8 * 1024;

/// `call_at` for the debug page: the same signed call and check, timed, keeping what
/// came back.
pub async fn debug_call(
    market: &Marketplace,
    app: &KitApp,
    base_url: &str,
    activity: Activity,
    payload: Value,
    timeout: Duration,
) -> DebugCall {
    let (attempt, answer, latency_ms) =
        call_once(market, app, base_url, activity, payload, timeout).await;
    DebugCall {
        attempt,
        status: answer.as_ref().map(|a| a.status),
        answer: answer.map(|a| {
            let shown = &a.body[..a.body.len().min(SHOWN_ANSWER_BYTES)];
            String::from_utf8_lossy(shown).into_owned()
        }),
        latency_ms,
    }
}

/// One call of `activity` to `base_url`, signed now, its answer checked.
pub async fn call_at(
    market: &Marketplace,
    app: &KitApp,
    base_url: &str,
    activity: Activity,
    payload: Value,
    timeout: Duration,
) -> Attempt {
    call_once(market, app, base_url, activity, payload, timeout)
        .await
        .0
}

/// The call itself: its outcome, the answer as it came (if one came) and how long the
/// exchange took, in milliseconds.
async fn call_once(
    market: &Marketplace,
    app: &KitApp,
    base_url: &str,
    activity: Activity,
    payload: Value,
    timeout: Duration,
) -> (Attempt, Option<Answer>, i64) {
    let (request, key) = match signed(market, app, base_url, activity, payload).await {
        Ok(signed) => signed,
        Err(why) => return (Attempt::Failed(why), None, 0),
    };
    // A duration measured, not a time read: the one clock governs expiries, not this.
    let started = std::time::Instant::now();
    let answered = market
        .outbound
        .post_json(&request.url, request.headers, request.body, timeout)
        .await;
    let latency_ms = started.elapsed().as_millis() as i64;
    match answered {
        Err(err) => (Attempt::Failed(err.to_string()), None, latency_ms),
        Ok(answer) => {
            let attempt = match check_answer(&key, activity, &answer) {
                Ok(accepted) => Attempt::Accepted(accepted),
                Err(refusal) => Attempt::Failed(refusal.to_string()),
            };
            (attempt, Some(answer), latency_ms)
        }
    }
}

/// Runs the due jobs: claimed, called, recorded with what it sets off; again while
/// there are more (an accepted call often makes the next one of its instance due).
/// Returns how many ran.
pub async fn run_due(market: &Marketplace, owner: &str) -> usize {
    let mut ran = 0;
    for _ in 0..10 {
        let batch = run_batch(market, owner).await;
        ran += batch;
        if batch == 0 {
            break;
        }
    }
    ran
}

async fn run_batch(market: &Marketplace, owner: &str) -> usize {
    let jobs = match market.outbox.claim_due(owner, 20).await {
        Ok(jobs) => jobs,
        Err(err) => {
            tracing::warn!(error = %err, "kit outbox: cannot claim jobs");
            return 0;
        }
    };
    let ran = jobs.len();
    for job in jobs {
        let app = match market.store.kit_app(&job.app_id).await {
            Ok(Some(app)) => app,
            Ok(None) => {
                settle_failed(market, &job, owner, "the app no longer exists").await;
                continue;
            }
            Err(err) => {
                tracing::warn!(error = %err, job = %job.id, "kit outbox: app unreadable");
                continue;
            }
        };
        match call(market, &app, &job, CALL_TIMEOUT).await {
            Attempt::Accepted(accepted) => {
                settle_accepted(market, &app, &job, owner, accepted).await
            }
            Attempt::Failed(why) => settle_failed(market, &job, owner, &why).await,
        }
    }
    ran
}

/// Every `interval`, for the life of the process: the due calls, then the instances' and
/// the subscriptions' expiry and release on the clock, and the unattached uploads' end.
pub fn watch(market: Arc<Marketplace>, interval: Duration) {
    let owner = format!("worker-{}", unilogin_core::secret::random_id(12));
    tokio::spawn(async move {
        let mut ticker = tokio::time::interval(interval);
        ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            ticker.tick().await;
            run_due(&market, &owner).await;
            crate::kit::sweep::sweep(&market).await;
            crate::subscriptions::clock::sweep(&market).await;
            crate::workflow::upload_quota::sweep(&market.store, market.clock.now_unix()).await;
        }
    });
}
