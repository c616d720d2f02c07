//! Versioned templates. A save reads the current version and inserts the next one inside the
//! writer's `BEGIN IMMEDIATE` transaction, so two saves (in this process or any other that
//! opens the file) can never compute the same version.

use crate::conn::{bad_data, db_err};
use gurumisha_core::notify_data::{TemplateDraft, TemplateVersion};
use gurumisha_core::{StoreError, Timestamp};
use rusqlite::{params, Connection, OptionalExtension, Row};

const COLS: &str = "name, channel, version, notification_type, subject_template, body_template, \
     html_body_template, available_variables, priority, active, edited_by, note, created_at";

fn decode(r: &Row<'_>) -> rusqlite::Result<Result<TemplateVersion, StoreError>> {
    let vars: String = r.get(7)?;
    let version: i64 = r.get(2)?;
    let available_variables = match serde_json::from_str(&vars) {
        Ok(v) => v,
        Err(e) => {
            return Ok(Err(bad_data(
                "notification_template",
                version,
                format!("available_variables: {e}"),
            )))
        }
    };
    Ok(Ok(TemplateVersion {
        name: r.get(0)?,
        channel: r.get(1)?,
        version,
        notification_type: r.get(3)?,
        subject_template: r.get(4)?,
        body_template: r.get(5)?,
        html_body_template: r.get(6)?,
        available_variables,
        priority: r.get(8)?,
        active: r.get(9)?,
        edited_by: r.get(10)?,
        note: r.get(11)?,
        created_at: Timestamp(r.get(12)?),
    }))
}

fn collect(
    conn: &Connection,
    sql: &str,
    params: impl rusqlite::Params,
) -> Result<Vec<TemplateVersion>, StoreError> {
    let mut stmt = conn.prepare_cached(sql).map_err(db_err)?;
    let mut rows = stmt.query(params).map_err(db_err)?;
    let mut out = Vec::new();
    while let Some(r) = rows.next().map_err(db_err)? {
        out.push(decode(r).map_err(db_err)??);
    }
    Ok(out)
}

/// Stores the (validated) draft as the next version unless it equals the current one
/// (writer).
pub(crate) fn save(
    conn: &Connection,
    draft: &TemplateDraft,
    now: Timestamp,
) -> Result<(TemplateVersion, bool), StoreError> {
    let current = get(conn, &draft.name, &draft.channel)?;
    if let Some(c) = current.as_ref().filter(|c| c.same_content(draft)) {
        return Ok((c.clone(), false));
    }
    let version = current.map_or(1, |c| c.version + 1);
    let vars = serde_json::to_string(&draft.available_variables)
        .map_err(|e| StoreError::Database(format!("available_variables: {e}")))?;
    conn.prepare_cached(
        "INSERT INTO notification_template (name, channel, version, notification_type,
             subject_template, body_template, html_body_template, available_variables, priority,
             active, edited_by, note, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
    )
    .and_then(|mut s| {
        s.execute(params![
            draft.name,
            draft.channel,
            version,
            draft.notification_type,
            draft.subject_template,
            draft.body_template,
            draft.html_body_template,
            vars,
            draft.priority,
            draft.active,
            draft.edited_by,
            draft.note,
            now.micros(),
        ])
    })
    .map_err(db_err)?;
    let stored = TemplateVersion {
        name: draft.name.clone(),
        channel: draft.channel.clone(),
        version,
        notification_type: draft.notification_type.clone(),
        subject_template: draft.subject_template.clone(),
        body_template: draft.body_template.clone(),
        html_body_template: draft.html_body_template.clone(),
        available_variables: draft.available_variables.clone(),
        priority: draft.priority,
        active: draft.active,
        edited_by: draft.edited_by.clone(),
        note: draft.note.clone(),
        created_at: now,
    };
    Ok((stored, true))
}

/// The current (highest) version.
pub(crate) fn get(
    conn: &Connection,
    name: &str,
    channel: &str,
) -> Result<Option<TemplateVersion>, StoreError> {
    let sql = format!(
        "SELECT {COLS} FROM notification_template WHERE name = ?1 AND channel = ?2
         ORDER BY version DESC LIMIT 1"
    );
    conn.prepare_cached(&sql)
        .and_then(|mut s| s.query_row(params![name, channel], decode).optional())
        .map_err(db_err)?
        .transpose()
}

pub(crate) fn get_version(
    conn: &Connection,
    name: &str,
    channel: &str,
    version: i64,
) -> Result<Option<TemplateVersion>, StoreError> {
    let sql = format!(
        "SELECT {COLS} FROM notification_template
         WHERE name = ?1 AND channel = ?2 AND version = ?3"
    );
    conn.prepare_cached(&sql)
        .and_then(|mut s| {
            s.query_row(params![name, channel, version], decode)
                .optional()
        })
        .map_err(db_err)?
        .transpose()
}

/// The current version of every template, by name then channel (byte order, as PostgreSQL's
/// `COLLATE "C"`).
pub(crate) fn list(conn: &Connection) -> Result<Vec<TemplateVersion>, StoreError> {
    let sql = format!(
        "SELECT {COLS} FROM notification_template t
         WHERE version = (SELECT max(version) FROM notification_template
                          WHERE name = t.name AND channel = t.channel)
         ORDER BY name, channel"
    );
    collect(conn, &sql, [])
}

pub(crate) fn history(
    conn: &Connection,
    name: &str,
    channel: &str,
) -> Result<Vec<TemplateVersion>, StoreError> {
    let sql = format!(
        "SELECT {COLS} FROM notification_template WHERE name = ?1 AND channel = ?2
         ORDER BY version DESC"
    );
    collect(conn, &sql, params![name, channel])
}
