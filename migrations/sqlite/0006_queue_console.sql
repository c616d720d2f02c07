-- Gurumisha Console, SQLite schema v6: the console's queue summary. Forward-only.
--
-- Queue depth per channel splits pending rows into due and scheduled by `next_attempt_at`;
-- this partial index holds only unfinished rows, so the grouped count reads the index alone
-- (a covering scan) however many sent rows the table keeps.

CREATE INDEX notification_queue_depth_idx
    ON notification_queue (channel, status, next_attempt_at)
    WHERE status IN ('pending', 'failed', 'processing');
