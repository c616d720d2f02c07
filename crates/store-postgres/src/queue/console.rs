//! The console's side of the PostgreSQL queue: bulk retry/cancel/requeue (a dry run counts
//! with the very same conditions), counts per status, filtered keyset lists, one notification
//! with its attempts, and cleanup of old sent and cancelled rows.

use super::decode;
use crate::convert::PgTs;
use crate::error::db;
use gurumisha_core::query::{Cursor, Page, PageRequest};
use gurumisha_core::queue::{
    Attempt, BulkAction, NotificationDetail, QueueCounts, QueueFilter, QueueStatus,
    QueuedNotification, Target,
};
use gurumisha_core::{StoreError, Timestamp};
use sqlx::{PgPool, Postgres, QueryBuilder, Row};

/// Appends a bulk action's conditions; `None` when nothing can match.
fn bulk_where(
    q: &mut QueryBuilder<'_, Postgres>,
    action: BulkAction,
    target: &Target,
) -> Option<()> {
    let filter_status = match target {
        Target::Filter(f) => f.status,
        Target::Ids(_) => None,
    };
    let statuses = action.statuses(filter_status);
    if statuses.is_empty() {
        return None;
    }
    q.push(" WHERE status = ANY(")
        .push_bind(statuses.iter().map(|s| s.to_string()).collect::<Vec<_>>())
        .push(")");
    match target {
        Target::Ids(ids) if ids.is_empty() => return None,
        Target::Ids(ids) => {
            q.push(" AND id = ANY(").push_bind(ids.clone()).push(")");
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

pub(crate) async fn bulk(
    pool: &PgPool,
    action: BulkAction,
    target: Target,
    dry_run: bool,
    now: Timestamp,
) -> Result<u64, StoreError> {
    let mut q = if dry_run {
        QueryBuilder::new("SELECT count(*) FROM notification_queue")
    } else {
        let reset = action.to_status() == QueueStatus::Pending;
        let mut q = QueryBuilder::new("UPDATE notification_queue SET status = ");
        q.push_bind(action.to_status().as_str())
            .push(", next_attempt_at = ")
            .push_bind(if reset {
                Some(PgTs::checked(now)?)
            } else {
                None
            })
            .push(", retry_count = CASE WHEN ")
            .push_bind(reset)
            .push(" THEN 0 ELSE retry_count END, lease_owner = NULL, lease_expires_at = NULL, ")
            .push("lease_token = NULL, updated_at = ")
            .push_bind(PgTs::checked(now)?);
        q
    };
    if bulk_where(&mut q, action, &target).is_none() {
        return Ok(0);
    }
    if dry_run {
        let n: i64 = q.build_query_scalar().fetch_one(pool).await.map_err(db)?;
        Ok(n as u64)
    } else {
        Ok(q.build().execute(pool).await.map_err(db)?.rows_affected())
    }
}

fn push_filter(q: &mut QueryBuilder<'_, Postgres>, f: &QueueFilter) {
    if let Some(v) = f.status {
        q.push(" AND status = ").push_bind(v.as_str());
    }
    if let Some(v) = &f.channel {
        q.push(" AND channel = ").push_bind(v.clone());
    }
    if let Some(v) = &f.provider {
        q.push(" AND provider = ").push_bind(v.clone());
    }
    if let Some(v) = &f.error_contains {
        q.push(" AND strpos(last_error, ")
            .push_bind(v.clone())
            .push(") > 0");
    }
    if let Some(v) = f.recipient_id {
        q.push(" AND recipient_id = ").push_bind(v);
    }
}

pub(crate) async fn counts(pool: &PgPool) -> Result<QueueCounts, StoreError> {
    let rows: Vec<(String, i64)> =
        sqlx::query_as("SELECT status, count(*) FROM notification_queue GROUP BY status")
            .fetch_all(pool)
            .await
            .map_err(db)?;
    let mut out = QueueCounts::default();
    for (status, n) in rows {
        let status = QueueStatus::parse(&status)
            .map_err(|e| StoreError::Database(format!("notification_queue: {e}")))?;
        out.add(status, n);
    }
    Ok(out)
}

pub(crate) async fn list(
    pool: &PgPool,
    filter: &QueueFilter,
    page: &PageRequest,
) -> Result<Page<QueuedNotification>, StoreError> {
    let mut q = QueryBuilder::new("SELECT * FROM notification_queue WHERE true");
    push_filter(&mut q, filter);
    if let Some(c) = page.after {
        let ts = PgTs(c.ts).clamped();
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
    Ok(Page::from_overfetch(items, page.limit, |n| Cursor {
        ts: n.created_at.micros(),
        id: n.id,
    }))
}

pub(crate) async fn get(pool: &PgPool, id: i64) -> Result<Option<NotificationDetail>, StoreError> {
    let Some(row) = sqlx::query("SELECT * FROM notification_queue WHERE id = $1")
        .bind(id)
        .fetch_optional(pool)
        .await
        .map_err(db)?
    else {
        return Ok(None);
    };
    let notification = decode(&row)?;
    let attempts = sqlx::query(
        "SELECT at, provider, outcome, error, latency_ms FROM notification_attempt
         WHERE notification_id = $1 ORDER BY id",
    )
    .bind(id)
    .fetch_all(pool)
    .await
    .map_err(db)?
    .iter()
    .map(|r| {
        Ok(Attempt {
            at: r.try_get::<PgTs, _>("at")?.ts(),
            provider: r.try_get("provider")?,
            outcome: r.try_get("outcome")?,
            error: r.try_get("error")?,
            latency_ms: r.try_get("latency_ms")?,
        })
    })
    .collect::<Result<Vec<_>, sqlx::Error>>()
    .map_err(db)?;
    Ok(Some(NotificationDetail {
        notification,
        attempts,
    }))
}

pub(crate) async fn cleanup(pool: &PgPool, older_than: Timestamp) -> Result<u64, StoreError> {
    let done = sqlx::query(
        "DELETE FROM notification_queue
         WHERE status IN ('sent', 'cancelled') AND updated_at < $1",
    )
    .bind(PgTs(older_than.micros()).clamped())
    .execute(pool)
    .await
    .map_err(db)?;
    Ok(done.rows_affected())
}
