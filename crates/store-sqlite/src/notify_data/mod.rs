//! `NotifyDataStore` for [`SqliteStore`]: templates, preferences, decisions, the inbox and its
//! change feed, digests, push subscriptions and contacts.
//!
//! Like the queue, every write runs as a job on the single writer inside its `BEGIN IMMEDIATE`
//! transaction: a template save's read-then-insert, a digest flush's check-and-set and the
//! inbox's `seq` order all follow from there being one writer (in this process, and against
//! any other process that opens the file). Reads run on the reader pool. Input is validated
//! before a job is queued, so a bad call fails alone without rolling back its batch-mates.

mod digest;
mod inbox;
mod prefs;
mod push;
mod templates;

use crate::SqliteStore;
use async_trait::async_trait;
use gurumisha_core::notify_data::{
    validate, Contact, DecisionFilter, DigestBucket, DigestItem, InboxChange, InboxItem,
    NewDecision, NewDigestItem, NotifyDataStore, PushSubscriptionRow, StoredDecision,
    StoredPreferences, TemplateDraft, TemplateVersion,
};
use gurumisha_core::query::{Page, PageRequest};
use gurumisha_core::{StoreError, Timestamp};

/// Most rows a feed or bucket list returns at once.
const MAX_LIMIT: u32 = 1000;

#[async_trait]
impl NotifyDataStore for SqliteStore {
    async fn save_template(
        &self,
        draft: TemplateDraft,
        now: Timestamp,
    ) -> Result<(TemplateVersion, bool), StoreError> {
        draft.validate()?;
        self.writer
            .run(move |c| templates::save(c, &draft, now))
            .await
    }

    async fn get_template(
        &self,
        name: &str,
        channel: &str,
    ) -> Result<Option<TemplateVersion>, StoreError> {
        let (name, channel) = (name.to_owned(), channel.to_owned());
        self.readers
            .read(move |c| templates::get(c, &name, &channel))
            .await
    }

    async fn get_template_version(
        &self,
        name: &str,
        channel: &str,
        version: i64,
    ) -> Result<Option<TemplateVersion>, StoreError> {
        let (name, channel) = (name.to_owned(), channel.to_owned());
        self.readers
            .read(move |c| templates::get_version(c, &name, &channel, version))
            .await
    }

    async fn list_templates(&self) -> Result<Vec<TemplateVersion>, StoreError> {
        self.readers.read(templates::list).await
    }

    async fn template_history(
        &self,
        name: &str,
        channel: &str,
    ) -> Result<Vec<TemplateVersion>, StoreError> {
        let (name, channel) = (name.to_owned(), channel.to_owned());
        self.readers
            .read(move |c| templates::history(c, &name, &channel))
            .await
    }

    async fn get_preferences(&self, user_id: i64) -> Result<Option<StoredPreferences>, StoreError> {
        self.readers.read(move |c| prefs::get(c, user_id)).await
    }

    async fn get_preferences_many(
        &self,
        user_ids: &[i64],
    ) -> Result<Vec<StoredPreferences>, StoreError> {
        if user_ids.is_empty() {
            return Ok(Vec::new());
        }
        let ids = user_ids.to_vec();
        self.readers.read(move |c| prefs::get_many(c, &ids)).await
    }

    async fn set_preferences(
        &self,
        user_id: i64,
        preferences: serde_json::Value,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        validate::preferences(&preferences)?;
        self.writer
            .run(move |c| prefs::set(c, user_id, &preferences, now))
            .await
    }

    async fn record_decisions(&self, rows: Vec<NewDecision>) -> Result<(), StoreError> {
        if rows.is_empty() {
            return Ok(());
        }
        for r in &rows {
            r.validate()?;
        }
        self.writer
            .run(move |c| prefs::record_decisions(c, &rows))
            .await
    }

    async fn list_decisions(
        &self,
        filter: &DecisionFilter,
    ) -> Result<Vec<StoredDecision>, StoreError> {
        let filter = filter.clone();
        self.readers
            .read(move |c| prefs::list_decisions(c, &filter))
            .await
    }

