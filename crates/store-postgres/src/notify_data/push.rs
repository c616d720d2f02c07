//! Web Push subscriptions (unique per endpoint) and the contact details a worker needs to
//! address a user on every channel.

use crate::convert::PgTs;
use crate::error::db;
use gurumisha_core::notify_data::{Contact, PushSubscriptionRow};
use gurumisha_core::StoreError;
use sqlx::{PgPool, Row};

/// Inserts the (validated) subscription, or gives an existing endpoint its new owner and keys.
pub(crate) async fn save(pool: &PgPool, row: PushSubscriptionRow) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO push_subscription (endpoint, user_id, p256dh, auth, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $5)
         ON CONFLICT (endpoint) DO UPDATE
         SET user_id = EXCLUDED.user_id, p256dh = EXCLUDED.p256dh, auth = EXCLUDED.auth,
             updated_at = EXCLUDED.updated_at",
    )
    .bind(&row.endpoint)
    .bind(row.user_id)
    .bind(&row.p256dh)
    .bind(&row.auth)
    .bind(PgTs::checked(row.created_at)?)
    .execute(pool)
    .await
    .map_err(db)?;
    Ok(())
}

/// The user's subscriptions, oldest first.
pub(crate) async fn list(
    pool: &PgPool,
    user_id: i64,
) -> Result<Vec<PushSubscriptionRow>, StoreError> {
    let rows = sqlx::query(
        "SELECT user_id, endpoint, p256dh, auth, created_at FROM push_subscription
         WHERE user_id = $1 ORDER BY created_at, endpoint COLLATE \"C\"",
    )
    .bind(user_id)
    .fetch_all(pool)
    .await
    .map_err(db)?;
    rows.iter()
        .map(|r| {
            (|| {
                Ok::<_, sqlx::Error>(PushSubscriptionRow {
                    user_id: r.try_get("user_id")?,
                    endpoint: r.try_get("endpoint")?,
                    p256dh: r.try_get("p256dh")?,
                    auth: r.try_get("auth")?,
                    created_at: r.try_get::<PgTs, _>("created_at")?.ts(),
                })
            })()
            .map_err(db)
        })
        .collect()
}

pub(crate) async fn delete(pool: &PgPool, endpoint: &str) -> Result<bool, StoreError> {
    let done = sqlx::query("DELETE FROM push_subscription WHERE endpoint = $1")
        .bind(endpoint)
        .execute(pool)
        .await
        .map_err(db)?;
    Ok(done.rows_affected() > 0)
}

/// Contact details of the users among `ids`, by id, in one query.
pub(crate) async fn contacts(pool: &PgPool, ids: &[i64]) -> Result<Vec<Contact>, StoreError> {
    let rows = sqlx::query(
        "SELECT id, first_name, last_name, email, phone, time_zone, is_active FROM users
         WHERE id = ANY($1) ORDER BY id",
    )
    .bind(ids)
    .fetch_all(pool)
    .await
    .map_err(db)?;
    rows.iter()
        .map(|r| {
            (|| {
                Ok::<_, sqlx::Error>(Contact {
                    user_id: r.try_get("id")?,
                    first_name: r.try_get("first_name")?,
                    last_name: r.try_get("last_name")?,
                    email: r.try_get("email")?,
                    phone: r.try_get("phone")?,
                    time_zone: r.try_get("time_zone")?,
                    is_active: r.try_get("is_active")?,
                })
            })()
            .map_err(db)
        })
        .collect()
}
