//! Building dynamic queries from fixed fragments. Text can only be appended as `&'static str`
//! (so never a caller's value); values go in as bound parameters. The statement text depends
//! only on which filters are set, so the prepared-statement cache serves it.

use crate::fts::Matches;
use gurumisha_core::query::PageRequest;
use gurumisha_core::Timestamp;
use rusqlite::types::Value;

/// How one log table pages newest first: its keyset condition (four `?`: ts, ts, ts, key) and
/// its order with the overfetching limit (one `?`); and the reverse order, for the oldest row.
pub(crate) struct Keyset {
    pub after: &'static str,
    pub order_limit: &'static str,
    pub oldest_first: &'static str,
}

#[derive(Debug, Default)]
pub(crate) struct Query {
    pub sql: String,
    pub params: Vec<Value>,
}

impl Query {
    pub fn new(head: &'static str) -> Self {
        Self {
            sql: head.to_owned(),
            params: Vec::new(),
        }
    }

    /// Appends a fragment that holds no placeholders.
    pub fn push(&mut self, fragment: &'static str) -> &mut Self {
        self.sql.push_str(fragment);
        self
    }

    /// Appends a fragment with exactly one `?` and binds `value` to it.
    pub fn bind(&mut self, fragment: &'static str, value: impl Into<Value>) -> &mut Self {
        debug_assert_eq!(fragment.matches('?').count(), 1, "{fragment}");
        self.sql.push_str(fragment);
        self.params.push(value.into());
        self
    }

    /// Appends a fragment with several `?`, binding `values` in order.
    pub fn bind_all<const N: usize>(
        &mut self,
        fragment: &'static str,
        values: [Value; N],
    ) -> &mut Self {
        debug_assert_eq!(fragment.matches('?').count(), N, "{fragment}");
        self.sql.push_str(fragment);
        self.params.extend(values);
        self
    }

    /// The tail every newest-first log list shares: the time range (`from` inclusive, `to`
    /// exclusive), the keyset position, the full-text conditions that only filter, and the
    /// order with a limit one above the page size (the extra row says another page exists).
    pub fn newest_first(
        &mut self,
        from: Option<Timestamp>,
        to: Option<Timestamp>,
        page: &PageRequest,
        m: &Matches,
        k: &Keyset,
    ) -> &mut Self {
        self.time_and_cursor(from, to, page, k);
        self.match_filters(m);
        self.bind(k.order_limit, i64::from(page.limit) + 1)
    }

    /// The full-text conditions that only filter (the driving one is in the `FROM`).
    pub fn match_filters(&mut self, m: &Matches) -> &mut Self {
        for f in &m.filter {
            self.bind(f.table.filter(), f.expr.clone());
        }
        self
    }

    /// The time range (`from` inclusive, `to` exclusive) and the keyset position.
    pub fn time_and_cursor(
        &mut self,
        from: Option<Timestamp>,
        to: Option<Timestamp>,
        page: &PageRequest,
        k: &Keyset,
    ) -> &mut Self {
        self.time_range(from, to);
        if let Some(c) = page.after {
            self.bind_all(
                k.after,
                [c.ts.into(), c.ts.into(), c.ts.into(), c.id.into()],
            );
        }
        self
    }

    /// The time range: `from` inclusive, `to` exclusive.
    pub fn time_range(&mut self, from: Option<Timestamp>, to: Option<Timestamp>) -> &mut Self {
        if let Some(v) = from {
            self.bind(" AND a.ts >= ?", v.micros());
        }
        if let Some(v) = to {
            self.bind(" AND a.ts < ?", v.micros());
        }
        self
    }

    pub fn params(&self) -> rusqlite::ParamsFromIter<std::slice::Iter<'_, Value>> {
        rusqlite::params_from_iter(self.params.iter())
    }
}
