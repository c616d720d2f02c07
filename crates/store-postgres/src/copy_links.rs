//! Chain links for verification, streamed with `COPY … TO STDOUT (FORMAT binary)`.
//!
//! Verification reads every audit row once, so the cost per row decides its speed. Through a
//! normal query each row becomes a driver row object with its own allocations; here the rows
//! arrive as PostgreSQL's binary COPY stream and are parsed in place: each field is a slice
//! of the received bytes, hashed as bytes without being copied or re-validated. The hash is still computed here, in
//! the verifier's process, never by the database it is checking.
//!
//! Format (PostgreSQL documentation, "COPY", binary format): an 11-byte signature, a 32-bit
//! flags field and a 32-bit header-extension length (plus the extension), then tuples: a
//! 16-bit field count (-1 ends the data), and per field a 32-bit length (-1 for NULL) and the
//! value in the type's binary send format. Every integer is big-endian.

use crate::error::db;
use futures_util::TryStreamExt;
use gurumisha_core::chain::{self, Hash32};
use gurumisha_core::verify::ChainLink;
use gurumisha_core::StoreError;
use sqlx::postgres::PgPoolCopyExt;
use sqlx::PgPool;

const SIGNATURE: &[u8; 11] = b"PGCOPY\n\xff\r\n\0";
/// Microseconds from the Unix epoch to PostgreSQL's epoch (2000-01-01T00:00:00Z).
const PG_EPOCH_UNIX_MICROS: i64 = 946_684_800_000_000;
/// The columns, in the order [`link_of`] reads them.
const FIELDS: usize = 17;

fn bad(what: impl std::fmt::Display) -> StoreError {
    StoreError::Database(format!("binary COPY of audit_log: {what}"))
}

/// A cursor over one tuple's bytes.
struct Fields<'a> {
    buf: &'a [u8],
}

impl<'a> Fields<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], StoreError> {
        if self.buf.len() < n {
            return Err(bad("truncated tuple"));
        }
        let (head, rest) = self.buf.split_at(n);
        self.buf = rest;
        Ok(head)
    }

    fn i32(&mut self) -> Result<i32, StoreError> {
        Ok(i32::from_be_bytes(self.take(4)?.try_into().map_err(bad)?))
    }

    /// The next field's bytes, `None` for NULL.
    fn field(&mut self) -> Result<Option<&'a [u8]>, StoreError> {
        match self.i32()? {
            -1 => Ok(None),
            n if n >= 0 => self.take(n as usize).map(Some),
            n => Err(bad(format!("field length {n}"))),
        }
    }

    fn required(&mut self, name: &str) -> Result<&'a [u8], StoreError> {
        self.field()?.ok_or_else(|| bad(format!("{name} is NULL")))
    }

    fn int8(b: &[u8], name: &str) -> Result<i64, StoreError> {
        Ok(i64::from_be_bytes(
            b.try_into()
                .map_err(|_| bad(format!("{name} is not 8 bytes")))?,
        ))
    }

    fn opt_text(&mut self) -> Result<Option<&'a [u8]>, StoreError> {
        self.field()
    }

    fn req_text(&mut self, name: &str) -> Result<&'a [u8], StoreError> {
        self.required(name)
    }

    fn hash(&mut self, name: &str) -> Result<Hash32, StoreError> {
        let b = self.required(name)?;
        b.try_into()
            .map_err(|_| bad(format!("{name} holds {} bytes, a hash has 32", b.len())))
    }
}

/// The elements of a one-dimensional `text[]` in binary form.
fn text_array<'a>(b: &'a [u8], out: &mut Vec<&'a [u8]>) -> Result<(), StoreError> {
    let mut f = Fields { buf: b };
    let ndim = f.i32()?;
    let _has_nulls = f.i32()?;
    let _elem_oid = f.i32()?;
    match ndim {
        0 => Ok(()),
        1 => {
            let n = f.i32()?;
            let _lower = f.i32()?;
            for _ in 0..n {
                out.push(f.required("content_flags element")?);
            }
            Ok(())
        }
        n => Err(bad(format!("content_flags has {n} dimensions"))),
    }
}

