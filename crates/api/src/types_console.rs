//! Request and response types of the console's overview and object-history commands.

use crate::types::AuditRecord;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

#[derive(Debug, Clone, Default, Serialize, Deserialize, TS)]
#[ts(export)]
#[serde(default)]
pub struct OverviewRequest {
    /// Days of activity to chart, ending today (default 30, at most 90).
    #[ts(optional, type = "number | null")]
    pub days: Option<u32>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct DayCount {
    /// YYYY-MM-DD in the operator's time zone.
    pub day: String,
    #[ts(type = "number")]
    pub count: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct NamedCount {
    pub name: String,
    #[ts(type = "number")]
    pub count: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ChannelDelivery {
    pub channel: String,
    #[ts(type = "number")]
    pub sent: i64,
    /// Failed and waiting for a retry.
    #[ts(type = "number")]
    pub failed: i64,
    #[ts(type = "number")]
    pub dead: i64,
    /// Pending or being sent.
    #[ts(type = "number")]
    pub pending: i64,
}

/// The manager's page: charts, not tables.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Overview {
    /// The charted window (RFC 3339), `to` being now.
    pub from: String,
    pub to: String,
    /// Every day of the window, zero-filled, oldest first.
    pub events_per_day: Vec<DayCount>,
    /// The window's ten most frequent actions.
    pub top_actions: Vec<NamedCount>,
    /// Audit rows of the last 7 days per severity, critical first, zero-filled.
    pub audit_by_severity: Vec<NamedCount>,
    /// The newest critical and high audit rows of the last 7 days (at most 10).
    pub critical_recent: Vec<AuditRecord>,
    /// Notifications per channel by outcome (the whole queue).
    pub delivery_by_channel: Vec<ChannelDelivery>,
    /// Notifications waiting: pending, being sent, or failed and due for a retry.
    #[ts(type = "number")]
    pub queue_depth: i64,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct FieldLastChangesQuery {
    pub table_name: String,
    pub record_id: String,
}

/// "Who last changed this field": the newest change of one field of one record.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct FieldLastChange {
    pub field_name: String,
    pub last: AuditRecord,
}

/// Now as RFC 3339 (UTC), for names such as a suggested export file name.
pub fn today_utc() -> String {
    gurumisha_core::Timestamp::now().to_rfc3339()
}
