//! The durable notification queue's storage contract: row types and [`NotificationStore`].
//!
//! Kept apart from [`crate::store::Store`] so the activity/audit contract does not grow with
//! every queue verb. Channels and notification types travel as plain strings here: the core
//! must not depend on `gurumisha-notify`, which validates them before anything is enqueued.
//!
//! One column drives pick-up: `next_attempt_at` is when a worker may next take the row. For a
//! pending row it is the scheduled time, for a failed row the retry time, and for a processing
//! row its lease expiry (so a crashed worker's rows come back by the same path). Final rows
//! (sent, dead, cancelled) have none. Claims take due rows in priority, then due-time order.

mod failures;

pub use failures::{
    error_pattern, group_failures, ChannelDepth, FailureGroup, FailureReport, FailureSample,
};

use crate::{StoreError, Timestamp, ValidationError};
use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use std::time::Duration;
use uuid::Uuid;

/// A queue entry's state (the same names as `gurumisha_notify::NotificationStatus`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum QueueStatus {
    Pending,
    Processing,
    Sent,
    /// Will be retried at `next_attempt_at`.
    Failed,
    /// Retries exhausted or a permanent error.
    Dead,
    Cancelled,
}

impl QueueStatus {
    pub const ALL: &'static [QueueStatus] = &[
        Self::Pending,
        Self::Processing,
        Self::Sent,
        Self::Failed,
        Self::Dead,
        Self::Cancelled,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Processing => "processing",
            Self::Sent => "sent",
            Self::Failed => "failed",
            Self::Dead => "dead",
            Self::Cancelled => "cancelled",
        }
    }

    pub fn parse(s: &str) -> Result<Self, ValidationError> {
        let wanted = s.trim().to_ascii_lowercase();
        Self::ALL
            .iter()
            .copied()
            .find(|v| v.as_str() == wanted)
            .ok_or_else(|| {
                ValidationError::new(
                    "status",
                    format!(
                        "{s:?} is not one of pending, processing, sent, failed, dead, cancelled"
                    ),
                )
            })
    }
}

/// A notification to enqueue. `idempotency_key` is required: the same key twice creates one
/// row (callers without a natural key generate one, e.g. a UUID).
#[derive(Debug, Clone, PartialEq)]
pub struct NewNotification {
    pub idempotency_key: String,
    pub recipient_id: i64,
    pub channel: String,
    pub notification_type: String,
    pub template_name: Option<String>,
    pub template_version: Option<i32>,
    pub title: String,
    pub body: String,
    pub html_body: Option<String>,
    pub context: serde_json::Value,
    /// 1 (highest) to 5 (lowest).
    pub priority: i16,
    pub scheduled_at: Timestamp,
    pub max_retries: i32,
    /// When it was queued, by the caller's clock (the clock `scheduled_at` and every later
    /// transition's time come from too).
    pub created_at: Timestamp,
}

/// A queue row as stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QueuedNotification {
    pub id: i64,
    pub idempotency_key: String,
    pub recipient_id: i64,
    pub channel: String,
    pub notification_type: String,
    pub template_name: Option<String>,
    pub template_version: Option<i32>,
    pub title: String,
    pub body: String,
    pub html_body: Option<String>,
    pub context: serde_json::Value,
    pub priority: i16,
    pub scheduled_at: Timestamp,
    pub max_retries: i32,
    pub status: QueueStatus,
    /// Failed attempts so far.
    pub retry_count: i32,
    pub next_attempt_at: Option<Timestamp>,
    pub last_error: Option<String>,
    /// The provider of the latest attempt.
    pub provider: Option<String>,
    pub provider_message_id: Option<String>,
    pub sent_at: Option<Timestamp>,
    pub lease_owner: Option<String>,
    pub lease_expires_at: Option<Timestamp>,
    pub lease_token: Option<Uuid>,
    pub created_at: Timestamp,
    /// When the status last changed.
    pub updated_at: Timestamp,
}

/// One delivery attempt, appended to `notification_attempt`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attempt {
    pub at: Timestamp,
    pub provider: String,
    /// `sent`, or the error class (`transient`, `permanent`, …) as the worker names it.
    pub outcome: String,
    pub error: Option<String>,
    pub latency_ms: i64,
}

/// Proof of a claim. Only the holder of the current token may finish the row.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Lease {
    pub id: i64,
    pub token: Uuid,
}

/// A successful send to record (see [`NotificationStore::complete_many`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Completion {
    pub lease: Lease,
    pub provider: String,
    pub provider_message_id: Option<String>,
    pub latency_ms: i64,
}

