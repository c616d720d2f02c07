//! Desktop alerts for a signed-in operator: new critical (and, if chosen, high) audit events
//! and notifications that went dead, each with the console route that opens it. The watcher
//! waits on the store (LISTEN on PostgreSQL, polling on SQLite), reads what is new after its
//! cursor and keeps what the operator's settings and role allow. No Tauri here: the shell
//! turns each [`Alert`] into an OS notification.

use crate::access::Permission;
use crate::types::{ApiError, ApiErrorCode};
use crate::Console;
use gurumisha_core::alerts::{AlertCursor, AlertSettings};
use gurumisha_core::domain::Severity;
use serde::{Deserialize, Serialize};
use std::time::Duration;
pub use tokio_util::sync::CancellationToken;
use ts_rs::TS;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum AlertKind {
    CriticalAudit,
    HighAudit,
    DeadNotification,
}

/// One alert: what the OS notification says and where clicking it goes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Alert {
    pub kind: AlertKind,
    pub title: String,
    pub body: String,
    /// The console route (`#/...`) that shows the item.
    pub route: String,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct AlertSettingsRequest {}

/// At most this many of each kind per wake-up (a burst beyond it arrives on the next one).
const BATCH: u32 = 50;

fn enc(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

impl Console {
    /// The operator's own alert choices (defaults when never set).
    pub async fn get_alert_settings(
        &self,
        _req: AlertSettingsRequest,
    ) -> Result<AlertSettings, ApiError> {
        Ok(self
            .api()
            .alert_store()
            .alert_settings(self.operator().user_id)
            .await?
            .unwrap_or_default())
    }

    /// Sets the operator's own alert choices; recorded as a configuration change.
    pub async fn set_alert_settings(&self, req: AlertSettings) -> Result<AlertSettings, ApiError> {
        let before = self.get_alert_settings(AlertSettingsRequest {}).await?;
        self.api()
            .alert_store()
            .set_alert_settings(
                self.operator().user_id,
                req,
                gurumisha_core::Timestamp::now(),
            )
            .await?;
        let on = |b: bool| if b { "on" } else { "off" };
        self.record(
            "config_change",
            "operator_alert_settings",
            Some(self.operator().user_id.to_string()),
            format!(
                "desktop alerts: critical audit {} → {}, high audit {} → {}, dead notifications {} → {}",
                on(before.critical_audit),
                on(req.critical_audit),
                on(before.high_audit),
                on(req.high_audit),
                on(before.dead_notifications),
                on(req.dead_notifications)
            ),
            Severity::Low,
            None,
        )
        .await?;
        Ok(req)
    }

    /// Where a watcher starting now begins (it alerts on what happens from here on).
    pub async fn alert_start(&self) -> Result<AlertCursor, ApiError> {
        Ok(self.api().alert_store().alert_head().await?)
    }

    /// New alerts after `cursor` that this operator wants and may see, and the next cursor.
    pub async fn alerts_after(
        &self,
        cursor: AlertCursor,
    ) -> Result<(Vec<Alert>, AlertCursor), ApiError> {
        let api = self.api();
        let new = api.alert_store().alerts_after(cursor, BATCH).await?;
        let settings = api
            .alert_store()
            .alert_settings(self.operator().user_id)
            .await?
            .unwrap_or_default();
        let mut out = Vec::new();
        let audit_ok = self.operator().can(Permission::ViewAudit);
        for c in &new.audit {
            let kind = match c.severity.as_str() {
                "critical" if settings.critical_audit => AlertKind::CriticalAudit,
                "high" if settings.high_audit => AlertKind::HighAudit,
                _ => continue,
            };
            if !audit_ok {
                continue;
            }
            let record = c.record_id.as_deref().unwrap_or("");
            let route = match &c.change_set_id {
                Some(cs) => format!("#/audit/changeset/{}", enc(cs)),
                None => format!(
                    "#/audit?severity={}&table={}{}",
                    c.severity,
                    enc(&c.table_name),
                    if record.is_empty() {
                        String::new()
                    } else {
                        format!("&record={}", enc(record))
                    }
                ),
            };
            out.push(Alert {
                kind,
                title: format!(
                    "{} audit event: {}",
                    if kind == AlertKind::CriticalAudit {
                        "Critical"
                    } else {
                        "High"
                    },
                    c.action_type
                ),
                body: format!("#{} {} {record}: {}", c.seq, c.table_name, c.description),
                route,
            });
        }
        if settings.dead_notifications && self.operator().can(Permission::ViewQueue) {
            for n in &new.dead {
                out.push(Alert {
                    kind: AlertKind::DeadNotification,
                    title: format!("Notification {} went dead", n.id),
                    body: format!(
                        "{} \"{}\" to user {}: {}",
                        n.channel,
                        n.title,
                        n.recipient_id,
                        n.last_error.as_deref().unwrap_or("no error recorded")
                    ),
                    route: format!("#/queue?status=dead&id={}", n.id),
                });
            }
        }
        Ok((out, new.cursor))
    }

    /// Calls `on_alert` for each new alert until `stop` is cancelled. Waits on the store
    /// between reads, at most `poll`; a failed read is logged and retried after the wait.
    pub async fn watch_alerts(
        &self,
        stop: CancellationToken,
        poll: Duration,
        on_alert: impl Fn(Alert) + Send,
    ) -> Result<(), ApiError> {
        let mut cursor = self.alert_start().await?;
        loop {
            tokio::select! {
                _ = stop.cancelled() => return Ok(()),
                _ = self.api().alert_store().wait_for_alerts(poll) => {}
            }
            match self.alerts_after(cursor.clone()).await {
                Ok((alerts, next)) => {
                    cursor = next;
                    alerts.into_iter().for_each(&on_alert);
                }
                Err(e) if e.code == ApiErrorCode::Unavailable => {
                    tracing::warn!(error = %e.message, "alerts: database unavailable");
                }
                Err(e) => tracing::warn!(error = %e.message, "alerts"),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn route_parts_are_encoded() {
        assert_eq!(super::enc("cars"), "cars");
        assert_eq!(super::enc("a b&c"), "a%20b%26c");
    }
}
