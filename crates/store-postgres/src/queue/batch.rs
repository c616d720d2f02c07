//! Completing many leased rows in one statement: the worker collects the sends that finished
//! while the previous batch was being written and records them together, so a worker that
//! sends thousands of messages a second commits a few dozen times, not thousands.

use crate::convert::PgTs;
use crate::error::db;
use gurumisha_core::queue::Completion;
use gurumisha_core::{StoreError, Timestamp};
use sqlx::PgPool;
use std::collections::HashSet;
use uuid::Uuid;

/// Like `complete` for each row: only rows still processing under the given token change; the
/// attempts are appended in the same statement. Returns one flag per input, in order.
pub(crate) async fn complete_many(
    pool: &PgPool,
    done: Vec<Completion>,
    now: Timestamp,
) -> Result<Vec<bool>, StoreError> {
    if done.is_empty() {
        return Ok(Vec::new());
    }
    let ids: Vec<i64> = done.iter().map(|c| c.lease.id).collect();
    let tokens: Vec<Uuid> = done.iter().map(|c| c.lease.token).collect();
    let providers: Vec<&str> = done.iter().map(|c| c.provider.as_str()).collect();
    let message_ids: Vec<Option<&str>> = done
        .iter()
        .map(|c| c.provider_message_id.as_deref())
        .collect();
    let latencies: Vec<i64> = done.iter().map(|c| c.latency_ms).collect();
    let updated: Vec<i64> = sqlx::query_scalar(
        "WITH input AS (
             SELECT * FROM UNNEST($1::int8[], $2::uuid[], $3::text[], $4::text[], $5::int8[])
                 AS u(id, token, provider, message_id, latency_ms)
         ),
         upd AS (
             UPDATE notification_queue q
             SET status = 'sent', provider = i.provider, provider_message_id = i.message_id,
                 sent_at = $6, last_error = NULL, next_attempt_at = NULL, lease_owner = NULL,
                 lease_expires_at = NULL, lease_token = NULL, updated_at = $6
             FROM input i
             WHERE q.id = i.id AND q.lease_token = i.token AND q.status = 'processing'
             RETURNING q.id, i.provider, i.latency_ms
         ),
         att AS (
             INSERT INTO notification_attempt (notification_id, at, provider, outcome, error,
                 latency_ms)
             SELECT id, $6, provider, 'sent', NULL, latency_ms FROM upd
         )
         SELECT id FROM upd",
    )
    .bind(&ids)
    .bind(&tokens)
    .bind(&providers)
    .bind(&message_ids)
    .bind(&latencies)
    .bind(PgTs::checked(now)?)
    .fetch_all(pool)
    .await
    .map_err(db)?;
    let updated: HashSet<i64> = updated.into_iter().collect();
    Ok(ids.iter().map(|id| updated.contains(id)).collect())
}
