//! The notification queue on PostgreSQL, shared safely by many workers on many machines.
//!
//! - Enqueue is one `UNNEST` insert with `ON CONFLICT (idempotency_key) DO NOTHING`; rows whose
//!   key already existed get the existing id back. Rows go in key order, so two batches that
//!   share keys wait on each other in the same order and never deadlock.
//! - A claim is one statement: a CTE picks due rows in (priority, next_attempt_at, id) order
//!   `FOR UPDATE SKIP LOCKED` (concurrent claimers skip each other's rows instead of waiting)
//!   and the update leases them with a fresh `gen_random_uuid()` token each.
//! - Complete and fail update the row only while its lease token matches and append the
//!   attempt in the same statement, so a worker whose lease was taken over changes nothing.
//!
//! The console's verbs (bulk actions, counts, lists, cleanup) are in `console`; completing
//! many rows at once in `batch`; waking workers with LISTEN/NOTIFY in `listen`.

mod batch;
mod console;
mod listen;
mod summary;

pub(crate) use batch::complete_many;
pub(crate) use console::{bulk, cleanup, counts, get, list};
pub(crate) use listen::{Listen, ALERTS};
pub(crate) use summary::{channel_depth, recent_failures};

use crate::convert::PgTs;
use crate::error::db;
use gurumisha_core::queue::{
    Attempt, Lease, NewNotification, NextStep, QueueStatus, QueuedNotification,
};
use gurumisha_core::{StoreError, Timestamp};
use sqlx::postgres::PgRow;
use sqlx::{PgPool, Row};
use uuid::Uuid;

pub(crate) async fn enqueue(
    pool: &PgPool,
    rows: Vec<NewNotification>,
) -> Result<Vec<(i64, bool)>, StoreError> {
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let scheduled = rows
        .iter()
        .map(|r| PgTs::checked(r.scheduled_at))
        .collect::<Result<Vec<_>, _>>()?;
    let created = rows
        .iter()
        .map(|r| PgTs::checked(r.created_at))
        .collect::<Result<Vec<_>, _>>()?;
    let contexts = rows
        .iter()
        .map(|r| serde_json::to_string(&r.context))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| StoreError::Database(format!("context: {e}")))?;
    let col = |f: fn(&NewNotification) -> &str| rows.iter().map(f).collect::<Vec<_>>();
    let opt = |f: fn(&NewNotification) -> Option<&str>| rows.iter().map(f).collect::<Vec<_>>();
    let found: Vec<(i64, Option<i64>, bool)> = sqlx::query_as(
        "WITH input AS (
             SELECT * FROM UNNEST($1::text[], $2::int8[], $3::text[], $4::text[], $5::text[],
                 $6::int4[], $7::text[], $8::text[], $9::text[], $10::text[], $11::int2[],
                 $12::timestamptz[], $13::int4[], $14::timestamptz[])
             WITH ORDINALITY AS u(key, recipient_id, channel, notification_type, template_name,
                 template_version, title, body, html_body, context, priority, scheduled_at,
                 max_retries, created_at, ord)
         ),
         ins AS (
             INSERT INTO notification_queue (idempotency_key, recipient_id, channel,
                 notification_type, template_name, template_version, title, body, html_body,
                 context, priority, scheduled_at, max_retries, status, next_attempt_at,
                 created_at, updated_at)
             SELECT key, recipient_id, channel, notification_type, template_name,
                 template_version, title, body, html_body, context::jsonb, priority,
                 scheduled_at, max_retries, 'pending', scheduled_at, created_at, created_at
             FROM input ORDER BY key
             ON CONFLICT (idempotency_key) DO NOTHING
             RETURNING id, idempotency_key
         )
         SELECT i.ord, coalesce(ins.id, q.id),
                ins.id IS NOT NULL AND i.ord = min(i.ord) OVER (PARTITION BY i.key)
         FROM input i
         LEFT JOIN ins ON ins.idempotency_key = i.key
         LEFT JOIN notification_queue q ON q.idempotency_key = i.key
         -- Wakes listening workers (listen.rs) once when this insert commits: an uncorrelated
         -- sub-select runs once, and PostgreSQL keeps volatile outputs such as pg_notify.
         WHERE (SELECT count(*) FROM (SELECT pg_notify('gurumisha_queue', '') FROM ins LIMIT 1) n)
               >= 0
         ORDER BY i.ord",
    )
    .bind(col(|r| r.idempotency_key.as_str()))
    .bind(rows.iter().map(|r| r.recipient_id).collect::<Vec<_>>())
    .bind(col(|r| r.channel.as_str()))
    .bind(col(|r| r.notification_type.as_str()))
    .bind(opt(|r| r.template_name.as_deref()))
    .bind(rows.iter().map(|r| r.template_version).collect::<Vec<_>>())
    .bind(col(|r| r.title.as_str()))
    .bind(col(|r| r.body.as_str()))
    .bind(opt(|r| r.html_body.as_deref()))
    .bind(contexts)
    .bind(rows.iter().map(|r| r.priority).collect::<Vec<_>>())
    .bind(scheduled)
    .bind(rows.iter().map(|r| r.max_retries).collect::<Vec<_>>())
    .bind(created)
    .fetch_all(pool)
    .await
    .map_err(db)?;
    let mut out = Vec::with_capacity(rows.len());
    for (i, (_, id, created)) in found.into_iter().enumerate() {
        let id = match id {
            Some(id) => id,
            // Inserted by a transaction that committed while this statement waited on the
            // key: invisible to this statement's snapshot, visible to the next one.
            None => {
                sqlx::query_scalar("SELECT id FROM notification_queue WHERE idempotency_key = $1")
                    .bind(&rows[i].idempotency_key)
                    .fetch_one(pool)
                    .await
                    .map_err(db)?
            }
        };
        out.push((id, created));
    }
    Ok(out)
}

