//! Aggregates for the console's overview: counts, never rows. Each is one grouped query over
//! an index (the activity and audit `ts` indexes, the queue's `(channel, status)` index).

use crate::queue::{QueueCounts, QueueStatus};
use crate::{StoreError, Timestamp};
use async_trait::async_trait;

/// A day bucket: days since 1970-01-01 in the caller's UTC offset.
pub type Day = i64;

#[async_trait]
pub trait AnalyticsStore: Send + Sync + 'static {
    /// Activity rows with `from <= ts < to` per day, days taken in UTC shifted by `offset_us`
    /// (a time zone's offset), ascending; days without rows are absent.
    async fn activity_per_day(
        &self,
        from: Timestamp,
        to: Timestamp,
        offset_us: i64,
    ) -> Result<Vec<(Day, i64)>, StoreError>;

    /// The most frequent actions with `from <= ts < to`, most frequent first (ties by name).
    async fn top_actions(
        &self,
        from: Timestamp,
        to: Timestamp,
        limit: u32,
    ) -> Result<Vec<(String, i64)>, StoreError>;

    /// Audit rows with `from <= ts < to` per severity (absent severities are absent).
    async fn audit_severity_counts(
        &self,
        from: Timestamp,
        to: Timestamp,
    ) -> Result<Vec<(String, i64)>, StoreError>;

    /// Notifications per channel and status (the whole queue), channels by name.
    async fn channel_counts(&self) -> Result<Vec<(String, QueueCounts)>, StoreError>;
}

/// The day bucket of `ts` (µs since 1970) at `offset_us`, as the stores compute it.
pub fn day_of(ts: i64, offset_us: i64) -> Day {
    (ts + offset_us).div_euclid(86_400_000_000)
}

/// Folds `(channel, status, count)` rows, grouped by channel, into counts per channel.
pub fn counts_by_channel(
    rows: Vec<(String, String, i64)>,
) -> Result<Vec<(String, QueueCounts)>, StoreError> {
    let mut out: Vec<(String, QueueCounts)> = Vec::new();
    for (channel, status, n) in rows {
        let status = QueueStatus::parse(&status)
            .map_err(|e| StoreError::Database(format!("notification_queue: {e}")))?;
        match out.last_mut() {
            Some((c, counts)) if *c == channel => counts.add(status, n),
            _ => {
                let mut counts = QueueCounts::default();
                counts.add(status, n);
                out.push((channel, counts));
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_floor_in_the_offset() {
        let day = 86_400_000_000;
        let three_hours = 3 * 3_600_000_000;
        assert_eq!(day_of(0, 0), 0);
        assert_eq!(day_of(day - 1, 0), 0);
        // 22:00 UTC is the next day in Nairobi (UTC+3).
        assert_eq!(day_of(day - 2 * 3_600_000_000, three_hours), 1);
        assert_eq!(day_of(-1, 0), -1);
    }

    #[test]
    fn channel_rows_fold() {
        let rows = vec![
            ("email".into(), "sent".into(), 5),
            ("email".into(), "dead".into(), 1),
            ("sms".into(), "pending".into(), 2),
        ];
        let out = counts_by_channel(rows).unwrap();
        assert_eq!(out.len(), 2);
        assert_eq!((out[0].1.sent, out[0].1.dead), (5, 1));
        assert_eq!(out[1].1.pending, 2);
        assert!(counts_by_channel(vec![("x".into(), "lost".into(), 1)]).is_err());
    }
}
