//! Desktop alerts: what is new since a cursor (critical and high audit rows, notifications
//! that went dead) and which alerts each operator wants.

use crate::{StoreError, Timestamp};
use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
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

/// Where a watcher is: the last audit row and the dead notifications it has seen.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AlertCursor {
    /// Audit rows are numbered in commit order (each links to the one before), so the last
    /// seq seen is enough.
    pub audit_seq: i64,
    pub dead: DeadCursor,
}

/// How late a transition may become visible after its timestamp. A worker stamps a
/// notification dead with the time of the attempt and commits after; two workers (or two
/// sends of one worker) can commit in the other order. Reads look back this far.
pub const LATE_COMMIT_US: i64 = 120_000_000;

/// The dead notifications a watcher has seen. Timestamps do not arrive in order (see
/// [`LATE_COMMIT_US`]), so a read starts that long before the newest one seen and skips the
/// rows seen since: a notification that commits late is still alerted, and once only.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DeadCursor {
    /// The newest `updated_at` seen (µs).
    pub newest: i64,
    /// `(updated_at, id)` of the rows seen with `updated_at >= newest - LATE_COMMIT_US`.
    pub seen: BTreeSet<(i64, i64)>,
}

impl DeadCursor {
    /// The head: `rows` are the dead notifications within [`LATE_COMMIT_US`] of the newest.
    pub fn at_head(rows: impl IntoIterator<Item = (i64, i64)>) -> Self {
        let mut c = Self::default();
        for (at, id) in rows {
            c.newest = c.newest.max(at);
            c.seen.insert((at, id));
        }
        c.forget_old();
        c
    }

    /// Where the next read starts (`updated_at >=` this, ascending by `(updated_at, id)`).
    pub fn read_from(&self) -> i64 {
        self.newest.saturating_sub(LATE_COMMIT_US)
    }

    /// How many rows the next read needs for `limit` new ones (the seen ones come back too).
    pub fn read_limit(&self, limit: u32) -> u32 {
        limit.saturating_add(u32::try_from(self.seen.len()).unwrap_or(u32::MAX))
    }

    /// The first `limit` rows of a read not seen before, oldest first; they are seen now.
    pub fn take_new(&mut self, rows: Vec<(i64, DeadAlertRow)>, limit: u32) -> Vec<DeadAlertRow> {
        let mut out = Vec::new();
        for (at, row) in rows {
            if out.len() as u32 >= limit {
                break;
            }
            if self.seen.insert((at, row.id)) {
                self.newest = self.newest.max(at);
                out.push(row);
            }
        }
        self.forget_old();
        out
    }

    fn forget_old(&mut self) {
        let keep_from = self.read_from();
        self.seen = self.seen.split_off(&(keep_from, i64::MIN));
    }
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
