-- Gurumisha Console, SQLite schema v7: desktop alerts. Forward-only.
--
-- Each operator chooses which alerts they get; no row means the defaults (critical audit
-- events and notifications that go dead). The console finds new dead notifications by
-- (updated_at, id) after its cursor: this partial index holds dead rows only.

CREATE TABLE operator_alert_settings (
    user_id            INTEGER PRIMARY KEY,
    critical_audit     INTEGER NOT NULL CHECK (critical_audit IN (0, 1)),
    high_audit         INTEGER NOT NULL CHECK (high_audit IN (0, 1)),
    dead_notifications INTEGER NOT NULL CHECK (dead_notifications IN (0, 1)),
    updated_at         INTEGER NOT NULL
);

CREATE INDEX notification_queue_dead_idx ON notification_queue (updated_at, id)
    WHERE status = 'dead';