/// One tuple (17 fields, [`crate::audit::COLUMNS`] order) into its link.
fn link_of(tuple: &[u8]) -> Result<ChainLink, StoreError> {
    let mut f = Fields { buf: tuple };
    let seq = Fields::int8(f.required("seq")?, "seq")?;
    let ts = Fields::int8(f.required("ts")?, "ts")?
        .checked_add(PG_EPOCH_UNIX_MICROS)
        .ok_or_else(|| bad(format!("ts of seq {seq} is out of range")))?;
    let user_id = f.field()?.map(|b| Fields::int8(b, "user_id")).transpose()?;
    let content = chain::ContentRef {
        timestamp_us: ts,
        user_id,
        action_type: f.req_text("action_type")?,
        table_name: f.req_text("table_name")?,
        record_id: f.opt_text()?,
        field_name: f.opt_text()?,
        old_value: f.opt_text()?,
        new_value: f.opt_text()?,
        severity: f.req_text("severity")?,
        description: f.req_text("description")?,
        ip_address: f.opt_text()?,
        user_agent: f.opt_text()?,
        change_set_id: f.opt_text()?,
    };
    let mut flags = Vec::new();
    text_array(f.required("content_flags")?, &mut flags)?;
    let prev_hash = f.hash("prev_hash")?;
    let stored = f.hash("hash")?;
    let self_ok = chain::seal_ref(seq, &prev_hash, &content, flags.iter().copied()) == stored;
    Ok(ChainLink {
        seq,
        prev_hash,
        hash: stored,
        self_ok,
    })
}

/// Parses complete tuples from `buf[*at..]`, leaving a partial one in place. Returns false
/// once the trailer (field count -1) is seen.
fn parse_tuples(buf: &[u8], at: &mut usize, out: &mut Vec<ChainLink>) -> Result<bool, StoreError> {
    loop {
        let rest = &buf[*at..];
        if rest.len() < 2 {
            return Ok(true);
        }
        let count = i16::from_be_bytes([rest[0], rest[1]]);
        if count == -1 {
            *at += 2;
            return Ok(false);
        }
        if count as usize != FIELDS {
            return Err(bad(format!(
                "a tuple has {count} fields, expected {FIELDS}"
            )));
        }
        // Find the tuple's end without parsing values: walk the length prefixes.
        let mut end = 2;
        for _ in 0..FIELDS {
            let Some(len) = rest.get(end..end + 4) else {
                return Ok(true);
            };
            let len = i32::from_be_bytes(len.try_into().map_err(bad)?);
            end += 4 + usize::try_from(len).unwrap_or(0);
            if end > rest.len() {
                return Ok(true);
            }
        }
        out.push(link_of(&rest[2..end])?);
        *at += end;
    }
}

/// Links of rows with `seq >= from_seq`, in order, at most `limit`.
pub(crate) async fn links(
    pool: &PgPool,
    from_seq: i64,
    limit: u32,
) -> Result<Vec<ChainLink>, StoreError> {
    // COPY takes no parameters; both values are integers formatted here, never text.
    let sql = format!(
        "COPY (SELECT {} FROM audit_log a WHERE a.seq >= {from_seq} ORDER BY a.seq LIMIT {limit}) \
         TO STDOUT (FORMAT binary)",
        crate::audit::COLUMNS
    );
    let mut stream = pool.copy_out_raw(&sql).await.map_err(db)?;
    let mut out = Vec::with_capacity(limit.min(100_000) as usize);
    // Bytes of an incomplete header or tuple carried over to the next message. PostgreSQL
    // sends one tuple per message, so after the header this is almost always empty and
    // tuples are parsed straight from the message.
    let mut carry: Vec<u8> = Vec::new();
    let mut header_done = false;
    let mut more = true;
    while let Some(chunk) = stream.try_next().await.map_err(db)? {
        if !more {
            continue;
        }
        if header_done && carry.is_empty() {
            let mut at = 0;
            more = parse_tuples(&chunk, &mut at, &mut out)?;
            carry.extend_from_slice(&chunk[at..]);
            continue;
        }
        carry.extend_from_slice(&chunk);
        let mut at = 0;
        if !header_done {
            if carry.len() < SIGNATURE.len() + 8 {
                continue;
            }
            if &carry[..SIGNATURE.len()] != SIGNATURE {
                return Err(bad("missing signature"));
            }
            let ext_at = SIGNATURE.len() + 4;
            let ext = u32::from_be_bytes(carry[ext_at..ext_at + 4].try_into().map_err(bad)?);
            let start = ext_at + 4 + ext as usize;
            if carry.len() < start {
                continue;
            }
            at = start;
            header_done = true;
        }
        more = parse_tuples(&carry, &mut at, &mut out)?;
        carry.drain(..at);
    }
    if more {
        return Err(bad("the stream ended without its trailer"));
    }
    Ok(out)
}
