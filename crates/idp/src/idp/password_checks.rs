//! Password checks run on a few dedicated threads (one per core), each keeping its argon2
//! memory between checks. At most that many run at once; a login waits a little for a
//! free thread, else it is told to come back (503), so a login flood cannot starve the
//! async runtime or the token endpoint, and memory stays at threads × argon2 cost.

use std::sync::mpsc;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{oneshot, Semaphore};

use crate::admin::PasswordHasher;
use crate::secret::Secret;

struct Job {
    stored: Option<String>,
    password: Secret,
    answer: oneshot::Sender<bool>,
}

pub struct PasswordChecks {
    permits: Arc<Semaphore>,
    jobs: mpsc::SyncSender<Job>,
    wait: Duration,
}

/// Every checker was busy for the whole wait.
#[derive(Debug)]
pub struct Busy;

impl PasswordChecks {
    pub fn start(hasher: PasswordHasher, threads: usize, wait: Duration) -> Self {
        let threads = threads.max(1);
        let (jobs, queue) = mpsc::sync_channel::<Job>(threads);
        let queue = Arc::new(std::sync::Mutex::new(queue));
        for index in 0..threads {
            let (hasher, queue) = (hasher.clone(), queue.clone());
            let spawned = std::thread::Builder::new()
                .name(format!("unilogin-password-{index}"))
                .spawn(move || {
                    let mut memory = Vec::new();
                    loop {
                        let job = match queue.lock() {
                            Ok(queue) => queue.recv(),
                            Err(_) => return,
                        };
                        let Ok(job) = job else { return };
                        let ok = hasher.verify_in(
                            job.stored.as_deref(),
                            job.password.expose(),
                            &mut memory,
                        );
                        let _ = job.answer.send(ok);
                    }
                });
            if let Err(err) = spawned {
                tracing::error!(error = %err, "could not start a password-check thread");
            }
        }
        Self {
            permits: Arc::new(Semaphore::new(threads)),
            jobs,
            wait,
        }
    }

    /// Checks `password` against `stored` (a dummy hash of the same cost when `None`).
    pub async fn verify(&self, stored: Option<String>, password: Secret) -> Result<bool, Busy> {
        let permit = tokio::time::timeout(self.wait, self.permits.clone().acquire_owned())
            .await
            .map_err(|_| Busy)?
            .map_err(|_| Busy)?;
        let (answer, answered) = oneshot::channel();
        // A permit guarantees a free slot in the queue: this never blocks.
        self.jobs
            .try_send(Job {
                stored,
                password,
                answer,
            })
            .map_err(|_| Busy)?;
        let verified = answered.await.map_err(|_| Busy);
        drop(permit);
        verified
    }
}
