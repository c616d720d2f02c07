//! Free-text pages by walking the match list newest id first.
//!
//! FTS5 returns a match list in rowid (= activity id) order cheaply, descending included, but
//! a page is ordered by (ts, id) and ids follow insertion order, not time. Sorting every match
//! costs a row look-up per match (8,500 matches: about 40 ms), so instead the walk reads
//! matches by descending id, keeps the best `limit + 1` that pass the other filters, and stops
//! as soon as no unvisited match (all with smaller ids) can beat them. That proof comes from
//! `activity_ts_block` (migration 0004): the largest ts among ids up to a block. When events
//! arrive roughly in time order the walk stops a block after the page is full; when they do
//! not, it walks further, and past [`WALK_MAX`] matches it gives up and the planned query of
//! `fts.rs` answers instead. Either way the rows are exactly the planned query's rows.

use crate::conn::db_err;
use crate::sql::Query;
use gurumisha_core::query::{ActivityFilter, PageRequest};
use gurumisha_core::StoreError;
use rusqlite::{params, Connection, OptionalExtension};
use std::cmp::Reverse;
use std::collections::BinaryHeap;

/// Ids per block: `id >> BLOCK_SHIFT` is the block.
pub(crate) const BLOCK_SHIFT: u32 = 10;

/// Matches examined before the walk hands over to the planned query.
pub(crate) const WALK_MAX: usize = 20_000;

/// Widens the time bounds of the blocks holding the rows just inserted (`ids[i]` has
/// timestamp `ts[i]`), inside the writer's transaction. The bounds are computed here rather
/// than read back from the table: a 5,000-row insert touches five or six blocks.
pub(crate) fn widen_blocks(
    conn: &Connection,
    ids: &[i64],
    ts: impl Iterator<Item = i64>,
) -> Result<(), StoreError> {
    let mut stmt = conn
        .prepare_cached(
            "INSERT INTO activity_ts_block (block, min_ts, max_ts) VALUES (?1, ?2, ?3)
             ON CONFLICT (block) DO UPDATE
                 SET min_ts = min(min_ts, excluded.min_ts), max_ts = max(max_ts, excluded.max_ts)",
        )
        .map_err(db_err)?;
    let mut current: Option<(i64, i64, i64)> = None;
    for (id, t) in ids.iter().zip(ts) {
        let b = id >> BLOCK_SHIFT;
        current = match current {
            Some((cb, lo, hi)) if cb == b => Some((cb, lo.min(t), hi.max(t))),
            other => {
                if let Some((cb, lo, hi)) = other {
                    stmt.execute(params![cb, lo, hi]).map_err(db_err)?;
                }
                Some((b, t, t))
            }
        };
    }
    if let Some((cb, lo, hi)) = current {
        stmt.execute(params![cb, lo, hi]).map_err(db_err)?;
    }
    Ok(())
}

/// Whether the walk suits `filter`: free text, and no filter that is both selective and has
/// its own index (user, object, IP, session), which the planned query serves better.
pub(crate) fn suits(filter: &ActivityFilter) -> bool {
    filter.text.is_some()
        && filter.user_id.is_none()
        && filter.object_id.is_none()
        && filter.ip.is_none()
        && filter.session_id.is_none()
}

/// Largest ts among all ids in blocks `0..=b`, from a prefix maximum loaded on first use.
struct Ceiling {
    /// (block, largest ts in blocks up to it), ascending by block.
    prefix: Option<Vec<(i64, i64)>>,
    top_block: i64,
}

impl Ceiling {
    fn through(&mut self, conn: &Connection, b: i64) -> Result<Option<i64>, StoreError> {
        if self.prefix.is_none() {
            let mut s = conn
                .prepare_cached(
                    "SELECT block, max_ts FROM activity_ts_block WHERE block <= ?1 ORDER BY block",
                )
                .map_err(db_err)?;
            let mut running = i64::MIN;
            let prefix = s
                .query_map([self.top_block], |r| {
                    Ok((r.get::<_, i64>(0)?, r.get::<_, i64>(1)?))
                })
                .map_err(db_err)?
                .map(|r| {
                    r.map(|(block, max)| {
                        running = running.max(max);
                        (block, running)
                    })
                })
                .collect::<Result<Vec<_>, _>>()
                .map_err(db_err)?;
            self.prefix = Some(prefix);
        }
        let prefix = self.prefix.as_deref().unwrap_or_default();
        let at = prefix.partition_point(|(block, _)| *block <= b);
        Ok(at.checked_sub(1).map(|i| prefix[i].1))
    }
}

