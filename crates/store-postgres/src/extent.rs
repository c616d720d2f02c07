//! The extent of a filtered log (see `gurumisha_core::extent`): a count of at most `cap + 1`
//! rows, then the newest key (a one-row list page) and the oldest (the list's plan from the
//! other end, with the same steering of text searches, see `search`).
//!
//! The count runs first. A row committed after it can only make the newest key newer, so a
//! newest key equal to the first row a page showed means the count saw no row that page did
//! not (the UI trusts an exact count only then).
//!
//! The count has no `ORDER BY`: the planner picks the cheapest way to stop after `cap + 1`
//! rows (for a text search, the GIN index's bitmap, read until enough rows turned up) instead
//! of sorting every match. The rows counted are then a run in time order or in insertion
//! order, which for a log is nearly the same, and the estimate above the cap only needs them
//! to be a contiguous run of time.

use crate::convert::PgTs;
use crate::error::db;
use crate::search::{self, End};
use crate::{activity, audit};
use gurumisha_core::extent::{Counted, Extent};
use gurumisha_core::query::{ActivityFilter, AuditFilter, Cursor, PageRequest};
use gurumisha_core::StoreError;
use sqlx::{PgPool, Postgres, QueryBuilder};

const COUNT_HEAD: &str = "SELECT count(*), min(c.ts), max(c.ts) FROM (SELECT a.ts FROM ";

pub(crate) async fn activity(
    pool: &PgPool,
    f: &ActivityFilter,
    cap: i64,
) -> Result<Extent, StoreError> {
    let mut q = QueryBuilder::new(COUNT_HEAD);
    q.push("activity_log a WHERE true");
    if activity::push_filters(&mut q, f, &PageRequest::first(1), true).is_none() {
        return Ok(Extent::EMPTY);
    }
    let counted = count(pool, q, cap).await?;
    let newest = activity::list(pool, f, &PageRequest::first(1))
        .await?
        .items
        .first()
        .map(|r| Cursor {
            ts: r.timestamp.micros(),
            id: r.id,
        });
    if newest.is_none() {
        return Ok(Extent::EMPTY);
    }
    let oldest = match activity::planned("", f, &PageRequest::first(1), End::Oldest) {
        Some(p) => search::run(pool, p)
            .await?
            .first()
            .map(activity::record)
            .transpose()?
            .map(|r| Cursor {
                ts: r.timestamp.micros(),
                id: r.id,
            }),
        None => None,
    };
    let whole = if *f == ActivityFilter::default() {
        Some(activity::estimate(pool).await?)
    } else {
        None
    };
    Ok(Extent::assemble(newest, oldest, counted, cap, whole))
}

pub(crate) async fn audit(pool: &PgPool, f: &AuditFilter, cap: i64) -> Result<Extent, StoreError> {
    let mut q = QueryBuilder::new(COUNT_HEAD);
    q.push("audit_log a WHERE true");
    audit::push_filters(&mut q, f, &PageRequest::first(1), true);
    let counted = count(pool, q, cap).await?;
    let newest = audit::list(pool, f, &PageRequest::first(1))
        .await?
        .items
        .first()
        .map(|e| Cursor {
            ts: e.row.content.timestamp.micros(),
            id: e.row.seq,
        });
    if newest.is_none() {
        return Ok(Extent::EMPTY);
    }
    let planned = audit::planned("", f, &PageRequest::first(1), End::Oldest);
    let oldest = search::run(pool, planned)
        .await?
        .first()
        .map(audit::audit_row)
        .transpose()?
        .map(|r| Cursor {
            ts: r.content.timestamp.micros(),
            id: r.seq,
        });
    // Sequence numbers are dense from 1: the head's is the trail's length.
    let whole = if *f == AuditFilter::default() {
        audit::head(pool).await?.map(|(seq, _)| seq)
    } else {
        None
    };
    Ok(Extent::assemble(newest, oldest, counted, cap, whole))
}

/// Runs a count whose subquery `q` is open after its conditions, stopping at `cap + 1` rows.
async fn count(
    pool: &PgPool,
    mut q: QueryBuilder<'_, Postgres>,
    cap: i64,
) -> Result<Counted, StoreError> {
    q.push(" LIMIT ")
        .push_bind(cap.max(0).saturating_add(1))
        .push(") c");
    let (rows, min, max): (i64, Option<PgTs>, Option<PgTs>) =
        q.build_query_as().fetch_one(pool).await.map_err(db)?;
    Ok(Counted {
        rows,
        min_ts: min.map(|t| t.0),
        max_ts: max.map(|t| t.0),
    })
}
