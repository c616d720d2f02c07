//! The audit log: chained appends and checkpoints on the writer; lists, verification reads and
//! the head on the readers.

use crate::activity::{flags_json, parse_flags};
use crate::conn::{bad_data, db_err};
use crate::fts::{self, FtsTable, Match, Matches};
use crate::sql::{Keyset, Query};
use gurumisha_core::chain::{self, Hash32, GENESIS};
use gurumisha_core::checkpoint::Checkpoint;
use gurumisha_core::domain::Severity;
use gurumisha_core::event::{AuditContent, AuditEntry, AuditRow};
use gurumisha_core::query::{search_terms, AuditFilter, Cursor, Page, PageRequest};
use gurumisha_core::verify::ChainLink;
use gurumisha_core::{StoreError, Timestamp};
use rusqlite::types::ValueRef;
use rusqlite::{params, Connection, OptionalExtension, Row};
use std::time::Duration;

/// The writer asks the caller (who holds the signing key) to sign checkpoints over rows it
/// has just linked, while the transaction is still open.
pub(crate) struct SignRequest {
    /// `(seq, prev_hash, hash)` of the linked rows that fall on a checkpoint.
    pub linked: Vec<(i64, Hash32, Hash32)>,
    pub reply: std::sync::mpsc::SyncSender<Vec<Checkpoint>>,
}

/// Where to send signing requests, and the policy's interval (rows that are not a multiple of
/// it never need a signature, so most appends need no round trip).
pub(crate) struct Signer {
    pub every: i64,
    pub ask: tokio::sync::mpsc::UnboundedSender<SignRequest>,
}

/// How long the writer waits for a signature before failing the append.
const SIGN_TIMEOUT: Duration = Duration::from_secs(30);

/// Chains `rows` after the current head and inserts them, plus a signed checkpoint at every
/// row that falls on the caller's checkpoint interval. Runs inside the writer's transaction:
/// nobody else can move the head between the read and the inserts.
pub(crate) fn append(
    conn: &Connection,
    rows: &[AuditContent],
    signer: Option<&Signer>,
) -> Result<Vec<i64>, StoreError> {
    let head = head(conn)?.unwrap_or((0, GENESIS));
    let linked = chain::link(head, rows);
    let mut stmt = conn
        .prepare_cached(
            "INSERT INTO audit_log (seq, ts, user_id, action_type, table_name, record_id,
                 field_name, old_value, new_value, severity, description, ip_address,
                 user_agent, change_set_id, content_flags, prev_hash, hash)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17)",
        )
        .map_err(db_err)?;
    for ((seq, prev, hash), c) in linked.iter().zip(rows) {
        stmt.execute(params![
            seq,
            c.timestamp.micros(),
            c.user_id,
            c.action_type,
            c.table_name,
            c.record_id,
            c.field_name,
            c.old_value,
            c.new_value,
            c.severity.as_str(),
            c.description,
            c.ip_address,
            c.user_agent,
            c.change_set_id,
            flags_json(&c.content_flags)?,
            &prev[..],
            &hash[..],
        ])
        .map_err(db_err)?;
    }
    // The full-text entries (not a trigger: see the migration), as for activity rows.
    if rows.len() <= fts::ROW_BY_ROW_MAX {
        let mut text = conn
            .prepare_cached("INSERT INTO audit_fts (rowid, description) VALUES (?1, ?2)")
            .map_err(db_err)?;
        for ((seq, _, _), c) in linked.iter().zip(rows) {
            text.execute(params![seq, c.description]).map_err(db_err)?;
        }
    } else if let (Some(&(first, _, _)), Some(&(last, _, _))) = (linked.first(), linked.last()) {
        conn.prepare_cached(
            "INSERT INTO audit_fts (rowid, description)
             SELECT seq, description FROM audit_log WHERE seq BETWEEN ?1 AND ?2",
        )
        .and_then(|mut s| s.execute(params![first, last]))
        .map_err(db_err)?;
    }
    let due: Vec<_> = match signer {
        Some(s) if s.every > 0 => linked
            .iter()
            .filter(|(seq, _, _)| seq % s.every == 0)
            .copied()
            .collect(),
        _ => Vec::new(),
    };
    if let (Some(signer), false) = (signer, due.is_empty()) {
        let (reply, answer) = std::sync::mpsc::sync_channel(1);
        signer
            .ask
            .send(SignRequest { linked: due, reply })
            .map_err(|_| {
                StoreError::Database("the audit append was abandoned by its caller".into())
            })?;
        let cps = answer.recv_timeout(SIGN_TIMEOUT).map_err(|e| {
            StoreError::Database(format!("no checkpoint signatures from the caller: {e}"))
        })?;
        for cp in &cps {
            insert_checkpoint(conn, cp)?;
        }
    }
    Ok(linked.into_iter().map(|(seq, _, _)| seq).collect())
}

