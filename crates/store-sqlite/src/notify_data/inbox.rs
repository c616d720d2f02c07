//! The in-app inbox and its change feed. Every write runs on the single writer, so changes
//! get their `seq` (an AUTOINCREMENT key) in commit order: a follower asking for "after N"
//! never misses a change that commits later with a smaller seq.

use super::prefs::ids_json;
use crate::conn::db_err;
use gurumisha_core::notify_data::{InboxChange, InboxItem};
use gurumisha_core::query::{Cursor, Page, PageRequest, COUNT_CAP};
use gurumisha_core::{StoreError, Timestamp};
use rusqlite::{params, Connection, OptionalExtension, Row};

const COLS: &str = "id, user_id, notification_id, notification_type, title, body, created_at, \
     read_at";

fn decode(r: &Row<'_>) -> rusqlite::Result<InboxItem> {
    Ok(InboxItem {
        id: r.get(0)?,
        user_id: r.get(1)?,
        notification_id: r.get(2)?,
        notification_type: r.get(3)?,
        title: r.get(4)?,
        body: r.get(5)?,
        created_at: Timestamp(r.get(6)?),
        read_at: r.get::<_, Option<i64>>(7)?.map(Timestamp),
    })
}

fn append_change(
    conn: &Connection,
    user_id: i64,
    item_id: i64,
    kind: &str,
    at: Timestamp,
) -> Result<(), StoreError> {
    conn.prepare_cached(
        "INSERT INTO inbox_change (user_id, item_id, kind, at) VALUES (?1, ?2, ?3, ?4)",
    )
    .and_then(|mut s| s.execute(params![user_id, item_id, kind, at.micros()]))
    .map_err(db_err)?;
    Ok(())
}

/// What a caller passes to [`deliver`].
pub(crate) struct Delivery {
    pub user_id: i64,
    pub notification_id: i64,
    pub notification_type: String,
    pub title: String,
    pub body: String,
    pub now: Timestamp,
}

/// Inserts the item once per notification id and appends a `created` change (writer).
pub(crate) fn deliver(conn: &Connection, d: &Delivery) -> Result<InboxItem, StoreError> {
    let sql = format!(
        "INSERT INTO inbox_item (user_id, notification_id, notification_type, title, body,
             created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)
         ON CONFLICT (notification_id) DO NOTHING
         RETURNING {COLS}"
    );
    let inserted = conn
        .prepare_cached(&sql)
        .and_then(|mut s| {
            s.query_row(
                params![
                    d.user_id,
                    d.notification_id,
                    d.notification_type,
                    d.title,
                    d.body,
                    d.now.micros()
                ],
                decode,
            )
            .optional()
        })
        .map_err(db_err)?;
    if let Some(item) = inserted {
        append_change(conn, item.user_id, item.id, "created", d.now)?;
        return Ok(item);
    }
    let sql = format!("SELECT {COLS} FROM inbox_item WHERE notification_id = ?1");
    let existing = conn
        .prepare_cached(&sql)
        .and_then(|mut s| s.query_row([d.notification_id], decode))
        .map_err(db_err)?;
    same_user(existing, d.user_id)
}

/// The item already delivered for a notification, unless it belongs to someone else (a caller
/// bug that must not pass silently).
pub(crate) fn same_user(existing: InboxItem, user_id: i64) -> Result<InboxItem, StoreError> {
    if existing.user_id == user_id {
        Ok(existing)
    } else {
        Err(StoreError::Conflict(format!(
            "notification {} is already in the inbox of user {}, not {user_id}",
            existing.notification_id, existing.user_id
        )))
    }
}

