//! The notification queue on SQLite. Every write (enqueue, claim, complete, fail, bulk
//! actions, cleanup) runs as a job on the single writer, inside its `BEGIN IMMEDIATE`
//! transaction: a claim's select-then-update cannot interleave with another claim, in this
//! process or any other that opens the file, so no row is leased twice. Reads (counts, lists,
//! one notification, dry runs) run on the reader pool; the console's verbs are in `console`.

mod console;
mod summary;

pub(crate) use console::{bulk, bulk_count, cleanup, counts, get, list};
pub(crate) use summary::{channel_depth, recent_failures};

use crate::conn::{bad_data, db_err};
use gurumisha_core::queue::{
    Attempt, Lease, NewNotification, NextStep, QueueStatus, QueuedNotification,
};
use gurumisha_core::{StoreError, Timestamp};
use rusqlite::{params, Connection, Row};
use uuid::Uuid;

pub(super) const COLS: &str = "id, idempotency_key, recipient_id, channel, notification_type, \
     template_name, template_version, title, body, html_body, context, priority, scheduled_at, \
     max_retries, status, retry_count, next_attempt_at, last_error, provider, \
     provider_message_id, sent_at, lease_owner, lease_expires_at, lease_token, created_at, \
     updated_at";

/// Inserts the rows whose idempotency key is new; returns `(id, created)` in input order.
pub(crate) fn enqueue(
    conn: &Connection,
    rows: &[NewNotification],
) -> Result<Vec<(i64, bool)>, StoreError> {
    let mut insert = conn
        .prepare_cached(
            "INSERT INTO notification_queue (idempotency_key, recipient_id, channel,
                 notification_type, template_name, template_version, title, body, html_body,
                 context, priority, scheduled_at, max_retries, status, next_attempt_at,
                 created_at, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, 'pending', ?12,
                 ?14, ?14)
             ON CONFLICT (idempotency_key) DO NOTHING",
        )
        .map_err(db_err)?;
    let mut existing = conn
        .prepare_cached("SELECT id FROM notification_queue WHERE idempotency_key = ?1")
        .map_err(db_err)?;
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        let context = serde_json::to_string(&r.context)
            .map_err(|e| StoreError::Database(format!("context: {e}")))?;
        let n = insert
            .execute(params![
                r.idempotency_key,
                r.recipient_id,
                r.channel,
                r.notification_type,
                r.template_name,
                r.template_version,
                r.title,
                r.body,
                r.html_body,
                context,
                r.priority,
                r.scheduled_at.micros(),
                r.max_retries,
                r.created_at.micros(),
            ])
            .map_err(db_err)?;
        if n == 1 {
            out.push((conn.last_insert_rowid(), true));
        } else {
            let id: i64 = existing
                .query_row([&r.idempotency_key], |row| row.get(0))
                .map_err(db_err)?;
            out.push((id, false));
        }
    }
    Ok(out)
}

/// Leases up to `batch` due rows, most urgent first.
pub(crate) fn claim(
    conn: &Connection,
    owner: &str,
    batch: u32,
    lease_for_ms: i64,
    now: Timestamp,
) -> Result<Vec<(QueuedNotification, Lease)>, StoreError> {
    let ids: Vec<i64> = conn
        .prepare_cached(
            "SELECT id FROM notification_queue
             WHERE status IN ('pending', 'failed', 'processing') AND next_attempt_at <= ?1
             ORDER BY priority, next_attempt_at, id
             LIMIT ?2",
        )
        .and_then(|mut s| {
            s.query_map(params![now.micros(), batch], |r| r.get(0))?
                .collect::<Result<_, _>>()
        })
        .map_err(db_err)?;
    let expires = now
        .micros()
        .saturating_add(lease_for_ms.saturating_mul(1000));
    let sql = format!(
        "UPDATE notification_queue
         SET status = 'processing', lease_owner = ?1, lease_expires_at = ?2,
             next_attempt_at = ?2, lease_token = ?3, updated_at = ?4
         WHERE id = ?5
         RETURNING {COLS}"
    );
    let mut update = conn.prepare_cached(&sql).map_err(db_err)?;
    let mut out = Vec::with_capacity(ids.len());
    for id in ids {
        let token = Uuid::new_v4();
        let row = update
            .query_row(
                params![owner, expires, token.to_string(), now.micros(), id],
                decode,
            )
            .map_err(db_err)??;
        out.push((row, Lease { id, token }));
    }
    Ok(out)
}

