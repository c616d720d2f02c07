//! `NotificationStore` for [`PgStore`]; the SQL lives in `queue`, the LISTEN task in
//! `queue/listen.rs`.

use crate::{queue, PgStore};
use async_trait::async_trait;
use gurumisha_core::query::{Page, PageRequest};
use gurumisha_core::queue::{
    Attempt, BulkAction, ChannelDepth, Completion, FailureSample, Lease, NewNotification, NextStep,
    NotificationDetail, NotificationStore, QueueCounts, QueueFilter, QueuedNotification, Target,
};
use gurumisha_core::{StoreError, Timestamp};
use std::time::Duration;

#[async_trait]
impl NotificationStore for PgStore {
    async fn enqueue(&self, rows: Vec<NewNotification>) -> Result<Vec<(i64, bool)>, StoreError> {
        queue::enqueue(&self.pool, rows).await
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
        queue::claim(&self.pool, owner, batch, lease_for_ms, now).await
    }

    async fn complete(
        &self,
        lease: Lease,
        provider: &str,
        provider_message_id: Option<&str>,
        latency_ms: i64,
        now: Timestamp,
    ) -> Result<bool, StoreError> {
        queue::complete(
            &self.pool,
            lease,
            provider,
            provider_message_id,
            latency_ms,
            now,
        )
        .await
    }

    async fn complete_many(
        &self,
        done: Vec<Completion>,
        now: Timestamp,
    ) -> Result<Vec<bool>, StoreError> {
        queue::complete_many(&self.pool, done, now).await
    }

    /// LISTEN on the channel every enqueue NOTIFYs (`queue/listen.rs`).
    async fn wait_for_work(&self, timeout: Duration) {
        self.listen.wait(&self.pool, timeout).await;
    }

    async fn fail(
        &self,
        lease: Lease,
        attempt: Attempt,
        next: NextStep,
        now: Timestamp,
    ) -> Result<bool, StoreError> {
        queue::fail(&self.pool, lease, attempt, next, now).await
    }

    async fn bulk(
        &self,
        action: BulkAction,
        target: Target,
        dry_run: bool,
        now: Timestamp,
    ) -> Result<u64, StoreError> {
        queue::bulk(&self.pool, action, target, dry_run, now).await
    }

    async fn counts(&self) -> Result<QueueCounts, StoreError> {
        queue::counts(&self.pool).await
    }

    async fn list_queue(
        &self,
        filter: &QueueFilter,
        page: &PageRequest,
    ) -> Result<Page<QueuedNotification>, StoreError> {
        queue::list(&self.pool, filter, page).await
    }

    async fn get_notification(&self, id: i64) -> Result<Option<NotificationDetail>, StoreError> {
        queue::get(&self.pool, id).await
    }

    async fn channel_depth(&self, now: Timestamp) -> Result<Vec<ChannelDepth>, StoreError> {
        queue::channel_depth(&self.pool, now).await
    }

    async fn recent_failures(&self, per_status: u32) -> Result<Vec<FailureSample>, StoreError> {
        queue::recent_failures(&self.pool, per_status).await
    }

    async fn cleanup(&self, older_than: Timestamp) -> Result<u64, StoreError> {
        queue::cleanup(&self.pool, older_than).await
    }
}
