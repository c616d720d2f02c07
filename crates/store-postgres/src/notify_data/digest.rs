//! Digest buckets and their items. At most one *open* bucket exists per (recipient, channel,
//! window end): a partial unique index over buckets not yet closed.
//!
//! Adding locks the open bucket row (an upsert) until the item is committed; listing due
//! buckets closes them under `FOR UPDATE`. The two therefore serialise on the bucket row: an
//! add that got there first is committed (and counted) before the bucket closes, and an add
//! that comes after finds no open bucket for its key and opens a fresh one. So the items a
//! flusher reads after `due` are exactly the ones the bucket will ever hold.

use crate::convert::PgTs;
use crate::error::db;
use gurumisha_core::notify_data::{DigestBucket, DigestItem, NewDigestItem};
use gurumisha_core::{StoreError, Timestamp};
use sqlx::postgres::PgRow;
use sqlx::{PgPool, Row};

const BUCKET_COLS: &str = "b.id, b.recipient_id, b.channel, b.window_start, b.window_end, \
     (SELECT count(*) FROM digest_item i WHERE i.bucket_id = b.id) AS items, b.flushed_at, \
     b.notification_id";

fn decode_bucket(r: &PgRow) -> Result<DigestBucket, StoreError> {
    (|| {
        Ok::<_, sqlx::Error>(DigestBucket {
            id: r.try_get("id")?,
            recipient_id: r.try_get("recipient_id")?,
            channel: r.try_get("channel")?,
            window_start: r.try_get::<PgTs, _>("window_start")?.ts(),
            window_end: r.try_get::<PgTs, _>("window_end")?.ts(),
            items: r.try_get("items")?,
            flushed_at: r.try_get::<Option<PgTs>, _>("flushed_at")?.map(PgTs::ts),
            notification_id: r.try_get("notification_id")?,
        })
    })()
    .map_err(db)
}

async fn bucket_of(pool: &PgPool, key: &str) -> Result<Option<i64>, StoreError> {
    sqlx::query_scalar("SELECT bucket_id FROM digest_item WHERE idempotency_key = $1")
        .bind(key)
        .fetch_optional(pool)
        .await
        .map_err(db)
}

/// Adds the (validated) item to the open bucket of its key, opening one if needed.
pub(crate) async fn add(pool: &PgPool, item: NewDigestItem) -> Result<i64, StoreError> {
    if let Some(bucket) = bucket_of(pool, &item.idempotency_key).await? {
        return Ok(bucket);
    }
    let mut tx = pool.begin().await.map_err(db)?;
    // DO UPDATE (not DO NOTHING) so the id comes back and the row stays locked until commit.
    let bucket: i64 = sqlx::query_scalar(
        "INSERT INTO digest_bucket (recipient_id, channel, window_start, window_end, created_at)
         VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (recipient_id, channel, window_end) WHERE closed_at IS NULL
         DO UPDATE SET recipient_id = EXCLUDED.recipient_id
         RETURNING id",
    )
    .bind(item.recipient_id)
    .bind(&item.channel)
    .bind(PgTs::checked(item.window_start)?)
    .bind(PgTs::checked(item.window_end)?)
    .bind(PgTs::checked(item.created_at)?)
    .fetch_one(&mut *tx)
    .await
    .map_err(db)?;
    let added = sqlx::query(
        "INSERT INTO digest_item (bucket_id, idempotency_key, notification_type, title, body,
             created_at)
         VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (idempotency_key) DO NOTHING",
    )
    .bind(bucket)
    .bind(&item.idempotency_key)
    .bind(&item.notification_type)
    .bind(&item.title)
    .bind(&item.body)
    .bind(PgTs::checked(item.created_at)?)
    .execute(&mut *tx)
    .await
    .map_err(db)?;
    if added.rows_affected() == 1 {
        tx.commit().await.map_err(db)?;
        return Ok(bucket);
    }
    // A concurrent call stored the same key first: undo the bucket this one may have opened.
    tx.rollback().await.map_err(db)?;
    bucket_of(pool, &item.idempotency_key)
        .await?
        .ok_or_else(|| StoreError::Database("digest item vanished after a conflict".into()))
}

