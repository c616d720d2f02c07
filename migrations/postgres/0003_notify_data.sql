-- Gurumisha Console, PostgreSQL schema v3: notification data besides the queue. Forward-only.
--
-- Templates keep every version: (name, channel, version) is the key and a row never changes.
-- Writers of one (name, channel) serialise on a transaction-level advisory lock, and the key
-- turns any slip into an error rather than a duplicate version.
--
-- The inbox change feed: `seq` comes from an identity sequence, and every transaction that
-- appends changes first takes one transaction-level advisory lock (held until it commits), so
-- changes commit in `seq` order and a follower that asks for "seq > N" never misses one that
-- commits later with a smaller seq. An AFTER INSERT trigger NOTIFYs `gurumisha_inbox` with the
-- user id (delivered at commit), so followers LISTEN instead of polling.
--
-- Digest buckets: at most one *open* bucket per (recipient, channel, window end). A bucket is
-- closed when a flusher lists it as due (or flushes it); a later item for the same window
-- opens a fresh bucket, due at once, so it is neither lost nor merged into a sent digest.

CREATE TABLE notification_template (
    name                text NOT NULL,
    channel             text NOT NULL,
    version             bigint NOT NULL CHECK (version >= 1),
    notification_type   text NOT NULL,
    subject_template    text NULL,
    body_template       text NOT NULL,
    html_body_template  text NULL,
    available_variables text[] NOT NULL DEFAULT '{}',
    priority            smallint NOT NULL CHECK (priority BETWEEN 1 AND 5),
    active              boolean NOT NULL,
    edited_by           text NULL,
    note                text NULL,
    created_at          timestamptz NOT NULL,
    PRIMARY KEY (name, channel, version)
);

CREATE TABLE notification_preferences (
    user_id     bigint PRIMARY KEY,
    preferences jsonb NOT NULL CHECK (jsonb_typeof(preferences) = 'object'),
    updated_at  timestamptz NOT NULL
);

CREATE TABLE notification_decision (
    id                bigserial PRIMARY KEY,
    send_key          text NOT NULL,
    recipient_id      bigint NOT NULL,
    channel           text NOT NULL,
    notification_type text NOT NULL,
    decision          text NOT NULL CHECK (decision IN ('send', 'skip', 'defer', 'digest')),
    reason            text NOT NULL,
    notification_id   bigint NULL,
    digest_bucket_id  bigint NULL,
    until             timestamptz NULL,
    decided_at        timestamptz NOT NULL
);
CREATE INDEX notification_decision_send_key_idx ON notification_decision (send_key, id);
CREATE INDEX notification_decision_notification_idx ON notification_decision (notification_id, id)
    WHERE notification_id IS NOT NULL;
CREATE INDEX notification_decision_recipient_idx ON notification_decision (recipient_id, id);

CREATE TABLE inbox_item (
    id                bigserial PRIMARY KEY,
    user_id           bigint NOT NULL,
    notification_id   bigint NOT NULL,
    notification_type text NOT NULL,
    title             text NOT NULL,
    body              text NOT NULL,
    created_at        timestamptz NOT NULL,
    read_at           timestamptz NULL
);
CREATE UNIQUE INDEX inbox_item_notification_idx ON inbox_item (notification_id);
CREATE INDEX inbox_item_user_idx ON inbox_item (user_id, created_at, id);
CREATE INDEX inbox_item_unread_idx ON inbox_item (user_id, created_at, id) WHERE read_at IS NULL;

CREATE TABLE inbox_change (
    seq     bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id bigint NOT NULL,
    item_id bigint NOT NULL REFERENCES inbox_item (id),
    kind    text NOT NULL CHECK (kind IN ('created', 'read')),
    at      timestamptz NOT NULL
);
CREATE INDEX inbox_change_user_idx ON inbox_change (user_id, seq);

CREATE FUNCTION inbox_change_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('gurumisha_inbox', NEW.user_id::text);
    RETURN NULL;
END
$$;
CREATE TRIGGER inbox_change_notify AFTER INSERT ON inbox_change
    FOR EACH ROW EXECUTE FUNCTION inbox_change_notify();

CREATE TABLE digest_bucket (
    id              bigserial PRIMARY KEY,
    recipient_id    bigint NOT NULL,
    channel         text NOT NULL,
    window_start    timestamptz NOT NULL,
    window_end      timestamptz NOT NULL CHECK (window_end > window_start),
    created_at      timestamptz NOT NULL,
    closed_at       timestamptz NULL,
    flushed_at      timestamptz NULL,
    notification_id bigint NULL,
    CHECK (flushed_at IS NULL OR closed_at IS NOT NULL)
);
CREATE UNIQUE INDEX digest_bucket_open_idx ON digest_bucket (recipient_id, channel, window_end)
    WHERE closed_at IS NULL;
CREATE INDEX digest_bucket_unflushed_idx ON digest_bucket (window_end, id)
    WHERE flushed_at IS NULL;

CREATE TABLE digest_item (
    id                bigserial PRIMARY KEY,
    bucket_id         bigint NOT NULL REFERENCES digest_bucket (id),
    idempotency_key   text NOT NULL,
    notification_type text NOT NULL,
    title             text NOT NULL,
    body              text NOT NULL,
    created_at        timestamptz NOT NULL
);
CREATE UNIQUE INDEX digest_item_key_idx ON digest_item (idempotency_key);
CREATE INDEX digest_item_bucket_idx ON digest_item (bucket_id, id);

CREATE TABLE push_subscription (
    endpoint   text PRIMARY KEY,
    user_id    bigint NOT NULL,
    p256dh     text NOT NULL,
    auth       text NOT NULL,
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL
);
CREATE INDEX push_subscription_user_idx ON push_subscription (user_id);
