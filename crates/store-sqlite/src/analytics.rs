//! The overview's aggregates (see `gurumisha_core::analytics`).

use crate::conn::db_err;
use crate::SqliteStore;
use async_trait::async_trait;
use gurumisha_core::analytics::{counts_by_channel, AnalyticsStore, Day};
use gurumisha_core::queue::QueueCounts;
use gurumisha_core::{StoreError, Timestamp};
use rusqlite::params;

#[async_trait]
impl AnalyticsStore for SqliteStore {
    async fn activity_per_day(
        &self,
        from: Timestamp,
        to: Timestamp,
        offset_us: i64,
    ) -> Result<Vec<(Day, i64)>, StoreError> {
        self.readers
            .read(move |c| {
                // A range scan of the covering `activity_ts` index; ts >= 0 here, and SQLite's
                // integer division truncates, so shifted times before 1970 are floored by hand.
                let mut stmt = c
                    .prepare_cached(
                        "SELECT CASE WHEN ts + ?3 >= 0 THEN (ts + ?3) / 86400000000
                                     ELSE -((-(ts + ?3) - 1) / 86400000000) - 1 END AS d,
                                count(*)
                         FROM activity_log WHERE ts >= ?1 AND ts < ?2
                         GROUP BY d ORDER BY d",
                    )
                    .map_err(db_err)?;
                let rows = stmt
                    .query_map(params![from.micros(), to.micros(), offset_us], |r| {
                        Ok((r.get(0)?, r.get(1)?))
                    })
                    .map_err(db_err)?;
                rows.collect::<Result<_, _>>().map_err(db_err)
            })
            .await
    }

    async fn top_actions(
        &self,
        from: Timestamp,
        to: Timestamp,
        limit: u32,
    ) -> Result<Vec<(String, i64)>, StoreError> {
        self.readers
            .read(move |c| {
                let mut stmt = c
                    .prepare_cached(
                        "SELECT action, count(*) AS n FROM activity_log
                         WHERE ts >= ?1 AND ts < ?2
                         GROUP BY action ORDER BY n DESC, action LIMIT ?3",
                    )
                    .map_err(db_err)?;
                let rows = stmt
                    .query_map(params![from.micros(), to.micros(), limit], |r| {
                        Ok((r.get(0)?, r.get(1)?))
                    })
                    .map_err(db_err)?;
                rows.collect::<Result<_, _>>().map_err(db_err)
            })
            .await
    }

    async fn audit_severity_counts(
        &self,
        from: Timestamp,
        to: Timestamp,
    ) -> Result<Vec<(String, i64)>, StoreError> {
        self.readers
            .read(move |c| {
                let mut stmt = c
                    .prepare_cached(
                        "SELECT severity, count(*) FROM audit_log
                         WHERE ts >= ?1 AND ts < ?2 GROUP BY severity ORDER BY severity",
                    )
                    .map_err(db_err)?;
                let rows = stmt
                    .query_map(params![from.micros(), to.micros()], |r| {
                        Ok((r.get(0)?, r.get(1)?))
                    })
                    .map_err(db_err)?;
                rows.collect::<Result<_, _>>().map_err(db_err)
            })
            .await
    }

    async fn channel_counts(&self) -> Result<Vec<(String, QueueCounts)>, StoreError> {
        let rows: Vec<(String, String, i64)> = self
            .readers
            .read(|c| {
                let mut stmt = c
                    .prepare_cached(
                        "SELECT channel, status, count(*) FROM notification_queue
                         GROUP BY channel, status ORDER BY channel",
                    )
                    .map_err(db_err)?;
                let rows = stmt
                    .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
                    .map_err(db_err)?;
                rows.collect::<Result<_, _>>().map_err(db_err)
            })
            .await?;
        counts_by_channel(rows)
    }
}
