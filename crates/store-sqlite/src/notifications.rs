//! `NotificationStore` for [`SqliteStore`]: writes go to the single writer, reads (and dry
//! runs) to the reader pool. The SQL lives in `queue`.

use crate::{queue, SqliteStore};
use async_trait::async_trait;
use gurumisha_core::query::{Page, PageRequest};
use gurumisha_core::queue::{
    Attempt, BulkAction, Lease, NewNotification, NextStep, NotificationDetail, NotificationStore,
    QueueCounts, QueueFilter, QueuedNotification, Target,
};
use gurumisha_core::{StoreError, Timestamp};

#[async_trait]
impl NotificationStore for SqliteStore {
    async fn enqueue(&self, rows: Vec<NewNotification>) -> Result<Vec<(i64, bool)>, StoreError> {
        if rows.is_empty() {
            return Ok(Vec::new());
        }
        let now = Timestamp::now();
        self.writer
            .run(move |c| queue::enqueue(c, &rows, now))
            .await
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
            self.writer
                .run(move |c| queue::bulk(c, action, &target, now))
                .await
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

    async fn cleanup(&self, older_than: Timestamp) -> Result<u64, StoreError> {
        self.writer
            .run(move |c| queue::cleanup(c, older_than))
            .await
    }
}