/// Marks a leased row sent; false if the lease is no longer current.
pub(crate) fn complete(
    conn: &Connection,
    lease: Lease,
    provider: &str,
    provider_message_id: Option<&str>,
    latency_ms: i64,
    now: Timestamp,
) -> Result<bool, StoreError> {
    let n = conn
        .prepare_cached(
            "UPDATE notification_queue
             SET status = 'sent', provider = ?1, provider_message_id = ?2, sent_at = ?3,
                 last_error = NULL, next_attempt_at = NULL, lease_owner = NULL,
                 lease_expires_at = NULL, lease_token = NULL, updated_at = ?3
             WHERE id = ?4 AND lease_token = ?5 AND status = 'processing'",
        )
        .and_then(|mut s| {
            s.execute(params![
                provider,
                provider_message_id,
                now.micros(),
                lease.id,
                lease.token.to_string()
            ])
        })
        .map_err(db_err)?;
    if n == 0 {
        return Ok(false);
    }
    let attempt = Attempt {
        at: now,
        provider: provider.to_owned(),
        outcome: "sent".into(),
        error: None,
        latency_ms,
    };
    insert_attempt(conn, lease.id, &attempt)?;
    Ok(true)
}

/// Records a failed attempt on a leased row; false if the lease is no longer current.
pub(crate) fn fail(
    conn: &Connection,
    lease: Lease,
    attempt: &Attempt,
    next: &NextStep,
    now: Timestamp,
) -> Result<bool, StoreError> {
    let (dead_now, retry_at, last_error) = match next {
        NextStep::Retry { at } => (false, Some(at.micros()), error_text(attempt)),
        NextStep::Dead { reason } => (true, None, reason.clone()),
    };
    let n = conn
        .prepare_cached(
            "UPDATE notification_queue
             SET status = CASE WHEN ?1 OR retry_count + 1 > max_retries
                               THEN 'dead' ELSE 'failed' END,
                 next_attempt_at = CASE WHEN ?1 OR retry_count + 1 > max_retries
                                        THEN NULL ELSE ?2 END,
                 retry_count = retry_count + 1, last_error = ?3, provider = ?4,
                 lease_owner = NULL, lease_expires_at = NULL, lease_token = NULL,
                 updated_at = ?5
             WHERE id = ?6 AND lease_token = ?7 AND status = 'processing'",
        )
        .and_then(|mut s| {
            s.execute(params![
                dead_now,
                retry_at,
                last_error,
                attempt.provider,
                now.micros(),
                lease.id,
                lease.token.to_string()
            ])
        })
        .map_err(db_err)?;
    if n == 0 {
        return Ok(false);
    }
    insert_attempt(conn, lease.id, attempt)?;
    Ok(true)
}

/// What `last_error` says after a retryable failure.
fn error_text(a: &Attempt) -> String {
    a.error.clone().unwrap_or_else(|| a.outcome.clone())
}

fn insert_attempt(conn: &Connection, id: i64, a: &Attempt) -> Result<(), StoreError> {
    conn.prepare_cached(
        "INSERT INTO notification_attempt (notification_id, at, provider, outcome, error,
             latency_ms)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )
    .and_then(|mut s| {
        s.execute(params![
            id,
            a.at.micros(),
            a.provider,
            a.outcome,
            a.error,
            a.latency_ms
        ])
    })
    .map_err(db_err)?;
    Ok(())
}

/// One row in `COLS` order. The outer `Result` is the driver's, the inner one bad data.
pub(super) fn decode(r: &Row<'_>) -> rusqlite::Result<Result<QueuedNotification, StoreError>> {
    let id: i64 = r.get(0)?;
    let context: String = r.get(10)?;
    let status: String = r.get(14)?;
    let token: Option<String> = r.get(23)?;
    let ts = |i: usize| -> rusqlite::Result<Option<Timestamp>> {
        Ok(r.get::<_, Option<i64>>(i)?.map(Timestamp))
    };
    let bad = |what: String| bad_data("notification_queue", id, what);
    let context = match serde_json::from_str(&context) {
        Ok(v) => v,
        Err(e) => return Ok(Err(bad(format!("context: {e}")))),
    };
    let status = match QueueStatus::parse(&status) {
        Ok(s) => s,
        Err(e) => return Ok(Err(bad(e.to_string()))),
    };
    let lease_token = match token.as_deref().map(Uuid::parse_str).transpose() {
        Ok(t) => t,
        Err(e) => return Ok(Err(bad(format!("lease_token: {e}")))),
    };
    Ok(Ok(QueuedNotification {
        id,
        idempotency_key: r.get(1)?,
        recipient_id: r.get(2)?,
        channel: r.get(3)?,
        notification_type: r.get(4)?,
        template_name: r.get(5)?,
        template_version: r.get(6)?,
        title: r.get(7)?,
        body: r.get(8)?,
        html_body: r.get(9)?,
        context,
        priority: r.get(11)?,
        scheduled_at: Timestamp(r.get(12)?),
        max_retries: r.get(13)?,
        status,
        retry_count: r.get(15)?,
        next_attempt_at: ts(16)?,
        last_error: r.get(17)?,
        provider: r.get(18)?,
        provider_message_id: r.get(19)?,
        sent_at: ts(20)?,
        lease_owner: r.get(21)?,
        lease_expires_at: ts(22)?,
        lease_token,
        created_at: Timestamp(r.get(24)?),
        updated_at: Timestamp(r.get(25)?),
    }))
}
