//! The queue summary's reads on PostgreSQL: unfinished rows per channel (the partial depth
//! index `notification_queue_depth_idx`) and the newest failures (the status index, one
//! bounded range per status).

use crate::convert::PgTs;
use crate::error::db;
use gurumisha_core::queue::{ChannelDepth, FailureSample, QueueStatus};
use gurumisha_core::{StoreError, Timestamp};
use sqlx::{PgPool, Row};

pub(crate) async fn channel_depth(
    pool: &PgPool,
    now: Timestamp,
) -> Result<Vec<ChannelDepth>, StoreError> {
    let rows: Vec<(String, String, bool, i64)> = sqlx::query_as(
        "SELECT channel, status, coalesce(next_attempt_at > $1, false), count(*)
         FROM notification_queue
         WHERE status IN ('pending', 'failed', 'processing')
         GROUP BY 1, 2, 3 ORDER BY 1",
    )
    .bind(PgTs(now.micros()).clamped())
    .fetch_all(pool)
    .await
    .map_err(db)?;
    let mut out: Vec<ChannelDepth> = Vec::new();
    for (channel, status, later, n) in rows {
        if out.last().is_none_or(|d| d.channel != channel) {
            out.push(ChannelDepth {
                channel,
                ..ChannelDepth::default()
            });
        }
        let d = out.last_mut().expect("pushed above");
        match status.as_str() {
            "pending" if later => d.scheduled += n,
            "pending" => d.due += n,
            "failed" => d.retrying += n,
            _ => d.processing += n,
        }
    }
    Ok(out)
}

pub(crate) async fn recent_failures(
    pool: &PgPool,
    per_status: u32,
) -> Result<Vec<FailureSample>, StoreError> {
    let rows = sqlx::query(
        "(SELECT id, status, channel, provider, last_error, updated_at
              FROM notification_queue WHERE status = 'dead'
              ORDER BY created_at DESC, id DESC LIMIT $1)
         UNION ALL
         (SELECT id, status, channel, provider, last_error, updated_at
              FROM notification_queue WHERE status = 'failed'
              ORDER BY created_at DESC, id DESC LIMIT $1)",
    )
    .bind(i64::from(per_status))
    .fetch_all(pool)
    .await
    .map_err(db)?;
    rows.iter()
        .map(|r| {
            let status: String = r.try_get("status").map_err(db)?;
            Ok(FailureSample {
                id: r.try_get("id").map_err(db)?,
                status: QueueStatus::parse(&status)
                    .map_err(|e| StoreError::Database(format!("notification_queue: {e}")))?,
                channel: r.try_get("channel").map_err(db)?,
                provider: r.try_get("provider").map_err(db)?,
                last_error: r.try_get("last_error").map_err(db)?,
                updated_at: r.try_get::<PgTs, _>("updated_at").map_err(db)?.ts(),
            })
        })
        .collect()
}