/// Newest first over `(created_at, id)`, keyset-paged.
pub(crate) fn list(
    conn: &Connection,
    user_id: i64,
    unread_only: bool,
    page: &PageRequest,
) -> Result<Page<InboxItem>, StoreError> {
    let (ts, id) = page.after.map_or((i64::MAX, i64::MAX), |c| (c.ts, c.id));
    // Two fixed statements (not one with `?4 OR read_at IS NULL`) so each reads its own index.
    let sql = if unread_only {
        format!(
            "SELECT {COLS} FROM inbox_item
             WHERE user_id = ?1 AND read_at IS NULL
               AND (created_at < ?2 OR (created_at = ?2 AND id < ?3))
             ORDER BY created_at DESC, id DESC LIMIT ?4"
        )
    } else {
        format!(
            "SELECT {COLS} FROM inbox_item
             WHERE user_id = ?1 AND (created_at < ?2 OR (created_at = ?2 AND id < ?3))
             ORDER BY created_at DESC, id DESC LIMIT ?4"
        )
    };
    let items = conn
        .prepare_cached(&sql)
        .and_then(|mut s| {
            s.query_map(params![user_id, ts, id, i64::from(page.limit) + 1], decode)?
                .collect::<Result<Vec<_>, _>>()
        })
        .map_err(db_err)?;
    Ok(Page::from_overfetch(items, page.limit, |i| Cursor {
        ts: i.created_at.micros(),
        id: i.id,
    }))
}

pub(crate) fn unread_count(conn: &Connection, user_id: i64) -> Result<i64, StoreError> {
    conn.prepare_cached(
        "SELECT count(*) FROM (SELECT 1 FROM inbox_item
                               WHERE user_id = ?1 AND read_at IS NULL LIMIT ?2)",
    )
    .and_then(|mut s| s.query_row(params![user_id, COUNT_CAP], |r| r.get(0)))
    .map_err(db_err)
}

/// Marks the user's unread items among `ids` read and appends a `read` change for each, in id
/// order (writer).
pub(crate) fn mark_read(
    conn: &Connection,
    user_id: i64,
    ids: &[i64],
    now: Timestamp,
) -> Result<u64, StoreError> {
    let ids = ids_json(ids)?;
    let mut changed: Vec<i64> = conn
        .prepare_cached(
            "UPDATE inbox_item SET read_at = ?1
             WHERE user_id = ?2 AND read_at IS NULL
               AND id IN (SELECT value FROM json_each(?3))
             RETURNING id",
        )
        .and_then(|mut s| {
            s.query_map(params![now.micros(), user_id, ids], |r| r.get(0))?
                .collect::<Result<_, _>>()
        })
        .map_err(db_err)?;
    changed.sort_unstable();
    for id in &changed {
        append_change(conn, user_id, *id, "read", now)?;
    }
    Ok(changed.len() as u64)
}

/// Changes after `after_seq`, oldest first.
pub(crate) fn changes(
    conn: &Connection,
    user_id: Option<i64>,
    after_seq: i64,
    limit: u32,
) -> Result<Vec<InboxChange>, StoreError> {
    let decode = |r: &Row<'_>| {
        Ok(InboxChange {
            seq: r.get(0)?,
            user_id: r.get(1)?,
            item_id: r.get(2)?,
            kind: r.get(3)?,
            at: Timestamp(r.get(4)?),
        })
    };
    let limit = i64::from(limit);
    let rows = match user_id {
        Some(u) => conn
            .prepare_cached(
                "SELECT seq, user_id, item_id, kind, at FROM inbox_change
                 WHERE user_id = ?1 AND seq > ?2 ORDER BY seq LIMIT ?3",
            )
            .and_then(|mut s| {
                s.query_map(params![u, after_seq, limit], decode)?
                    .collect::<Result<Vec<_>, _>>()
            }),
        None => conn
            .prepare_cached(
                "SELECT seq, user_id, item_id, kind, at FROM inbox_change
                 WHERE seq > ?1 ORDER BY seq LIMIT ?2",
            )
            .and_then(|mut s| {
                s.query_map(params![after_seq, limit], decode)?
                    .collect::<Result<Vec<_>, _>>()
            }),
    };
    rows.map_err(db_err)
}
