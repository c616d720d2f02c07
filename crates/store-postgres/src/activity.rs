//! activity_log: batch inserts through `UNNEST` and filtered, newest-first keyset pages.

use crate::convert::{text_array_literal, PgTs};
use crate::error::db;
use crate::search::{self, text_count, End, Planned, TextPlan};
use gurumisha_core::domain::Outcome;
use gurumisha_core::event::{ActivityRecord, ActivityRow};
use gurumisha_core::query::{search_terms, ActivityFilter, Cursor, Page, PageRequest};
use gurumisha_core::StoreError;
use sqlx::postgres::PgRow;
use sqlx::{PgPool, Postgres, QueryBuilder, Row};
use std::net::IpAddr;

/// One statement for the whole batch: every column travels as one array parameter and
/// `UNNEST ... WITH ORDINALITY ... ORDER BY ord` feeds rows in input order, so the identity
/// values are assigned in input order too.
const INSERT: &str = "\
INSERT INTO activity_log (ts, user_id, action, description, ip_address, user_agent, session_id,
    request_id, object_type, object_id, object_display, extra_data, outcome, content_flags)
SELECT u.ts, u.user_id, u.action, u.description, u.ip::inet, u.user_agent, u.session_id,
    u.request_id, u.object_type, u.object_id, u.object_display, u.extra::jsonb, u.outcome,
    u.flags::text[]
FROM UNNEST($1::timestamptz[], $2::int8[], $3::text[], $4::text[], $5::text[], $6::text[],
    $7::text[], $8::text[], $9::text[], $10::text[], $11::text[], $12::text[], $13::text[],
    $14::text[])
    WITH ORDINALITY AS u(ts, user_id, action, description, ip, user_agent, session_id,
        request_id, object_type, object_id, object_display, extra, outcome, flags, ord)
ORDER BY u.ord
RETURNING id";

#[tracing::instrument(skip_all, fields(rows = rows.len()))]
pub(crate) async fn insert(pool: &PgPool, rows: Vec<ActivityRow>) -> Result<Vec<i64>, StoreError> {
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let n = rows.len();
    let mut ts = Vec::with_capacity(n);
    let mut user_id = Vec::with_capacity(n);
    let mut action = Vec::with_capacity(n);
    let mut description = Vec::with_capacity(n);
    let mut ip = Vec::with_capacity(n);
    let mut user_agent = Vec::with_capacity(n);
    let mut session_id = Vec::with_capacity(n);
    let mut request_id = Vec::with_capacity(n);
    let mut object_type = Vec::with_capacity(n);
    let mut object_id = Vec::with_capacity(n);
    let mut object_display = Vec::with_capacity(n);
    let mut extra = Vec::with_capacity(n);
    let mut outcome = Vec::with_capacity(n);
    let mut flags = Vec::with_capacity(n);
    for r in rows {
        ts.push(PgTs::checked(r.timestamp)?);
        user_id.push(r.user_id);
        action.push(r.action);
        description.push(r.description);
        ip.push(r.ip_address);
        user_agent.push(r.user_agent);
        session_id.push(r.session_id);
        request_id.push(r.request_id);
        object_type.push(r.object_type);
        object_id.push(r.object_id);
        object_display.push(r.object_display);
        extra.push(r.extra_data);
        outcome.push(r.outcome.as_str());
        flags.push(text_array_literal(&r.content_flags));
    }
    // One statement is one transaction (one durable commit): no BEGIN/COMMIT round trips.
    let mut ids: Vec<i64> = sqlx::query_scalar(INSERT)
        .bind(ts)
        .bind(user_id)
        .bind(action)
        .bind(description)
        .bind(ip)
        .bind(user_agent)
        .bind(session_id)
        .bind(request_id)
        .bind(object_type)
        .bind(object_id)
        .bind(object_display)
        .bind(extra)
        .bind(outcome)
        .bind(flags)
        .fetch_all(pool)
        .await
        .map_err(db)?;
    if ids.len() != n {
        return Err(StoreError::Database(format!(
            "inserted {} rows of {n}",
            ids.len()
        )));
    }
    // Identity values grow in insertion order within one statement; sorting makes the answer
    // independent of the order RETURNING happens to emit rows in.
    ids.sort_unstable();
    Ok(ids)
}

