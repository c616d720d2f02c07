//! Request and response types of the console's notification views: the queue
//! (`queue_summary`, `list_notifications`, `get_notification`, `queue_action`), templates
//! (`list_templates`, `get_template`, `preview_template`, `save_template`,
//! `send_test_template`) and preferences (`get_preferences`, `set_preferences`).
//!
//! Times are RFC 3339 strings in UTC; ids are numbers. Channels, statuses and notification
//! types use the enums of `gurumisha-notify`, so the UI gets string unions, not free text.

use gurumisha_core::Timestamp;
use gurumisha_notify::preferences::DecisionKind;
use gurumisha_notify::template::{RenderedMessage, SmsEncoding, TemplateErrorKind};
use gurumisha_notify::{Channel, NotificationStatus, NotificationType, Preferences};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

// ---------------------------------------------------------------------------------------------
// Queue

/// `queue_summary`: no parameters.
#[derive(Debug, Clone, Default, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct QueueSummaryRequest {}

/// Rows per status in the whole queue.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct QueueStatusCounts {
    #[ts(type = "number")]
    pub pending: i64,
    #[ts(type = "number")]
    pub processing: i64,
    #[ts(type = "number")]
    pub sent: i64,
    #[ts(type = "number")]
    pub failed: i64,
    #[ts(type = "number")]
    pub dead: i64,
    #[ts(type = "number")]
    pub cancelled: i64,
    #[ts(type = "number")]
    pub total: i64,
}

/// Unfinished notifications of one channel (the queue's depth).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ChannelQueueDepth {
    pub channel: String,
    /// Pending and due now: waiting for a worker.
    #[ts(type = "number")]
    pub due: i64,
    /// Pending for later (quiet hours, scheduled sends).
    #[ts(type = "number")]
    pub scheduled: i64,
    /// Failed, waiting for their retry time.
    #[ts(type = "number")]
    pub retrying: i64,
    /// Being sent right now.
    #[ts(type = "number")]
    pub processing: i64,
    /// The sum of the four.
    #[ts(type = "number")]
    pub total: i64,
}

/// Dead and failed notifications with the same provider, channel and error pattern.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct FailureGroupInfo {
    /// The provider of the last attempt (`null`: it never reached one).
    pub provider: Option<String>,
    pub channel: String,
    /// The error with numbers and ids replaced by `#`: "HTTP 410 for sub #".
    pub pattern: String,
    /// The newest notification's error as written.
    pub example_error: String,
    #[ts(type = "number")]
    pub count: i64,
    #[ts(type = "number")]
    pub dead: i64,
    #[ts(type = "number")]
    pub failed: i64,
    /// The newest notification of the group (open it with `get_notification`).
    #[ts(type = "number")]
    pub newest_id: i64,
    #[ts(type = "string")]
    pub newest_at: Timestamp,
}

/// The queue at a glance.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct QueueSummary {
    pub counts: QueueStatusCounts,
    /// Channels with unfinished notifications, by name.
    pub depth: Vec<ChannelQueueDepth>,
    /// Most notifications first.
    pub failures: Vec<FailureGroupInfo>,
    /// Dead and failed rows read to build `failures` (the newest of each status, capped).
    #[ts(type = "number")]
    pub failures_scanned: i64,
    /// The cap was reached: older failures exist and are not in the groups.
    pub failures_truncated: bool,
    #[ts(type = "string")]
    pub generated_at: Timestamp,
}

/// Which notifications: every set field must match. Shared by `list_notifications` and
/// `queue_action`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
#[serde(default)]
pub struct NotificationFilter {
    #[ts(optional)]
    pub status: Option<NotificationStatus>,
    #[ts(optional)]
    pub channel: Option<Channel>,
    /// The last attempt's provider (`smtp`, `africastalking`, `twilio`, `webpush`, `inbox`).
    #[ts(optional)]
    pub provider: Option<String>,
    /// A case-sensitive part of the last error.
    #[ts(optional)]
    pub error: Option<String>,
    /// The recipient.
    #[ts(optional, type = "number | null")]
    pub user_id: Option<i64>,
    /// The recipient by username (when `user_id` is not given).
    #[ts(optional)]
    pub username: Option<String>,
}

/// `list_notifications`: a filter and a keyset page, newest first.
#[derive(Debug, Clone, Default, Serialize, Deserialize, TS)]
#[ts(export)]
#[serde(default)]
pub struct ListNotificationsRequest {
    #[serde(flatten)]
    #[ts(flatten)]
    pub filter: NotificationFilter,
    #[ts(optional)]
    pub cursor: Option<String>,
    #[ts(optional, type = "number | null")]
    pub limit: Option<u32>,
}

