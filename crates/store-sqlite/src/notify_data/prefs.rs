//! Per-user preferences (one JSON document per user) and the decisions of every fan-out.

use crate::conn::{bad_data, db_err};
use gurumisha_core::notify_data::{DecisionFilter, NewDecision, StoredDecision, StoredPreferences};
use gurumisha_core::{StoreError, Timestamp, ValidationError};
use rusqlite::types::Value;
use rusqlite::{params, Connection, OptionalExtension, Row};

/// Most decisions one list returns.
pub(crate) const MAX_DECISIONS: i64 = 1000;

fn decode_prefs(r: &Row<'_>) -> rusqlite::Result<Result<StoredPreferences, StoreError>> {
    let user_id: i64 = r.get(0)?;
    let text: String = r.get(1)?;
    Ok(match serde_json::from_str(&text) {
        Ok(preferences) => Ok(StoredPreferences {
            user_id,
            preferences,
            updated_at: Timestamp(r.get(2)?),
        }),
        Err(e) => Err(bad_data("notification_preferences", user_id, e)),
    })
}

pub(crate) fn get(
    conn: &Connection,
    user_id: i64,
) -> Result<Option<StoredPreferences>, StoreError> {
    conn.prepare_cached(
        "SELECT user_id, preferences, updated_at FROM notification_preferences
         WHERE user_id = ?1",
    )
    .and_then(|mut s| s.query_row([user_id], decode_prefs).optional())
    .map_err(db_err)?
    .transpose()
}

/// Preferences of many users in one query (ids travel as one JSON array parameter).
pub(crate) fn get_many(
    conn: &Connection,
    user_ids: &[i64],
) -> Result<Vec<StoredPreferences>, StoreError> {
    let ids = ids_json(user_ids)?;
    let mut stmt = conn
        .prepare_cached(
            "SELECT user_id, preferences, updated_at FROM notification_preferences
             WHERE user_id IN (SELECT value FROM json_each(?1))
             ORDER BY user_id",
        )
        .map_err(db_err)?;
    let mut rows = stmt.query([ids]).map_err(db_err)?;
    let mut out = Vec::new();
    while let Some(r) = rows.next().map_err(db_err)? {
        out.push(decode_prefs(r).map_err(db_err)??);
    }
    Ok(out)
}

pub(crate) fn set(
    conn: &Connection,
    user_id: i64,
    preferences: &serde_json::Value,
    now: Timestamp,
) -> Result<(), StoreError> {
    let text = serde_json::to_string(preferences)
        .map_err(|e| StoreError::Database(format!("preferences: {e}")))?;
    conn.prepare_cached(
        "INSERT INTO notification_preferences (user_id, preferences, updated_at)
         VALUES (?1, ?2, ?3)
         ON CONFLICT (user_id) DO UPDATE
         SET preferences = excluded.preferences, updated_at = excluded.updated_at",
    )
    .and_then(|mut s| s.execute(params![user_id, text, now.micros()]))
    .map_err(db_err)?;
    Ok(())
}

/// A list of ids as one JSON array, for `json_each`.
pub(crate) fn ids_json(ids: &[i64]) -> Result<String, StoreError> {
    serde_json::to_string(ids).map_err(|e| StoreError::Database(format!("ids: {e}")))
}

pub(crate) fn record_decisions(conn: &Connection, rows: &[NewDecision]) -> Result<(), StoreError> {
    let mut insert = conn
        .prepare_cached(
            "INSERT INTO notification_decision (send_key, recipient_id, channel,
                 notification_type, decision, reason, notification_id, digest_bucket_id, until,
                 decided_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
        )
        .map_err(db_err)?;
    for d in rows {
        insert
            .execute(params![
                d.send_key,
                d.recipient_id,
                d.channel,
                d.notification_type,
                d.decision,
                d.reason,
                d.notification_id,
                d.digest_bucket_id,
                d.until.map(|t| t.micros()),
                d.decided_at.micros(),
            ])
            .map_err(db_err)?;
    }
    Ok(())
}

pub(crate) fn list_decisions(
    conn: &Connection,
    filter: &DecisionFilter,
) -> Result<Vec<StoredDecision>, StoreError> {
    let mut sql = String::from(
        "SELECT id, send_key, recipient_id, channel, notification_type, decision, reason,
             notification_id, digest_bucket_id, until, decided_at
         FROM notification_decision WHERE 1 = 1",
    );
    let mut args: Vec<Value> = Vec::new();
    if let Some(v) = &filter.send_key {
        sql.push_str(" AND send_key = ?");
        args.push(v.clone().into());
    }
    if let Some(v) = filter.notification_id {
        sql.push_str(" AND notification_id = ?");
        args.push(v.into());
    }
    if let Some(v) = filter.recipient_id {
        sql.push_str(" AND recipient_id = ?");
        args.push(v.into());
    }
    if args.is_empty() {
        return Err(ValidationError::new(
            "filter",
            "set at least one of send_key, notification_id, recipient_id",
        )
        .into());
    }
    sql.push_str(" ORDER BY id LIMIT ?");
    args.push(MAX_DECISIONS.into());
    let mut stmt = conn.prepare_cached(&sql).map_err(db_err)?;
    let rows = stmt
        .query_map(rusqlite::params_from_iter(args.iter()), |r| {
            Ok(StoredDecision {
                id: r.get(0)?,
                decision: NewDecision {
                    send_key: r.get(1)?,
                    recipient_id: r.get(2)?,
                    channel: r.get(3)?,
                    notification_type: r.get(4)?,
                    decision: r.get(5)?,
                    reason: r.get(6)?,
                    notification_id: r.get(7)?,
                    digest_bucket_id: r.get(8)?,
                    until: r.get::<_, Option<i64>>(9)?.map(Timestamp),
                    decided_at: Timestamp(r.get(10)?),
                },
            })
        })
        .map_err(db_err)?;
    rows.collect::<Result<_, _>>().map_err(db_err)
}