/// The ids of the page's `limit + 1` rows, newest first, or `None` when more than `budget`
/// matches had to be examined. `expr` is the FTS5 expression of the filter's text.
pub(crate) fn page_ids(
    conn: &Connection,
    filter: &ActivityFilter,
    page: &PageRequest,
    expr: &str,
    budget: usize,
) -> Result<Option<Vec<i64>>, StoreError> {
    let want = page.limit as usize + 1;
    // Newest ts a row may have: below the cursor and the exclusive `to`.
    let newest = match (page.after.map(|c| c.ts), filter.to.map(|t| t.micros() - 1)) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    };
    // Blocks whose oldest row is newer than that hold nothing for this page: start below them.
    let top_block = match newest {
        None => i64::MAX >> BLOCK_SHIFT,
        Some(ts) => {
            let b: Option<i64> = conn
                .prepare_cached(
                    "SELECT block FROM activity_ts_block WHERE min_ts <= ?1
                     ORDER BY block DESC LIMIT 1",
                )
                .and_then(|mut s| s.query_row([ts], |r| r.get(0)).optional())
                .map_err(db_err)?;
            match b {
                Some(b) => b,
                None => return Ok(Some(Vec::new())),
            }
        }
    };

    let mut q = Query::new("SELECT a.id, a.ts, coalesce((1 = 1");
    crate::activity::push_filters(&mut q, filter);
    q.time_and_cursor(filter.from, filter.to, page, &crate::activity::KEYSET);
    q.bind(
        "), 0) FROM activity_fts CROSS JOIN activity_log a ON a.id = activity_fts.rowid \
         WHERE activity_fts MATCH ?",
        expr.to_owned(),
    );
    // The last id of the top block (with no bound: i64::MAX itself).
    let last_id = (top_block << BLOCK_SHIFT) | ((1 << BLOCK_SHIFT) - 1);
    q.bind(" AND activity_fts.rowid <= ?", last_id);
    q.push(" ORDER BY activity_fts.rowid DESC");

    let mut stmt = conn.prepare_cached(&q.sql).map_err(db_err)?;
    let mut rows = stmt.query(q.params()).map_err(db_err)?;
    // The best `want` (ts, id) keys so far; the smallest on top.
    let mut best: BinaryHeap<Reverse<(i64, i64)>> = BinaryHeap::with_capacity(want + 1);
    let mut ceiling = Ceiling {
        prefix: None,
        top_block,
    };
    let mut block = None;
    let mut examined = 0usize;
    while let Some(r) = rows.next().map_err(db_err)? {
        examined += 1;
        if examined > budget {
            return Ok(None);
        }
        let id: i64 = r.get(0).map_err(db_err)?;
        let ts: i64 = r.get(1).map_err(db_err)?;
        let ok: bool = r.get(2).map_err(db_err)?;
        let b = id >> BLOCK_SHIFT;
        if block != Some(b) {
            block = Some(b);
            let full = best.len() == want;
            if full || filter.from.is_some() {
                // Every unvisited row (this one included) has an id at most `id`, so a ts at
                // most the ceiling, and an id below every kept row's.
                let Some(ceil) = ceiling.through(conn, b)? else {
                    break;
                };
                let worst = best.peek().map(|Reverse((ts, _))| *ts);
                if full && worst.is_some_and(|w| ceil <= w) {
                    break;
                }
                if filter.from.is_some_and(|f| ceil < f.micros()) {
                    break;
                }
            }
        }
        if ok {
            best.push(Reverse((ts, id)));
            if best.len() > want {
                best.pop();
            }
        }
    }
    let mut keys: Vec<(i64, i64)> = best.into_iter().map(|Reverse(k)| k).collect();
    keys.sort_unstable_by(|a, b| b.cmp(a));
    Ok(Some(keys.into_iter().map(|(_, id)| id).collect()))
}
