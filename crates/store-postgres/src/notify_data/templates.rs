//! Versioned templates. Saves of one (name, channel) serialise on a transaction-level
//! advisory lock keyed by the pair: the second saver waits, then reads the version the first
//! one committed (each READ COMMITTED statement takes a fresh snapshot), so two saves never
//! compute the same version. The primary key (name, channel, version) backs that up: a slip
//! would be a conflict error, never a duplicate.

use super::LOCK_TEMPLATE;
use crate::convert::PgTs;
use crate::error::db;
use gurumisha_core::notify_data::{TemplateDraft, TemplateVersion};
use gurumisha_core::{StoreError, Timestamp};
use sqlx::postgres::PgRow;
use sqlx::{PgPool, Row};

fn decode(r: &PgRow) -> Result<TemplateVersion, StoreError> {
    (|| {
        Ok::<_, sqlx::Error>(TemplateVersion {
            name: r.try_get("name")?,
            channel: r.try_get("channel")?,
            version: r.try_get("version")?,
            notification_type: r.try_get("notification_type")?,
            subject_template: r.try_get("subject_template")?,
            body_template: r.try_get("body_template")?,
            html_body_template: r.try_get("html_body_template")?,
            available_variables: r.try_get("available_variables")?,
            priority: r.try_get("priority")?,
            active: r.try_get("active")?,
            edited_by: r.try_get("edited_by")?,
            note: r.try_get("note")?,
            created_at: r.try_get::<PgTs, _>("created_at")?.ts(),
        })
    })()
    .map_err(db)
}

const CURRENT: &str = "SELECT * FROM notification_template WHERE name = $1 AND channel = $2
     ORDER BY version DESC LIMIT 1";

/// Stores the (validated) draft as the next version unless it equals the current one.
pub(crate) async fn save(
    pool: &PgPool,
    draft: TemplateDraft,
    now: Timestamp,
) -> Result<(TemplateVersion, bool), StoreError> {
    let created_at = PgTs::checked(now)?;
    let mut tx = pool.begin().await.map_err(db)?;
    // hashtext collisions between pairs only make unrelated saves wait for each other.
    sqlx::query("SELECT pg_advisory_xact_lock($1, hashtext($2 || chr(31) || $3))")
        .bind(LOCK_TEMPLATE)
        .bind(&draft.name)
        .bind(&draft.channel)
        .execute(&mut *tx)
        .await
        .map_err(db)?;
    let current = sqlx::query(CURRENT)
        .bind(&draft.name)
        .bind(&draft.channel)
        .fetch_optional(&mut *tx)
        .await
        .map_err(db)?
        .map(|r| decode(&r))
        .transpose()?;
    if let Some(c) = current.as_ref().filter(|c| c.same_content(&draft)) {
        tx.rollback().await.map_err(db)?;
        return Ok((c.clone(), false));
    }
    let version = current.map_or(1, |c| c.version + 1);
    let row = sqlx::query(
        "INSERT INTO notification_template (name, channel, version, notification_type,
             subject_template, body_template, html_body_template, available_variables, priority,
             active, edited_by, note, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
         RETURNING *",
    )
    .bind(&draft.name)
    .bind(&draft.channel)
    .bind(version)
    .bind(&draft.notification_type)
    .bind(&draft.subject_template)
    .bind(&draft.body_template)
    .bind(&draft.html_body_template)
    .bind(&draft.available_variables)
    .bind(draft.priority)
    .bind(draft.active)
    .bind(&draft.edited_by)
    .bind(&draft.note)
    .bind(created_at)
    .fetch_one(&mut *tx)
    .await
    .map_err(db)?;
    let stored = decode(&row)?;
    tx.commit().await.map_err(db)?;
    Ok((stored, true))
}

pub(crate) async fn get(
    pool: &PgPool,
    name: &str,
    channel: &str,
) -> Result<Option<TemplateVersion>, StoreError> {
    sqlx::query(CURRENT)
        .bind(name)
        .bind(channel)
        .fetch_optional(pool)
        .await
        .map_err(db)?
        .map(|r| decode(&r))
        .transpose()
}

pub(crate) async fn get_version(
    pool: &PgPool,
    name: &str,
    channel: &str,
    version: i64,
) -> Result<Option<TemplateVersion>, StoreError> {
    sqlx::query(
        "SELECT * FROM notification_template WHERE name = $1 AND channel = $2 AND version = $3",
    )
    .bind(name)
    .bind(channel)
    .bind(version)
    .fetch_optional(pool)
    .await
    .map_err(db)?
    .map(|r| decode(&r))
    .transpose()
}

/// The current version of every template, by name then channel in byte order (`COLLATE "C"`,
/// as SQLite compares), whatever the database's collation.
pub(crate) async fn list(pool: &PgPool) -> Result<Vec<TemplateVersion>, StoreError> {
    let rows = sqlx::query(
        "SELECT * FROM (
             SELECT DISTINCT ON (name, channel) * FROM notification_template
             ORDER BY name, channel, version DESC
         ) cur
         ORDER BY name COLLATE \"C\", channel COLLATE \"C\"",
    )
    .fetch_all(pool)
    .await
    .map_err(db)?;
    rows.iter().map(decode).collect()
}

pub(crate) async fn history(
    pool: &PgPool,
    name: &str,
    channel: &str,
) -> Result<Vec<TemplateVersion>, StoreError> {
    let rows = sqlx::query(
        "SELECT * FROM notification_template WHERE name = $1 AND channel = $2
         ORDER BY version DESC",
    )
    .bind(name)
    .bind(channel)
    .fetch_all(pool)
    .await
    .map_err(db)?;
    rows.iter().map(decode).collect()
}