pub(crate) fn head(conn: &Connection) -> Result<Option<(i64, Hash32)>, StoreError> {
    let row: Option<(i64, Vec<u8>)> = conn
        .prepare_cached("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1")
        .and_then(|mut s| s.query_row([], |r| Ok((r.get(0)?, r.get(1)?))).optional())
        .map_err(db_err)?;
    row.map(|(seq, h)| Ok((seq, hash("audit_log", seq, "hash", &h)?)))
        .transpose()
}

fn hash(table: &str, key: i64, column: &str, b: &[u8]) -> Result<Hash32, StoreError> {
    chain::from_slice(b)
        .ok_or_else(|| bad_data(table, key, format!("{column} is {} bytes, not 32", b.len())))
}

pub(crate) fn insert_checkpoint(conn: &Connection, cp: &Checkpoint) -> Result<(), StoreError> {
    conn.prepare_cached(
        "INSERT OR IGNORE INTO audit_checkpoint (seq, head_hash, signed_at, key_id, signature)
         VALUES (?1, ?2, ?3, ?4, ?5)",
    )
    .and_then(|mut s| {
        s.execute(params![
            cp.seq,
            &cp.head_hash[..],
            cp.signed_at.micros(),
            cp.key_id,
            &cp.signature[..],
        ])
    })
    .map_err(db_err)?;
    Ok(())
}

pub(crate) fn list_checkpoints(
    conn: &Connection,
    from: i64,
    to: i64,
) -> Result<Vec<Checkpoint>, StoreError> {
    let mut stmt = conn
        .prepare_cached(
            "SELECT seq, head_hash, signed_at, key_id, signature FROM audit_checkpoint
             WHERE seq >= ?1 AND seq <= ?2 ORDER BY seq",
        )
        .map_err(db_err)?;
    let mut rows = stmt.query(params![from, to]).map_err(db_err)?;
    let mut out = Vec::new();
    while let Some(r) = rows.next().map_err(db_err)? {
        let seq: i64 = r.get(0).map_err(db_err)?;
        let head: Vec<u8> = r.get(1).map_err(db_err)?;
        let sig: Vec<u8> = r.get(4).map_err(db_err)?;
        out.push(Checkpoint {
            seq,
            head_hash: hash("audit_checkpoint", seq, "head_hash", &head)?,
            signed_at: Timestamp(r.get(2).map_err(db_err)?),
            key_id: r.get(3).map_err(db_err)?,
            signature: sig.as_slice().try_into().map_err(|_| {
                bad_data(
                    "audit_checkpoint",
                    seq,
                    format!("signature is {} bytes, not 64", sig.len()),
                )
            })?,
        });
    }
    Ok(out)
}

/// Columns 0..=16 of an audit row, as `decode_row` reads them.
const ROW_COLUMNS: &str = "a.seq, a.ts, a.user_id, a.action_type, a.table_name, a.record_id, \
     a.field_name, a.old_value, a.new_value, a.severity, a.description, a.ip_address, \
     a.user_agent, a.change_set_id, a.content_flags, a.prev_hash, a.hash";

