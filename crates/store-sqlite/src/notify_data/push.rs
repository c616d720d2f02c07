//! Web Push subscriptions (unique per endpoint) and the contact details a worker needs to
//! address a user on every channel.

use super::prefs::ids_json;
use crate::conn::db_err;
use gurumisha_core::notify_data::{Contact, PushSubscriptionRow};
use gurumisha_core::{StoreError, Timestamp};
use rusqlite::{params, Connection};

/// Inserts the subscription, or gives an existing endpoint its new owner and keys (writer).
pub(crate) fn save(conn: &Connection, row: &PushSubscriptionRow) -> Result<(), StoreError> {
    conn.prepare_cached(
        "INSERT INTO push_subscription (endpoint, user_id, p256dh, auth, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?5)
         ON CONFLICT (endpoint) DO UPDATE
         SET user_id = excluded.user_id, p256dh = excluded.p256dh, auth = excluded.auth,
             updated_at = excluded.updated_at",
    )
    .and_then(|mut s| {
        s.execute(params![
            row.endpoint,
            row.user_id,
            row.p256dh,
            row.auth,
            row.created_at.micros()
        ])
    })
    .map_err(db_err)?;
    Ok(())
}

/// The user's subscriptions, oldest first.
pub(crate) fn list(
    conn: &Connection,
    user_id: i64,
) -> Result<Vec<PushSubscriptionRow>, StoreError> {
    conn.prepare_cached(
        "SELECT user_id, endpoint, p256dh, auth, created_at FROM push_subscription
         WHERE user_id = ?1 ORDER BY created_at, endpoint",
    )
    .and_then(|mut s| {
        s.query_map([user_id], |r| {
            Ok(PushSubscriptionRow {
                user_id: r.get(0)?,
                endpoint: r.get(1)?,
                p256dh: r.get(2)?,
                auth: r.get(3)?,
                created_at: Timestamp(r.get(4)?),
            })
        })?
        .collect::<Result<Vec<_>, _>>()
    })
    .map_err(db_err)
}

pub(crate) fn delete(conn: &Connection, endpoint: &str) -> Result<bool, StoreError> {
    let n = conn
        .prepare_cached("DELETE FROM push_subscription WHERE endpoint = ?1")
        .and_then(|mut s| s.execute([endpoint]))
        .map_err(db_err)?;
    Ok(n > 0)
}

/// Contact details of the users among `ids`, by id, in one query.
pub(crate) fn contacts(conn: &Connection, ids: &[i64]) -> Result<Vec<Contact>, StoreError> {
    let ids = ids_json(ids)?;
    conn.prepare_cached(
        "SELECT id, first_name, last_name, email, phone, time_zone, is_active FROM users
         WHERE id IN (SELECT value FROM json_each(?1)) ORDER BY id",
    )
    .and_then(|mut s| {
        s.query_map([ids], |r| {
            Ok(Contact {
                user_id: r.get(0)?,
                first_name: r.get(1)?,
                last_name: r.get(2)?,
                email: r.get(3)?,
                phone: r.get(4)?,
                time_zone: r.get(5)?,
                is_active: r.get(6)?,
            })
        })?
        .collect::<Result<Vec<_>, _>>()
    })
    .map_err(db_err)
}
