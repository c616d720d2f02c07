//! audit_log: chained appends serialised on the one-row head, reads for people and for the
//! verifier, and signed checkpoints.

use crate::activity::{check_cursor, tsquery};
use crate::convert::{hash, text_array_literal, PgTs};
use crate::error::db;
use crate::search::{self, text_count, End, Planned, TextPlan};
use gurumisha_core::chain::{self, Hash32};
use gurumisha_core::checkpoint::{Checkpoint, CheckpointPolicy};
use gurumisha_core::domain::Severity;
use gurumisha_core::event::{AuditContent, AuditEntry, AuditRow};
use gurumisha_core::query::{AuditFilter, Cursor, Page, PageRequest};
use gurumisha_core::{StoreError, Timestamp};
use sqlx::postgres::PgRow;
use sqlx::{PgPool, Postgres, QueryBuilder, Row};

const INSERT: &str = "\
INSERT INTO audit_log (seq, ts, user_id, action_type, table_name, record_id, field_name,
    old_value, new_value, severity, description, ip_address, user_agent, change_set_id,
    content_flags, prev_hash, hash)
SELECT u.seq, u.ts, u.user_id, u.action_type, u.table_name, u.record_id, u.field_name,
    u.old_value, u.new_value, u.severity, u.description, u.ip_address, u.user_agent,
    u.change_set_id, u.flags::text[], u.prev_hash, u.hash
FROM UNNEST($1::int8[], $2::timestamptz[], $3::int8[], $4::text[], $5::text[], $6::text[],
    $7::text[], $8::text[], $9::text[], $10::text[], $11::text[], $12::text[], $13::text[],
    $14::text[], $15::text[], $16::bytea[], $17::bytea[])
    AS u(seq, ts, user_id, action_type, table_name, record_id, field_name, old_value,
        new_value, severity, description, ip_address, user_agent, change_set_id, flags,
        prev_hash, hash)";

/// Appends `rows` after the current head in one transaction. The head row is locked
/// `FOR UPDATE` first, so appenders on every connection and every machine queue up behind
/// each other and each one links to the hash the previous one committed.
#[tracing::instrument(skip_all, fields(rows = rows.len()))]
pub(crate) async fn append(
    pool: &PgPool,
    rows: Vec<AuditContent>,
    policy: Option<&CheckpointPolicy>,
) -> Result<Vec<i64>, StoreError> {
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let n = rows.len();
    let mut ts = Vec::with_capacity(n);
    for r in &rows {
        ts.push(PgTs::checked(r.timestamp)?);
    }
    let mut tx = pool.begin().await.map_err(db)?;
    let head =
        sqlx::query("SELECT last_seq, last_hash FROM audit_chain_head WHERE id = 1 FOR UPDATE")
            .fetch_optional(&mut *tx)
            .await
            .map_err(db)?
            .ok_or_else(|| {
                StoreError::Database("audit_chain_head has no row: run the migrations".into())
            })?;
    let last_seq: i64 = head.try_get("last_seq").map_err(db)?;
    let last_hash = hash(
        "audit_chain_head.last_hash",
        &head.try_get::<Vec<u8>, _>("last_hash").map_err(db)?,
    )?;

    let linked = chain::link((last_seq, last_hash), rows.iter());
    let Some(&last) = linked.last() else {
        return Ok(Vec::new());
    };
    let seqs: Vec<i64> = linked.iter().map(|l| l.0).collect();
    let prevs: Vec<Vec<u8>> = linked.iter().map(|l| l.1.to_vec()).collect();
    let hashes: Vec<Vec<u8>> = linked.iter().map(|l| l.2.to_vec()).collect();

    let mut user_id = Vec::with_capacity(n);
    let mut action_type = Vec::with_capacity(n);
    let mut table_name = Vec::with_capacity(n);
    let mut record_id = Vec::with_capacity(n);
    let mut field_name = Vec::with_capacity(n);
    let mut old_value = Vec::with_capacity(n);
    let mut new_value = Vec::with_capacity(n);
    let mut severity = Vec::with_capacity(n);
    let mut description = Vec::with_capacity(n);
    let mut ip_address = Vec::with_capacity(n);
    let mut user_agent = Vec::with_capacity(n);
    let mut change_set_id = Vec::with_capacity(n);
    let mut flags = Vec::with_capacity(n);
    for r in rows {
        user_id.push(r.user_id);
        action_type.push(r.action_type);
        table_name.push(r.table_name);
        record_id.push(r.record_id);
        field_name.push(r.field_name);
        old_value.push(r.old_value);
        new_value.push(r.new_value);
        severity.push(r.severity.as_str());
        description.push(r.description);
        ip_address.push(r.ip_address);
        user_agent.push(r.user_agent);
        change_set_id.push(r.change_set_id);
        flags.push(text_array_literal(&r.content_flags));
    }
    sqlx::query(INSERT)
        .bind(&seqs)
        .bind(ts)
        .bind(user_id)
        .bind(action_type)
        .bind(table_name)
        .bind(record_id)
        .bind(field_name)
        .bind(old_value)
        .bind(new_value)
        .bind(severity)
        .bind(description)
        .bind(ip_address)
        .bind(user_agent)
        .bind(change_set_id)
        .bind(flags)
        .bind(prevs)
        .bind(hashes)
        .execute(&mut *tx)
        .await
        .map_err(db)?;
    sqlx::query("UPDATE audit_chain_head SET last_seq = $1, last_hash = $2 WHERE id = 1")
        .bind(last.0)
        .bind(last.2.to_vec())
        .execute(&mut *tx)
        .await
        .map_err(db)?;
    if let Some(p) = policy {
        // A checkpoint at every multiple of `every` among these rows, however they were batched.
        let cps = p.sign_linked(&linked, Timestamp::now());
        insert_checkpoints(&mut *tx, &cps).await?;
    }
    tx.commit().await.map_err(db)?;
    Ok(seqs)
}