/// What happens after a failed attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NextStep {
    /// Try again at `at` (the store makes it dead instead once retries are exhausted).
    Retry { at: Timestamp },
    /// Give up now (a permanent error); `reason` becomes `last_error`.
    Dead { reason: String },
}

/// Console filters; every set field must match.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct QueueFilter {
    pub status: Option<QueueStatus>,
    pub channel: Option<String>,
    /// The latest attempt's provider.
    pub provider: Option<String>,
    /// A case-sensitive substring of `last_error`.
    pub error_contains: Option<String>,
    pub recipient_id: Option<i64>,
}

/// The rows a bulk action applies to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    Ids(Vec<i64>),
    Filter(QueueFilter),
}

/// The console's bulk actions. Each applies only to rows in [`BulkAction::from_statuses`]
/// (intersected with the target), so a sent notification is never sent again by one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BulkAction {
    /// failed or dead → pending, due now, retry count reset.
    Retry,
    /// pending or failed → cancelled.
    Cancel,
    /// dead or cancelled → pending, due now, retry count reset.
    Requeue,
}

impl BulkAction {
    pub fn from_statuses(self) -> &'static [QueueStatus] {
        use QueueStatus::*;
        match self {
            Self::Retry => &[Failed, Dead],
            Self::Cancel => &[Pending, Failed],
            Self::Requeue => &[Dead, Cancelled],
        }
    }

    pub fn to_status(self) -> QueueStatus {
        match self {
            Self::Retry | Self::Requeue => QueueStatus::Pending,
            Self::Cancel => QueueStatus::Cancelled,
        }
    }

    /// The statuses this action would change that `filter_status` (if any) also allows.
    pub fn statuses(self, filter_status: Option<QueueStatus>) -> Vec<&'static str> {
        self.from_statuses()
            .iter()
            .filter(|s| filter_status.is_none_or(|f| f == **s))
            .map(|s| s.as_str())
            .collect()
    }
}

/// Rows per status.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueueCounts {
    pub pending: i64,
    pub processing: i64,
    pub sent: i64,
    pub failed: i64,
    pub dead: i64,
    pub cancelled: i64,
}

impl QueueCounts {
    pub fn add(&mut self, status: QueueStatus, n: i64) {
        let slot = match status {
            QueueStatus::Pending => &mut self.pending,
            QueueStatus::Processing => &mut self.processing,
            QueueStatus::Sent => &mut self.sent,
            QueueStatus::Failed => &mut self.failed,
            QueueStatus::Dead => &mut self.dead,
            QueueStatus::Cancelled => &mut self.cancelled,
        };
        *slot += n;
    }

    pub fn total(&self) -> i64 {
        self.pending + self.processing + self.sent + self.failed + self.dead + self.cancelled
    }
}

/// One notification with its attempts, oldest first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NotificationDetail {
    pub notification: QueuedNotification,
    pub attempts: Vec<Attempt>,
}

