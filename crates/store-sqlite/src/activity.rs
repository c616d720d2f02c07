//! The activity log: bulk inserts on the writer, filtered keyset lists on the readers.

use crate::conn::{bad_data, db_err};
use crate::fts::{self, FtsTable, Match, Matches};
use crate::sql::{Keyset, Query};
use crate::text_walk;
use gurumisha_core::domain::Outcome;
use gurumisha_core::event::{ActivityRecord, ActivityRow};
use gurumisha_core::query::{search_terms, ActivityFilter, Cursor, Page, PageRequest};
use gurumisha_core::{StoreError, Timestamp};
use rusqlite::{params, Connection, Row};

/// Inserts `rows` and their `activity_fts` and `activity_keys` entries; returns the ids in
/// order. Runs inside the writer's transaction.
pub(crate) fn insert(conn: &Connection, rows: &[ActivityRow]) -> Result<Vec<i64>, StoreError> {
    let mut stmt = conn
        .prepare_cached(
            "INSERT INTO activity_log (ts, user_id, action, description, ip_address, user_agent,
                 session_id, request_id, object_type, object_id, object_display, extra_data,
                 outcome, content_flags)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
        )
        .map_err(db_err)?;
    let mut ids = Vec::with_capacity(rows.len());
    for r in rows {
        stmt.execute(params![
            r.timestamp.micros(),
            r.user_id,
            r.action,
            r.description,
            r.ip_address,
            r.user_agent,
            r.session_id,
            r.request_id,
            r.object_type,
            r.object_id,
            r.object_display,
            r.extra_data,
            r.outcome.as_str(),
            flags_json(&r.content_flags)?,
        ])
        .map_err(db_err)?;
        ids.push(conn.last_insert_rowid());
    }
    if rows.len() <= fts::ROW_BY_ROW_MAX {
        index_rows(conn, &ids, rows)?;
    } else if let (Some(&first), Some(&last)) = (ids.first(), ids.last()) {
        index_range(conn, first, last)?;
    }
    text_walk::widen_blocks(conn, &ids, rows.iter().map(|r| r.timestamp.micros()))?;
    Ok(ids)
}

/// Full-text entries one statement per row: single-row statements open no statement savepoint,
/// so the entries of many small jobs in one transaction reach the index as one segment.
fn index_rows(conn: &Connection, ids: &[i64], rows: &[ActivityRow]) -> Result<(), StoreError> {
    let mut text = conn
        .prepare_cached(
            "INSERT INTO activity_fts (rowid, description, object_display) VALUES (?1, ?2, ?3)",
        )
        .map_err(db_err)?;
    let mut keys = conn
        .prepare_cached("INSERT INTO activity_keys (rowid, keys) VALUES (?1, ?2)")
        .map_err(db_err)?;
    for (id, r) in ids.iter().zip(rows) {
        text.execute(params![id, r.description, r.object_display])
            .map_err(db_err)?;
        if r.ip_address.is_some() || r.session_id.is_some() {
            let tokens = [('i', &r.ip_address), ('s', &r.session_id)]
                .into_iter()
                .map(|(k, v)| {
                    v.as_deref()
                        .map(|v| fts::key_token(k, v))
                        .unwrap_or_default()
                })
                .collect::<Vec<_>>()
                .join(" ");
            keys.execute(params![id, tokens]).map_err(db_err)?;
        }
    }
    Ok(())
}

/// Full-text entries of the rows `first..=last` (all written by this job, as the only writer),
/// one statement per table: FTS5's per-statement cost is high, so for big inserts this is
/// about 15% faster than a statement per row (measured).
fn index_range(conn: &Connection, first: i64, last: i64) -> Result<(), StoreError> {
    conn.prepare_cached(
        "INSERT INTO activity_fts (rowid, description, object_display)
         SELECT id, description, object_display FROM activity_log WHERE id BETWEEN ?1 AND ?2",
    )
    .and_then(|mut s| s.execute(params![first, last]))
    .map_err(db_err)?;
    // The same tokens as `fts::key_token`.
    conn.prepare_cached(
        "INSERT INTO activity_keys (rowid, keys)
         SELECT id, iif(ip_address IS NULL, '', 'i' || hex(ip_address)) || ' ' ||
                    iif(session_id IS NULL, '', 's' || hex(session_id))
         FROM activity_log
         WHERE id BETWEEN ?1 AND ?2 AND (ip_address IS NOT NULL OR session_id IS NOT NULL)",
    )
    .and_then(|mut s| s.execute(params![first, last]))
    .map_err(db_err)?;
    Ok(())
}

