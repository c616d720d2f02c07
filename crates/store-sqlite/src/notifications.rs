//! `NotificationStore` for [`SqliteStore`]: writes go to the single writer, reads (and dry
//! runs) to the reader pool. The SQL lives in `queue`.
//!
//! Waiting for work: SQLite has no LISTEN, so an enqueue (or a bulk retry/requeue) through
//! this store handle wakes the workers of this process at once, and work added by other
//! processes opening the same file is seen at the waiting worker's next poll.

use crate::{queue, SqliteStore};
use async_trait::async_trait;
use gurumisha_core::query::{Page, PageRequest};
use gurumisha_core::queue::{
    Attempt, BulkAction, ChannelDepth, Completion, FailureSample, Lease, NewNotification, NextStep,
    NotificationDetail, NotificationStore, QueueCounts, QueueFilter, QueuedNotification, Target,
};
use gurumisha_core::{StoreError, Timestamp};
use std::time::Duration;

#[async_trait]
impl NotificationStore for SqliteStore {
    async fn enqueue(&self, rows: Vec<NewNotification>) -> Result<Vec<(i64, bool)>, StoreError> {
        if rows.is_empty() {
            return Ok(Vec::new());
        }
        let ids = self.writer.run(move |c| queue::enqueue(c, &rows)).await?;
        if ids.iter().any(|(_, created)| *created) {
            self.wake.signal();
        }
        Ok(ids)
    }

    async fn wait_for_work(&self, timeout: Duration) {
        self.wake.wait(timeout).await;
    }

    async fn claim(
        &self,
        owner: &str,
        batch: u32,
        lease_for_ms: i64,
        now: Timestamp,
    ) -> Result<Vec<(QueuedNotification, Lease)>, StoreError> {
        if batch == 0 {
            return Ok(Vec::new());
        }
        let owner = owner.to_owned();
        self.writer
            .run(move |c| queue::claim(c, &owner, batch, lease_for_ms, now))
            .await
    }

    async fn complete(
        &self,
        lease: Lease,
        provider: &str,
        provider_message_id: Option<&str>,
        latency_ms: i64,
        now: Timestamp,
    ) -> Result<bool, StoreError> {
        let provider = provider.to_owned();
        let message_id = provider_message_id.map(str::to_owned);
        self.writer
            .run(move |c| {
                queue::complete(c, lease, &provider, message_id.as_deref(), latency_ms, now)
            })
            .await
    }

    /// One writer job, so one transaction, for the whole batch.
    async fn complete_many(
        &self,
        done: Vec<Completion>,
        now: Timestamp,
    ) -> Result<Vec<bool>, StoreError> {
        if done.is_empty() {
            return Ok(Vec::new());
        }
        self.writer
            .run(move |c| {
                done.iter()
                    .map(|d| {
                        let id = d.provider_message_id.as_deref();
                        queue::complete(c, d.lease, &d.provider, id, d.latency_ms, now)
                    })
                    .collect()
            })
            .await
    }

    async fn fail(
        &self,
        lease: Lease,
        attempt: Attempt,
        next: NextStep,
        now: Timestamp,
    ) -> Result<bool, StoreError> {
        self.writer
            .run(move |c| queue::fail(c, lease, &attempt, &next, now))
            .await
    }

    async fn bulk(
        &self,
        action: BulkAction,
        target: Target,
        dry_run: bool,
        now: Timestamp,
    ) -> Result<u64, StoreError> {
        if dry_run {
            self.readers
                .read(move |c| queue::bulk_count(c, action, &target))
                .await
        } else {
            let n = self
                .writer
                .run(move |c| queue::bulk(c, action, &target, now))
                .await?;
            if n > 0 && action != BulkAction::Cancel {
                self.wake.signal();
            }
            Ok(n)
        }
    }

    async fn counts(&self) -> Result<QueueCounts, StoreError> {
        self.readers.read(queue::counts).await
    }

    async fn list_queue(
        &self,
        filter: &QueueFilter,
        page: &PageRequest,
    ) -> Result<Page<QueuedNotification>, StoreError> {
        let (filter, page) = (filter.clone(), *page);
        self.readers
            .read(move |c| queue::list(c, &filter, &page))
            .await
    }

    async fn get_notification(&self, id: i64) -> Result<Option<NotificationDetail>, StoreError> {
        self.readers.read(move |c| queue::get(c, id)).await
    }

    async fn channel_depth(&self, now: Timestamp) -> Result<Vec<ChannelDepth>, StoreError> {
        self.readers
            .read(move |c| queue::channel_depth(c, now))
            .await
    }

    async fn recent_failures(&self, per_status: u32) -> Result<Vec<FailureSample>, StoreError> {
        self.readers
            .read(move |c| queue::recent_failures(c, per_status))
            .await
    }

    async fn cleanup(&self, older_than: Timestamp) -> Result<u64, StoreError> {
        self.writer
            .run(move |c| queue::cleanup(c, older_than))
            .await
    }
}