pub(crate) const COLUMNS: &str = "a.seq, a.ts, a.user_id, a.action_type, a.table_name, a.record_id,
    a.field_name, a.old_value, a.new_value, a.severity, a.description, a.ip_address,
    a.user_agent, a.change_set_id, a.content_flags, a.prev_hash, a.hash";

/// What a page returns; the username is evaluated only for the rows that survive the LIMIT.
const SELECT_LIST: &str = "(SELECT u.username FROM users u WHERE u.id = a.user_id) AS username";

/// Appends every filter (the text one when `text`) and the keyset position, all bound.
pub(crate) fn push_filters(
    q: &mut QueryBuilder<'_, Postgres>,
    f: &AuditFilter,
    page: &PageRequest,
    text: bool,
) {
    if let Some(v) = f.user_id {
        q.push(" AND a.user_id = ").push_bind(v);
    }
    if let Some(v) = &f.table_name {
        q.push(" AND a.table_name = ").push_bind(v.clone());
    }
    if let Some(v) = &f.record_id {
        q.push(" AND a.record_id = ").push_bind(v.clone());
    }
    if let Some(v) = &f.field_name {
        q.push(" AND a.field_name = ").push_bind(v.clone());
    }
    if let Some(v) = &f.action_type {
        q.push(" AND a.action_type = ").push_bind(v.clone());
    }
    if let Some(v) = f.severity {
        q.push(" AND a.severity = ").push_bind(v.as_str());
    }
    if let Some(v) = &f.change_set_id {
        q.push(" AND a.change_set_id = ").push_bind(v.clone());
    }
    search::push_window(
        q,
        f.from,
        f.to,
        f.text.as_deref().and_then(tsquery).filter(|_| text),
        page,
        "a.seq",
    );
}

