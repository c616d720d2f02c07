-- Gurumisha Console, SQLite schema v4: time bounds per block of 1024 activity ids.
--
-- Free-text search walks `activity_fts` newest id first (FTS5 reads a doclist in rowid order
-- cheaply) but pages are ordered by (ts, id), and ids follow insertion order, not time: a
-- backdated event gets a new id with an old ts. This table bounds the disorder: for every
-- block of ids (id >> 10) the smallest and largest ts in it. A walk can then prove when no
-- unvisited row (all with smaller ids) can still make the page: the largest ts of the blocks
-- below is older than the page's last row. Rows are never updated; deleted rows leave the
-- bounds wider than needed, which is still correct.

CREATE TABLE activity_ts_block (
    block  INTEGER PRIMARY KEY,
    min_ts INTEGER NOT NULL,
    max_ts INTEGER NOT NULL
);

INSERT INTO activity_ts_block (block, min_ts, max_ts)
SELECT id >> 10, min(ts), max(ts) FROM activity_log GROUP BY id >> 10;
