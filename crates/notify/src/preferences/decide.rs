//! The per-channel decision and the "why" trace the queue records with every fan-out, so
//! "why was this not sent?" always has an answer.

use super::window::{digest_window, quiet_until, to_jiff};
use super::Preferences;
use crate::domain::{Channel, Frequency, NotificationType};
use gurumisha_core::Timestamp;
use serde::{Deserialize, Serialize};

/// What to do with one notification on one channel.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(tag = "decision", rename_all = "snake_case")]
#[ts(export)]
pub enum Decision {
    /// Queue for delivery now.
    Send,
    /// Do not queue (channel off, or the type is off for the channel).
    Skip { reason: String },
    /// Queue, scheduled for `until` (the end of quiet hours).
    Defer {
        #[ts(type = "string")]
        until: Timestamp,
        reason: String,
    },
    /// Hold in the user's digest bucket for this window; flushed as one message at its end.
    Digest {
        #[ts(type = "string")]
        bucket_start: Timestamp,
        #[ts(type = "string")]
        bucket_end: Timestamp,
        reason: String,
    },
}

/// The decision without its data, for a status column or a filter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum DecisionKind {
    Send,
    Skip,
    Defer,
    Digest,
}

impl Decision {
    pub fn kind(&self) -> DecisionKind {
        match self {
            Self::Send => DecisionKind::Send,
            Self::Skip { .. } => DecisionKind::Skip,
            Self::Defer { .. } => DecisionKind::Defer,
            Self::Digest { .. } => DecisionKind::Digest,
        }
    }

    /// When the notification should go out, if it goes out at all.
    pub fn scheduled_at(&self, now: Timestamp) -> Option<Timestamp> {
        match self {
            Self::Send => Some(now),
            Self::Skip { .. } => None,
            Self::Defer { until, .. } => Some(*until),
            Self::Digest { bucket_end, .. } => Some(*bucket_end),
        }
    }
}

/// One line of "why": the channel, what was decided, and the reason in words.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export)]
pub struct TraceEntry {
    pub channel: Channel,
    pub decision: Decision,
    pub reason: String,
}

/// The decisions for every channel a notification was addressed to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export)]
pub struct DeliveryTrace {
    pub notification_type: NotificationType,
    #[ts(type = "string")]
    pub evaluated_at: Timestamp,
    pub time_zone: String,
    pub entries: Vec<TraceEntry>,
}

/// Decides what to do with a notification of `ty` on `channel` at `now` for these
/// preferences. Pure: the same inputs always give the same answer.
pub fn decide(
    prefs: &Preferences,
    ty: NotificationType,
    channel: Channel,
    now: Timestamp,
) -> Decision {
    if ty == NotificationType::Security {
        return Decision::Send;
    }
    if !prefs.channels.get(channel) {
        return Decision::Skip {
            reason: format!("{channel} is turned off"),
        };
    }
    if !prefs.types.get(ty).get(channel) {
        let reason = if ty == NotificationType::Marketing {
            format!("marketing is opt-in and not turned on for {channel}")
        } else {
            format!("{ty} notifications are turned off for {channel}")
        };
        return Decision::Skip { reason };
    }
    let tz = prefs.time_zone.zone();
    let zone = prefs.time_zone.as_str();
    if prefs.frequency != Frequency::Immediate {
        if let Some((start, end)) = digest_window(prefs.frequency, &tz, now) {
            let fmt = |t: Timestamp| {
                to_jiff(t)
                    .to_zoned_datetime(tz.clone())
                    .strftime("%-d %b %Y %H:%M")
                    .to_string()
            };
            return Decision::Digest {
                bucket_start: start,
                bucket_end: end,
                reason: format!(
                    "{} digest: {} to {} {zone}",
                    prefs.frequency,
                    fmt(start),
                    fmt(end)
                ),
            };
        }
    }
    if let Some(q) = &prefs.quiet_hours {
        if let Some(until) = quiet_until(q, &tz, now) {
            let local = to_jiff(until).to_zoned_datetime(tz.clone());
            return Decision::Defer {
                until,
                reason: format!("quiet hours until {} {zone}", local.strftime("%H:%M")),
            };
        }
    }
    Decision::Send
}

/// Decides for each channel and explains each decision in words.
pub fn explain(
    prefs: &Preferences,
    ty: NotificationType,
    channels: &[Channel],
    now: Timestamp,
) -> DeliveryTrace {
    let entries = channels
        .iter()
        .map(|&channel| {
            let decision = decide(prefs, ty, channel, now);
            let reason = match &decision {
                Decision::Send if ty == NotificationType::Security => {
                    "security notifications are always sent at once".to_owned()
                }
                Decision::Send => "sent at once: allowed by the preferences".to_owned(),
                Decision::Skip { reason }
                | Decision::Defer { reason, .. }
                | Decision::Digest { reason, .. } => reason.clone(),
            };
            TraceEntry {
                channel,
                decision,
                reason,
            }
        })
        .collect();
    DeliveryTrace {
        notification_type: ty,
        evaluated_at: now,
        time_zone: prefs.time_zone.as_str().to_owned(),
        entries,
    }
}
