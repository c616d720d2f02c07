//! Digest buckets and their items. At most one *open* bucket exists per (recipient, channel,
//! window end) (a partial unique index). `due` closes the buckets it returns in the writer's
//! transaction, so an item added afterwards opens a fresh bucket instead of joining one whose
//! items a flusher has already read.

use crate::conn::db_err;
use gurumisha_core::notify_data::{DigestBucket, DigestItem, NewDigestItem};
use gurumisha_core::{StoreError, Timestamp};
use rusqlite::{params, Connection, OptionalExtension, Row};

const BUCKET_COLS: &str = "b.id, b.recipient_id, b.channel, b.window_start, b.window_end, \
     (SELECT count(*) FROM digest_item i WHERE i.bucket_id = b.id), b.flushed_at, \
     b.notification_id";

fn decode_bucket(r: &Row<'_>) -> rusqlite::Result<DigestBucket> {
    Ok(DigestBucket {
        id: r.get(0)?,
        recipient_id: r.get(1)?,
        channel: r.get(2)?,
        window_start: Timestamp(r.get(3)?),
        window_end: Timestamp(r.get(4)?),
        items: r.get(5)?,
        flushed_at: r.get::<_, Option<i64>>(6)?.map(Timestamp),
        notification_id: r.get(7)?,
    })
}

/// Adds the item to the open bucket of its key, opening one if needed (writer).
pub(crate) fn add(conn: &Connection, item: &NewDigestItem) -> Result<i64, StoreError> {
    let seen: Option<i64> = conn
        .prepare_cached("SELECT bucket_id FROM digest_item WHERE idempotency_key = ?1")
        .and_then(|mut s| {
            s.query_row([&item.idempotency_key], |r| r.get(0))
                .optional()
        })
        .map_err(db_err)?;
    if let Some(bucket) = seen {
        return Ok(bucket);
    }
    let open: Option<i64> = conn
        .prepare_cached(
            "SELECT id FROM digest_bucket
             WHERE recipient_id = ?1 AND channel = ?2 AND window_end = ?3
               AND closed_at IS NULL",
        )
        .and_then(|mut s| {
            s.query_row(
                params![item.recipient_id, item.channel, item.window_end.micros()],
                |r| r.get(0),
            )
            .optional()
        })
        .map_err(db_err)?;
    let bucket = match open {
        Some(id) => id,
        None => conn
            .prepare_cached(
                "INSERT INTO digest_bucket (recipient_id, channel, window_start, window_end,
                     created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5)
                 RETURNING id",
            )
            .and_then(|mut s| {
                s.query_row(
                    params![
                        item.recipient_id,
                        item.channel,
                        item.window_start.micros(),
                        item.window_end.micros(),
                        item.created_at.micros()
                    ],
                    |r| r.get(0),
                )
            })
            .map_err(db_err)?,
    };
    conn.prepare_cached(
        "INSERT INTO digest_item (bucket_id, idempotency_key, notification_type, title, body,
             created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )
    .and_then(|mut s| {
        s.execute(params![
            bucket,
            item.idempotency_key,
            item.notification_type,
            item.title,
            item.body,
            item.created_at.micros()
        ])
    })
    .map_err(db_err)?;
    Ok(bucket)
}

/// Unflushed buckets whose window ended by `now`, oldest window first; closes them (writer).
pub(crate) fn due(
    conn: &Connection,
    now: Timestamp,
    limit: u32,
) -> Result<Vec<DigestBucket>, StoreError> {
    conn.prepare_cached(
        "UPDATE digest_bucket SET closed_at = ?1
         WHERE closed_at IS NULL AND id IN (
             SELECT id FROM digest_bucket
             WHERE flushed_at IS NULL AND window_end <= ?1
             ORDER BY window_end, id LIMIT ?2)",
    )
    .and_then(|mut s| s.execute(params![now.micros(), limit]))
    .map_err(db_err)?;
    let sql = format!(
        "SELECT {BUCKET_COLS} FROM digest_bucket b
         WHERE b.flushed_at IS NULL AND b.window_end <= ?1
         ORDER BY b.window_end, b.id LIMIT ?2"
    );
    buckets(conn, &sql, params![now.micros(), limit])
}

/// Unflushed buckets, oldest window first (closes nothing).
pub(crate) fn pending(conn: &Connection, limit: u32) -> Result<Vec<DigestBucket>, StoreError> {
    let sql = format!(
        "SELECT {BUCKET_COLS} FROM digest_bucket b
         WHERE b.flushed_at IS NULL
         ORDER BY b.window_end, b.id LIMIT ?1"
    );
    buckets(conn, &sql, params![limit])
}

fn buckets(
    conn: &Connection,
    sql: &str,
    params: impl rusqlite::Params,
) -> Result<Vec<DigestBucket>, StoreError> {
    conn.prepare_cached(sql)
        .and_then(|mut s| {
            s.query_map(params, decode_bucket)?
                .collect::<Result<Vec<_>, _>>()
        })
        .map_err(db_err)
}

pub(crate) fn items(conn: &Connection, bucket_id: i64) -> Result<Vec<DigestItem>, StoreError> {
    conn.prepare_cached(
        "SELECT id, bucket_id, idempotency_key, notification_type, title, body, created_at
         FROM digest_item WHERE bucket_id = ?1 ORDER BY id",
    )
    .and_then(|mut s| {
        s.query_map([bucket_id], |r| {
            Ok(DigestItem {
                id: r.get(0)?,
                bucket_id: r.get(1)?,
                idempotency_key: r.get(2)?,
                notification_type: r.get(3)?,
                title: r.get(4)?,
                body: r.get(5)?,
                created_at: Timestamp(r.get(6)?),
            })
        })?
        .collect::<Result<Vec<_>, _>>()
    })
    .map_err(db_err)
}

/// Marks the bucket flushed (and closed) once; false if it already was (writer).
pub(crate) fn flush(
    conn: &Connection,
    bucket_id: i64,
    notification_id: i64,
    now: Timestamp,
) -> Result<bool, StoreError> {
    let n = conn
        .prepare_cached(
            "UPDATE digest_bucket
             SET flushed_at = ?1, closed_at = coalesce(closed_at, ?1), notification_id = ?2
             WHERE id = ?3 AND flushed_at IS NULL",
        )
        .and_then(|mut s| s.execute(params![now.micros(), notification_id, bucket_id]))
        .map_err(db_err)?;
    if n == 1 {
        return Ok(true);
    }
    let exists = conn
        .prepare_cached("SELECT 1 FROM digest_bucket WHERE id = ?1")
        .and_then(|mut s| s.exists([bucket_id]))
        .map_err(db_err)?;
    if exists {
        Ok(false)
    } else {
        Err(StoreError::NotFound(format!("digest bucket {bucket_id}")))
    }
}