/// The queue's storage. Both stores implement it with the same behaviour; the contract suite
/// (tests/contract/queue.rs) holds them to it.
#[async_trait]
pub trait NotificationStore: Send + Sync + 'static {
    /// Inserts each row unless its idempotency key exists; returns `(id, created)` in input
    /// order (the existing row's id when not created).
    async fn enqueue(&self, rows: Vec<NewNotification>) -> Result<Vec<(i64, bool)>, StoreError>;

    /// Leases up to `batch` due rows to `owner` until `now + lease_for_ms`, most urgent first:
    /// pending or failed rows whose `next_attempt_at <= now`, and processing rows whose lease
    /// has expired. Each claim gets a fresh random token.
    async fn claim(
        &self,
        owner: &str,
        batch: u32,
        lease_for_ms: i64,
        now: Timestamp,
    ) -> Result<Vec<(QueuedNotification, Lease)>, StoreError>;

    /// Marks the row sent and records the attempt, if `lease` is still current. Returns false
    /// (and changes nothing) when the lease was taken over or the row is no longer processing.
    async fn complete(
        &self,
        lease: Lease,
        provider: &str,
        provider_message_id: Option<&str>,
        latency_ms: i64,
        now: Timestamp,
    ) -> Result<bool, StoreError>;

    /// [`NotificationStore::complete`] for many rows at once, one flag per input in order.
    /// Stores override it to use one statement (PostgreSQL) or one transaction (SQLite), so
    /// a worker that finishes hundreds of sends a second pays for one commit, not hundreds.
    async fn complete_many(
        &self,
        done: Vec<Completion>,
        now: Timestamp,
    ) -> Result<Vec<bool>, StoreError> {
        let mut out = Vec::with_capacity(done.len());
        for c in done {
            let ok = self
                .complete(
                    c.lease,
                    &c.provider,
                    c.provider_message_id.as_deref(),
                    c.latency_ms,
                    now,
                )
                .await?;
            out.push(ok);
        }
        Ok(out)
    }

    /// Waits until new work may have arrived, at most `timeout`. Workers call it after a claim
    /// came back empty. The default polls (sleeps `timeout`); PostgreSQL overrides it with
    /// LISTEN on the channel every enqueue NOTIFYs, SQLite with a wake-up from enqueues made
    /// through the same store handle. Returning early is always allowed (a spurious wake-up
    /// costs one empty claim), so callers must not assume work is there.
    async fn wait_for_work(&self, timeout: Duration) {
        tokio::time::sleep(timeout).await;
    }

    /// Records a failed attempt and moves the row to failed (retry at `next`'s time) or dead,
    /// if `lease` is still current. A retry beyond `max_retries` makes the row dead.
    async fn fail(
        &self,
        lease: Lease,
        attempt: Attempt,
        next: NextStep,
        now: Timestamp,
    ) -> Result<bool, StoreError>;

    /// Applies (or with `dry_run` only counts) a bulk action; returns the rows it changes.
    async fn bulk(
        &self,
        action: BulkAction,
        target: Target,
        dry_run: bool,
        now: Timestamp,
    ) -> Result<u64, StoreError>;

    async fn retry(
        &self,
        target: Target,
        dry_run: bool,
        now: Timestamp,
    ) -> Result<u64, StoreError> {
        self.bulk(BulkAction::Retry, target, dry_run, now).await
    }

    async fn cancel(
        &self,
        target: Target,
        dry_run: bool,
        now: Timestamp,
    ) -> Result<u64, StoreError> {
        self.bulk(BulkAction::Cancel, target, dry_run, now).await
    }

    async fn requeue(
        &self,
        target: Target,
        dry_run: bool,
        now: Timestamp,
    ) -> Result<u64, StoreError> {
        self.bulk(BulkAction::Requeue, target, dry_run, now).await
    }

    async fn counts(&self) -> Result<QueueCounts, StoreError>;

    /// Newest first (by `created_at`, then id), keyset-paged.
    async fn list_queue(
        &self,
        filter: &QueueFilter,
        page: &crate::query::PageRequest,
    ) -> Result<crate::query::Page<QueuedNotification>, StoreError>;

    async fn get_notification(&self, id: i64) -> Result<Option<NotificationDetail>, StoreError>;

    /// Unfinished rows (pending, failed, processing) per channel, pending split into due by
    /// `now` and scheduled later; channels by name. Reads the partial depth index.
    async fn channel_depth(&self, now: Timestamp) -> Result<Vec<ChannelDepth>, StoreError>;

    /// The newest dead rows and the newest failed rows, at most `per_status` of each (through
    /// the status index), for [`NotificationStore::failure_groups`].
    async fn recent_failures(&self, per_status: u32) -> Result<Vec<FailureSample>, StoreError>;

    /// Failures grouped by provider, channel and error pattern over the newest `per_status`
    /// dead and `per_status` failed rows.
    async fn failure_groups(&self, per_status: u32) -> Result<FailureReport, StoreError> {
        let samples = self.recent_failures(per_status).await?;
        let cap = i64::from(per_status);
        let dead = samples
            .iter()
            .filter(|s| s.status == QueueStatus::Dead)
            .count() as i64;
        let truncated = dead >= cap || samples.len() as i64 - dead >= cap;
        Ok(group_failures(samples, truncated))
    }

    /// Deletes sent and cancelled rows (with their attempts) last changed before `older_than`.
    async fn cleanup(&self, older_than: Timestamp) -> Result<u64, StoreError>;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_round_trip() {
        for s in QueueStatus::ALL {
            assert_eq!(QueueStatus::parse(s.as_str()).unwrap(), *s);
        }
        assert_eq!(QueueStatus::parse("done").unwrap_err().field, "status");
    }

    #[test]
    fn bulk_statuses_intersect_the_filter() {
        assert_eq!(BulkAction::Retry.statuses(None), vec!["failed", "dead"]);
        assert_eq!(
            BulkAction::Retry.statuses(Some(QueueStatus::Dead)),
            vec!["dead"]
        );
        assert!(BulkAction::Cancel
            .statuses(Some(QueueStatus::Sent))
            .is_empty());
    }
}
