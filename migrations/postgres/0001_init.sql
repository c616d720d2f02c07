-- Gurumisha Console, PostgreSQL schema v1. Forward-only: never edit once landed; add 0002_… .
--
-- Timestamps are timestamptz (microsecond precision, exactly what the core hashes). Hashes are
-- bytea of 32 bytes. The audit tables are append-only (triggers below) and the audit chain head
-- lives in a one-row table that every appender locks, so the chain never forks even with many
-- writers on many machines.

-- ---------------------------------------------------------------- platform tables
-- The Django platform owns these in production; the demo fills them and the console reads them.

CREATE TABLE users (
    id            bigserial PRIMARY KEY,
    username      text NOT NULL UNIQUE,
    first_name    text NOT NULL DEFAULT '',
    last_name     text NOT NULL DEFAULT '',
    email         text NOT NULL,
    phone         text NULL,
    role          text NOT NULL,
    is_staff      boolean NOT NULL DEFAULT false,
    is_active     boolean NOT NULL DEFAULT true,
    date_joined   timestamptz NOT NULL DEFAULT now(),
    time_zone     text NOT NULL DEFAULT 'Africa/Nairobi',
    password_hash text NOT NULL DEFAULT ''
);

CREATE TABLE cars (
    id         bigserial PRIMARY KEY,
    make       text NOT NULL,
    model      text NOT NULL,
    year       integer NOT NULL,
    vin        text NOT NULL UNIQUE,
    price_kes  bigint NOT NULL CHECK (price_kes >= 0),
    status     text NOT NULL CHECK (status IN ('available', 'reserved', 'sold', 'in_transit')),
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE orders (
    id         bigserial PRIMARY KEY,
    user_id    bigint NOT NULL REFERENCES users (id),
    car_id     bigint NOT NULL REFERENCES cars (id),
    status     text NOT NULL,
    total_kes  bigint NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX orders_user_idx ON orders (user_id);
CREATE INDEX orders_car_idx ON orders (car_id);

CREATE TABLE import_orders (
    id             bigserial PRIMARY KEY,
    user_id        bigint NOT NULL REFERENCES users (id),
    make           text NOT NULL,
    model          text NOT NULL,
    year           integer NOT NULL,
    origin_country text NOT NULL,
    stage          text NOT NULL
        CHECK (stage IN ('ordered', 'shipped', 'arrived_docked', 'customs', 'cleared', 'delivered')),
    created_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX import_orders_user_idx ON import_orders (user_id);

CREATE TABLE inquiries (
    id         bigserial PRIMARY KEY,
    user_id    bigint NOT NULL REFERENCES users (id),
    car_id     bigint NULL REFERENCES cars (id),
    subject    text NOT NULL,
    message    text NOT NULL,
    status     text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX inquiries_user_idx ON inquiries (user_id);

-- ---------------------------------------------------------------- activity log
-- user_id has no foreign key on purpose: logs outlive the users they mention.

CREATE TABLE activity_log (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    ts             timestamptz NOT NULL,
    user_id        bigint NULL,
    action         text NOT NULL,
    description    text NOT NULL,
    ip_address     inet NULL,
    user_agent     text NULL,
    session_id     text NULL,
    request_id     text NULL,
    object_type    text NULL,
    object_id      text NULL,
    object_display text NULL,
    extra_data     jsonb NOT NULL,
    outcome        text NOT NULL CHECK (outcome IN ('success', 'failure')),
    content_flags  text[] NOT NULL DEFAULT '{}',
    search         tsvector GENERATED ALWAYS AS (
        to_tsvector('simple', coalesce(description, '') || ' ' || coalesce(object_display, ''))
    ) STORED
);

-- One index per filter, each ending in (ts DESC, id DESC) so a filtered, newest-first keyset
-- page is a single index range scan however deep the page.
CREATE INDEX activity_log_ts_idx      ON activity_log (ts DESC, id DESC);
CREATE INDEX activity_log_user_idx    ON activity_log (user_id, ts DESC, id DESC);
CREATE INDEX activity_log_action_idx  ON activity_log (action, ts DESC, id DESC);
CREATE INDEX activity_log_object_idx  ON activity_log (object_type, object_id, ts DESC, id DESC);
CREATE INDEX activity_log_ip_idx      ON activity_log (ip_address, ts DESC, id DESC);
CREATE INDEX activity_log_session_idx ON activity_log (session_id, ts DESC, id DESC);
CREATE INDEX activity_log_search_idx  ON activity_log USING gin (search);

-- ---------------------------------------------------------------- audit log
-- old_value/new_value are text, not jsonb: the hash covers the exact stored bytes, and jsonb
-- would re-order keys and re-format numbers.

CREATE TABLE audit_log (
    seq           bigint PRIMARY KEY,
    ts            timestamptz NOT NULL,
    user_id       bigint NULL,
    action_type   text NOT NULL,
    table_name    text NOT NULL,
    record_id     text NULL,
    field_name    text NULL,
    old_value     text NULL,
    new_value     text NULL,
    severity      text NOT NULL CHECK (severity IN ('critical', 'high', 'medium', 'low')),
    description   text NOT NULL,
    ip_address    text NULL,
    user_agent    text NULL,
    change_set_id text NULL,
    content_flags text[] NOT NULL DEFAULT '{}',
    prev_hash     bytea NOT NULL CHECK (octet_length(prev_hash) = 32),
    hash          bytea NOT NULL UNIQUE CHECK (octet_length(hash) = 32),
    search        tsvector GENERATED ALWAYS AS (to_tsvector('simple', coalesce(description, ''))) STORED
);

CREATE INDEX audit_log_ts_idx         ON audit_log (ts DESC, seq DESC);
CREATE INDEX audit_log_user_idx       ON audit_log (user_id, ts DESC, seq DESC);
CREATE INDEX audit_log_record_idx     ON audit_log (table_name, record_id, ts DESC, seq DESC);
CREATE INDEX audit_log_field_idx      ON audit_log (table_name, record_id, field_name, ts DESC, seq DESC);
CREATE INDEX audit_log_field_name_idx ON audit_log (field_name, ts DESC, seq DESC);
CREATE INDEX audit_log_action_idx     ON audit_log (action_type, ts DESC, seq DESC);
CREATE INDEX audit_log_severity_idx   ON audit_log (severity, ts DESC, seq DESC);
CREATE INDEX audit_log_change_set_idx ON audit_log (change_set_id);
CREATE INDEX audit_log_search_idx     ON audit_log USING gin (search);

-- The chain head: one row, locked FOR UPDATE by every appender.
CREATE TABLE audit_chain_head (
    id        integer PRIMARY KEY CHECK (id = 1),
    last_seq  bigint NOT NULL,
    last_hash bytea NOT NULL CHECK (octet_length(last_hash) = 32)
);
INSERT INTO audit_chain_head (id, last_seq, last_hash) VALUES (1, 0, decode(repeat('00', 32), 'hex'));

-- Signed statements "row seq hashed to head_hash" (Ed25519; the key lives outside the database).
CREATE TABLE audit_checkpoint (
    seq       bigint PRIMARY KEY,
    head_hash bytea NOT NULL CHECK (octet_length(head_hash) = 32),
    signed_at timestamptz NOT NULL,
    key_id    text NOT NULL,
    signature bytea NOT NULL CHECK (octet_length(signature) = 64)
);

-- ---------------------------------------------------------------- append-only guard
-- Rows can be added, never changed or removed, by anyone who does not own the schema (an owner
-- can drop the trigger; the hash chain and the signed checkpoints catch that).

CREATE FUNCTION audit_append_only() RETURNS trigger
    LANGUAGE plpgsql AS
$$
BEGIN
    RAISE EXCEPTION 'audit_log is append-only (% on % refused)', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END;
$$;

CREATE TRIGGER audit_log_no_update_delete
    BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_append_only();
CREATE TRIGGER audit_log_no_truncate
    BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION audit_append_only();
CREATE TRIGGER audit_checkpoint_no_update_delete
    BEFORE UPDATE OR DELETE ON audit_checkpoint
    FOR EACH ROW EXECUTE FUNCTION audit_append_only();
CREATE TRIGGER audit_checkpoint_no_truncate
    BEFORE TRUNCATE ON audit_checkpoint
    FOR EACH STATEMENT EXECUTE FUNCTION audit_append_only();
