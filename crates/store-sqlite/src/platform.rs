//! The platform's own tables (users, cars, orders, import orders, inquiries): batched inserts
//! for the demo and the name look-ups the console needs.

use crate::conn::{bad_data, db_err};
use gurumisha_core::domain::Role;
use gurumisha_core::platform::{NewCar, NewImportOrder, NewInquiry, NewOrder, NewUser, User};
use gurumisha_core::StoreError;
use rusqlite::{params, Connection, Row};

pub(crate) fn insert_users(conn: &Connection, users: &[NewUser]) -> Result<Vec<i64>, StoreError> {
    let mut stmt = conn
        .prepare_cached(
            "INSERT INTO users (username, first_name, last_name, email, phone, role, is_staff,
                 is_active, date_joined, time_zone, password_hash)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
        )
        .map_err(db_err)?;
    let mut ids = Vec::with_capacity(users.len());
    for u in users {
        stmt.execute(params![
            u.username,
            u.first_name,
            u.last_name,
            u.email.as_str(),
            u.phone.as_ref().map(|p| p.as_str()),
            u.role.as_str(),
            u.is_staff,
            u.is_active,
            u.date_joined.micros(),
            u.time_zone,
            u.password_hash,
        ])
        .map_err(db_err)?;
        ids.push(conn.last_insert_rowid());
    }
    Ok(ids)
}

pub(crate) fn insert_cars(conn: &Connection, cars: &[NewCar]) -> Result<Vec<i64>, StoreError> {
    let mut stmt = conn
        .prepare_cached(
            "INSERT INTO cars (make, model, year, vin, price_kes, status, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        )
        .map_err(db_err)?;
    let mut ids = Vec::with_capacity(cars.len());
    for c in cars {
        stmt.execute(params![
            c.make,
            c.model,
            c.year,
            c.vin.as_str(),
            c.price_kes,
            c.status.as_str(),
            c.created_at.micros(),
        ])
        .map_err(db_err)?;
        ids.push(conn.last_insert_rowid());
    }
    Ok(ids)
}

pub(crate) fn insert_orders(
    conn: &Connection,
    orders: &[NewOrder],
) -> Result<Vec<i64>, StoreError> {
    let mut stmt = conn
        .prepare_cached(
            "INSERT INTO orders (user_id, car_id, status, total_kes, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5)",
        )
        .map_err(db_err)?;
    let mut ids = Vec::with_capacity(orders.len());
    for o in orders {
        stmt.execute(params![
            o.user_id,
            o.car_id,
            o.status,
            o.total_kes,
            o.created_at.micros()
        ])
        .map_err(db_err)?;
        ids.push(conn.last_insert_rowid());
    }
    Ok(ids)
}

pub(crate) fn insert_import_orders(
    conn: &Connection,
    imports: &[NewImportOrder],
) -> Result<Vec<i64>, StoreError> {
    let mut stmt = conn
        .prepare_cached(
            "INSERT INTO import_orders (user_id, make, model, year, origin_country, stage, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        )
        .map_err(db_err)?;
    let mut ids = Vec::with_capacity(imports.len());
    for i in imports {
        stmt.execute(params![
            i.user_id,
            i.make,
            i.model,
            i.year,
            i.origin_country,
            i.stage.as_str(),
            i.created_at.micros(),
        ])
        .map_err(db_err)?;
        ids.push(conn.last_insert_rowid());
    }
    Ok(ids)
}

pub(crate) fn insert_inquiries(
    conn: &Connection,
    inquiries: &[NewInquiry],
) -> Result<Vec<i64>, StoreError> {
    let mut stmt = conn
        .prepare_cached(
            "INSERT INTO inquiries (user_id, car_id, subject, message, status, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        )
        .map_err(db_err)?;
    let mut ids = Vec::with_capacity(inquiries.len());
    for q in inquiries {
        stmt.execute(params![
            q.user_id,
            q.car_id,
            q.subject,
            q.message,
            q.status,
            q.created_at.micros()
        ])
        .map_err(db_err)?;
        ids.push(conn.last_insert_rowid());
    }
    Ok(ids)
}

/// The columns `decode_user` reads, in order.
macro_rules! select_user {
    ($tail:literal) => {
        concat!(
            "SELECT id, username, first_name, last_name, email, phone, role, is_staff, \
             is_active, time_zone FROM users ",
            $tail
        )
    };
}

pub(crate) fn get_user_by_username(
    conn: &Connection,
    username: &str,
) -> Result<Option<User>, StoreError> {
    let mut stmt = conn
        .prepare_cached(select_user!("WHERE username = ?1"))
        .map_err(db_err)?;
    let mut rows = stmt.query([username]).map_err(db_err)?;
    rows.next().map_err(db_err)?.map(decode_user).transpose()
}

pub(crate) fn password_hash(conn: &Connection, user_id: i64) -> Result<Option<String>, StoreError> {
    let mut stmt = conn
        .prepare_cached("SELECT password_hash FROM users WHERE id = ?1")
        .map_err(db_err)?;
    let mut rows = stmt.query([user_id]).map_err(db_err)?;
    rows.next()
        .map_err(db_err)?
        .map(|r| r.get(0).map_err(db_err))
        .transpose()
}

pub(crate) fn list_users(
    conn: &Connection,
    after_id: i64,
    limit: u32,
) -> Result<Vec<User>, StoreError> {
    let mut stmt = conn
        .prepare_cached(select_user!("WHERE id > ?1 ORDER BY id LIMIT ?2"))
        .map_err(db_err)?;
    let mut rows = stmt.query(params![after_id, limit]).map_err(db_err)?;
    let mut out = Vec::new();
    while let Some(r) = rows.next().map_err(db_err)? {
        out.push(decode_user(r)?);
    }
    Ok(out)
}

fn decode_user(r: &Row<'_>) -> Result<User, StoreError> {
    let id: i64 = r.get(0).map_err(db_err)?;
    let role: String = r.get(6).map_err(db_err)?;
    Ok(User {
        id,
        username: r.get(1).map_err(db_err)?,
        first_name: r.get(2).map_err(db_err)?,
        last_name: r.get(3).map_err(db_err)?,
        email: r.get(4).map_err(db_err)?,
        phone: r.get(5).map_err(db_err)?,
        role: Role::parse(&role).map_err(|e| bad_data("users", id, e))?,
        is_staff: r.get(7).map_err(db_err)?,
        is_active: r.get(8).map_err(db_err)?,
        time_zone: r.get(9).map_err(db_err)?,
    })
}