/// Unflushed buckets whose window ended by `now`, oldest window first; closes them.
pub(crate) async fn due(
    pool: &PgPool,
    now: Timestamp,
    limit: u32,
) -> Result<Vec<DigestBucket>, StoreError> {
    let now = PgTs::checked(now)?;
    let ids: Vec<i64> = sqlx::query_scalar(
        "WITH due AS (
             SELECT id FROM digest_bucket
             WHERE flushed_at IS NULL AND window_end <= $1
             ORDER BY window_end, id LIMIT $2
             FOR UPDATE
         ),
         closed AS (
             UPDATE digest_bucket b SET closed_at = $1 FROM due
             WHERE b.id = due.id AND b.closed_at IS NULL
         )
         SELECT id FROM due",
    )
    .bind(now)
    .bind(i64::from(limit))
    .fetch_all(pool)
    .await
    .map_err(db)?;
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    // A new statement, so the counts include every add that committed before the close.
    let sql = format!(
        "SELECT {BUCKET_COLS} FROM digest_bucket b
         WHERE b.id = ANY($1) AND b.flushed_at IS NULL
         ORDER BY b.window_end, b.id"
    );
    let rows = sqlx::query(&sql)
        .bind(ids)
        .fetch_all(pool)
        .await
        .map_err(db)?;
    rows.iter().map(decode_bucket).collect()
}

/// Unflushed buckets, oldest window first (closes nothing).
pub(crate) async fn pending(pool: &PgPool, limit: u32) -> Result<Vec<DigestBucket>, StoreError> {
    let sql = format!(
        "SELECT {BUCKET_COLS} FROM digest_bucket b
         WHERE b.flushed_at IS NULL
         ORDER BY b.window_end, b.id LIMIT $1"
    );
    let rows = sqlx::query(&sql)
        .bind(i64::from(limit))
        .fetch_all(pool)
        .await
        .map_err(db)?;
    rows.iter().map(decode_bucket).collect()
}

pub(crate) async fn items(pool: &PgPool, bucket_id: i64) -> Result<Vec<DigestItem>, StoreError> {
    let rows = sqlx::query("SELECT * FROM digest_item WHERE bucket_id = $1 ORDER BY id")
        .bind(bucket_id)
        .fetch_all(pool)
        .await
        .map_err(db)?;
    rows.iter()
        .map(|r| {
            (|| {
                Ok::<_, sqlx::Error>(DigestItem {
                    id: r.try_get("id")?,
                    bucket_id: r.try_get("bucket_id")?,
                    idempotency_key: r.try_get("idempotency_key")?,
                    notification_type: r.try_get("notification_type")?,
                    title: r.try_get("title")?,
                    body: r.try_get("body")?,
                    created_at: r.try_get::<PgTs, _>("created_at")?.ts(),
                })
            })()
            .map_err(db)
        })
        .collect()
}

/// Marks the bucket flushed (and closed) once: of two concurrent calls the second waits for
/// the first's row lock, re-checks `flushed_at IS NULL` and changes nothing.
pub(crate) async fn flush(
    pool: &PgPool,
    bucket_id: i64,
    notification_id: i64,
    now: Timestamp,
) -> Result<bool, StoreError> {
    let done = sqlx::query(
        "UPDATE digest_bucket
         SET flushed_at = $1, closed_at = coalesce(closed_at, $1), notification_id = $2
         WHERE id = $3 AND flushed_at IS NULL",
    )
    .bind(PgTs::checked(now)?)
    .bind(notification_id)
    .bind(bucket_id)
    .execute(pool)
    .await
    .map_err(db)?;
    if done.rows_affected() == 1 {
        return Ok(true);
    }
    let exists: bool =
        sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM digest_bucket WHERE id = $1)")
            .bind(bucket_id)
            .fetch_one(pool)
            .await
            .map_err(db)?;
    if exists {
        Ok(false)
    } else {
        Err(StoreError::NotFound(format!("digest bucket {bucket_id}")))
    }
}