/// The page query from `end`, plus for a text search the GIN-driven variant and the count
/// that chooses between them (see `search`).
pub(crate) fn planned<'a>(
    prefix: &str,
    f: &AuditFilter,
    page: &PageRequest,
    end: End,
) -> Planned<'a> {
    let order = |q: &mut QueryBuilder<'a, Postgres>| {
        q.push(end.order_by("a.seq"))
            .push(" LIMIT ")
            .push_bind(i64::from(page.limit) + 1);
    };
    let mut list = QueryBuilder::new(prefix);
    list.push(format!(
        "SELECT {COLUMNS}, {SELECT_LIST} FROM audit_log a WHERE true"
    ));
    push_filters(&mut list, f, page, true);
    order(&mut list);
    let text = f.text.as_deref().and_then(tsquery).map(|tsq| {
        let mut gin = QueryBuilder::new(prefix);
        gin.push(format!(
            "WITH a AS MATERIALIZED (SELECT {COLUMNS} FROM audit_log a"
        ))
        .push(" WHERE a.search @@ to_tsquery('simple', ")
        .push_bind(tsq.clone())
        .push(format!(
            ")) SELECT {COLUMNS}, {SELECT_LIST} FROM a WHERE true"
        ));
        push_filters(&mut gin, f, page, false);
        order(&mut gin);
        let mut walk = QueryBuilder::new(prefix);
        walk.push(format!(
            "WITH w AS (SELECT {COLUMNS}, a.search FROM audit_log a WHERE true"
        ));
        push_filters(&mut walk, f, page, false);
        walk.push(end.order_by("a.seq"))
            .push(" LIMIT ")
            .push_bind(search::WALK_ROWS)
            .push(format!(") SELECT {COLUMNS}, {SELECT_LIST} FROM w a WHERE a.search @@ to_tsquery('simple', "))
            .push_bind(tsq.clone())
            .push(")");
        order(&mut walk);
        TextPlan {
            count: text_count("audit_log", tsq),
            gin,
            walk,
            want: page.limit as usize + 1,
        }
    });
    Planned { list, text }
}

pub(crate) async fn list(
    pool: &PgPool,
    f: &AuditFilter,
    page: &PageRequest,
) -> Result<Page<AuditEntry>, StoreError> {
    check_cursor(page)?;
    let rows = search::run(pool, planned("", f, page, End::Newest)).await?;
    let items = rows
        .iter()
        .map(|r| {
            Ok(AuditEntry {
                row: audit_row(r)?,
                username: r.try_get("username").map_err(db)?,
            })
        })
        .collect::<Result<Vec<_>, StoreError>>()?;
    Ok(Page::from_overfetch(items, page.limit, |e| Cursor {
        ts: e.row.content.timestamp.micros(),
        id: e.row.seq,
    }))
}

pub(crate) fn audit_row(r: &PgRow) -> Result<AuditRow, StoreError> {
    let severity: String = r.try_get("severity").map_err(db)?;
    Ok(AuditRow {
        seq: r.try_get("seq").map_err(db)?,
        prev_hash: hash(
            "prev_hash",
            &r.try_get::<Vec<u8>, _>("prev_hash").map_err(db)?,
        )?,
        hash: hash("hash", &r.try_get::<Vec<u8>, _>("hash").map_err(db)?)?,
        content: AuditContent {
            timestamp: r.try_get::<PgTs, _>("ts").map_err(db)?.ts(),
            user_id: r.try_get("user_id").map_err(db)?,
            action_type: r.try_get("action_type").map_err(db)?,
            table_name: r.try_get("table_name").map_err(db)?,
            record_id: r.try_get("record_id").map_err(db)?,
            field_name: r.try_get("field_name").map_err(db)?,
            old_value: r.try_get("old_value").map_err(db)?,
            new_value: r.try_get("new_value").map_err(db)?,
            severity: Severity::parse(&severity)
                .map_err(|e| StoreError::Database(e.to_string()))?,
            description: r.try_get("description").map_err(db)?,
            ip_address: r.try_get("ip_address").map_err(db)?,
            user_agent: r.try_get("user_agent").map_err(db)?,
            change_set_id: r.try_get("change_set_id").map_err(db)?,
            content_flags: r.try_get("content_flags").map_err(db)?,
        },
    })
}

