-- Gurumisha Console, SQLite schema v3: notification data besides the queue. Forward-only.
-- Timestamps are INTEGER microseconds since the Unix epoch (UTC); JSON is TEXT.
--
-- Templates keep every version: (name, channel, version) is the key and a row never changes.
-- The inbox change feed's `seq` is an AUTOINCREMENT key: the single writer appends changes in
-- commit order, so a follower that asks for "seq > N" never misses one.
-- Digest buckets: at most one *open* bucket per (recipient, channel, window end). A bucket is
-- closed when a flusher lists it as due (or flushes it); a later item for the same window
-- opens a fresh bucket, due at once, so it is neither lost nor merged into a sent digest.

CREATE TABLE notification_template (
    name                TEXT    NOT NULL,
    channel             TEXT    NOT NULL,
    version             INTEGER NOT NULL CHECK (version >= 1),
    notification_type   TEXT    NOT NULL,
    subject_template    TEXT,
    body_template       TEXT    NOT NULL,
    html_body_template  TEXT,
    available_variables TEXT    NOT NULL DEFAULT '[]',
    priority            INTEGER NOT NULL CHECK (priority BETWEEN 1 AND 5),
    active              INTEGER NOT NULL CHECK (active IN (0, 1)),
    edited_by           TEXT,
    note                TEXT,
    created_at          INTEGER NOT NULL,
    PRIMARY KEY (name, channel, version)
) WITHOUT ROWID;

CREATE TABLE notification_preferences (
    user_id     INTEGER PRIMARY KEY,
    preferences TEXT    NOT NULL,
    updated_at  INTEGER NOT NULL
);

CREATE TABLE notification_decision (
    id                INTEGER PRIMARY KEY,
    send_key          TEXT    NOT NULL,
    recipient_id      INTEGER NOT NULL,
    channel           TEXT    NOT NULL,
    notification_type TEXT    NOT NULL,
    decision          TEXT    NOT NULL CHECK (decision IN ('send', 'skip', 'defer', 'digest')),
    reason            TEXT    NOT NULL,
    notification_id   INTEGER,
    digest_bucket_id  INTEGER,
    until             INTEGER,
    decided_at        INTEGER NOT NULL
);
CREATE INDEX notification_decision_send_key_idx ON notification_decision (send_key, id);
CREATE INDEX notification_decision_notification_idx ON notification_decision (notification_id, id)
    WHERE notification_id IS NOT NULL;
CREATE INDEX notification_decision_recipient_idx ON notification_decision (recipient_id, id);

CREATE TABLE inbox_item (
    id                INTEGER PRIMARY KEY,
    user_id           INTEGER NOT NULL,
    notification_id   INTEGER NOT NULL,
    notification_type TEXT    NOT NULL,
    title             TEXT    NOT NULL,
    body              TEXT    NOT NULL,
    created_at        INTEGER NOT NULL,
    read_at           INTEGER
);
CREATE UNIQUE INDEX inbox_item_notification_idx ON inbox_item (notification_id);
CREATE INDEX inbox_item_user_idx ON inbox_item (user_id, created_at, id);
CREATE INDEX inbox_item_unread_idx ON inbox_item (user_id, created_at, id) WHERE read_at IS NULL;

CREATE TABLE inbox_change (
    seq     INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id INTEGER NOT NULL,
    item_id INTEGER NOT NULL REFERENCES inbox_item (id),
    kind    TEXT    NOT NULL CHECK (kind IN ('created', 'read')),
    at      INTEGER NOT NULL
);
CREATE INDEX inbox_change_user_idx ON inbox_change (user_id, seq);

CREATE TABLE digest_bucket (
    id              INTEGER PRIMARY KEY,
    recipient_id    INTEGER NOT NULL,
    channel         TEXT    NOT NULL,
    window_start    INTEGER NOT NULL,
    window_end      INTEGER NOT NULL CHECK (window_end > window_start),
    created_at      INTEGER NOT NULL,
    closed_at       INTEGER,
    flushed_at      INTEGER,
    notification_id INTEGER,
    CHECK (flushed_at IS NULL OR closed_at IS NOT NULL)
);
CREATE UNIQUE INDEX digest_bucket_open_idx ON digest_bucket (recipient_id, channel, window_end)
    WHERE closed_at IS NULL;
CREATE INDEX digest_bucket_unflushed_idx ON digest_bucket (window_end, id)
    WHERE flushed_at IS NULL;

CREATE TABLE digest_item (
    id                INTEGER PRIMARY KEY,
    bucket_id         INTEGER NOT NULL REFERENCES digest_bucket (id),
    idempotency_key   TEXT    NOT NULL,
    notification_type TEXT    NOT NULL,
    title             TEXT    NOT NULL,
    body              TEXT    NOT NULL,
    created_at        INTEGER NOT NULL
);
CREATE UNIQUE INDEX digest_item_key_idx ON digest_item (idempotency_key);
CREATE INDEX digest_item_bucket_idx ON digest_item (bucket_id, id);

CREATE TABLE push_subscription (
    endpoint   TEXT    PRIMARY KEY,
    user_id    INTEGER NOT NULL,
    p256dh     TEXT    NOT NULL,
    auth       TEXT    NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX push_subscription_user_idx ON push_subscription (user_id);
