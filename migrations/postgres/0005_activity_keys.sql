-- Gurumisha Console, PostgreSQL schema v5: IP address and session look-ups through one GIN
-- index instead of two B-trees.
--
-- IP addresses and session ids are many and arrive in random order, so each of the two
-- (value, ts, id) B-trees took an insert at a random leaf for every row: a third of the bulk
-- insert cost at a million rows (100k-row INSERT: 2.3 s with them, 1.7 s without). A GIN
-- index takes new entries into its pending list and merges them in sorted batches. Each row
-- gets the 64-bit hashes of 'i' || host(ip_address) and 's' || session_id; a filter looks up
-- the hash and re-checks the column itself, so a hash collision costs a row, never a wrong
-- answer. SQLite does the same with exact tokens in an FTS5 table (its migration 0001).

ALTER TABLE activity_log ADD COLUMN lookup_keys bigint[] GENERATED ALWAYS AS (
    array_remove(ARRAY[
        hashtextextended('i' || host(ip_address), 0),
        hashtextextended('s' || session_id, 0)
    ], NULL)
) STORED;

CREATE INDEX activity_log_keys_idx ON activity_log USING gin (lookup_keys);
DROP INDEX activity_log_ip_idx;
DROP INDEX activity_log_session_idx;
ANALYZE activity_log;
