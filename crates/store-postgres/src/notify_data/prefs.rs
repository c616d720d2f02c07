//! Per-user preferences (one `jsonb` document per user) and the decisions of every fan-out
//! (one `UNNEST` insert per batch).

use crate::convert::PgTs;
use crate::error::db;
use gurumisha_core::notify_data::{DecisionFilter, NewDecision, StoredDecision, StoredPreferences};
use gurumisha_core::{StoreError, Timestamp, ValidationError};
use sqlx::postgres::PgRow;
use sqlx::{PgPool, Postgres, QueryBuilder, Row};

/// Most decisions one list returns.
const MAX_DECISIONS: i64 = 1000;

fn decode_prefs(r: &PgRow) -> Result<StoredPreferences, StoreError> {
    (|| {
        Ok::<_, sqlx::Error>(StoredPreferences {
            user_id: r.try_get("user_id")?,
            preferences: r.try_get("preferences")?,
            updated_at: r.try_get::<PgTs, _>("updated_at")?.ts(),
        })
    })()
    .map_err(db)
}

pub(crate) async fn get(
    pool: &PgPool,
    user_id: i64,
) -> Result<Option<StoredPreferences>, StoreError> {
    sqlx::query("SELECT * FROM notification_preferences WHERE user_id = $1")
        .bind(user_id)
        .fetch_optional(pool)
        .await
        .map_err(db)?
        .map(|r| decode_prefs(&r))
        .transpose()
}

pub(crate) async fn get_many(
    pool: &PgPool,
    user_ids: &[i64],
) -> Result<Vec<StoredPreferences>, StoreError> {
    let rows = sqlx::query(
        "SELECT * FROM notification_preferences WHERE user_id = ANY($1) ORDER BY user_id",
    )
    .bind(user_ids)
    .fetch_all(pool)
    .await
    .map_err(db)?;
    rows.iter().map(decode_prefs).collect()
}

pub(crate) async fn set(
    pool: &PgPool,
    user_id: i64,
    preferences: serde_json::Value,
    now: Timestamp,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO notification_preferences (user_id, preferences, updated_at)
         VALUES ($1, $2, $3)
         ON CONFLICT (user_id) DO UPDATE
         SET preferences = EXCLUDED.preferences, updated_at = EXCLUDED.updated_at",
    )
    .bind(user_id)
    .bind(preferences)
    .bind(PgTs::checked(now)?)
    .execute(pool)
    .await
    .map_err(db)?;
    Ok(())
}

pub(crate) async fn record_decisions(
    pool: &PgPool,
    rows: Vec<NewDecision>,
) -> Result<(), StoreError> {
    let until = rows
        .iter()
        .map(|d| d.until.map(PgTs::checked).transpose())
        .collect::<Result<Vec<_>, _>>()?;
    let decided = rows
        .iter()
        .map(|d| PgTs::checked(d.decided_at))
        .collect::<Result<Vec<_>, _>>()?;
    let text = |f: fn(&NewDecision) -> &str| rows.iter().map(f).collect::<Vec<_>>();
    let id = |f: fn(&NewDecision) -> Option<i64>| rows.iter().map(f).collect::<Vec<_>>();
    sqlx::query(
        "INSERT INTO notification_decision (send_key, recipient_id, channel, notification_type,
             decision, reason, notification_id, digest_bucket_id, until, decided_at)
         SELECT send_key, recipient_id, channel, notification_type, decision, reason,
             notification_id, digest_bucket_id, until, decided_at
         FROM UNNEST($1::text[], $2::int8[], $3::text[], $4::text[], $5::text[], $6::text[],
             $7::int8[], $8::int8[], $9::timestamptz[], $10::timestamptz[])
             WITH ORDINALITY AS u(send_key, recipient_id, channel, notification_type, decision,
                 reason, notification_id, digest_bucket_id, until, decided_at, ord)
         ORDER BY ord",
    )
    .bind(text(|d| d.send_key.as_str()))
    .bind(rows.iter().map(|d| d.recipient_id).collect::<Vec<_>>())
    .bind(text(|d| d.channel.as_str()))
    .bind(text(|d| d.notification_type.as_str()))
    .bind(text(|d| d.decision.as_str()))
    .bind(text(|d| d.reason.as_str()))
    .bind(id(|d| d.notification_id))
    .bind(id(|d| d.digest_bucket_id))
    .bind(until)
    .bind(decided)
    .execute(pool)
    .await
    .map_err(db)?;
    Ok(())
}

pub(crate) async fn list_decisions(
    pool: &PgPool,
    filter: &DecisionFilter,
) -> Result<Vec<StoredDecision>, StoreError> {
    if filter.send_key.is_none()
        && filter.notification_id.is_none()
        && filter.recipient_id.is_none()
    {
        return Err(ValidationError::new(
            "filter",
            "set at least one of send_key, notification_id, recipient_id",
        )
        .into());
    }
    let mut q = QueryBuilder::<Postgres>::new("SELECT * FROM notification_decision WHERE true");
    if let Some(v) = &filter.send_key {
        q.push(" AND send_key = ").push_bind(v.clone());
    }
    if let Some(v) = filter.notification_id {
        q.push(" AND notification_id = ").push_bind(v);
    }
    if let Some(v) = filter.recipient_id {
        q.push(" AND recipient_id = ").push_bind(v);
    }
    q.push(" ORDER BY id LIMIT ").push_bind(MAX_DECISIONS);
    let rows = q.build().fetch_all(pool).await.map_err(db)?;
    rows.iter()
        .map(|r| {
            (|| {
                Ok::<_, sqlx::Error>(StoredDecision {
                    id: r.try_get("id")?,
                    decision: NewDecision {
                        send_key: r.try_get("send_key")?,
                        recipient_id: r.try_get("recipient_id")?,
                        channel: r.try_get("channel")?,
                        notification_type: r.try_get("notification_type")?,
                        decision: r.try_get("decision")?,
                        reason: r.try_get("reason")?,
                        notification_id: r.try_get("notification_id")?,
                        digest_bucket_id: r.try_get("digest_bucket_id")?,
                        until: r.try_get::<Option<PgTs>, _>("until")?.map(PgTs::ts),
                        decided_at: r.try_get::<PgTs, _>("decided_at")?.ts(),
                    },
                })
            })()
            .map_err(db)
        })
        .collect()
}