    async fn deliver_inbox(
        &self,
        user_id: i64,
        notification_id: i64,
        notification_type: &str,
        title: &str,
        body: &str,
        now: Timestamp,
    ) -> Result<InboxItem, StoreError> {
        let d = inbox::Delivery {
            user_id,
            notification_id,
            notification_type: notification_type.to_owned(),
            title: title.to_owned(),
            body: body.to_owned(),
            now,
        };
        self.writer.run(move |c| inbox::deliver(c, &d)).await
    }

    async fn list_inbox(
        &self,
        user_id: i64,
        unread_only: bool,
        page: &PageRequest,
    ) -> Result<Page<InboxItem>, StoreError> {
        let page = *page;
        self.readers
            .read(move |c| inbox::list(c, user_id, unread_only, &page))
            .await
    }

    async fn unread_count(&self, user_id: i64) -> Result<i64, StoreError> {
        self.readers
            .read(move |c| inbox::unread_count(c, user_id))
            .await
    }

    async fn mark_read(
        &self,
        user_id: i64,
        item_ids: &[i64],
        now: Timestamp,
    ) -> Result<u64, StoreError> {
        if item_ids.is_empty() {
            return Ok(0);
        }
        let ids = item_ids.to_vec();
        self.writer
            .run(move |c| inbox::mark_read(c, user_id, &ids, now))
            .await
    }

    async fn inbox_changes(
        &self,
        user_id: Option<i64>,
        after_seq: i64,
        limit: u32,
    ) -> Result<Vec<InboxChange>, StoreError> {
        if limit == 0 {
            return Ok(Vec::new());
        }
        let limit = limit.min(MAX_LIMIT);
        self.readers
            .read(move |c| inbox::changes(c, user_id, after_seq, limit))
            .await
    }

    async fn add_digest_item(&self, item: NewDigestItem) -> Result<i64, StoreError> {
        item.validate()?;
        self.writer.run(move |c| digest::add(c, &item)).await
    }

    async fn due_digests(
        &self,
        now: Timestamp,
        limit: u32,
    ) -> Result<Vec<DigestBucket>, StoreError> {
        if limit == 0 {
            return Ok(Vec::new());
        }
        let limit = limit.min(MAX_LIMIT);
        self.writer.run(move |c| digest::due(c, now, limit)).await
    }

    async fn digest_items(&self, bucket_id: i64) -> Result<Vec<DigestItem>, StoreError> {
        self.readers
            .read(move |c| digest::items(c, bucket_id))
            .await
    }

    async fn mark_digest_flushed(
        &self,
        bucket_id: i64,
        notification_id: i64,
        now: Timestamp,
    ) -> Result<bool, StoreError> {
        self.writer
            .run(move |c| digest::flush(c, bucket_id, notification_id, now))
            .await
    }

    async fn pending_digests(&self, limit: u32) -> Result<Vec<DigestBucket>, StoreError> {
        if limit == 0 {
            return Ok(Vec::new());
        }
        let limit = limit.min(MAX_LIMIT);
        self.readers.read(move |c| digest::pending(c, limit)).await
    }

    async fn save_push_subscription(&self, row: PushSubscriptionRow) -> Result<(), StoreError> {
        row.validate()?;
        self.writer.run(move |c| push::save(c, &row)).await
    }

    async fn push_subscriptions(
        &self,
        user_id: i64,
    ) -> Result<Vec<PushSubscriptionRow>, StoreError> {
        self.readers.read(move |c| push::list(c, user_id)).await
    }

    async fn delete_push_subscription(&self, endpoint: &str) -> Result<bool, StoreError> {
        let endpoint = endpoint.to_owned();
        self.writer.run(move |c| push::delete(c, &endpoint)).await
    }

    async fn contacts(&self, user_ids: &[i64]) -> Result<Vec<Contact>, StoreError> {
        if user_ids.is_empty() {
            return Ok(Vec::new());
        }
        let ids = user_ids.to_vec();
        self.readers.read(move |c| push::contacts(c, &ids)).await
    }
}
