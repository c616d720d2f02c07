//! The queue summary's reads on SQLite: unfinished rows per channel (the partial depth index
//! `notification_queue_depth_idx`) and the newest failures (the status index, one bounded
//! range per status).

use crate::conn::{bad_data, db_err};
use gurumisha_core::queue::{ChannelDepth, FailureSample, QueueStatus};
use gurumisha_core::{StoreError, Timestamp};
use rusqlite::Connection;

pub(crate) fn channel_depth(
    conn: &Connection,
    now: Timestamp,
) -> Result<Vec<ChannelDepth>, StoreError> {
    let mut stmt = conn
        .prepare_cached(
            "SELECT channel, status, coalesce(next_attempt_at > ?1, 0), count(*)
             FROM notification_queue
             WHERE status IN ('pending', 'failed', 'processing')
             GROUP BY 1, 2, 3 ORDER BY 1",
        )
        .map_err(db_err)?;
    let mut rows = stmt.query([now.micros()]).map_err(db_err)?;
    let mut out: Vec<ChannelDepth> = Vec::new();
    while let Some(r) = rows.next().map_err(db_err)? {
        let channel: String = r.get(0).map_err(db_err)?;
        let status: String = r.get(1).map_err(db_err)?;
        let later: bool = r.get(2).map_err(db_err)?;
        let n: i64 = r.get(3).map_err(db_err)?;
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

pub(crate) fn recent_failures(
    conn: &Connection,
    per_status: u32,
) -> Result<Vec<FailureSample>, StoreError> {
    let mut stmt = conn
        .prepare_cached(
            "SELECT * FROM (SELECT id, status, channel, provider, last_error, updated_at
                 FROM notification_queue WHERE status = 'dead'
                 ORDER BY created_at DESC, id DESC LIMIT ?1)
             UNION ALL
             SELECT * FROM (SELECT id, status, channel, provider, last_error, updated_at
                 FROM notification_queue WHERE status = 'failed'
                 ORDER BY created_at DESC, id DESC LIMIT ?1)",
        )
        .map_err(db_err)?;
    let mut rows = stmt.query([i64::from(per_status)]).map_err(db_err)?;
    let mut out = Vec::new();
    while let Some(r) = rows.next().map_err(db_err)? {
        let id: i64 = r.get(0).map_err(db_err)?;
        let status: String = r.get(1).map_err(db_err)?;
        out.push(FailureSample {
            id,
            status: QueueStatus::parse(&status)
                .map_err(|e| bad_data("notification_queue", id, e))?,
            channel: r.get(2).map_err(db_err)?,
            provider: r.get(3).map_err(db_err)?,
            last_error: r.get(4).map_err(db_err)?,
            updated_at: Timestamp(r.get(5).map_err(db_err)?),
        });
    }
    Ok(out)
}
