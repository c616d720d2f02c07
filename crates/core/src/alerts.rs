//! Desktop alerts: what is new since a cursor (critical and high audit rows, notifications
//! that went dead) and which alerts each operator wants.

use crate::{StoreError, Timestamp};
use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use std::time::Duration;

/// Which alerts an operator gets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export)]
pub struct AlertSettings {
    pub critical_audit: bool,
    pub high_audit: bool,
    pub dead_notifications: bool,
}

impl Default for AlertSettings {
    /// Critical audit events and dead notifications; high audit events are opt-in.
    fn default() -> Self {
        Self {
            critical_audit: true,
            high_audit: false,
            dead_notifications: true,
        }
    }
}

/// Where a watcher is: the last audit row and the last dead notification it has seen.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct AlertCursor {
    pub audit_seq: i64,
    /// `(updated_at µs, id)` of the last dead notification seen.
    pub dead: (i64, i64),
}

/// A critical or high audit row, with what an alert shows of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditAlertRow {
    pub seq: i64,
    pub severity: String,
    pub action_type: String,
    pub table_name: String,
    pub record_id: Option<String>,
    pub description: String,
    pub change_set_id: Option<String>,
}

/// A notification that went dead, with what an alert shows of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeadAlertRow {
    pub id: i64,
    pub channel: String,
    pub title: String,
    pub recipient_id: i64,
    pub last_error: Option<String>,
}

/// What is new after a cursor: everything the alerts show, in one read (no row fetched
/// per alert).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct NewAlerts {
    /// Critical and high audit rows, ascending by seq.
    pub audit: Vec<AuditAlertRow>,
    /// Notifications that went dead, in the order they did.
    pub dead: Vec<DeadAlertRow>,
    /// The cursor after these.
    pub cursor: AlertCursor,
}

#[async_trait]
pub trait AlertStore: Send + Sync + 'static {
    /// The operator's settings; `None` when they never chose (use the defaults).
    async fn alert_settings(&self, user_id: i64) -> Result<Option<AlertSettings>, StoreError>;
    async fn set_alert_settings(
        &self,
        user_id: i64,
        settings: AlertSettings,
        at: Timestamp,
    ) -> Result<(), StoreError>;
    /// The cursor at the newest rows now (a watcher starting here alerts on new events only).
    async fn alert_head(&self) -> Result<AlertCursor, StoreError>;
    /// Critical/high audit rows and dead notifications after `cursor`, at most `limit` each.
    async fn alerts_after(&self, cursor: AlertCursor, limit: u32) -> Result<NewAlerts, StoreError>;
    /// Returns when something may be new (PostgreSQL: LISTEN) or after `timeout` (polling).
    async fn wait_for_alerts(&self, timeout: Duration);
}
