//! The in-app inbox and its change feed.
//!
//! Ordering of the feed: `seq` comes from an identity sequence, and sequence values are handed
//! out at insert time, not at commit. Left alone, a transaction holding seq 5 could commit
//! after one holding seq 6, and a follower that had read 6 would never ask for 5 again. So
//! every transaction that appends changes first takes the feed's transaction-level advisory
//! lock, held until it commits: appends run one at a time and commit in seq order, and a
//! snapshot that sees a change sees every change with a smaller seq. The lock is taken as the
//! last step before the append (after the item rows are written and locked), so it is held
//! only for one insert and the commit, and no transaction waits for an item while holding it.
//! The `inbox_change` trigger NOTIFYs `gurumisha_inbox` with the user id at commit.

use super::LOCK_INBOX_FEED;
use crate::convert::PgTs;
use crate::error::db;
use gurumisha_core::notify_data::{InboxChange, InboxItem};
use gurumisha_core::query::{Cursor, Page, PageRequest, COUNT_CAP};
use gurumisha_core::{StoreError, Timestamp};
use sqlx::postgres::PgRow;
use sqlx::{PgConnection, PgPool, Postgres, QueryBuilder, Row};

fn decode(r: &PgRow) -> Result<InboxItem, StoreError> {
    (|| {
        Ok::<_, sqlx::Error>(InboxItem {
            id: r.try_get("id")?,
            user_id: r.try_get("user_id")?,
            notification_id: r.try_get("notification_id")?,
            notification_type: r.try_get("notification_type")?,
            title: r.try_get("title")?,
            body: r.try_get("body")?,
            created_at: r.try_get::<PgTs, _>("created_at")?.ts(),
            read_at: r.try_get::<Option<PgTs>, _>("read_at")?.map(PgTs::ts),
        })
    })()
    .map_err(db)
}

/// Appends one change per item (in the given order) under the feed lock; the caller commits.
async fn append_changes(
    tx: &mut PgConnection,
    user_id: i64,
    item_ids: &[i64],
    kind: &str,
    at: PgTs,
) -> Result<(), StoreError> {
    sqlx::query("SELECT pg_advisory_xact_lock($1, 0)")
        .bind(LOCK_INBOX_FEED)
        .execute(&mut *tx)
        .await
        .map_err(db)?;
    sqlx::query(
        "INSERT INTO inbox_change (user_id, item_id, kind, at)
         SELECT $1, item_id, $3, $4 FROM UNNEST($2::int8[]) WITH ORDINALITY AS u(item_id, ord)
         ORDER BY ord",
    )
    .bind(user_id)
    .bind(item_ids)
    .bind(kind)
    .bind(at)
    .execute(&mut *tx)
    .await
    .map_err(db)?;
    Ok(())
}

/// Inserts the item once per notification id and appends a `created` change.
pub(crate) async fn deliver(
    pool: &PgPool,
    user_id: i64,
    notification_id: i64,
    notification_type: &str,
    title: &str,
    body: &str,
    now: Timestamp,
) -> Result<InboxItem, StoreError> {
    let at = PgTs::checked(now)?;
    let mut tx = pool.begin().await.map_err(db)?;
    // A concurrent delivery of the same notification makes this wait for it; if that one
    // commits, this inserts nothing and the look-up below (a new snapshot) finds its item.
    let inserted = sqlx::query(
        "INSERT INTO inbox_item (user_id, notification_id, notification_type, title, body,
             created_at)
         VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (notification_id) DO NOTHING
         RETURNING *",
    )
    .bind(user_id)
    .bind(notification_id)
    .bind(notification_type)
    .bind(title)
    .bind(body)
    .bind(at)
    .fetch_optional(&mut *tx)
    .await
    .map_err(db)?;
    let Some(row) = inserted else {
        tx.rollback().await.map_err(db)?;
        let row = sqlx::query("SELECT * FROM inbox_item WHERE notification_id = $1")
            .bind(notification_id)
            .fetch_one(pool)
            .await
            .map_err(db)?;
        let existing = decode(&row)?;
        if existing.user_id != user_id {
            return Err(StoreError::Conflict(format!(
                "notification {notification_id} is already in the inbox of user {}, not {user_id}",
                existing.user_id
            )));
        }
        return Ok(existing);
    };
    let item = decode(&row)?;
    append_changes(&mut tx, user_id, &[item.id], "created", at).await?;
    tx.commit().await.map_err(db)?;
    Ok(item)
}