/// What a page returns. The username is a scalar subquery, which PostgreSQL evaluates only for
/// the rows that survive ORDER BY ... LIMIT.
const SELECT_LIST: &str = "\
SELECT a.id, a.ts, a.user_id, (SELECT u.username FROM users u WHERE u.id = a.user_id) AS username,
    a.action, a.description, host(a.ip_address) AS ip_address, a.user_agent, a.session_id,
    a.request_id, a.object_type, a.object_id, a.object_display, a.extra_data, a.outcome,
    a.content_flags";

/// The stored columns (without `search`), for the materialised text matches.
const COLUMNS: &str = "a.id, a.ts, a.user_id, a.action, a.description, a.ip_address, a.user_agent,
    a.session_id, a.request_id, a.object_type, a.object_id, a.object_display, a.extra_data,
    a.outcome, a.content_flags";

/// Appends every filter (the text one when `text`) and the keyset position as bound
/// parameters; `None` when the filter cannot match anything (an unparsable IP address).
pub(crate) fn push_filters(
    q: &mut QueryBuilder<'_, Postgres>,
    f: &ActivityFilter,
    page: &PageRequest,
    text: bool,
) -> Option<()> {
    if let Some(v) = f.user_id {
        q.push(" AND a.user_id = ").push_bind(v);
    }
    if let Some(v) = &f.action {
        q.push(" AND a.action = ").push_bind(v.clone());
    }
    if let Some(v) = &f.object_type {
        q.push(" AND a.object_type = ").push_bind(v.clone());
    }
    if let Some(v) = &f.object_id {
        q.push(" AND a.object_id = ").push_bind(v.clone());
    }
    if let Some(v) = f.ip.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        // Compare as addresses, so "::FFFF:10.0.0.1" finds "::ffff:10.0.0.1".
        // The hash finds candidates through the GIN index (migration 0005); the equality
        // decides.
        let ip = ip_text(v)?;
        q.push(" AND a.lookup_keys @> ARRAY[hashtextextended('i' || host(")
            .push_bind(ip.clone())
            .push("::inet), 0)] AND a.ip_address = ")
            .push_bind(ip)
            .push("::inet");
    }
    if let Some(v) = &f.session_id {
        q.push(" AND a.lookup_keys @> ARRAY[hashtextextended('s' || ")
            .push_bind(v.clone())
            .push("::text, 0)] AND a.session_id = ")
            .push_bind(v.clone());
    }
    search::push_window(
        q,
        f.from,
        f.to,
        f.text.as_deref().and_then(tsquery).filter(|_| text),
        page,
        "a.id",
    );
    Some(())
}

/// An IP address filter in PostgreSQL's text form; `None` if it is not an address.
fn ip_text(v: &str) -> Option<String> {
    v.parse::<IpAddr>().ok().map(|ip| ip.to_string())
}

/// The page query from `end`, plus for a text search the GIN-driven variant and the count
/// that chooses between them (see `search`); `None` when nothing can match.
pub(crate) fn planned<'a>(
    prefix: &str,
    f: &ActivityFilter,
    page: &PageRequest,
    end: End,
) -> Option<Planned<'a>> {
    let order = |q: &mut QueryBuilder<'a, Postgres>| {
        q.push(end.order_by("a.id"))
            .push(" LIMIT ")
            .push_bind(i64::from(page.limit) + 1);
    };
    let mut list = QueryBuilder::new(prefix);
    list.push(SELECT_LIST)
        .push(" FROM activity_log a WHERE true");
    push_filters(&mut list, f, page, true)?;
    order(&mut list);
    let text = f.text.as_deref().and_then(tsquery).map(|tsq| {
        // `lookup_keys` too: the IP address and session filters apply outside the set.
        let mut gin = QueryBuilder::new(prefix);
        gin.push(format!(
            "WITH a AS MATERIALIZED (SELECT {COLUMNS}, a.lookup_keys FROM activity_log a"
        ))
        .push(" WHERE a.search @@ to_tsquery('simple', ")
        .push_bind(tsq.clone())
        .push(")) ")
        .push(SELECT_LIST)
        .push(" FROM a WHERE true");
        push_filters(&mut gin, f, page, false);
        order(&mut gin);
        let mut walk = QueryBuilder::new(prefix);
        walk.push(format!(
            "WITH w AS (SELECT {COLUMNS}, a.search FROM activity_log a WHERE true"
        ));
        push_filters(&mut walk, f, page, false);
        walk.push(end.order_by("a.id"))
            .push(" LIMIT ")
            .push_bind(search::WALK_ROWS)
            .push(") ")
            .push(SELECT_LIST)
            .push(" FROM w a WHERE a.search @@ to_tsquery('simple', ")
            .push_bind(tsq.clone())
            .push(")");
        order(&mut walk);
        TextPlan {
            count: text_count("activity_log", tsq),
            gin,
            walk,
            want: page.limit as usize + 1,
        }
    });
    Some(Planned { list, text })
}

