-- Gurumisha Console, SQLite schema v2: the durable notification queue.
-- Timestamps are INTEGER microseconds since the Unix epoch (UTC). Forward-only.
--
-- `next_attempt_at` is when a worker may next take the row: the scheduled time while pending,
-- the retry time while failed, the lease expiry while processing, NULL once final. Claims read
-- the partial index `notification_queue_due_idx` in (priority, next_attempt_at, id) order.

CREATE TABLE notification_queue (
    id                  INTEGER PRIMARY KEY,
    idempotency_key     TEXT    NOT NULL,
    recipient_id        INTEGER NOT NULL,
    channel             TEXT    NOT NULL,
    notification_type   TEXT    NOT NULL,
    template_name       TEXT,
    template_version    INTEGER,
    title               TEXT    NOT NULL,
    body                TEXT    NOT NULL,
    html_body           TEXT,
    context             TEXT    NOT NULL DEFAULT '{}',
    priority            INTEGER NOT NULL DEFAULT 3 CHECK (priority BETWEEN 1 AND 5),
    scheduled_at        INTEGER NOT NULL,
    max_retries         INTEGER NOT NULL DEFAULT 3 CHECK (max_retries >= 0),
    status              TEXT    NOT NULL DEFAULT 'pending' CHECK (status IN
                            ('pending', 'processing', 'sent', 'failed', 'dead', 'cancelled')),
    retry_count         INTEGER NOT NULL DEFAULT 0,
    next_attempt_at     INTEGER,
    last_error          TEXT,
    provider            TEXT,
    provider_message_id TEXT,
    sent_at             INTEGER,
    lease_owner         TEXT,
    lease_expires_at    INTEGER,
    lease_token         TEXT,
    created_at          INTEGER NOT NULL,
    updated_at          INTEGER NOT NULL
);

CREATE UNIQUE INDEX notification_queue_key_idx ON notification_queue (idempotency_key);
CREATE INDEX notification_queue_due_idx ON notification_queue (priority, next_attempt_at, id)
    WHERE status IN ('pending', 'failed', 'processing');
CREATE INDEX notification_queue_created_idx ON notification_queue (created_at, id);
CREATE INDEX notification_queue_status_idx ON notification_queue (status, created_at, id);
CREATE INDEX notification_queue_recipient_idx ON notification_queue (recipient_id, created_at, id);
CREATE INDEX notification_queue_channel_idx ON notification_queue (channel, status);
CREATE INDEX notification_queue_provider_idx ON notification_queue (provider, status);
CREATE INDEX notification_queue_final_idx ON notification_queue (updated_at)
    WHERE status IN ('sent', 'cancelled');

CREATE TABLE notification_attempt (
    id              INTEGER PRIMARY KEY,
    notification_id INTEGER NOT NULL REFERENCES notification_queue (id) ON DELETE CASCADE,
    at              INTEGER NOT NULL,
    provider        TEXT    NOT NULL,
    outcome         TEXT    NOT NULL,
    error           TEXT,
    latency_ms      INTEGER NOT NULL
);
CREATE INDEX notification_attempt_notification_idx ON notification_attempt (notification_id, id);
