//! Group commit for successful sends: every send that finishes while the previous batch is
//! being written joins the next `complete_many`, so a busy worker commits once per batch of
//! results instead of once per message, and an idle one writes each result at once.

use super::WorkerReport;
use gurumisha_core::queue::{Completion, NotificationStore};
use gurumisha_notify::clock::Clock;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

/// Most results written by one statement.
const MAX_BATCH: usize = 1000;

#[derive(Debug, Default)]
pub(crate) struct Counters {
    pub claimed: AtomicU64,
    pub sent: AtomicU64,
    pub retrying: AtomicU64,
    pub dead: AtomicU64,
    pub lease_lost: AtomicU64,
    pub store_errors: AtomicU64,
    pub digests: AtomicU64,
}

impl Counters {
    pub fn report(&self) -> WorkerReport {
        let get = |a: &AtomicU64| a.load(Ordering::Relaxed);
        WorkerReport {
            claimed: get(&self.claimed),
            sent: get(&self.sent),
            retrying: get(&self.retrying),
            dead: get(&self.dead),
            lease_lost: get(&self.lease_lost),
            store_errors: get(&self.store_errors),
            digests_flushed: get(&self.digests),
        }
    }
}

pub(crate) struct Completer {
    tx: mpsc::UnboundedSender<Completion>,
    task: JoinHandle<()>,
}

/// Where a send task hands its success.
#[derive(Clone)]
pub(crate) struct Handle(mpsc::UnboundedSender<Completion>);

impl Handle {
    pub fn push(&self, c: Completion) {
        // The receiver lives until `finish`, which waits for every sender's task first.
        let _ = self.0.send(c);
    }
}

impl Completer {
    pub fn start(
        queue: Arc<dyn NotificationStore>,
        clock: Arc<dyn Clock>,
        counters: Arc<Counters>,
    ) -> Self {
        let (tx, mut rx) = mpsc::unbounded_channel::<Completion>();
        let task = tokio::spawn(async move {
            while let Some(first) = rx.recv().await {
                let mut batch = vec![first];
                while batch.len() < MAX_BATCH {
                    match rx.try_recv() {
                        Ok(c) => batch.push(c),
                        Err(_) => break,
                    }
                }
                record(&*queue, &*clock, &counters, batch).await;
            }
        });
        Self { tx, task }
    }

    pub fn handle(&self) -> Handle {
        Handle(self.tx.clone())
    }

    /// Writes what is left and stops.
    pub async fn finish(self) {
        drop(self.tx);
        if let Err(e) = self.task.await {
            tracing::error!(error = %e, "the completer failed");
        }
    }
}

async fn record(
    queue: &dyn NotificationStore,
    clock: &dyn Clock,
    counters: &Counters,
    batch: Vec<Completion>,
) {
    let n = batch.len() as u64;
    // A database blip should not turn delivered messages into duplicates: try a few times
    // (well within the lease) before leaving the rows to come back.
    let mut wait = Duration::from_millis(100);
    for attempt in 1..=4 {
        match queue.complete_many(batch.clone(), clock.now()).await {
            Ok(flags) => {
                let ok = flags.iter().filter(|f| **f).count() as u64;
                counters.sent.fetch_add(ok, Ordering::Relaxed);
                if ok < n {
                    tracing::warn!(lost = n - ok, "leases taken over: results not recorded");
                    counters.lease_lost.fetch_add(n - ok, Ordering::Relaxed);
                }
                return;
            }
            Err(e) if attempt < 4 => {
                tracing::warn!(error = %e, rows = n, attempt, "recording sends failed; retrying");
                tokio::time::sleep(wait).await;
                wait *= 3;
            }
            Err(e) => {
                tracing::error!(error = %e, rows = n, "recording sends failed");
                counters.store_errors.fetch_add(n, Ordering::Relaxed);
            }
        }
    }
}
