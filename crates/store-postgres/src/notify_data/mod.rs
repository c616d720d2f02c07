//! `NotifyDataStore` for [`PgStore`]: templates, preferences, decisions, the inbox and its
//! change feed, digests, push subscriptions and contacts, shared by many workers on many
//! machines.
//!
//! Where concurrency matters, and how it is made safe:
//! - template saves: a transaction-level advisory lock per (name, channel) (`templates`);
//! - the inbox feed: one transaction-level advisory lock taken just before changes are
//!   appended, so seqs commit in order and a follower never misses one (`inbox`);
//! - inbox delivery: the unique notification id with `ON CONFLICT DO NOTHING`;
//! - digests: the open-bucket row lock shared by adds, closes and flushes (`digest`).
//!
//! Input is validated before any SQL runs.

mod digest;
mod inbox;
mod prefs;
mod push;
mod templates;

use crate::PgStore;
use async_trait::async_trait;
use gurumisha_core::notify_data::{
    validate, Contact, DecisionFilter, DigestBucket, DigestItem, InboxChange, InboxItem,
    NewDecision, NewDigestItem, NotifyDataStore, PushSubscriptionRow, StoredDecision,
    StoredPreferences, TemplateDraft, TemplateVersion,
};
use gurumisha_core::query::{Page, PageRequest};
use gurumisha_core::{StoreError, Timestamp};

/// Advisory lock classes (the first key of `pg_advisory_xact_lock(int4, int4)`), so these
/// locks never collide with another feature's.
const LOCK_TEMPLATE: i32 = 0x4E54_0001;
const LOCK_INBOX_FEED: i32 = 0x4E54_0002;

/// Most rows a feed or bucket list returns at once.
const MAX_LIMIT: u32 = 1000;

#[async_trait]
impl NotifyDataStore for PgStore {
    async fn save_template(
        &self,
        draft: TemplateDraft,
        now: Timestamp,
    ) -> Result<(TemplateVersion, bool), StoreError> {
        draft.validate()?;
        templates::save(&self.pool, draft, now).await
    }

    async fn get_template(
        &self,
        name: &str,
        channel: &str,
    ) -> Result<Option<TemplateVersion>, StoreError> {
        templates::get(&self.pool, name, channel).await
    }

    async fn get_template_version(
        &self,
        name: &str,
        channel: &str,
        version: i64,
    ) -> Result<Option<TemplateVersion>, StoreError> {
        templates::get_version(&self.pool, name, channel, version).await
    }

    async fn list_templates(&self) -> Result<Vec<TemplateVersion>, StoreError> {
        templates::list(&self.pool).await
    }

    async fn template_history(
        &self,
        name: &str,
        channel: &str,
    ) -> Result<Vec<TemplateVersion>, StoreError> {
        templates::history(&self.pool, name, channel).await
    }

    async fn get_preferences(&self, user_id: i64) -> Result<Option<StoredPreferences>, StoreError> {
        prefs::get(&self.pool, user_id).await
    }

    async fn get_preferences_many(
        &self,
        user_ids: &[i64],
    ) -> Result<Vec<StoredPreferences>, StoreError> {
        if user_ids.is_empty() {
            return Ok(Vec::new());
        }
        prefs::get_many(&self.pool, user_ids).await
    }

    async fn set_preferences(
        &self,
        user_id: i64,
        preferences: serde_json::Value,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        validate::preferences(&preferences)?;
        prefs::set(&self.pool, user_id, preferences, now).await
    }

    async fn record_decisions(&self, rows: Vec<NewDecision>) -> Result<(), StoreError> {
        if rows.is_empty() {
            return Ok(());
        }
        for r in &rows {
            r.validate()?;
        }
        prefs::record_decisions(&self.pool, rows).await
    }

    async fn list_decisions(
        &self,
        filter: &DecisionFilter,
    ) -> Result<Vec<StoredDecision>, StoreError> {
        prefs::list_decisions(&self.pool, filter).await
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
        inbox::deliver(
            &self.pool,
            user_id,
            notification_id,
            notification_type,
            title,
            body,
            now,
        )
        .await
    }

    async fn list_inbox(
        &self,
        user_id: i64,
        unread_only: bool,
        page: &PageRequest,
    ) -> Result<Page<InboxItem>, StoreError> {
        inbox::list(&self.pool, user_id, unread_only, page).await
    }

    async fn unread_count(&self, user_id: i64) -> Result<i64, StoreError> {
        inbox::unread_count(&self.pool, user_id).await
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
        inbox::mark_read(&self.pool, user_id, item_ids, now).await
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
        inbox::changes(&self.pool, user_id, after_seq, limit.min(MAX_LIMIT)).await
    }

    async fn add_digest_item(&self, item: NewDigestItem) -> Result<i64, StoreError> {
        item.validate()?;
        digest::add(&self.pool, item).await
    }

    async fn due_digests(
        &self,
        now: Timestamp,
        limit: u32,
    ) -> Result<Vec<DigestBucket>, StoreError> {
        if limit == 0 {
            return Ok(Vec::new());
        }
        digest::due(&self.pool, now, limit.min(MAX_LIMIT)).await
    }

    async fn digest_items(&self, bucket_id: i64) -> Result<Vec<DigestItem>, StoreError> {
        digest::items(&self.pool, bucket_id).await
    }

    async fn mark_digest_flushed(
        &self,
        bucket_id: i64,
        notification_id: i64,
        now: Timestamp,
    ) -> Result<bool, StoreError> {
        digest::flush(&self.pool, bucket_id, notification_id, now).await
    }

    async fn pending_digests(&self, limit: u32) -> Result<Vec<DigestBucket>, StoreError> {
        if limit == 0 {
            return Ok(Vec::new());
        }
        digest::pending(&self.pool, limit.min(MAX_LIMIT)).await
    }

    async fn save_push_subscription(&self, row: PushSubscriptionRow) -> Result<(), StoreError> {
        row.validate()?;
        push::save(&self.pool, row).await
    }

    async fn push_subscriptions(
        &self,
        user_id: i64,
    ) -> Result<Vec<PushSubscriptionRow>, StoreError> {
        push::list(&self.pool, user_id).await
    }

    async fn delete_push_subscription(&self, endpoint: &str) -> Result<bool, StoreError> {
        push::delete(&self.pool, endpoint).await
    }

    async fn contacts(&self, user_ids: &[i64]) -> Result<Vec<Contact>, StoreError> {
        if user_ids.is_empty() {
            return Ok(Vec::new());
        }
        push::contacts(&self.pool, user_ids).await
    }
}