/// One notification in a list (no bodies or context: open it for those).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct NotificationRow {
    #[ts(type = "number")]
    pub id: i64,
    #[ts(type = "number")]
    pub recipient_id: i64,
    pub channel: String,
    pub notification_type: String,
    pub template_name: Option<String>,
    pub template_version: Option<i32>,
    pub title: String,
    /// 1 (highest) to 5.
    pub priority: i16,
    pub status: NotificationStatus,
    /// Failed attempts so far.
    pub retry_count: i32,
    /// Retries allowed after the first attempt.
    pub max_retries: i32,
    /// When a worker may next take it (pending: scheduled time; failed: retry time).
    #[ts(type = "string | null")]
    pub next_attempt_at: Option<Timestamp>,
    pub last_error: Option<String>,
    /// The provider of the last attempt.
    pub provider: Option<String>,
    #[ts(type = "string | null")]
    pub sent_at: Option<Timestamp>,
    #[ts(type = "string")]
    pub created_at: Timestamp,
    /// When the status last changed.
    #[ts(type = "string")]
    pub updated_at: Timestamp,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct NotificationPage {
    pub items: Vec<NotificationRow>,
    pub next_cursor: Option<String>,
}

/// `get_notification`.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct GetNotificationRequest {
    #[ts(type = "number")]
    pub id: i64,
}

/// One delivery attempt, oldest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct AttemptInfo {
    /// 1 for the first attempt.
    pub number: u32,
    #[ts(type = "string")]
    pub at: Timestamp,
    pub provider: String,
    /// `sent`, or the error class (`transient`, `permanent`, `rate_limited`, …).
    pub outcome: String,
    pub error: Option<String>,
    #[ts(type = "number")]
    pub latency_ms: i64,
}

/// One channel's decision in the fan-out that produced the notification: the "why" of
/// sending, deferring, digesting or skipping.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct DecisionInfo {
    pub channel: String,
    pub decision: DecisionKind,
    /// In words: "quiet hours 22:00–07:00 (Africa/Nairobi)", "sms is off for marketing".
    pub reason: String,
    /// Defer: when it goes out; digest: the end of the digest window.
    #[ts(type = "string | null")]
    pub until: Option<Timestamp>,
    #[ts(type = "string")]
    pub decided_at: Timestamp,
    /// The queue row this decision produced, if any.
    #[ts(type = "number | null")]
    pub notification_id: Option<i64>,
    #[ts(type = "number | null")]
    pub digest_bucket_id: Option<i64>,
    /// This decision produced the notification being shown (the others are its siblings on
    /// other channels).
    pub this_notification: bool,
}

/// Who a notification is for, from the users table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct RecipientInfo {
    #[ts(type = "number")]
    pub user_id: i64,
    pub name: String,
    pub email: String,
    pub phone: Option<String>,
    pub time_zone: String,
    pub is_active: bool,
}

/// One notification in full: content, attempts, and why it is where it is.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct NotificationView {
    pub notification: NotificationRow,
    pub body: String,
    pub html_body: Option<String>,
    /// The context it was rendered with.
    #[ts(type = "unknown")]
    pub context: serde_json::Value,
    pub idempotency_key: String,
    #[ts(type = "string")]
    pub scheduled_at: Timestamp,
    pub provider_message_id: Option<String>,
    /// The worker holding it (processing only).
    pub lease_owner: Option<String>,
    #[ts(type = "string | null")]
    pub lease_expires_at: Option<Timestamp>,
    /// `null` when the user no longer exists.
    pub recipient: Option<RecipientInfo>,
    pub attempts: Vec<AttemptInfo>,
    /// The fan-out's decisions for every channel of the same send, oldest first; empty for
    /// rows not made by a fan-out (digest flushes, imports).
    pub decisions: Vec<DecisionInfo>,
    /// The current status in words: "scheduled for 2026-11-27 07:00 UTC (quiet hours)",
    /// "dead after 4 attempts: HTTP 410 …".
    pub status_explanation: String,
}

/// What `queue_action` does to the notifications it matches.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum QueueActionKind {
    /// failed or dead → pending, due now, retry count reset.
    Retry,
    /// pending or failed → cancelled.
    Cancel,
    /// dead or cancelled → pending, due now, retry count reset.
    Requeue,
}

