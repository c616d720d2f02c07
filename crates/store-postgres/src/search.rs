//! Running list queries, and steering text searches onto their GIN index.
//!
//! PostgreSQL cannot estimate how many rows a prefix tsquery (`harr:*`) matches, so for a
//! newest-first page it often walks the `(ts DESC, id DESC)` index (or another filter's index)
//! and tests every row: fast when the words are common, a walk over the whole log when they are
//! rare (a VIN, a name), which is what people search for. So a text search first counts its
//! matches through the GIN index alone, stopping at `COUNT_CAP`:
//! - under the cap, the matches are read through the GIN index into a materialised set, and the
//!   other filters, the keyset position and the sort apply to at most `COUNT_CAP` rows;
//! - at the cap the words are common and matches are dense: the page walks an ordered index
//!   (the keyset one, or another filter's) and stops after one page. The planner, which believes
//!   every prefix rare, would not choose that by itself, so bitmap and sequential scans are
//!   switched off for that one transaction.

use crate::convert::PgTs;
use crate::error::db;
use gurumisha_core::query::PageRequest;
use gurumisha_core::query::COUNT_CAP;
use gurumisha_core::StoreError;
use gurumisha_core::Timestamp;
use sqlx::postgres::PgRow;
use sqlx::{PgPool, Postgres, QueryBuilder};

/// The ways to read a page of a text search: a bounded walk first, then the count that picks
/// between the GIN-driven read and an unbounded walk.
pub(crate) struct TextPlan<'a> {
    pub count: QueryBuilder<'a, Postgres>,
    pub gin: QueryBuilder<'a, Postgres>,
    /// The newest (or oldest) `WALK_ROWS` rows of the other filters, tested against the words:
    /// when that alone fills the page (`want` rows), the page is exact, since any other match
    /// is older (or newer).
    pub walk: QueryBuilder<'a, Postgres>,
    pub want: usize,
}

/// How many rows the first, bounded walk of a text search may test. Matches at least as
/// dense as one in 250 fill a page within it (a few milliseconds); rarer words fall
/// through to the GIN index, which is fast for them.
pub(crate) const WALK_ROWS: i64 = 25_000;

/// Which end of the log a query starts from: lists read newest first; the extent also reads
/// the oldest row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum End {
    Newest,
    Oldest,
}

impl End {
    /// The `ORDER BY` over `(a.ts, key)`, `key` being the table's tie-breaking column.
    pub(crate) fn order_by(self, key: &str) -> String {
        match self {
            End::Newest => format!(" ORDER BY a.ts DESC, {key} DESC"),
            End::Oldest => format!(" ORDER BY a.ts, {key}"),
        }
    }
}

/// A page query; `text` is set for text searches.
pub(crate) struct Planned<'a> {
    pub list: QueryBuilder<'a, Postgres>,
    pub text: Option<TextPlan<'a>>,
}

/// The conditions every newest-first log list ends with, all bound: the time range (`from`
/// inclusive, `to` exclusive), the words when `tsq` is given, and the keyset position over
/// `(a.ts, key)` where `key` is the table's tie-breaking column.
pub(crate) fn push_window(
    q: &mut QueryBuilder<'_, Postgres>,
    from: Option<Timestamp>,
    to: Option<Timestamp>,
    tsq: Option<String>,
    page: &PageRequest,
    key: &'static str,
) {
    if let Some(v) = from {
        q.push(" AND a.ts >= ")
            .push_bind(PgTs(v.micros()).clamped());
    }
    if let Some(v) = to {
        q.push(" AND a.ts < ").push_bind(PgTs(v.micros()).clamped());
    }
    if let Some(tsq) = tsq {
        q.push(" AND a.search @@ to_tsquery('simple', ")
            .push_bind(tsq)
            .push(")");
    }
    if let Some(c) = page.after {
        q.push(" AND (a.ts, ")
            .push(key)
            .push(") < (")
            .push_bind(PgTs(c.ts))
            .push(", ")
            .push_bind(c.id)
            .push(")");
    }
}

/// Counts the rows of `table` matching `tsq`, stopping at `COUNT_CAP`.
pub(crate) fn text_count<'a>(table: &str, tsq: String) -> QueryBuilder<'a, Postgres> {
    let mut q = QueryBuilder::new(format!(
        "SELECT count(*) FROM (SELECT 1 FROM {table} a WHERE a.search @@ to_tsquery('simple', "
    ));
    q.push_bind(tsq)
        .push(") LIMIT ")
        .push_bind(COUNT_CAP)
        .push(") capped");
    q
}

/// Transaction-local planner settings under which the only way to evaluate `search @@ …`
/// without a (penalised) sequential scan is a bitmap scan of the GIN index.
const GIN_ONLY: &str = "SELECT set_config('enable_indexscan', 'off', true), \
    set_config('enable_seqscan', 'off', true), set_config('enable_bitmapscan', 'on', true)";

/// Settings under which a page of a common-word search walks an ordered index (the keyset
/// one, or another filter's) and stops after one page. Left alone, the planner, believing the
/// words rare, would read every match through the GIN index or scan the table, then sort.
const ORDERED_WALK: &str = "SELECT set_config('enable_indexscan', 'on', true), \
    set_config('enable_bitmapscan', 'off', true)";

pub(crate) async fn run(pool: &PgPool, p: Planned<'_>) -> Result<Vec<PgRow>, StoreError> {
    let Planned { mut list, text } = p;
    let Some(TextPlan {
        mut count,
        mut gin,
        mut walk,
        want,
    }) = text
    else {
        return list.build().fetch_all(pool).await.map_err(db);
    };
    let mut tx = pool.begin().await.map_err(db)?;
    sqlx::query(ORDERED_WALK)
        .execute(&mut *tx)
        .await
        .map_err(db)?;
    let rows = walk.build().fetch_all(&mut *tx).await.map_err(db)?;
    if rows.len() >= want {
        tx.commit().await.map_err(db)?;
        return Ok(rows);
    }
    sqlx::query(GIN_ONLY).execute(&mut *tx).await.map_err(db)?;
    let n: i64 = count
        .build_query_scalar()
        .fetch_one(&mut *tx)
        .await
        .map_err(db)?;
    let rows = if n < COUNT_CAP {
        gin.build().fetch_all(&mut *tx).await.map_err(db)?
    } else {
        sqlx::query(ORDERED_WALK)
            .execute(&mut *tx)
            .await
            .map_err(db)?;
        list.build().fetch_all(&mut *tx).await.map_err(db)?
    };
    // Read-only; ending the transaction also ends the local settings.
    tx.commit().await.map_err(db)?;
    Ok(rows)
}
