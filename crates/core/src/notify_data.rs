//! Storage contract for everything the notification system keeps besides the queue itself:
//! versioned templates, per-user preferences, the "why was this not sent" decisions of every
//! fan-out, the in-app inbox with its change feed, digest buckets, push subscriptions and the
//! contact details a worker needs to address a message.
//!
//! Like [`crate::queue`], channels, types and preferences travel as plain strings or JSON:
//! `gurumisha-notify` validates them before they reach a store, and the core must not depend
//! on it. The contract suite (`tests/contract/notify_data.rs`) holds both stores to it.
//!
//! Stores check the few rules that keep rows meaningful (non-empty names and keys, a priority
//! in 1..=5, a known decision, a window that ends after it starts) with the `validate` methods
//! below and refuse bad input with [`StoreError::Invalid`] naming the field, before any SQL.

pub mod validate;

use crate::query::{Page, PageRequest};
use crate::{StoreError, Timestamp};
use async_trait::async_trait;
use serde::{Deserialize, Serialize};

/// A template edit to store. Saving content identical to the current version (every field
/// below except `edited_by` and `note`) stores nothing and returns the current version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TemplateDraft {
    pub name: String,
    pub channel: String,
    pub notification_type: String,
    pub subject_template: Option<String>,
    pub body_template: String,
    pub html_body_template: Option<String>,
    pub available_variables: Vec<String>,
    /// 1 (highest) to 5.
    pub priority: i16,
    pub active: bool,
    /// The operator or process that made the edit (`"create-notification-templates"`, a user id).
    pub edited_by: Option<String>,
    pub note: Option<String>,
}

/// One stored version of a template (name, channel) pair. Versions start at 1 and never
/// change once stored; the highest is the current one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TemplateVersion {
    pub name: String,
    pub channel: String,
    pub version: i64,
    pub notification_type: String,
    pub subject_template: Option<String>,
    pub body_template: String,
    pub html_body_template: Option<String>,
    pub available_variables: Vec<String>,
    pub priority: i16,
    pub active: bool,
    pub edited_by: Option<String>,
    pub note: Option<String>,
    pub created_at: Timestamp,
}

/// A user's stored preferences: the JSON of `gurumisha_notify::Preferences`, validated by the
/// caller. A user with none stored gets the defaults.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StoredPreferences {
    pub user_id: i64,
    pub preferences: serde_json::Value,
    pub updated_at: Timestamp,
}

/// One channel's decision in a fan-out, kept so anyone can ask later why something was or was
/// not sent. `decision` is `send`, `skip`, `defer` or `digest`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewDecision {
    /// The idempotency key of the send_notification call (shared by its channels).
    pub send_key: String,
    pub recipient_id: i64,
    pub channel: String,
    pub notification_type: String,
    pub decision: String,
    pub reason: String,
    /// The queue row this decision produced (send, defer), if any.
    pub notification_id: Option<i64>,
    /// The digest bucket it went to (digest), if any.
    pub digest_bucket_id: Option<i64>,
    /// For defer: when it goes out; for digest: the bucket's end.
    pub until: Option<Timestamp>,
    pub decided_at: Timestamp,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredDecision {
    pub id: i64,
    #[serde(flatten)]
    pub decision: NewDecision,
}

/// Which decisions to list; every set field must match and at least one must be set (an empty
/// filter is refused with [`StoreError::Invalid`] for the field `filter`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DecisionFilter {
    pub send_key: Option<String>,
    pub notification_id: Option<i64>,
    pub recipient_id: Option<i64>,
}

/// An in-app message in a user's inbox.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InboxItem {
    pub id: i64,
    pub user_id: i64,
    /// The queue row that delivered it (unique: delivering the same notification twice keeps one
    /// item).
    pub notification_id: i64,
    pub notification_type: String,
    pub title: String,
    pub body: String,
    pub created_at: Timestamp,
    pub read_at: Option<Timestamp>,
}