pub(crate) fn flags_json(flags: &[String]) -> Result<String, StoreError> {
    if flags.is_empty() {
        return Ok("[]".to_owned());
    }
    serde_json::to_string(flags).map_err(|e| StoreError::Database(format!("content_flags: {e}")))
}

pub(crate) fn parse_flags(table: &str, key: i64, text: &str) -> Result<Vec<String>, StoreError> {
    serde_json::from_str(text).map_err(|e| bad_data(table, key, format!("content_flags: {e}")))
}

/// Number of rows, estimated as the largest id (ids are never reused): O(log n).
pub(crate) fn estimate(conn: &Connection) -> Result<i64, StoreError> {
    conn.prepare_cached("SELECT coalesce(max(id), 0) FROM activity_log")
        .and_then(|mut s| s.query_row([], |r| r.get(0)))
        .map_err(db_err)
}

const SELECT: &str = "SELECT a.id, a.ts, a.user_id, u.username, a.action, a.description, \
     a.ip_address, a.user_agent, a.session_id, a.request_id, a.object_type, a.object_id, \
     a.object_display, a.extra_data, a.outcome, a.content_flags";

/// The full-text conditions of a filter, unplanned.
pub(crate) fn matches(filter: &ActivityFilter) -> Vec<Match> {
    let text = filter
        .text
        .as_deref()
        .and_then(search_terms)
        .map(|t| Match {
            table: FtsTable::ActivityText,
            expr: fts::words(&t),
        });
    let keys = fts::keys(filter.ip.as_deref(), filter.session_id.as_deref()).map(|expr| Match {
        table: FtsTable::ActivityKeys,
        expr,
    });
    text.into_iter().chain(keys).collect()
}

/// Builds the list query for `filter` with its full-text conditions planned as `m`.
pub(crate) fn build_list(filter: &ActivityFilter, page: &PageRequest, m: &Matches) -> Query {
    let mut q = Query::new(SELECT);
    from_where(&mut q, filter, m);
    q.newest_first(filter.from, filter.to, page, m, &KEYSET);
    q
}

/// Appends to a `SELECT` list (over `a`, the log, and `u`, the users) the rows `m` drives
/// through, with the filters other than text and time applied.
pub(crate) fn from_where(q: &mut Query, filter: &ActivityFilter, m: &Matches) {
    match &m.drive {
        Some(d) => q.bind(d.table.drive_from(), d.expr.clone()),
        None => q.push(" FROM activity_log a LEFT JOIN users u ON u.id = a.user_id WHERE 1 = 1"),
    };
    push_filters(q, filter);
}

/// The row filters other than text and time, each `AND`-ed on.
pub(crate) fn push_filters(q: &mut Query, filter: &ActivityFilter) {
    if let Some(v) = filter.user_id {
        q.bind(" AND a.user_id = ?", v);
    }
    if let Some(v) = &filter.action {
        q.bind(" AND a.action = ?", v.clone());
    }
    if let Some(v) = &filter.object_type {
        q.bind(" AND a.object_type = ?", v.clone());
    }
    if let Some(v) = &filter.object_id {
        q.bind(" AND a.object_id = ?", v.clone());
    }
    // Found through activity_keys; the equality re-states what the match guarantees.
    if let Some(v) = &filter.ip {
        q.bind(" AND a.ip_address = ?", v.clone());
    }
    if let Some(v) = &filter.session_id {
        q.bind(" AND a.session_id = ?", v.clone());
    }
}

