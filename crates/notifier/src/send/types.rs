//! What a caller asks for and what it gets back, per channel.

use gurumisha_core::Timestamp;
use gurumisha_notify::preferences::DecisionKind;
use gurumisha_notify::{Channel, NotificationType, Priority, TemplateName};
use serde::Serialize;

/// One notification to fan out.
#[derive(Debug, Clone)]
pub struct SendRequest {
    pub recipient_id: i64,
    /// Used when a channel has no template (and as the SMS row's title).
    pub title: String,
    pub message: String,
    pub channels: Vec<Channel>,
    pub notification_type: NotificationType,
    pub template_name: Option<TemplateName>,
    pub context: serde_json::Value,
    /// The template's priority when `None`.
    pub priority: Option<Priority>,
    /// Not before this instant (preferences are evaluated then).
    pub scheduled_at: Option<Timestamp>,
    /// Names the call; a fresh UUID when `None`.
    pub idempotency_key: Option<String>,
}

impl SendRequest {
    pub fn new(recipient_id: i64, ty: NotificationType, channels: &[Channel]) -> Self {
        Self {
            recipient_id,
            title: String::new(),
            message: String::new(),
            channels: channels.to_vec(),
            notification_type: ty,
            template_name: None,
            context: serde_json::json!({}),
            priority: None,
            scheduled_at: None,
            idempotency_key: None,
        }
    }
}

/// What happened on one channel.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ChannelOutcome {
    pub channel: Channel,
    pub decision: DecisionKind,
    pub reason: String,
    pub notification_id: Option<i64>,
    pub digest_bucket_id: Option<i64>,
    /// Defer: when it goes out; digest: the window's end.
    pub until: Option<Timestamp>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SendOutcome {
    pub send_key: String,
    /// The key was seen before: these are the first call's decisions and nothing was added.
    pub replayed: bool,
    pub channels: Vec<ChannelOutcome>,
}

pub(crate) fn kind_str(k: DecisionKind) -> &'static str {
    match k {
        DecisionKind::Send => "send",
        DecisionKind::Skip => "skip",
        DecisionKind::Defer => "defer",
        DecisionKind::Digest => "digest",
    }
}

pub(crate) fn kind_parse(s: &str) -> DecisionKind {
    match s {
        "send" => DecisionKind::Send,
        "defer" => DecisionKind::Defer,
        "digest" => DecisionKind::Digest,
        _ => DecisionKind::Skip,
    }
}