pub(crate) async fn claim(
    pool: &PgPool,
    owner: &str,
    batch: u32,
    lease_for_ms: i64,
    now: Timestamp,
) -> Result<Vec<(QueuedNotification, Lease)>, StoreError> {
    let expires = Timestamp(
        now.micros()
            .saturating_add(lease_for_ms.saturating_mul(1000)),
    );
    let rows = sqlx::query(
        "WITH picked AS (
             SELECT id, next_attempt_at AS due FROM notification_queue
             WHERE status IN ('pending', 'failed', 'processing') AND next_attempt_at <= $1
             ORDER BY priority, next_attempt_at, id
             LIMIT $2
             FOR UPDATE SKIP LOCKED
         )
         UPDATE notification_queue q
         SET status = 'processing', lease_owner = $3, lease_expires_at = $4,
             next_attempt_at = $4, lease_token = gen_random_uuid(), updated_at = $1
         FROM picked WHERE q.id = picked.id
         RETURNING picked.due, q.*",
    )
    .bind(PgTs::checked(now)?)
    .bind(i64::from(batch))
    .bind(owner)
    .bind(PgTs::checked(expires)?)
    .fetch_all(pool)
    .await
    .map_err(db)?;
    let mut out = rows
        .iter()
        .map(|r| {
            let due: PgTs = r.try_get("due").map_err(db)?;
            let n = decode(r)?;
            let token = n.lease_token.ok_or_else(|| {
                StoreError::Database(format!("notification {} claimed without a token", n.id))
            })?;
            Ok((due.ts(), n, token))
        })
        .collect::<Result<Vec<_>, StoreError>>()?;
    out.sort_by_key(|(due, n, _)| (n.priority, *due, n.id));
    Ok(out
        .into_iter()
        .map(|(_, n, token)| {
            let id = n.id;
            (n, Lease { id, token })
        })
        .collect())
}

pub(crate) async fn complete(
    pool: &PgPool,
    lease: Lease,
    provider: &str,
    provider_message_id: Option<&str>,
    latency_ms: i64,
    now: Timestamp,
) -> Result<bool, StoreError> {
    let done = sqlx::query(
        "WITH upd AS (
             UPDATE notification_queue
             SET status = 'sent', provider = $1, provider_message_id = $2, sent_at = $3,
                 last_error = NULL, next_attempt_at = NULL, lease_owner = NULL,
                 lease_expires_at = NULL, lease_token = NULL, updated_at = $3
             WHERE id = $4 AND lease_token = $5 AND status = 'processing'
             RETURNING id
         )
         INSERT INTO notification_attempt (notification_id, at, provider, outcome, error,
             latency_ms)
         SELECT id, $3, $1, 'sent', NULL, $6 FROM upd",
    )
    .bind(provider)
    .bind(provider_message_id)
    .bind(PgTs::checked(now)?)
    .bind(lease.id)
    .bind(lease.token)
    .bind(latency_ms)
    .execute(pool)
    .await
    .map_err(db)?;
    Ok(done.rows_affected() == 1)
}