pub(crate) async fn rows(
    pool: &PgPool,
    from_seq: i64,
    limit: u32,
) -> Result<Vec<AuditRow>, StoreError> {
    let sql =
        format!("SELECT {COLUMNS} FROM audit_log a WHERE a.seq >= $1 ORDER BY a.seq LIMIT $2");
    let rows = sqlx::query(&sql)
        .bind(from_seq)
        .bind(i64::from(limit))
        .fetch_all(pool)
        .await
        .map_err(db)?;
    rows.iter().map(audit_row).collect()
}

pub(crate) async fn head(pool: &PgPool) -> Result<Option<(i64, Hash32)>, StoreError> {
    let row: Option<(i64, Vec<u8>)> =
        sqlx::query_as("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1")
            .fetch_optional(pool)
            .await
            .map_err(db)?;
    row.map(|(seq, h)| Ok((seq, hash("hash", &h)?))).transpose()
}

/// Inserts checkpoints in one statement; one already stored for a `seq` is kept.
async fn insert_checkpoints<'e, E>(ex: E, cps: &[Checkpoint]) -> Result<(), StoreError>
where
    E: sqlx::PgExecutor<'e>,
{
    if cps.is_empty() {
        return Ok(());
    }
    let signed_at = cps
        .iter()
        .map(|c| PgTs::checked(c.signed_at))
        .collect::<Result<Vec<_>, _>>()?;
    sqlx::query(
        "INSERT INTO audit_checkpoint (seq, head_hash, signed_at, key_id, signature)
         SELECT * FROM UNNEST($1::int8[], $2::bytea[], $3::timestamptz[], $4::text[], $5::bytea[])
         ON CONFLICT (seq) DO NOTHING",
    )
    .bind(cps.iter().map(|c| c.seq).collect::<Vec<_>>())
    .bind(cps.iter().map(|c| c.head_hash.to_vec()).collect::<Vec<_>>())
    .bind(signed_at)
    .bind(cps.iter().map(|c| c.key_id.as_str()).collect::<Vec<_>>())
    .bind(cps.iter().map(|c| c.signature.to_vec()).collect::<Vec<_>>())
    .execute(ex)
    .await
    .map_err(db)?;
    Ok(())
}

pub(crate) async fn insert_checkpoint(pool: &PgPool, cp: &Checkpoint) -> Result<(), StoreError> {
    insert_checkpoints(pool, std::slice::from_ref(cp)).await
}

pub(crate) async fn list_checkpoints(
    pool: &PgPool,
    from: i64,
    to: i64,
) -> Result<Vec<Checkpoint>, StoreError> {
    let rows = sqlx::query(
        "SELECT seq, head_hash, signed_at, key_id, signature FROM audit_checkpoint
         WHERE seq >= $1 AND seq <= $2 ORDER BY seq",
    )
    .bind(from)
    .bind(to)
    .fetch_all(pool)
    .await
    .map_err(db)?;
    rows.iter()
        .map(|r| {
            let sig: Vec<u8> = r.try_get("signature").map_err(db)?;
            let signature: [u8; 64] = sig.as_slice().try_into().map_err(|_| {
                StoreError::Database(format!(
                    "audit_checkpoint.signature holds {} bytes, a signature has 64: the row is corrupt",
                    sig.len()
                ))
            })?;
            Ok(Checkpoint {
                seq: r.try_get("seq").map_err(db)?,
                head_hash: hash("audit_checkpoint.head_hash", &r.try_get::<Vec<u8>, _>("head_hash").map_err(db)?)?,
                signed_at: r.try_get::<PgTs, _>("signed_at").map_err(db)?.ts(),
                key_id: r.try_get("key_id").map_err(db)?,
                signature,
            })
        })
        .collect()
}