pub(crate) fn rows_from(
    conn: &Connection,
    from_seq: i64,
    limit: u32,
) -> Result<Vec<AuditRow>, StoreError> {
    let mut q = Query::new("SELECT ");
    q.push(ROW_COLUMNS);
    q.bind(" FROM audit_log a WHERE a.seq >= ?", from_seq);
    q.bind(" ORDER BY a.seq LIMIT ?", i64::from(limit));
    let mut stmt = conn.prepare_cached(&q.sql).map_err(db_err)?;
    let mut rows = stmt.query(q.params()).map_err(db_err)?;
    let mut out = Vec::with_capacity(limit.min(50_000) as usize);
    while let Some(r) = rows.next().map_err(db_err)? {
        out.push(decode_row(r)?);
    }
    Ok(out)
}

fn decode_row(r: &Row<'_>) -> Result<AuditRow, StoreError> {
    let seq: i64 = r.get(0).map_err(db_err)?;
    let severity: String = r.get(9).map_err(db_err)?;
    let flags: String = r.get(14).map_err(db_err)?;
    let prev: Vec<u8> = r.get(15).map_err(db_err)?;
    let h: Vec<u8> = r.get(16).map_err(db_err)?;
    Ok(AuditRow {
        seq,
        prev_hash: hash("audit_log", seq, "prev_hash", &prev)?,
        hash: hash("audit_log", seq, "hash", &h)?,
        content: AuditContent {
            timestamp: Timestamp(r.get(1).map_err(db_err)?),
            user_id: r.get(2).map_err(db_err)?,
            action_type: r.get(3).map_err(db_err)?,
            table_name: r.get(4).map_err(db_err)?,
            record_id: r.get(5).map_err(db_err)?,
            field_name: r.get(6).map_err(db_err)?,
            old_value: r.get(7).map_err(db_err)?,
            new_value: r.get(8).map_err(db_err)?,
            severity: Severity::parse(&severity).map_err(|e| bad_data("audit_log", seq, e))?,
            description: r.get(10).map_err(db_err)?,
            ip_address: r.get(11).map_err(db_err)?,
            user_agent: r.get(12).map_err(db_err)?,
            change_set_id: r.get(13).map_err(db_err)?,
            content_flags: parse_flags("audit_log", seq, &flags)?,
        },
    })
}

/// The full-text condition of a filter, unplanned.
pub(crate) fn matches(filter: &AuditFilter) -> Vec<Match> {
    filter
        .text
        .as_deref()
        .and_then(search_terms)
        .map(|t| Match {
            table: FtsTable::AuditText,
            expr: fts::words(&t),
        })
        .into_iter()
        .collect()
}

pub(crate) fn build_list(filter: &AuditFilter, page: &PageRequest, m: &Matches) -> Query {
    let mut q = Query::new("SELECT ");
    q.push(ROW_COLUMNS).push(", u.username");
    from_where(&mut q, filter, m);
    q.newest_first(filter.from, filter.to, page, m, &KEYSET);
    q
}

/// Appends to a `SELECT` list (over `a`, the log, and `u`, the users) the rows `m` drives
/// through, with the filters other than text and time applied.
pub(crate) fn from_where(q: &mut Query, filter: &AuditFilter, m: &Matches) {
    match &m.drive {
        Some(d) => q.bind(d.table.drive_from(), d.expr.clone()),
        None => q.push(" FROM audit_log a LEFT JOIN users u ON u.id = a.user_id WHERE 1 = 1"),
    };
    if let Some(v) = filter.user_id {
        q.bind(" AND a.user_id = ?", v);
    }
    if let Some(v) = &filter.table_name {
        q.bind(" AND a.table_name = ?", v.clone());
    }
    if let Some(v) = &filter.record_id {
        q.bind(" AND a.record_id = ?", v.clone());
    }
    if let Some(v) = &filter.field_name {
        q.bind(" AND a.field_name = ?", v.clone());
    }
    if let Some(v) = &filter.action_type {
        q.bind(" AND a.action_type = ?", v.clone());
    }
    if let Some(v) = filter.severity {
        q.bind(" AND a.severity = ?", v.as_str().to_owned());
    }
    if let Some(v) = &filter.change_set_id {
        q.bind(" AND a.change_set_id = ?", v.clone());
    }
}

