-- Gurumisha Console, SQLite schema v1.
-- Timestamps are INTEGER microseconds since the Unix epoch (UTC); hashes are 32-byte BLOBs.
-- Forward-only: never edit this file once it has landed; add 0002_*.sql instead.

-- ---------------------------------------------------------------- platform tables

CREATE TABLE users (
    id            INTEGER PRIMARY KEY,
    username      TEXT    NOT NULL UNIQUE,
    first_name    TEXT    NOT NULL DEFAULT '',
    last_name     TEXT    NOT NULL DEFAULT '',
    email         TEXT    NOT NULL DEFAULT '',
    phone         TEXT,
    role          TEXT    NOT NULL DEFAULT 'customer',
    is_staff      INTEGER NOT NULL DEFAULT 0 CHECK (is_staff IN (0, 1)),
    is_active     INTEGER NOT NULL DEFAULT 1 CHECK (is_active IN (0, 1)),
    date_joined   INTEGER NOT NULL,
    time_zone     TEXT    NOT NULL DEFAULT 'Africa/Nairobi',
    password_hash TEXT    NOT NULL DEFAULT ''
);

CREATE TABLE cars (
    id         INTEGER PRIMARY KEY,
    make       TEXT    NOT NULL,
    model      TEXT    NOT NULL,
    year       INTEGER NOT NULL,
    vin        TEXT    NOT NULL UNIQUE,
    price_kes  INTEGER NOT NULL,
    status     TEXT    NOT NULL,
    created_at INTEGER NOT NULL
);

