//! Full-text matches and how they join the rest of a list query.
//!
//! Three FTS5 tables answer "which rows match": `activity_fts` and `audit_fts` (words, as
//! prefixes) and `activity_keys` (exact IP address and session id, see the migration). A list
//! query with matches is planned one of two ways, chosen by counting matches up to a threshold:
//!
//! * few matches: the smallest match list drives the query (`CROSS JOIN` fixes the join order),
//!   each row is looked up by id and the few rows are sorted;
//! * many matches: the filter's index is walked newest first as without a match, and each row
//!   is checked against the match lists (built once per query), stopping after `limit + 1`.

use crate::conn::db_err;
use gurumisha_core::StoreError;
use rusqlite::{params, Connection};

/// Inserts of up to this many rows write their full-text entries a row at a time; larger
/// ones with one `INSERT … SELECT` per table (see `activity::insert`).
pub(crate) const ROW_BY_ROW_MAX: usize = 32;

/// Up to this many matches a match list drives the query and its rows are sorted; above it,
/// the newest-first index scan drives and the list only filters.
pub(crate) const DRIVE_MAX: i64 = 20_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum FtsTable {
    ActivityText,
    ActivityKeys,
    AuditText,
}

impl FtsTable {
    fn count_sql(self) -> &'static str {
        match self {
            Self::ActivityText => {
                "SELECT count(*) FROM (SELECT rowid FROM activity_fts WHERE activity_fts MATCH ?1 LIMIT ?2)"
            }
            Self::ActivityKeys => {
                "SELECT count(*) FROM (SELECT rowid FROM activity_keys WHERE activity_keys MATCH ?1 LIMIT ?2)"
            }
            Self::AuditText => {
                "SELECT count(*) FROM (SELECT rowid FROM audit_fts WHERE audit_fts MATCH ?1 LIMIT ?2)"
            }
        }
    }

    /// `FROM` clause when this table drives; `a` is the log table, `u` the users join.
    pub(crate) fn drive_from(self) -> &'static str {
        match self {
            Self::ActivityText => {
                " FROM activity_fts CROSS JOIN activity_log a ON a.id = activity_fts.rowid \
                 LEFT JOIN users u ON u.id = a.user_id WHERE activity_fts MATCH ?"
            }
            Self::ActivityKeys => {
                " FROM activity_keys CROSS JOIN activity_log a ON a.id = activity_keys.rowid \
                 LEFT JOIN users u ON u.id = a.user_id WHERE activity_keys MATCH ?"
            }
            Self::AuditText => {
                " FROM audit_fts CROSS JOIN audit_log a ON a.seq = audit_fts.rowid \
                 LEFT JOIN users u ON u.id = a.user_id WHERE audit_fts MATCH ?"
            }
        }
    }

    /// Condition when this table only filters. The unary `+` keeps the planner from driving
    /// by the match list (which would then sort every match).
    pub(crate) fn filter(self) -> &'static str {
        match self {
            Self::ActivityText => {
                " AND +a.id IN (SELECT rowid FROM activity_fts WHERE activity_fts MATCH ?)"
            }
            Self::ActivityKeys => {
                " AND +a.id IN (SELECT rowid FROM activity_keys WHERE activity_keys MATCH ?)"
            }
            Self::AuditText => {
                " AND +a.seq IN (SELECT rowid FROM audit_fts WHERE audit_fts MATCH ?)"
            }
        }
    }
}

/// One match condition: an FTS5 expression (a bound parameter) on one table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Match {
    pub table: FtsTable,
    pub expr: String,
}

/// The match conditions of a query, with at most one of them driving it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Matches {
    pub drive: Option<Match>,
    pub filter: Vec<Match>,
}

impl Matches {
    /// Counts each condition's matches (up to [`DRIVE_MAX`]) and lets the rarest drive if it
    /// is rare enough.
    pub(crate) fn plan(conn: &Connection, all: Vec<Match>) -> Result<Self, StoreError> {
        Self::plan_up_to(conn, all, DRIVE_MAX)
    }

    /// [`Matches::plan`] with another threshold: a query that reads every row anyway (a count
    /// up to a cap) is better driven by any match list no longer than what it reads.
    pub(crate) fn plan_up_to(
        conn: &Connection,
        all: Vec<Match>,
        drive_max: i64,
    ) -> Result<Self, StoreError> {
        let mut counted = Vec::with_capacity(all.len());
        for m in all {
            let n: i64 = conn
                .prepare_cached(m.table.count_sql())
                .and_then(|mut s| {
                    s.query_row(params![m.expr, drive_max.saturating_add(1)], |r| r.get(0))
                })
                .map_err(db_err)?;
            counted.push((n, m));
        }
        counted.sort_by_key(|(n, _)| *n);
        let mut it = counted.into_iter().peekable();
        let drive = match it.peek() {
            Some((n, _)) if *n <= drive_max => it.next().map(|(_, m)| m),
            _ => None,
        };
        Ok(Self {
            drive,
            filter: it.map(|(_, m)| m).collect(),
        })
    }
}

/// Turns search terms (letters and digits only, see `query::search_terms`) into an FTS5
/// expression requiring every term as a word prefix: `"toy"* AND "harrier"*`. The terms hold
/// no quotes, so quoting them is safe; the expression itself is still a bound parameter.
pub(crate) fn words(terms: &[String]) -> String {
    let mut out = String::new();
    for (i, t) in terms.iter().enumerate() {
        if i > 0 {
            out.push_str(" AND ");
        }
        out.push('"');
        // Defensive: a stray quote is doubled, which FTS5 reads as a literal quote.
        out.push_str(&t.replace('"', "\"\""));
        out.push_str("\"*");
    }
    out
}

/// The `activity_keys` token of a value: `kind` ('i' or 's') then the hex of its bytes, the
/// same as the SQL `kind || hex(value)` the insert writes.
pub(crate) fn key_token(kind: char, value: &str) -> String {
    let mut t = String::with_capacity(1 + value.len() * 2);
    t.push(kind);
    t.push_str(&hex::encode_upper(value.as_bytes()));
    t
}

/// The `activity_keys` expression for an IP and/or a session filter.
pub(crate) fn keys(ip: Option<&str>, session: Option<&str>) -> Option<String> {
    let tokens: Vec<String> = [('i', ip), ('s', session)]
        .into_iter()
        .filter_map(|(k, v)| v.map(|v| format!("\"{}\"", key_token(k, v))))
        .collect();
    (!tokens.is_empty()).then(|| tokens.join(" AND "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn word_expression_quotes_each_term() {
        let terms = gurumisha_core::query::search_terms("Toyota har-rier").unwrap();
        assert_eq!(words(&terms), r#""toyota"* AND "har"* AND "rier"*"#);
    }

    #[test]
    fn key_expression_is_exact_tokens() {
        assert_eq!(keys(None, None), None);
        assert_eq!(keys(Some("1.2"), None).unwrap(), r#""i312E32""#);
        assert_eq!(
            keys(Some("::1"), Some("a b")).unwrap(),
            r#""i3A3A31" AND "s612062""#
        );
    }
}