pub(crate) async fn fail(
    pool: &PgPool,
    lease: Lease,
    attempt: Attempt,
    next: NextStep,
    now: Timestamp,
) -> Result<bool, StoreError> {
    let (dead_now, retry_at, last_error) = match next {
        NextStep::Retry { at } => (
            false,
            Some(PgTs::checked(at)?),
            attempt
                .error
                .clone()
                .unwrap_or_else(|| attempt.outcome.clone()),
        ),
        NextStep::Dead { reason } => (true, None, reason),
    };
    let done = sqlx::query(
        "WITH upd AS (
             UPDATE notification_queue
             SET status = CASE WHEN $1 OR retry_count + 1 > max_retries
                               THEN 'dead' ELSE 'failed' END,
                 next_attempt_at = CASE WHEN $1 OR retry_count + 1 > max_retries
                                        THEN NULL ELSE $2 END,
                 retry_count = retry_count + 1, last_error = $3, provider = $4,
                 lease_owner = NULL, lease_expires_at = NULL, lease_token = NULL,
                 updated_at = $5
             WHERE id = $6 AND lease_token = $7 AND status = 'processing'
             RETURNING id
         )
         INSERT INTO notification_attempt (notification_id, at, provider, outcome, error,
             latency_ms)
         SELECT id, $8, $4, $9, $10, $11 FROM upd",
    )
    .bind(dead_now)
    .bind(retry_at)
    .bind(last_error)
    .bind(&attempt.provider)
    .bind(PgTs::checked(now)?)
    .bind(lease.id)
    .bind(lease.token)
    .bind(PgTs::checked(attempt.at)?)
    .bind(&attempt.outcome)
    .bind(&attempt.error)
    .bind(attempt.latency_ms)
    .execute(pool)
    .await
    .map_err(db)?;
    Ok(done.rows_affected() == 1)
}

pub(super) fn decode(r: &PgRow) -> Result<QueuedNotification, StoreError> {
    let ts = |c: &str| r.try_get::<PgTs, _>(c).map(PgTs::ts);
    let opt_ts = |c: &str| r.try_get::<Option<PgTs>, _>(c).map(|v| v.map(PgTs::ts));
    let status: String = r.try_get("status").map_err(db)?;
    let status = QueueStatus::parse(&status)
        .map_err(|e| StoreError::Database(format!("notification_queue: {e}")))?;
    let n = (|| {
        Ok::<_, sqlx::Error>(QueuedNotification {
            id: r.try_get("id")?,
            idempotency_key: r.try_get("idempotency_key")?,
            recipient_id: r.try_get("recipient_id")?,
            channel: r.try_get("channel")?,
            notification_type: r.try_get("notification_type")?,
            template_name: r.try_get("template_name")?,
            template_version: r.try_get("template_version")?,
            title: r.try_get("title")?,
            body: r.try_get("body")?,
            html_body: r.try_get("html_body")?,
            context: r.try_get("context")?,
            priority: r.try_get("priority")?,
            scheduled_at: ts("scheduled_at")?,
            max_retries: r.try_get("max_retries")?,
            status,
            retry_count: r.try_get("retry_count")?,
            next_attempt_at: opt_ts("next_attempt_at")?,
            last_error: r.try_get("last_error")?,
            provider: r.try_get("provider")?,
            provider_message_id: r.try_get("provider_message_id")?,
            sent_at: opt_ts("sent_at")?,
            lease_owner: r.try_get("lease_owner")?,
            lease_expires_at: opt_ts("lease_expires_at")?,
            lease_token: r.try_get::<Option<Uuid>, _>("lease_token")?,
            created_at: ts("created_at")?,
            updated_at: ts("updated_at")?,
        })
    })()
    .map_err(db)?;
    Ok(n)
}
