-- Gurumisha Console, PostgreSQL schema v7: desktop alerts. Forward-only.
--
-- Each operator chooses which alerts they get; no row means the defaults (critical audit
-- events and notifications that go dead). The console finds new dead notifications by
-- (updated_at, id) after its cursor: this partial index holds dead rows only.
--
-- Consoles LISTEN on `gurumisha_alerts`: a critical or high audit row, or a notification
-- going dead, notifies it when its transaction commits (identical payloads in one transaction
-- are folded into one notification by PostgreSQL, so a bulk load sends one, not thousands).
-- The notification is a hint; consoles read what is new from the tables.

CREATE TABLE operator_alert_settings (
    user_id            bigint PRIMARY KEY,
    critical_audit     boolean NOT NULL,
    high_audit         boolean NOT NULL,
    dead_notifications boolean NOT NULL,
    updated_at         timestamptz NOT NULL
);

CREATE INDEX notification_queue_dead_idx ON notification_queue (updated_at, id)
    WHERE status = 'dead';

CREATE FUNCTION gurumisha_notify_alert() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('gurumisha_alerts', TG_TABLE_NAME);
    RETURN NULL;
END
$$;

CREATE TRIGGER audit_log_alert AFTER INSERT ON audit_log
    FOR EACH ROW WHEN (NEW.severity IN ('critical', 'high'))
    EXECUTE FUNCTION gurumisha_notify_alert();

CREATE TRIGGER notification_queue_alert AFTER UPDATE OF status ON notification_queue
    FOR EACH ROW WHEN (NEW.status = 'dead' AND OLD.status IS DISTINCT FROM 'dead')
    EXECUTE FUNCTION gurumisha_notify_alert();
