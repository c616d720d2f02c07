//! Desktop alerts (see `gurumisha_core::alerts`): watchers LISTEN on `gurumisha_alerts`,
//! which audit and queue triggers notify (migration 0007), and read what is new by cursor.

use crate::convert::PgTs;
use crate::error::db;
use crate::PgStore;
use async_trait::async_trait;
use gurumisha_core::alerts::{
    AlertCursor, AlertSettings, AlertStore, AuditAlertRow, DeadAlertRow, DeadCursor, NewAlerts,
    LATE_COMMIT_US,
};
use gurumisha_core::{StoreError, Timestamp};
use std::time::Duration;

#[async_trait]
impl AlertStore for PgStore {
    async fn alert_settings(&self, user_id: i64) -> Result<Option<AlertSettings>, StoreError> {
        let row: Option<(bool, bool, bool)> = sqlx::query_as(
            "SELECT critical_audit, high_audit, dead_notifications
             FROM operator_alert_settings WHERE user_id = $1",
        )
        .bind(user_id)
        .fetch_optional(&self.pool)
        .await
        .map_err(db)?;
        Ok(row.map(|(c, h, d)| AlertSettings {
            critical_audit: c,
            high_audit: h,
            dead_notifications: d,
        }))
    }

    async fn set_alert_settings(
        &self,
        user_id: i64,
        s: AlertSettings,
        at: Timestamp,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO operator_alert_settings
                 (user_id, critical_audit, high_audit, dead_notifications, updated_at)
             VALUES ($1, $2, $3, $4, $5)
             ON CONFLICT (user_id) DO UPDATE SET
                 critical_audit = excluded.critical_audit,
                 high_audit = excluded.high_audit,
                 dead_notifications = excluded.dead_notifications,
                 updated_at = excluded.updated_at",
        )
        .bind(user_id)
        .bind(s.critical_audit)
        .bind(s.high_audit)
        .bind(s.dead_notifications)
        .bind(PgTs::checked(at)?)
        .execute(&self.pool)
        .await
        .map_err(db)?;
        Ok(())
    }

    async fn alert_head(&self) -> Result<AlertCursor, StoreError> {
        let audit_seq: i64 = sqlx::query_scalar("SELECT coalesce(max(seq), 0) FROM audit_log")
            .fetch_one(&self.pool)
            .await
            .map_err(db)?;
        // The newest dead notification, and the ones stamped shortly before it (a late
        // commit of one of those must not be taken for news).
        let recent: Vec<(PgTs, i64)> = sqlx::query_as(
            "SELECT updated_at, id FROM notification_queue
             WHERE status = 'dead' AND updated_at >= (
                 SELECT max(updated_at) FROM notification_queue WHERE status = 'dead'
             ) - make_interval(secs => $1)",
        )
        .bind(LATE_COMMIT_US as f64 / 1e6)
        .fetch_all(&self.pool)
        .await
        .map_err(db)?;
        Ok(AlertCursor {
            audit_seq,
            dead: DeadCursor::at_head(recent.into_iter().map(|(t, id)| (t.0, id))),
        })
    }

    async fn alerts_after(&self, cursor: AlertCursor, limit: u32) -> Result<NewAlerts, StoreError> {
        let limit_dead = cursor.dead.read_limit(limit);
        let from_dead = cursor.dead.read_from();
        let from_seq = cursor.audit_seq;
        let mut out = NewAlerts {
            cursor,
            ..NewAlerts::default()
        };
        // The head first, then the alert rows up to it: every alert row at or below the new
        // cursor has been returned, whatever commits meanwhile.
        let head: i64 = sqlx::query_scalar("SELECT coalesce(max(seq), 0) FROM audit_log")
            .fetch_one(&self.pool)
            .await
            .map_err(db)?;
        type AuditCols = (
            i64,
            String,
            String,
            String,
            Option<String>,
            String,
            Option<String>,
        );
        let audit: Vec<AuditCols> = sqlx::query_as(
            "SELECT seq, severity, action_type, table_name, record_id, description, change_set_id
             FROM audit_log
             WHERE seq > $1 AND seq <= $2 AND severity IN ('critical', 'high')
             ORDER BY seq LIMIT $3",
        )
        .bind(from_seq)
        .bind(head)
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await
        .map_err(db)?;
        out.audit = audit
            .into_iter()
            .map(
                |(
                    seq,
                    severity,
                    action_type,
                    table_name,
                    record_id,
                    description,
                    change_set_id,
                )| {
                    AuditAlertRow {
                        seq,
                        severity,
                        action_type,
                        table_name,
                        record_id,
                        description,
                        change_set_id,
                    }
                },
            )
            .collect();
        out.cursor.audit_seq = match out.audit.last() {
            Some(a) if out.audit.len() as u32 == limit => a.seq,
            _ => head.max(from_seq),
        };
        type DeadCols = (PgTs, i64, String, String, i64, Option<String>);
        let dead: Vec<DeadCols> = sqlx::query_as(
            "SELECT updated_at, id, channel, title, recipient_id, last_error
             FROM notification_queue
             WHERE status = 'dead' AND updated_at >= $1
             ORDER BY updated_at, id LIMIT $2",
        )
        .bind(PgTs(from_dead).clamped())
        .bind(i64::from(limit_dead))
        .fetch_all(&self.pool)
        .await
        .map_err(db)?;
        let rows = dead
            .into_iter()
            .map(|(at, id, channel, title, recipient_id, last_error)| {
                (
                    at.0,
                    DeadAlertRow {
                        id,
                        channel,
                        title,
                        recipient_id,
                        last_error,
                    },
                )
            })
            .collect();
        out.dead = out.cursor.dead.take_new(rows, limit);
        Ok(out)
    }

    async fn wait_for_alerts(&self, timeout: Duration) {
        self.alerts_listen.wait(&self.pool, timeout).await;
    }
}
