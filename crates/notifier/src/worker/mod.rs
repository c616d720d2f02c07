//! The queue worker: claim due rows in batches, send them with bounded concurrency, record the
//! outcome, flush due digests, and stop gracefully.
//!
//! - **Claims** take at most `batch_size` rows, and only when fewer than half a batch is still
//!   waiting or sending, so a worker never holds much more than it can start soon.
//! - **Sends** run `concurrency` at a time; each is cut off after `send_timeout` (a transient
//!   failure). Contacts for a whole claimed batch are read in one query.
//! - **Outcomes**: successes go to a completer that records everything finished meanwhile in
//!   one `complete_many` (one statement or transaction, not one commit per message); failures
//!   are recorded at once with the backoff decision: transient → retry at now + exponential
//!   backoff with full jitter (the provider's Retry-After wins when longer), permanent → dead
//!   at once, too many attempts → dead, each with the provider's error text as the reason.
//! - **Leases are never renewed**, because they cannot run out under a live worker: a claimed
//!   row waits behind at most `batch_size − 1` others sent `concurrency` at a time, each cut off
//!   at `send_timeout`, so claim-to-result takes at most
//!   `ceil(batch_size / concurrency) × send_timeout` plus the time to write the result.
//!   [`WorkerConfig::min_lease`] is that plus 2 s; a lease shorter than it is refused. A row
//!   whose worker died comes back when its lease expires, and a worker whose lease was taken
//!   over (it was paused longer than the lease) cannot record anything: the token check in
//!   the store refuses it and the report counts it as `lease_lost`.
//! - **Shutdown** (the [`CancellationToken`]): stop claiming, finish every claimed row, record
//!   the results, return the report.

mod complete;
mod config;
mod deliver;

pub use config::WorkerConfig;

use crate::{NotifierError, Providers};
use complete::{Completer, Counters};
use gurumisha_core::notify_data::{Contact, NotifyDataStore};
use gurumisha_core::queue::{Attempt, Lease, NextStep, NotificationStore, QueuedNotification};
use gurumisha_notify::backoff::{BackoffPolicy, ErrorClass, RetryDecision};
use gurumisha_notify::clock::{add, Clock};
use gurumisha_providers::DeliveryError;
use serde::Serialize;
use std::collections::HashMap;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Instant;
use tokio::sync::Semaphore;
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;

/// What a run did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct WorkerReport {
    pub claimed: u64,
    pub sent: u64,
    /// Failed and scheduled for another attempt.
    pub retrying: u64,
    pub dead: u64,
    /// Results the store refused because another worker had taken the lease over.
    pub lease_lost: u64,
    /// Store calls that failed (their rows come back when the lease expires).
    pub store_errors: u64,
    pub digests_flushed: u64,
}

/// Delivers queued notifications. Cheap to clone (clones share everything).
#[derive(Clone)]
pub struct Worker {
    pub(crate) queue: Arc<dyn NotificationStore>,
    pub(crate) data: Arc<dyn NotifyDataStore>,
    pub(crate) providers: Providers,
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) config: Arc<WorkerConfig>,
}

enum Mode {
    /// Until a claim comes back empty (what is due now), then finish and return.
    Drain,
    /// Until cancelled.
    Serve(CancellationToken),
}

impl Worker {
    pub fn new(
        queue: Arc<dyn NotificationStore>,
        data: Arc<dyn NotifyDataStore>,
        providers: Providers,
        clock: Arc<dyn Clock>,
        config: WorkerConfig,
    ) -> Result<Self, NotifierError> {
        config.validate()?;
        Ok(Self {
            queue,
            data,
            providers,
            clock,
            config: Arc::new(config),
        })
    }

    pub fn config(&self) -> &WorkerConfig {
        &self.config
    }

    /// Flushes due digests, then processes everything due now and returns.
    pub async fn drain(&self) -> Result<WorkerReport, NotifierError> {
        self.pump(Mode::Drain).await
    }

    /// Runs until `shutdown` is cancelled, then finishes what it claimed and returns.
    pub async fn run(&self, shutdown: CancellationToken) -> Result<WorkerReport, NotifierError> {
        self.pump(Mode::Serve(shutdown)).await
    }

