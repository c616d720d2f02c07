-- Gurumisha Console, PostgreSQL schema v2: the durable notification queue. Forward-only.
--
-- `next_attempt_at` is when a worker may next take the row: the scheduled time while pending,
-- the retry time while failed, the lease expiry while processing, NULL once final. Workers
-- claim through the partial index `notification_queue_due_idx` in (priority, next_attempt_at,
-- id) order with FOR UPDATE SKIP LOCKED, so many workers on many machines share the queue.

CREATE TABLE notification_queue (
    id                  bigserial PRIMARY KEY,
    idempotency_key     text NOT NULL,
    recipient_id        bigint NOT NULL,
    channel             text NOT NULL,
    notification_type   text NOT NULL,
    template_name       text NULL,
    template_version    integer NULL,
    title               text NOT NULL,
    body                text NOT NULL,
    html_body           text NULL,
    context             jsonb NOT NULL DEFAULT '{}'::jsonb,
    priority            smallint NOT NULL DEFAULT 3 CHECK (priority BETWEEN 1 AND 5),
    scheduled_at        timestamptz NOT NULL,
    max_retries         integer NOT NULL DEFAULT 3 CHECK (max_retries >= 0),
    status              text NOT NULL DEFAULT 'pending' CHECK (status IN
                            ('pending', 'processing', 'sent', 'failed', 'dead', 'cancelled')),
    retry_count         integer NOT NULL DEFAULT 0,
    next_attempt_at     timestamptz NULL,
    last_error          text NULL,
    provider            text NULL,
    provider_message_id text NULL,
    sent_at             timestamptz NULL,
    lease_owner         text NULL,
    lease_expires_at    timestamptz NULL,
    lease_token         uuid NULL,
    created_at          timestamptz NOT NULL,
    updated_at          timestamptz NOT NULL
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
    id              bigserial PRIMARY KEY,
    notification_id bigint NOT NULL REFERENCES notification_queue (id) ON DELETE CASCADE,
    at              timestamptz NOT NULL,
    provider        text NOT NULL,
    outcome         text NOT NULL,
    error           text NULL,
    latency_ms      bigint NOT NULL
);
CREATE INDEX notification_attempt_notification_idx ON notification_attempt (notification_id, id);