/// `queue_action`: either `ids`, or a `filter` with at least a status. Run it with `dry_run`
/// first to show "retry 73 notifications?", then for real.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct QueueActionRequest {
    pub action: QueueActionKind,
    #[serde(default)]
    #[ts(optional, type = "Array<number>")]
    pub ids: Option<Vec<i64>>,
    #[serde(default)]
    #[ts(optional)]
    pub filter: Option<NotificationFilter>,
    /// Count only; change nothing (and record nothing).
    #[serde(default)]
    pub dry_run: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct QueueActionResult {
    pub action: QueueActionKind,
    pub dry_run: bool,
    /// Notifications the action applies to (in a status it can change).
    #[ts(type = "number")]
    pub matched: i64,
    /// Notifications changed (0 for a dry run).
    #[ts(type = "number")]
    pub changed: i64,
    /// What was done (or would be), as recorded in the audit trail.
    pub description: String,
}

// ---------------------------------------------------------------------------------------------
// Templates

/// `list_templates`: no parameters.
#[derive(Debug, Clone, Default, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ListTemplatesRequest {}

/// The current version of one channel of a template.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct TemplateChannelInfo {
    pub channel: String,
    #[ts(type = "number")]
    pub version: i64,
    pub active: bool,
    #[ts(type = "string")]
    pub updated_at: Timestamp,
    /// Who stored this version: a user id or a process (`create-notification-templates`).
    pub updated_by: Option<String>,
    /// The user's name when `updated_by` is a user id.
    pub updated_by_name: Option<String>,
}

/// One template name with its channels.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct TemplateSummary {
    pub name: String,
    pub notification_type: String,
    /// By channel name.
    pub channels: Vec<TemplateChannelInfo>,
    /// The newest edit across the channels.
    #[ts(type = "string")]
    pub updated_at: Timestamp,
    pub updated_by: Option<String>,
    pub updated_by_name: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct TemplateList {
    /// By name.
    pub templates: Vec<TemplateSummary>,
}

/// `get_template`.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct GetTemplateRequest {
    pub name: String,
}

/// One stored version of a template for one channel.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct TemplateVersionInfo {
    pub name: String,
    pub channel: String,
    #[ts(type = "number")]
    pub version: i64,
    pub notification_type: String,
    /// E-mail subject, push or in-app title; `null` for SMS.
    pub subject: Option<String>,
    pub body: String,
    /// E-mail only.
    pub html: Option<String>,
    /// Variables the template may use (`recipient` allows `recipient.first_name`).
    pub available_variables: Vec<String>,
    pub priority: i16,
    pub active: bool,
    pub edited_by: Option<String>,
    pub edited_by_name: Option<String>,
    pub note: Option<String>,
    #[ts(type = "string")]
    pub created_at: Timestamp,
}

/// One channel of a template: its current version and every version, newest first (the
/// current one included), for a side-by-side diff.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct TemplateChannelDetail {
    pub channel: String,
    pub current: TemplateVersionInfo,
    pub history: Vec<TemplateVersionInfo>,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct TemplateDetail {
    pub name: String,
    pub notification_type: String,
    /// By channel name.
    pub channels: Vec<TemplateChannelDetail>,
}

/// `preview_template`: renders an unsaved edit. Fields left out come from the stored template
/// `name` (for this channel), else the default template of that name, else the defaults of
/// the notification type.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct PreviewTemplateRequest {
    #[serde(default)]
    #[ts(optional)]
    pub name: Option<String>,
    pub channel: Channel,
    #[serde(default)]
    #[ts(optional)]
    pub notification_type: Option<NotificationType>,
    #[serde(default)]
    #[ts(optional)]
    pub subject: Option<String>,
    pub body: String,
    #[serde(default)]
    #[ts(optional)]
    pub html: Option<String>,
    #[serde(default)]
    #[ts(optional)]
    pub available_variables: Option<Vec<String>>,
    /// The values to render with; a realistic sample (Kenyan names, KES amounts) when absent.
    #[serde(default)]
    #[ts(optional, type = "unknown")]
    pub context: Option<serde_json::Value>,
}

/// Something wrong with an edit, for an inline marker in the editor.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct TemplateProblem {
    /// The request field at fault: `subject`, `body`, `html`, `available_variables`,
    /// `notification_type`, `name` or `context`.
    pub field: String,
    pub message: String,
    /// Syntax errors: the kind, the 1-based line and column (in characters) and the 0-based
    /// byte offset in that field.
    pub kind: Option<TemplateErrorKind>,
    pub line: Option<u32>,
    pub column: Option<u32>,
    pub offset: Option<u32>,
}