    async fn pump(&self, mode: Mode) -> Result<WorkerReport, NotifierError> {
        let counters = Arc::new(Counters::default());
        let completer = Completer::start(self.queue.clone(), self.clock.clone(), counters.clone());
        let sends = Arc::new(Semaphore::new(self.config.concurrency));
        let mut tasks: JoinSet<()> = JoinSet::new();
        let cap = self.config.batch_size as usize;
        let lease_ms = i64::try_from(self.config.lease().as_millis()).unwrap_or(i64::MAX);
        let never = CancellationToken::new();
        let stop = match &mode {
            Mode::Drain => &never,
            Mode::Serve(token) => token,
        };
        let mut next_digest = Instant::now();
        loop {
            while tasks.try_join_next().is_some() {}
            if stop.is_cancelled() {
                break;
            }
            if Instant::now() >= next_digest {
                match self.flush_digests().await {
                    Ok(n) => counters.digests.fetch_add(n, Ordering::Relaxed),
                    Err(e) => {
                        tracing::warn!(error = %e, "flushing digests failed");
                        counters.store_errors.fetch_add(1, Ordering::Relaxed)
                    }
                };
                next_digest = Instant::now() + self.config.digest_interval;
            }
            if tasks.len() > cap / 2 {
                tokio::select! {
                    _ = tasks.join_next() => {}
                    _ = stop.cancelled() => {}
                }
                continue;
            }
            let want = (cap - tasks.len()) as u32;
            let now = self.clock.now();
            let claimed = match self
                .queue
                .claim(&self.config.owner, want, lease_ms, now)
                .await
            {
                Ok(rows) => rows,
                Err(e) => {
                    tracing::warn!(error = %e, "claiming failed");
                    counters.store_errors.fetch_add(1, Ordering::Relaxed);
                    if matches!(mode, Mode::Drain) {
                        break;
                    }
                    tokio::select! {
                        _ = tokio::time::sleep(self.config.poll_interval) => {}
                        _ = stop.cancelled() => {}
                    }
                    continue;
                }
            };
            if claimed.is_empty() {
                if matches!(mode, Mode::Drain) {
                    break;
                }
                let wait = (self.config.poll_interval)
                    .min(next_digest.saturating_duration_since(Instant::now()));
                tokio::select! {
                    _ = self.queue.wait_for_work(wait) => {}
                    _ = stop.cancelled() => {}
                }
                continue;
            }
            counters
                .claimed
                .fetch_add(claimed.len() as u64, Ordering::Relaxed);
            let contacts = match self.contacts(&claimed).await {
                Ok(c) => c,
                Err(e) => {
                    // Without contacts nothing can be addressed; the leases expire and the
                    // rows come back, rather than failing them for a database hiccup.
                    tracing::warn!(error = %e, rows = claimed.len(), "reading contacts failed");
                    counters.store_errors.fetch_add(1, Ordering::Relaxed);
                    continue;
                }
            };
            for (row, lease) in claimed {
                let contact = contacts.get(&row.recipient_id).cloned();
                let (worker, sends, done, counters) = (
                    self.clone(),
                    sends.clone(),
                    completer.handle(),
                    counters.clone(),
                );
                tasks.spawn(async move {
                    let Ok(_permit) = sends.acquire_owned().await else {
                        return;
                    };
                    worker.handle(row, lease, contact, &done, &counters).await;
                });
            }
        }
        while let Some(r) = tasks.join_next().await {
            if let Err(e) = r {
                tracing::error!(error = %e, "a send task failed");
            }
        }
        completer.finish().await;
        Ok(counters.report())
    }

    /// Contacts of every recipient in the batch, in one query.
    async fn contacts(
        &self,
        rows: &[(QueuedNotification, Lease)],
    ) -> Result<HashMap<i64, Contact>, NotifierError> {
        let mut ids: Vec<i64> = rows.iter().map(|(r, _)| r.recipient_id).collect();
        ids.sort_unstable();
        ids.dedup();
        let found = self.data.contacts(&ids).await?;
        Ok(found.into_iter().map(|c| (c.user_id, c)).collect())
    }

    async fn handle(
        &self,
        row: QueuedNotification,
        lease: Lease,
        contact: Option<Contact>,
        done: &complete::Handle,
        counters: &Counters,
    ) {
        let started = Instant::now();
        let timeout = self.config.send_timeout;
        let result = tokio::time::timeout(timeout, self.deliver(&row, contact.as_ref()))
            .await
            .unwrap_or_else(|_| {
                Err(DeliveryError::transient(
                    &row.channel,
                    format!("no answer within {timeout:?}"),
                ))
            });
        let latency_ms = i64::try_from(started.elapsed().as_millis()).unwrap_or(i64::MAX);
        match result {
            Ok(d) => done.push(gurumisha_core::queue::Completion {
                lease,
                provider: d.provider,
                provider_message_id: Some(d.provider_message_id),
                latency_ms,
            }),
            Err(e) => self.fail(&row, lease, e, latency_ms, counters).await,
        }
    }

    async fn fail(
        &self,
        row: &QueuedNotification,
        lease: Lease,
        e: DeliveryError,
        latency_ms: i64,
        counters: &Counters,
    ) {
        let now = self.clock.now();
        let attempt = u32::try_from(row.retry_count).unwrap_or(0) + 1;
        let policy = BackoffPolicy {
            max_retries: u32::try_from(row.max_retries).unwrap_or(0),
            ..self.config.backoff
        };
        let error = e.to_string();
        let (next, dead) = match policy.on_failure(attempt, e.class, None, rand::random()) {
            RetryDecision::Retry { after } => (
                NextStep::Retry {
                    at: add(now, after),
                },
                false,
            ),
            RetryDecision::Dead { .. } if e.class == ErrorClass::Permanent => (
                NextStep::Dead {
                    reason: format!("permanent error, not retried: {error}"),
                },
                true,
            ),
            RetryDecision::Dead { reason } => (
                NextStep::Dead {
                    reason: format!("{reason}; last error: {error}"),
                },
                true,
            ),
        };
        tracing::info!(id = row.id, attempt, dead, error = %error, "delivery failed");
        let outcome = match e.class {
            ErrorClass::Transient => "transient",
            ErrorClass::Permanent => "permanent",
            ErrorClass::RateLimited { .. } => "rate_limited",
        };
        let attempt = Attempt {
            at: now,
            provider: e.provider.clone(),
            outcome: outcome.into(),
            error: Some(error),
            latency_ms,
        };
        match self.queue.fail(lease, attempt, next, now).await {
            Ok(true) if dead => counters.dead.fetch_add(1, Ordering::Relaxed),
            Ok(true) => counters.retrying.fetch_add(1, Ordering::Relaxed),
            Ok(false) => {
                tracing::warn!(id = row.id, "lease taken over: result not recorded");
                counters.lease_lost.fetch_add(1, Ordering::Relaxed)
            }
            Err(e) => {
                tracing::warn!(id = row.id, error = %e, "recording a failure failed");
                counters.store_errors.fetch_add(1, Ordering::Relaxed)
            }
        };
    }
}