/// Newest first over `(created_at, id)`, keyset-paged.
pub(crate) async fn list(
    pool: &PgPool,
    user_id: i64,
    unread_only: bool,
    page: &PageRequest,
) -> Result<Page<InboxItem>, StoreError> {
    let mut q = QueryBuilder::<Postgres>::new("SELECT * FROM inbox_item WHERE user_id = ");
    q.push_bind(user_id);
    if unread_only {
        q.push(" AND read_at IS NULL");
    }
    if let Some(c) = page.after {
        let ts = PgTs(c.ts);
        if !ts.in_range() {
            return Err(StoreError::InvalidCursor);
        }
        q.push(" AND (created_at, id) < (")
            .push_bind(ts)
            .push(", ")
            .push_bind(c.id)
            .push(")");
    }
    q.push(" ORDER BY created_at DESC, id DESC LIMIT ")
        .push_bind(i64::from(page.limit) + 1);
    let rows = q.build().fetch_all(pool).await.map_err(db)?;
    let items = rows.iter().map(decode).collect::<Result<Vec<_>, _>>()?;
    Ok(Page::from_overfetch(items, page.limit, |i| Cursor {
        ts: i.created_at.micros(),
        id: i.id,
    }))
}

pub(crate) async fn unread_count(pool: &PgPool, user_id: i64) -> Result<i64, StoreError> {
    sqlx::query_scalar(
        "SELECT count(*) FROM (SELECT 1 FROM inbox_item
                               WHERE user_id = $1 AND read_at IS NULL LIMIT $2) s",
    )
    .bind(user_id)
    .bind(COUNT_CAP)
    .fetch_one(pool)
    .await
    .map_err(db)
}

/// Marks the user's unread items among `ids` read, once each, with a `read` change per item.
pub(crate) async fn mark_read(
    pool: &PgPool,
    user_id: i64,
    ids: &[i64],
    now: Timestamp,
) -> Result<u64, StoreError> {
    let at = PgTs::checked(now)?;
    let mut tx = pool.begin().await.map_err(db)?;
    // Rows are locked in id order (no deadlock between two overlapping calls); a row another
    // call marked read while this one waited is re-checked and left out.
    let mut changed: Vec<i64> = sqlx::query_scalar(
        "WITH target AS (
             SELECT id FROM inbox_item
             WHERE user_id = $1 AND id = ANY($2) AND read_at IS NULL
             ORDER BY id FOR UPDATE
         )
         UPDATE inbox_item i SET read_at = $3 FROM target
         WHERE i.id = target.id AND i.read_at IS NULL
         RETURNING i.id",
    )
    .bind(user_id)
    .bind(ids)
    .bind(at)
    .fetch_all(&mut *tx)
    .await
    .map_err(db)?;
    if changed.is_empty() {
        tx.rollback().await.map_err(db)?;
        return Ok(0);
    }
    changed.sort_unstable();
    append_changes(&mut tx, user_id, &changed, "read", at).await?;
    tx.commit().await.map_err(db)?;
    Ok(changed.len() as u64)
}

/// Changes after `after_seq`, oldest first.
pub(crate) async fn changes(
    pool: &PgPool,
    user_id: Option<i64>,
    after_seq: i64,
    limit: u32,
) -> Result<Vec<InboxChange>, StoreError> {
    let mut q = QueryBuilder::<Postgres>::new("SELECT * FROM inbox_change WHERE seq > ");
    q.push_bind(after_seq);
    if let Some(u) = user_id {
        q.push(" AND user_id = ").push_bind(u);
    }
    q.push(" ORDER BY seq LIMIT ").push_bind(i64::from(limit));
    let rows = q.build().fetch_all(pool).await.map_err(db)?;
    rows.iter()
        .map(|r| {
            (|| {
                Ok::<_, sqlx::Error>(InboxChange {
                    seq: r.try_get("seq")?,
                    user_id: r.try_get("user_id")?,
                    item_id: r.try_get("item_id")?,
                    kind: r.try_get("kind")?,
                    at: r.try_get::<PgTs, _>("at")?.ts(),
                })
            })()
            .map_err(db)
        })
        .collect()
}