/// One entry of the inbox change feed. `seq` grows with every change across all users, so a
/// follower asks for everything after the last `seq` it saw. Stores make changes visible in
/// `seq` order (no change with a smaller `seq` commits after one with a larger), so asking
/// "after N" never skips a change; seqs may have gaps.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InboxChange {
    pub seq: i64,
    pub user_id: i64,
    pub item_id: i64,
    /// `created` or `read`.
    pub kind: String,
    pub at: Timestamp,
}

/// A message held for a digest: bucket key (user, channel, window end) plus its content.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewDigestItem {
    pub recipient_id: i64,
    pub channel: String,
    pub window_start: Timestamp,
    pub window_end: Timestamp,
    /// Unique per item: the same key twice stores one item.
    pub idempotency_key: String,
    pub notification_type: String,
    pub title: String,
    pub body: String,
    pub created_at: Timestamp,
}

/// A digest bucket: one open bucket per user, channel and window end.
///
/// A bucket *closes* when [`NotifyDataStore::due_digests`] returns it (or when it is flushed):
/// from then on it takes no new items, so the items a flusher reads are exactly the ones it
/// sends. An item that arrives later for the same user, channel and window opens a fresh
/// bucket with the same window, which is due at once and goes out with the next flush: late
/// items are never lost and never ride along with a digest that was already sent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DigestBucket {
    pub id: i64,
    pub recipient_id: i64,
    pub channel: String,
    pub window_start: Timestamp,
    pub window_end: Timestamp,
    pub items: i64,
    /// Set once flushed; a flushed bucket takes no more items (they open a new bucket).
    pub flushed_at: Option<Timestamp>,
    /// The queue row the flush enqueued.
    pub notification_id: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DigestItem {
    pub id: i64,
    pub bucket_id: i64,
    pub idempotency_key: String,
    pub notification_type: String,
    pub title: String,
    pub body: String,
    pub created_at: Timestamp,
}

/// A Web Push subscription as the browser gave it (base64url keys).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PushSubscriptionRow {
    pub user_id: i64,
    pub endpoint: String,
    pub p256dh: String,
    pub auth: String,
    pub created_at: Timestamp,
}

/// What a worker needs to address a user on every channel.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Contact {
    pub user_id: i64,
    pub first_name: String,
    pub last_name: String,
    pub email: String,
    /// E.164.
    pub phone: Option<String>,
    /// IANA zone name.
    pub time_zone: String,
    pub is_active: bool,
}

