//! Desktop alerts (see `gurumisha_core::alerts`); SQLite has no notifications, so watchers
//! poll (`wait_for_alerts` sleeps).

use crate::conn::db_err;
use crate::SqliteStore;
use async_trait::async_trait;
use gurumisha_core::alerts::{
    AlertCursor, AlertSettings, AlertStore, AuditAlertRow, DeadAlertRow, DeadCursor, NewAlerts,
    LATE_COMMIT_US,
};
use gurumisha_core::{StoreError, Timestamp};
use rusqlite::{params, OptionalExtension};
use std::time::Duration;

#[async_trait]
impl AlertStore for SqliteStore {
    async fn alert_settings(&self, user_id: i64) -> Result<Option<AlertSettings>, StoreError> {
        self.readers
            .read(move |c| {
                c.prepare_cached(
                    "SELECT critical_audit, high_audit, dead_notifications
                     FROM operator_alert_settings WHERE user_id = ?1",
                )
                .and_then(|mut s| {
                    s.query_row([user_id], |r| {
                        Ok(AlertSettings {
                            critical_audit: r.get(0)?,
                            high_audit: r.get(1)?,
                            dead_notifications: r.get(2)?,
                        })
                    })
                    .optional()
                })
                .map_err(db_err)
            })
            .await
    }

    async fn set_alert_settings(
        &self,
        user_id: i64,
        s: AlertSettings,
        at: Timestamp,
    ) -> Result<(), StoreError> {
        self.writer
            .run(move |c| {
                c.prepare_cached(
                    "INSERT INTO operator_alert_settings
                         (user_id, critical_audit, high_audit, dead_notifications, updated_at)
                     VALUES (?1, ?2, ?3, ?4, ?5)
                     ON CONFLICT (user_id) DO UPDATE SET
                         critical_audit = excluded.critical_audit,
                         high_audit = excluded.high_audit,
                         dead_notifications = excluded.dead_notifications,
                         updated_at = excluded.updated_at",
                )
                .and_then(|mut st| {
                    st.execute(params![
                        user_id,
                        s.critical_audit,
                        s.high_audit,
                        s.dead_notifications,
                        at.micros()
                    ])
                })
                .map_err(db_err)?;
                Ok(())
            })
            .await
    }

    async fn alert_head(&self) -> Result<AlertCursor, StoreError> {
        self.readers
            .read(|c| {
                let audit_seq: i64 = c
                    .prepare_cached("SELECT coalesce(max(seq), 0) FROM audit_log")
                    .and_then(|mut s| s.query_row([], |r| r.get(0)))
                    .map_err(db_err)?;
                // The newest dead notification, and the ones stamped shortly before it (a
                // late commit of one of those must not be taken for news).
                let newest: Option<i64> = c
                    .prepare_cached(
                        "SELECT updated_at FROM notification_queue WHERE status = 'dead'
                         ORDER BY updated_at DESC, id DESC LIMIT 1",
                    )
                    .and_then(|mut s| s.query_row([], |r| r.get(0)).optional())
                    .map_err(db_err)?;
                let recent: Vec<(i64, i64)> = match newest {
                    None => Vec::new(),
                    Some(newest) => c
                        .prepare_cached(
                            "SELECT updated_at, id FROM notification_queue
                             WHERE status = 'dead' AND updated_at >= ?1",
                        )
                        .and_then(|mut s| {
                            s.query_map([newest.saturating_sub(LATE_COMMIT_US)], |r| {
                                Ok((r.get(0)?, r.get(1)?))
                            })?
                            .collect()
                        })
                        .map_err(db_err)?,
                };
                Ok(AlertCursor {
                    audit_seq,
                    dead: DeadCursor::at_head(recent),
                })
            })
            .await
    }

    async fn alerts_after(&self, cursor: AlertCursor, limit: u32) -> Result<NewAlerts, StoreError> {
        self.readers
            .read(move |c| {
                let limit_dead = cursor.dead.read_limit(limit);
                let from_dead = cursor.dead.read_from();
                let from_seq = cursor.audit_seq;
                let mut out = NewAlerts {
                    cursor,
                    ..NewAlerts::default()
                };
                // The head first, then the alert rows up to it: every alert row at or below
                // the new cursor has been returned, whatever commits meanwhile.
                let head: i64 = c
                    .prepare_cached("SELECT coalesce(max(seq), 0) FROM audit_log")
                    .and_then(|mut s| s.query_row([], |r| r.get(0)))
                    .map_err(db_err)?;
                let mut s = c
                    .prepare_cached(
                        "SELECT seq, severity, action_type, table_name, record_id, description,
                                change_set_id
                         FROM audit_log
                         WHERE seq > ?1 AND seq <= ?2 AND severity IN ('critical', 'high')
                         ORDER BY seq LIMIT ?3",
                    )
                    .map_err(db_err)?;
                let rows = s
                    .query_map(params![from_seq, head, limit], |r| {
                        Ok(AuditAlertRow {
                            seq: r.get(0)?,
                            severity: r.get(1)?,
                            action_type: r.get(2)?,
                            table_name: r.get(3)?,
                            record_id: r.get(4)?,
                            description: r.get(5)?,
                            change_set_id: r.get(6)?,
                        })
                    })
                    .map_err(db_err)?;
                for row in rows {
                    out.audit.push(row.map_err(db_err)?);
                }
                out.cursor.audit_seq = match out.audit.last() {
                    Some(a) if out.audit.len() as u32 == limit => a.seq,
                    _ => head.max(from_seq),
                };
                let mut s = c
                    .prepare_cached(
                        "SELECT updated_at, id, channel, title, recipient_id, last_error
                         FROM notification_queue
                         WHERE status = 'dead' AND updated_at >= ?1
                         ORDER BY updated_at, id LIMIT ?2",
                    )
                    .map_err(db_err)?;
                let rows = s
                    .query_map(params![from_dead, limit_dead], |r| {
                        Ok((
                            r.get::<_, i64>(0)?,
                            DeadAlertRow {
                                id: r.get(1)?,
                                channel: r.get(2)?,
                                title: r.get(3)?,
                                recipient_id: r.get(4)?,
                                last_error: r.get(5)?,
                            },
                        ))
                    })
                    .map_err(db_err)?;
                let rows = rows.collect::<Result<Vec<_>, _>>().map_err(db_err)?;
                out.dead = out.cursor.dead.take_new(rows, limit);
                Ok(out)
            })
            .await
    }

    async fn wait_for_alerts(&self, timeout: Duration) {
        tokio::time::sleep(timeout).await;
    }
}