/// The redundant `ts <= ?` lets the index seek straight to the cursor.
pub(crate) const KEYSET: Keyset = Keyset {
    after: " AND a.ts <= ? AND (a.ts < ? OR (a.ts = ? AND a.id < ?))",
    order_limit: " ORDER BY a.ts DESC, a.id DESC LIMIT ?",
    oldest_first: " ORDER BY a.ts, a.id LIMIT ?",
};

pub(crate) fn list(
    conn: &Connection,
    filter: &ActivityFilter,
    page: &PageRequest,
) -> Result<Page<ActivityRecord>, StoreError> {
    list_with_budget(conn, filter, page, text_walk::WALK_MAX)
}

/// [`list`] with the text walk's budget as a parameter (tests use small ones).
pub(crate) fn list_with_budget(
    conn: &Connection,
    filter: &ActivityFilter,
    page: &PageRequest,
    budget: usize,
) -> Result<Page<ActivityRecord>, StoreError> {
    let all = matches(filter);
    let walked = match all.first() {
        Some(m) if m.table == FtsTable::ActivityText && text_walk::suits(filter) => {
            text_walk::page_ids(conn, filter, page, &m.expr, budget)?
        }
        _ => None,
    };
    let items = match walked {
        Some(ids) => by_ids(conn, &ids)?,
        None => {
            let m = Matches::plan(conn, all)?;
            let q = build_list(filter, page, &m);
            let mut stmt = conn.prepare_cached(&q.sql).map_err(db_err)?;
            let mut rows = stmt.query(q.params()).map_err(db_err)?;
            let mut items = Vec::with_capacity(page.limit as usize + 1);
            while let Some(r) = rows.next().map_err(db_err)? {
                items.push(decode(r)?);
            }
            items
        }
    };
    Ok(Page::from_overfetch(items, page.limit, |r| Cursor {
        ts: r.timestamp.micros(),
        id: r.id,
    }))
}

/// The rows with these ids, in the order given.
fn by_ids(conn: &Connection, ids: &[i64]) -> Result<Vec<ActivityRecord>, StoreError> {
    let mut stmt = conn
        .prepare_cached(&format!(
            "{SELECT} FROM activity_log a LEFT JOIN users u ON u.id = a.user_id WHERE a.id = ?1"
        ))
        .map_err(db_err)?;
    let mut items = Vec::with_capacity(ids.len());
    for id in ids {
        let mut rows = stmt.query([id]).map_err(db_err)?;
        if let Some(r) = rows.next().map_err(db_err)? {
            items.push(decode(r)?);
        }
    }
    Ok(items)
}

fn decode(r: &Row<'_>) -> Result<ActivityRecord, StoreError> {
    let id: i64 = r.get(0).map_err(db_err)?;
    let extra: String = r.get(13).map_err(db_err)?;
    let outcome: String = r.get(14).map_err(db_err)?;
    let flags: String = r.get(15).map_err(db_err)?;
    Ok(ActivityRecord {
        id,
        timestamp: Timestamp(r.get(1).map_err(db_err)?),
        user_id: r.get(2).map_err(db_err)?,
        username: r.get(3).map_err(db_err)?,
        action: r.get(4).map_err(db_err)?,
        description: r.get(5).map_err(db_err)?,
        ip_address: r.get(6).map_err(db_err)?,
        user_agent: r.get(7).map_err(db_err)?,
        session_id: r.get(8).map_err(db_err)?,
        request_id: r.get(9).map_err(db_err)?,
        object_type: r.get(10).map_err(db_err)?,
        object_id: r.get(11).map_err(db_err)?,
        object_display: r.get(12).map_err(db_err)?,
        extra_data: serde_json::from_str(&extra)
            .map_err(|e| bad_data("activity_log", id, format!("extra_data: {e}")))?,
        outcome: Outcome::parse(&outcome).map_err(|e| bad_data("activity_log", id, e))?,
        content_flags: parse_flags("activity_log", id, &flags)?,
    })
}