/// Notification data storage. Both stores implement it with the same behaviour.
#[async_trait]
pub trait NotifyDataStore: Send + Sync + 'static {
    /// Stores a new version of (name, channel) unless the content equals the current one.
    /// Returns the current version after the call and whether it was created.
    async fn save_template(
        &self,
        draft: TemplateDraft,
        now: Timestamp,
    ) -> Result<(TemplateVersion, bool), StoreError>;

    /// The current (highest) version of (name, channel).
    async fn get_template(
        &self,
        name: &str,
        channel: &str,
    ) -> Result<Option<TemplateVersion>, StoreError>;

    /// One exact version (what a queued notification pinned).
    async fn get_template_version(
        &self,
        name: &str,
        channel: &str,
        version: i64,
    ) -> Result<Option<TemplateVersion>, StoreError>;

    /// The current version of every template, ordered by name then channel.
    async fn list_templates(&self) -> Result<Vec<TemplateVersion>, StoreError>;

    /// Every version of (name, channel), newest first.
    async fn template_history(
        &self,
        name: &str,
        channel: &str,
    ) -> Result<Vec<TemplateVersion>, StoreError>;

    async fn get_preferences(&self, user_id: i64) -> Result<Option<StoredPreferences>, StoreError>;

    /// Preferences for many users in one query (fan-out to a list of recipients).
    async fn get_preferences_many(
        &self,
        user_ids: &[i64],
    ) -> Result<Vec<StoredPreferences>, StoreError>;

    /// Stores (replaces) the user's preferences; they must be a JSON object.
    async fn set_preferences(
        &self,
        user_id: i64,
        preferences: serde_json::Value,
        now: Timestamp,
    ) -> Result<(), StoreError>;

    async fn record_decisions(&self, rows: Vec<NewDecision>) -> Result<(), StoreError>;

    /// Matching decisions, oldest first (at most 1,000).
    async fn list_decisions(
        &self,
        filter: &DecisionFilter,
    ) -> Result<Vec<StoredDecision>, StoreError>;

    /// Puts a delivered in-app notification in the user's inbox (once per notification id)
    /// and appends a `created` change. Returns the item (the first delivery's, unchanged, on a
    /// repeat; a `Conflict` if that notification is already in another user's inbox).
    async fn deliver_inbox(
        &self,
        user_id: i64,
        notification_id: i64,
        notification_type: &str,
        title: &str,
        body: &str,
        now: Timestamp,
    ) -> Result<InboxItem, StoreError>;

    /// Newest first, keyset-paged; `unread_only` hides read items.
    async fn list_inbox(
        &self,
        user_id: i64,
        unread_only: bool,
        page: &PageRequest,
    ) -> Result<Page<InboxItem>, StoreError>;

    /// Unread items of the user, capped at [`crate::query::COUNT_CAP`].
    async fn unread_count(&self, user_id: i64) -> Result<i64, StoreError>;

    /// Marks the user's unread items among `item_ids` read (others' items are untouched);
    /// appends a `read` change for each. Returns how many changed.
    async fn mark_read(
        &self,
        user_id: i64,
        item_ids: &[i64],
        now: Timestamp,
    ) -> Result<u64, StoreError>;

    /// Changes after `after_seq`, oldest first, at most `limit`; `user_id` narrows to one user.
    async fn inbox_changes(
        &self,
        user_id: Option<i64>,
        after_seq: i64,
        limit: u32,
    ) -> Result<Vec<InboxChange>, StoreError>;

    /// Adds an item to the open bucket of its (user, channel, window end), creating the bucket
    /// if there is none (see [`DigestBucket`] for closed buckets). Idempotent on the item key:
    /// a key seen before stores nothing and returns the bucket that holds it. Returns the
    /// bucket id.
    async fn add_digest_item(&self, item: NewDigestItem) -> Result<i64, StoreError>;

    /// Unflushed buckets whose window ended at or before `now`, oldest window first. Closes
    /// the buckets it returns (they take no new items); a bucket whose flush never completed
    /// (a worker crashed) is returned again by the next call.
    async fn due_digests(
        &self,
        now: Timestamp,
        limit: u32,
    ) -> Result<Vec<DigestBucket>, StoreError>;

    async fn digest_items(&self, bucket_id: i64) -> Result<Vec<DigestItem>, StoreError>;

    /// Marks the bucket flushed (and closed) with the queue row that carries it. False if it
    /// was already flushed (another worker got there first); `NotFound` for an unknown id.
    async fn mark_digest_flushed(
        &self,
        bucket_id: i64,
        notification_id: i64,
        now: Timestamp,
    ) -> Result<bool, StoreError>;

    /// Unflushed buckets, oldest window first, for the console and the demo (closes nothing).
    async fn pending_digests(&self, limit: u32) -> Result<Vec<DigestBucket>, StoreError>;

    /// Stores (or refreshes the owner and keys of) a subscription, unique per endpoint.
    async fn save_push_subscription(&self, row: PushSubscriptionRow) -> Result<(), StoreError>;

    async fn push_subscriptions(
        &self,
        user_id: i64,
    ) -> Result<Vec<PushSubscriptionRow>, StoreError>;

    /// Removes a subscription the push service reported gone (404/410).
    async fn delete_push_subscription(&self, endpoint: &str) -> Result<bool, StoreError>;

    /// Contact details of these users in one query, by id; unknown ids are left out.
    async fn contacts(&self, user_ids: &[i64]) -> Result<Vec<Contact>, StoreError>;
}