CREATE TABLE orders (
    id         INTEGER PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users (id),
    car_id     INTEGER NOT NULL REFERENCES cars (id),
    status     TEXT    NOT NULL,
    total_kes  INTEGER NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE INDEX orders_user ON orders (user_id);
CREATE INDEX orders_car ON orders (car_id);

CREATE TABLE import_orders (
    id             INTEGER PRIMARY KEY,
    user_id        INTEGER NOT NULL REFERENCES users (id),
    make           TEXT    NOT NULL,
    model          TEXT    NOT NULL,
    year           INTEGER NOT NULL,
    origin_country TEXT    NOT NULL,
    stage          TEXT    NOT NULL CHECK (stage IN
                       ('ordered', 'shipped', 'arrived_docked', 'customs', 'cleared', 'delivered')),
    created_at     INTEGER NOT NULL
);
CREATE INDEX import_orders_user ON import_orders (user_id);

CREATE TABLE inquiries (
    id         INTEGER PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users (id),
    car_id     INTEGER REFERENCES cars (id),
    subject    TEXT    NOT NULL,
    message    TEXT    NOT NULL,
    status     TEXT    NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE INDEX inquiries_user ON inquiries (user_id);

-- ---------------------------------------------------------------- activity log

-- No foreign key on user_id: logs outlive the users they mention.
CREATE TABLE activity_log (
    id             INTEGER PRIMARY KEY,
    ts             INTEGER NOT NULL,
    user_id        INTEGER,
    action         TEXT    NOT NULL,
    description    TEXT    NOT NULL,
    ip_address     TEXT,
    user_agent     TEXT,
    session_id     TEXT,
    request_id     TEXT,
    object_type    TEXT,
    object_id      TEXT,
    object_display TEXT,
    extra_data     TEXT    NOT NULL,
    outcome        TEXT    NOT NULL CHECK (outcome IN ('success', 'failure')),
    content_flags  TEXT    NOT NULL DEFAULT '[]'
);

-- Every list is newest first with a (ts, id) keyset, so each filter gets an index ending in ts:
-- SQLite appends the rowid (= id) to every index key, so (x, ts) is ordered by (x, ts, id) and a
-- page is an index range scan with no sort.
CREATE INDEX activity_ts          ON activity_log (ts);
CREATE INDEX activity_user        ON activity_log (user_id, ts);
CREATE INDEX activity_action      ON activity_log (action, ts);
CREATE INDEX activity_object_type ON activity_log (object_type, ts);
CREATE INDEX activity_object      ON activity_log (object_type, object_id, ts);

-- Free text: words of the description and of the object's display text, matched as prefixes.
-- columnsize = 0: results are never ranked, so per-row column sizes are not kept.
CREATE VIRTUAL TABLE activity_fts USING fts5 (
    description,
    object_display,
    content = 'activity_log',
    content_rowid = 'id',
    tokenize = 'unicode61',
    prefix = '2 3',
    columnsize = 0
);

-- IP address and session look-ups. Not B-tree indexes: IPs and sessions are many and arrive
-- in random order, so an (ip_address, ts) index dirties a different page for nearly every row
-- and each commit rewrote thousands of pages (1M-row bulk load: 18k rows/s with the two
-- indexes, about 90k rows/s with this table; SQLite 3.46, 2 cores). FTS5 writes its index as
-- sorted segments instead. Each row gets the tokens 'i' || hex(ip_address) and
-- 's' || hex(session_id): hex makes any value one exact token, so a match is an equality.
CREATE VIRTUAL TABLE activity_keys USING fts5 (
    keys,
    content = '',
    tokenize = 'ascii',
    detail = 'none',
    columnsize = 0
);

-- Merge 16 index segments at a time rather than 4: less rewriting while bulk loading (1M rows:
-- 92k -> 105k rows/s) and no measurable cost to searches at that size.
INSERT INTO activity_fts (activity_fts, rank) VALUES ('automerge', 16);
INSERT INTO activity_keys (activity_keys, rank) VALUES ('automerge', 16);

-- The store writes both full-text tables itself, after the activity rows of each insert and in
-- the same transaction (activity rows are never updated). Not a trigger: a trigger makes every
-- INSERT a multi-write statement with a statement savepoint, and FTS5 flushes its pending
-- index to disk at every savepoint, one tiny segment per row (bulk inserts ran 1.6x slower).

-- ---------------------------------------------------------------- audit log (hash chain)

CREATE TABLE audit_log (
    seq           INTEGER PRIMARY KEY,
    ts            INTEGER NOT NULL,
    user_id       INTEGER,
    action_type   TEXT    NOT NULL,
    table_name    TEXT    NOT NULL,
    record_id     TEXT,
    field_name    TEXT,
    old_value     TEXT,
    new_value     TEXT,
    severity      TEXT    NOT NULL CHECK (severity IN ('critical', 'high', 'medium', 'low')),
    description   TEXT    NOT NULL,
    ip_address    TEXT,
    user_agent    TEXT,
    change_set_id TEXT,
    content_flags TEXT    NOT NULL DEFAULT '[]',
    prev_hash     BLOB    NOT NULL,
    hash          BLOB    NOT NULL UNIQUE
);

-- As for activity: each index ends in ts, and the rowid (= seq) follows implicitly.
CREATE INDEX audit_ts           ON audit_log (ts);
CREATE INDEX audit_user         ON audit_log (user_id, ts);
CREATE INDEX audit_table        ON audit_log (table_name, ts);
CREATE INDEX audit_record       ON audit_log (table_name, record_id, ts);
CREATE INDEX audit_record_field ON audit_log (table_name, record_id, field_name, ts);
CREATE INDEX audit_field        ON audit_log (field_name, ts);
CREATE INDEX audit_action       ON audit_log (action_type, ts);
CREATE INDEX audit_severity     ON audit_log (severity, ts);
CREATE INDEX audit_change_set   ON audit_log (change_set_id, ts);

CREATE VIRTUAL TABLE audit_fts USING fts5 (
    description,
    content = 'audit_log',
    content_rowid = 'seq',
    tokenize = 'unicode61',
    prefix = '2 3',
    columnsize = 0
);

-- Written by the store after the rows of each append, like activity_fts (see there).

CREATE TABLE audit_checkpoint (
    seq       INTEGER PRIMARY KEY,
    head_hash BLOB    NOT NULL,
    signed_at INTEGER NOT NULL,
    key_id    TEXT    NOT NULL,
    signature BLOB    NOT NULL
);

-- Append-only, enforced by the database itself (tampering needs a raw file edit, which the
-- hash chain and the signed checkpoints then reveal).
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;
CREATE TRIGGER audit_checkpoint_no_update BEFORE UPDATE ON audit_checkpoint BEGIN
    SELECT RAISE(ABORT, 'audit_checkpoint is append-only');
END;
CREATE TRIGGER audit_checkpoint_no_delete BEFORE DELETE ON audit_checkpoint BEGIN
    SELECT RAISE(ABORT, 'audit_checkpoint is append-only');
END;
