//! The console's side of the SQLite queue: bulk retry/cancel/requeue (dry runs count on a
//! reader with the very same conditions), counts per status, filtered keyset lists, one
//! notification with its attempts, and cleanup of old sent and cancelled rows.

use super::{decode, COLS};
use crate::conn::{bad_data, db_err};
use crate::sql::Query;
use gurumisha_core::query::{Cursor, Page, PageRequest};
use gurumisha_core::queue::{
    Attempt, BulkAction, NotificationDetail, QueueCounts, QueueFilter, QueueStatus,
    QueuedNotification, Target,
};
use gurumisha_core::{StoreError, Timestamp};
use rusqlite::{Connection, OptionalExtension};

/// The conditions of a bulk action's target; `None` when nothing can match.
fn bulk_where(q: &mut Query, action: BulkAction, target: &Target) -> Option<()> {
    let filter_status = match target {
        Target::Filter(f) => f.status,
        Target::Ids(_) => None,
    };
    let statuses = action.statuses(filter_status);
    if statuses.is_empty() {
        return None;
    }
    q.bind(
        " WHERE status IN (SELECT value FROM json_each(?))",
        serde_json::to_string(&statuses).ok()?,
    );
    match target {
        Target::Ids(ids) if ids.is_empty() => return None,
        Target::Ids(ids) => {
            q.bind(
                " AND id IN (SELECT value FROM json_each(?))",
                serde_json::to_string(ids).ok()?,
            );
        }
        Target::Filter(f) => push_filter(
            q,
            &QueueFilter {
                status: None,
                ..f.clone()
            },
        ),
    }
    Some(())
}

/// Applies a bulk action in the writer's transaction.
pub(crate) fn bulk(
    conn: &Connection,
    action: BulkAction,
    target: &Target,
    now: Timestamp,
) -> Result<u64, StoreError> {
    let mut q = Query::new("UPDATE notification_queue SET ");
    let reset = action.to_status() == QueueStatus::Pending;
    q.bind_all(
        "status = ?, next_attempt_at = ?, retry_count = CASE WHEN ? THEN 0 ELSE retry_count END,
             lease_owner = NULL, lease_expires_at = NULL, lease_token = NULL, updated_at = ?",
        [
            action.to_status().as_str().to_owned().into(),
            if reset { Some(now.micros()) } else { None }.into(),
            reset.into(),
            now.micros().into(),
        ],
    );
    if bulk_where(&mut q, action, target).is_none() {
        return Ok(0);
    }
    let n = conn
        .prepare_cached(&q.sql)
        .and_then(|mut s| s.execute(q.params()))
        .map_err(db_err)?;
    Ok(n as u64)
}

/// How many rows a bulk action would change (a dry run), on a reader.
pub(crate) fn bulk_count(
    conn: &Connection,
    action: BulkAction,
    target: &Target,
) -> Result<u64, StoreError> {
    let mut q = Query::new("SELECT count(*) FROM notification_queue");
    if bulk_where(&mut q, action, target).is_none() {
        return Ok(0);
    }
    let n: i64 = conn
        .prepare_cached(&q.sql)
        .and_then(|mut s| s.query_row(q.params(), |r| r.get(0)))
        .map_err(db_err)?;
    Ok(n as u64)
}

fn push_filter(q: &mut Query, f: &QueueFilter) {
    if let Some(v) = f.status {
        q.bind(" AND status = ?", v.as_str().to_owned());
    }
    if let Some(v) = &f.channel {
        q.bind(" AND channel = ?", v.clone());
    }
    if let Some(v) = &f.provider {
        q.bind(" AND provider = ?", v.clone());
    }
    if let Some(v) = &f.error_contains {
        q.bind(" AND instr(last_error, ?) > 0", v.clone());
    }
    if let Some(v) = f.recipient_id {
        q.bind(" AND recipient_id = ?", v);
    }
}

pub(crate) fn counts(conn: &Connection) -> Result<QueueCounts, StoreError> {
    let mut stmt = conn
        .prepare_cached("SELECT status, count(*) FROM notification_queue GROUP BY status")
        .map_err(db_err)?;
    let mut rows = stmt.query([]).map_err(db_err)?;
    let mut out = QueueCounts::default();
    while let Some(r) = rows.next().map_err(db_err)? {
        let status: String = r.get(0).map_err(db_err)?;
        let status =
            QueueStatus::parse(&status).map_err(|e| bad_data("notification_queue", 0, e))?;
        out.add(status, r.get(1).map_err(db_err)?);
    }
    Ok(out)
}

pub(crate) fn list(
    conn: &Connection,
    filter: &QueueFilter,
    page: &PageRequest,
) -> Result<Page<QueuedNotification>, StoreError> {
    let mut q = Query::new("SELECT ");
    q.push(COLS).push(" FROM notification_queue WHERE 1 = 1");
    push_filter(&mut q, filter);
    if let Some(c) = page.after {
        q.bind_all(
            " AND created_at <= ? AND (created_at < ? OR (created_at = ? AND id < ?))",
            [c.ts.into(), c.ts.into(), c.ts.into(), c.id.into()],
        );
    }
    q.bind(
        " ORDER BY created_at DESC, id DESC LIMIT ?",
        i64::from(page.limit) + 1,
    );
    let mut stmt = conn.prepare_cached(&q.sql).map_err(db_err)?;
    let mut rows = stmt.query(q.params()).map_err(db_err)?;
    let mut items = Vec::with_capacity(page.limit as usize + 1);
    while let Some(r) = rows.next().map_err(db_err)? {
        items.push(decode(r).map_err(db_err)??);
    }
    Ok(Page::from_overfetch(items, page.limit, |n| Cursor {
        ts: n.created_at.micros(),
        id: n.id,
    }))
}

pub(crate) fn get(conn: &Connection, id: i64) -> Result<Option<NotificationDetail>, StoreError> {
    let sql = format!("SELECT {COLS} FROM notification_queue WHERE id = ?1");
    let Some(notification) = conn
        .prepare_cached(&sql)
        .and_then(|mut s| s.query_row([id], decode).optional())
        .map_err(db_err)?
        .transpose()?
    else {
        return Ok(None);
    };
    let attempts = conn
        .prepare_cached(
            "SELECT at, provider, outcome, error, latency_ms FROM notification_attempt
             WHERE notification_id = ?1 ORDER BY id",
        )
        .and_then(|mut s| {
            s.query_map([id], |r| {
                Ok(Attempt {
                    at: Timestamp(r.get(0)?),
                    provider: r.get(1)?,
                    outcome: r.get(2)?,
                    error: r.get(3)?,
                    latency_ms: r.get(4)?,
                })
            })?
            .collect::<Result<Vec<_>, _>>()
        })
        .map_err(db_err)?;
    Ok(Some(NotificationDetail {
        notification,
        attempts,
    }))
}

pub(crate) fn cleanup(conn: &Connection, older_than: Timestamp) -> Result<u64, StoreError> {
    let n = conn
        .prepare_cached(
            "DELETE FROM notification_queue
             WHERE status IN ('sent', 'cancelled') AND updated_at < ?1",
        )
        .and_then(|mut s| s.execute([older_than.micros()]))
        .map_err(db_err)?;
    Ok(n as u64)
}