/// The redundant `ts <= ?` lets the index seek straight to the cursor.
pub(crate) const KEYSET: Keyset = Keyset {
    after: " AND a.ts <= ? AND (a.ts < ? OR (a.ts = ? AND a.seq < ?))",
    order_limit: " ORDER BY a.ts DESC, a.seq DESC LIMIT ?",
    oldest_first: " ORDER BY a.ts, a.seq LIMIT ?",
};

pub(crate) fn list(
    conn: &Connection,
    filter: &AuditFilter,
    page: &PageRequest,
) -> Result<Page<AuditEntry>, StoreError> {
    let m = Matches::plan(conn, matches(filter))?;
    let q = build_list(filter, page, &m);
    let mut stmt = conn.prepare_cached(&q.sql).map_err(db_err)?;
    let mut rows = stmt.query(q.params()).map_err(db_err)?;
    let mut items = Vec::with_capacity(page.limit as usize + 1);
    while let Some(r) = rows.next().map_err(db_err)? {
        items.push(AuditEntry {
            row: decode_row(r)?,
            username: r.get(17).map_err(db_err)?,
        });
    }
    Ok(Page::from_overfetch(items, page.limit, |e| Cursor {
        ts: e.row.content.timestamp.micros(),
        id: e.row.seq,
    }))
}

/// Chain links for verification: each row is hashed from borrowed column data, no allocation
/// per row (the verify benchmark reads a million rows).
pub(crate) fn links_from(
    conn: &Connection,
    from_seq: i64,
    limit: u32,
) -> Result<Vec<ChainLink>, StoreError> {
    let mut stmt = conn
        .prepare_cached(&format!(
            "SELECT {ROW_COLUMNS} FROM audit_log a WHERE a.seq >= ?1 ORDER BY a.seq LIMIT ?2"
        ))
        .map_err(db_err)?;
    let mut rows = stmt
        .query(params![from_seq, i64::from(limit)])
        .map_err(db_err)?;
    let mut out = Vec::with_capacity(limit.min(50_000) as usize);
    while let Some(r) = rows.next().map_err(db_err)? {
        out.push(link_of(r)?);
    }
    Ok(out)
}

fn link_of(r: &Row<'_>) -> Result<ChainLink, StoreError> {
    let seq: i64 = r.get(0).map_err(db_err)?;
    // Text columns as their bytes: the hash covers bytes, so text that is not UTF-8 (written
    // around the store) fails to match rather than stopping verification with an error.
    let opt = |i: usize| -> Result<Option<&[u8]>, StoreError> {
        match r.get_ref(i).map_err(db_err)? {
            ValueRef::Text(b) => Ok(Some(b)),
            ValueRef::Null => Ok(None),
            other => Err(bad_data(
                "audit_log",
                seq,
                format!("column {i} holds {:?}, not text", other.data_type()),
            )),
        }
    };
    let text = |i: usize| -> Result<&[u8], StoreError> {
        opt(i)?.ok_or_else(|| bad_data("audit_log", seq, format!("column {i} is NULL")))
    };
    let blob = |i: usize, name: &str| -> Result<Hash32, StoreError> {
        let b = r
            .get_ref(i)
            .map_err(db_err)?
            .as_blob()
            .map_err(|e| bad_data("audit_log", seq, e))?;
        hash("audit_log", seq, name, b)
    };
    let prev_hash = blob(15, "prev_hash")?;
    let stored = blob(16, "hash")?;
    let content = chain::ContentRef {
        timestamp_us: r.get(1).map_err(db_err)?,
        user_id: r.get(2).map_err(db_err)?,
        action_type: text(3)?,
        table_name: text(4)?,
        record_id: opt(5)?,
        field_name: opt(6)?,
        old_value: opt(7)?,
        new_value: opt(8)?,
        severity: text(9)?,
        description: text(10)?,
        ip_address: opt(11)?,
        user_agent: opt(12)?,
        change_set_id: opt(13)?,
    };
    let flags = std::str::from_utf8(text(14)?).unwrap_or("not UTF-8");
    let self_ok = chain::seal_stored(seq, &prev_hash, &content, flags) == Some(stored);
    Ok(ChainLink {
        seq,
        prev_hash,
        hash: stored,
        self_ok,
    })
}