/// What an SMS body costs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct SmsCost {
    /// `gsm7`, or `ucs2` when any character (an emoji, a curly quote) needs it.
    pub encoding: SmsEncoding,
    /// Characters as a person counts them.
    pub characters: u32,
    /// Septets (GSM-7) or UTF-16 code units (UCS-2).
    pub units: u32,
    /// Messages billed.
    pub segments: u32,
    /// Units left in the last segment.
    pub remaining: u32,
}

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct TemplatePreview {
    /// No problems: `rendered` is what a recipient would get.
    pub ok: bool,
    pub rendered: Option<RenderedMessage>,
    /// Every problem found, in field order.
    pub problems: Vec<TemplateProblem>,
    /// For SMS: the rendered body's cost.
    pub sms: Option<SmsCost>,
    /// The context used (the sample, or the one given).
    #[ts(type = "unknown")]
    pub context: serde_json::Value,
    /// The variables the edit was checked against.
    pub available_variables: Vec<String>,
}

/// `save_template`: stores a new version of one channel of a template. Fields left out keep
/// the current version's values (a new template needs `notification_type`); `subject` and
/// `html` are taken as given (absent: none).
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct SaveTemplateRequest {
    pub name: String,
    pub channel: Channel,
    #[serde(default)]
    #[ts(optional)]
    pub notification_type: Option<NotificationType>,
    #[serde(default)]
    #[ts(optional)]
    pub subject: Option<String>,
    pub body: String,
    #[serde(default)]
    #[ts(optional)]
    pub html: Option<String>,
    #[serde(default)]
    #[ts(optional)]
    pub available_variables: Option<Vec<String>>,
    /// 1 (highest) to 5.
    #[serde(default)]
    #[ts(optional)]
    pub priority: Option<i16>,
    #[serde(default)]
    #[ts(optional)]
    pub active: Option<bool>,
    /// Why, kept with the version.
    #[serde(default)]
    #[ts(optional)]
    pub note: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct SaveTemplateResult {
    /// False when the content equals the current version (nothing stored or recorded).
    pub created: bool,
    /// The current version after the save.
    pub template: TemplateVersionInfo,
    /// The audit change set holding the old → new fields (open with `get_change_set`).
    pub change_set_id: Option<String>,
}

/// `send_test_template`: renders the current version with the sample context and queues one
/// real notification to the signed-in operator.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct SendTestTemplateRequest {
    pub name: String,
    pub channel: Channel,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct SendTestResult {
    /// The queued notification (follow it with `get_notification`).
    #[ts(type = "number")]
    pub notification_id: i64,
    pub channel: Channel,
    /// Where it goes: the operator's e-mail address, phone number, push devices or inbox.
    pub address: String,
    #[ts(type = "number")]
    pub template_version: i64,
    pub title: String,
    pub body: String,
}

// ---------------------------------------------------------------------------------------------
// Preferences

/// `get_preferences`: one user, by id or username.
#[derive(Debug, Clone, Default, Serialize, Deserialize, TS)]
#[ts(export)]
#[serde(default)]
pub struct GetPreferencesRequest {
    #[ts(optional, type = "number | null")]
    pub user_id: Option<i64>,
    #[ts(optional)]
    pub username: Option<String>,
}

/// A user's effective notification preferences. Security switches are always on (shown
/// locked); marketing is off unless switched on.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct UserPreferences {
    #[ts(type = "number")]
    pub user_id: i64,
    pub name: String,
    pub email: String,
    pub phone: Option<String>,
    pub is_active: bool,
    pub preferences: Preferences,
    /// False: nothing stored, these are the defaults.
    pub stored: bool,
    /// The time zone is the profile's (the user never chose one for notifications).
    pub time_zone_from_profile: bool,
    #[ts(type = "string | null")]
    pub updated_at: Option<Timestamp>,
}

/// `set_preferences`: replaces the user's preferences. Unknown types, channels or fields, a
/// bad time zone or quiet hours are refused with the field named (`invalid time_zone: …`).
/// Leaving `time_zone` out keeps following the profile's zone.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct SetPreferencesRequest {
    #[ts(type = "number")]
    pub user_id: i64,
    #[ts(as = "Preferences")]
    pub preferences: serde_json::Value,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct PreferencesSaved {
    pub user: UserPreferences,
    /// Top-level fields that changed (`channels`, `types`, `frequency`, `quiet_hours`,
    /// `time_zone`); empty when nothing did (and nothing was recorded).
    pub changed_fields: Vec<String>,
    /// The audit change set holding old → new values.
    pub change_set_id: Option<String>,
}