/// `term1:* & term2:*` from free text; the terms are letters and digits only, so the string is
/// a well-formed tsquery (and it is bound as a parameter, never spliced into SQL).
pub(crate) fn tsquery(text: &str) -> Option<String> {
    let terms = search_terms(text)?;
    Some(
        terms
            .iter()
            .map(|t| format!("{t}:*"))
            .collect::<Vec<_>>()
            .join(" & "),
    )
}

pub(crate) fn check_cursor(page: &PageRequest) -> Result<(), StoreError> {
    match page.after {
        Some(c) if !PgTs(c.ts).in_range() => Err(StoreError::InvalidCursor),
        _ => Ok(()),
    }
}

pub(crate) async fn list(
    pool: &PgPool,
    f: &ActivityFilter,
    page: &PageRequest,
) -> Result<Page<ActivityRecord>, StoreError> {
    check_cursor(page)?;
    let Some(p) = planned("", f, page, End::Newest) else {
        return Ok(Page {
            items: Vec::new(),
            next_cursor: None,
        });
    };
    let rows = search::run(pool, p).await?;
    let items = rows.iter().map(record).collect::<Result<Vec<_>, _>>()?;
    Ok(Page::from_overfetch(items, page.limit, |r| Cursor {
        ts: r.timestamp.micros(),
        id: r.id,
    }))
}

pub(crate) fn record(r: &PgRow) -> Result<ActivityRecord, StoreError> {
    let outcome: String = r.try_get("outcome").map_err(db)?;
    Ok(ActivityRecord {
        id: r.try_get("id").map_err(db)?,
        timestamp: r.try_get::<PgTs, _>("ts").map_err(db)?.ts(),
        user_id: r.try_get("user_id").map_err(db)?,
        username: r.try_get("username").map_err(db)?,
        action: r.try_get("action").map_err(db)?,
        description: r.try_get("description").map_err(db)?,
        ip_address: r.try_get("ip_address").map_err(db)?,
        user_agent: r.try_get("user_agent").map_err(db)?,
        session_id: r.try_get("session_id").map_err(db)?,
        request_id: r.try_get("request_id").map_err(db)?,
        object_type: r.try_get("object_type").map_err(db)?,
        object_id: r.try_get("object_id").map_err(db)?,
        object_display: r.try_get("object_display").map_err(db)?,
        extra_data: r.try_get("extra_data").map_err(db)?,
        outcome: Outcome::parse(&outcome).map_err(|e| StoreError::Database(e.to_string()))?,
        content_flags: r.try_get("content_flags").map_err(db)?,
    })
}

/// Planner statistics scaled to the table's current size (as the planner itself estimates);
/// the largest id when the table was never analysed. Never a count(*).
pub(crate) async fn estimate(pool: &PgPool) -> Result<i64, StoreError> {
    let (reltuples, relpages, pages): (f32, i32, i64) = sqlx::query_as(
        "SELECT c.reltuples, c.relpages,
            pg_relation_size(c.oid) / current_setting('block_size')::int8
         FROM pg_class c WHERE c.oid = 'activity_log'::regclass",
    )
    .fetch_one(pool)
    .await
    .map_err(db)?;
    if reltuples > 0.0 && relpages > 0 {
        let density = f64::from(reltuples) / f64::from(relpages);
        return Ok((density * pages as f64).round() as i64);
    }
    sqlx::query_scalar("SELECT coalesce(max(id), 0) FROM activity_log")
        .fetch_one(pool)
        .await
        .map_err(db)
}
