//! The platform tables (users, cars, orders, import orders, inquiries): batch inserts through
//! `UNNEST ... WITH ORDINALITY` (ids come back in input order) and the user look-ups.

use crate::convert::PgTs;
use crate::error::db;
use gurumisha_core::domain::Role;
use gurumisha_core::platform::{NewCar, NewImportOrder, NewInquiry, NewOrder, NewUser, User};
use gurumisha_core::StoreError;
use sqlx::postgres::PgRow;
use sqlx::{PgPool, Row};

/// Runs an `INSERT ... SELECT ... FROM UNNEST(...) WITH ORDINALITY ... ORDER BY ord RETURNING id`
/// and returns the ids in input order: sequence values grow in insertion order within one
/// statement, so sorted ids pair up with the input rows.
async fn ids_in_order(
    pool: &PgPool,
    q: sqlx::query::QueryScalar<'_, sqlx::Postgres, i64, sqlx::postgres::PgArguments>,
    n: usize,
) -> Result<Vec<i64>, StoreError> {
    let mut ids = q.fetch_all(pool).await.map_err(db)?;
    if ids.len() != n {
        return Err(StoreError::Database(format!(
            "inserted {} rows of {n}",
            ids.len()
        )));
    }
    ids.sort_unstable();
    Ok(ids)
}

fn timestamps<T>(
    items: &[T],
    f: impl Fn(&T) -> gurumisha_core::Timestamp,
) -> Result<Vec<PgTs>, StoreError> {
    items.iter().map(|i| PgTs::checked(f(i))).collect()
}

pub(crate) async fn insert_users(
    pool: &PgPool,
    users: Vec<NewUser>,
) -> Result<Vec<i64>, StoreError> {
    if users.is_empty() {
        return Ok(Vec::new());
    }
    let joined = timestamps(&users, |u| u.date_joined)?;
    let q = sqlx::query_scalar(
        "INSERT INTO users (username, first_name, last_name, email, phone, role, is_staff,
             is_active, date_joined, time_zone, password_hash)
         SELECT u.username, u.first_name, u.last_name, u.email, u.phone, u.role, u.is_staff,
             u.is_active, u.date_joined, u.time_zone, u.password_hash
         FROM UNNEST($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[],
             $7::bool[], $8::bool[], $9::timestamptz[], $10::text[], $11::text[])
             WITH ORDINALITY AS u(username, first_name, last_name, email, phone, role, is_staff,
                 is_active, date_joined, time_zone, password_hash, ord)
         ORDER BY u.ord
         RETURNING id",
    )
    .bind(
        users
            .iter()
            .map(|u| u.username.as_str())
            .collect::<Vec<_>>(),
    )
    .bind(
        users
            .iter()
            .map(|u| u.first_name.as_str())
            .collect::<Vec<_>>(),
    )
    .bind(
        users
            .iter()
            .map(|u| u.last_name.as_str())
            .collect::<Vec<_>>(),
    )
    .bind(users.iter().map(|u| u.email.as_str()).collect::<Vec<_>>())
    .bind(
        users
            .iter()
            .map(|u| u.phone.as_ref().map(|p| p.as_str()))
            .collect::<Vec<_>>(),
    )
    .bind(users.iter().map(|u| u.role.as_str()).collect::<Vec<_>>())
    .bind(users.iter().map(|u| u.is_staff).collect::<Vec<_>>())
    .bind(users.iter().map(|u| u.is_active).collect::<Vec<_>>())
    .bind(joined)
    .bind(
        users
            .iter()
            .map(|u| u.time_zone.as_str())
            .collect::<Vec<_>>(),
    )
    .bind(
        users
            .iter()
            .map(|u| u.password_hash.as_str())
            .collect::<Vec<_>>(),
    );
    ids_in_order(pool, q, users.len()).await
}

pub(crate) async fn insert_cars(pool: &PgPool, cars: Vec<NewCar>) -> Result<Vec<i64>, StoreError> {
    if cars.is_empty() {
        return Ok(Vec::new());
    }
    let created = timestamps(&cars, |c| c.created_at)?;
    let q = sqlx::query_scalar(
        "INSERT INTO cars (make, model, year, vin, price_kes, status, created_at)
         SELECT u.make, u.model, u.year, u.vin, u.price_kes, u.status, u.created_at
         FROM UNNEST($1::text[], $2::text[], $3::int4[], $4::text[], $5::int8[], $6::text[],
             $7::timestamptz[])
             WITH ORDINALITY AS u(make, model, year, vin, price_kes, status, created_at, ord)
         ORDER BY u.ord
         RETURNING id",
    )
    .bind(cars.iter().map(|c| c.make.as_str()).collect::<Vec<_>>())
    .bind(cars.iter().map(|c| c.model.as_str()).collect::<Vec<_>>())
    .bind(cars.iter().map(|c| c.year).collect::<Vec<_>>())
    .bind(cars.iter().map(|c| c.vin.as_str()).collect::<Vec<_>>())
    .bind(cars.iter().map(|c| c.price_kes).collect::<Vec<_>>())
    .bind(cars.iter().map(|c| c.status.as_str()).collect::<Vec<_>>())
    .bind(created);
    ids_in_order(pool, q, cars.len()).await
}

pub(crate) async fn insert_orders(
    pool: &PgPool,
    orders: Vec<NewOrder>,
) -> Result<Vec<i64>, StoreError> {
    if orders.is_empty() {
        return Ok(Vec::new());
    }
    let created = timestamps(&orders, |o| o.created_at)?;
    let q = sqlx::query_scalar(
        "INSERT INTO orders (user_id, car_id, status, total_kes, created_at)
         SELECT u.user_id, u.car_id, u.status, u.total_kes, u.created_at
         FROM UNNEST($1::int8[], $2::int8[], $3::text[], $4::int8[], $5::timestamptz[])
             WITH ORDINALITY AS u(user_id, car_id, status, total_kes, created_at, ord)
         ORDER BY u.ord
         RETURNING id",
    )
    .bind(orders.iter().map(|o| o.user_id).collect::<Vec<_>>())
    .bind(orders.iter().map(|o| o.car_id).collect::<Vec<_>>())
    .bind(orders.iter().map(|o| o.status.as_str()).collect::<Vec<_>>())
    .bind(orders.iter().map(|o| o.total_kes).collect::<Vec<_>>())
    .bind(created);
    ids_in_order(pool, q, orders.len()).await
}

pub(crate) async fn insert_import_orders(
    pool: &PgPool,
    imports: Vec<NewImportOrder>,
) -> Result<Vec<i64>, StoreError> {
    if imports.is_empty() {
        return Ok(Vec::new());
    }
    let created = timestamps(&imports, |i| i.created_at)?;
    let q = sqlx::query_scalar(
        "INSERT INTO import_orders (user_id, make, model, year, origin_country, stage, created_at)
         SELECT u.user_id, u.make, u.model, u.year, u.origin_country, u.stage, u.created_at
         FROM UNNEST($1::int8[], $2::text[], $3::text[], $4::int4[], $5::text[], $6::text[],
             $7::timestamptz[])
             WITH ORDINALITY AS u(user_id, make, model, year, origin_country, stage, created_at, ord)
         ORDER BY u.ord
         RETURNING id",
    )
    .bind(imports.iter().map(|i| i.user_id).collect::<Vec<_>>())
    .bind(imports.iter().map(|i| i.make.as_str()).collect::<Vec<_>>())
    .bind(imports.iter().map(|i| i.model.as_str()).collect::<Vec<_>>())
    .bind(imports.iter().map(|i| i.year).collect::<Vec<_>>())
    .bind(imports.iter().map(|i| i.origin_country.as_str()).collect::<Vec<_>>())
    .bind(imports.iter().map(|i| i.stage.as_str()).collect::<Vec<_>>())
    .bind(created);
    ids_in_order(pool, q, imports.len()).await
}

pub(crate) async fn insert_inquiries(
    pool: &PgPool,
    inquiries: Vec<NewInquiry>,
) -> Result<Vec<i64>, StoreError> {
    if inquiries.is_empty() {
        return Ok(Vec::new());
    }
    let created = timestamps(&inquiries, |i| i.created_at)?;
    let q = sqlx::query_scalar(
        "INSERT INTO inquiries (user_id, car_id, subject, message, status, created_at)
         SELECT u.user_id, u.car_id, u.subject, u.message, u.status, u.created_at
         FROM UNNEST($1::int8[], $2::int8[], $3::text[], $4::text[], $5::text[], $6::timestamptz[])
             WITH ORDINALITY AS u(user_id, car_id, subject, message, status, created_at, ord)
         ORDER BY u.ord
         RETURNING id",
    )
    .bind(inquiries.iter().map(|i| i.user_id).collect::<Vec<_>>())
    .bind(inquiries.iter().map(|i| i.car_id).collect::<Vec<_>>())
    .bind(
        inquiries
            .iter()
            .map(|i| i.subject.as_str())
            .collect::<Vec<_>>(),
    )
    .bind(
        inquiries
            .iter()
            .map(|i| i.message.as_str())
            .collect::<Vec<_>>(),
    )
    .bind(
        inquiries
            .iter()
            .map(|i| i.status.as_str())
            .collect::<Vec<_>>(),
    )
    .bind(created);
    ids_in_order(pool, q, inquiries.len()).await
}

const USER_COLUMNS: &str =
    "id, username, first_name, last_name, email, phone, role, is_staff, is_active, time_zone";

fn user(r: &PgRow) -> Result<User, StoreError> {
    let role: String = r.try_get("role").map_err(db)?;
    Ok(User {
        id: r.try_get("id").map_err(db)?,
        username: r.try_get("username").map_err(db)?,
        first_name: r.try_get("first_name").map_err(db)?,
        last_name: r.try_get("last_name").map_err(db)?,
        email: r.try_get("email").map_err(db)?,
        phone: r.try_get("phone").map_err(db)?,
        role: Role::parse(&role).map_err(|e| StoreError::Database(e.to_string()))?,
        is_staff: r.try_get("is_staff").map_err(db)?,
        is_active: r.try_get("is_active").map_err(db)?,
        time_zone: r.try_get("time_zone").map_err(db)?,
    })
}

pub(crate) async fn get_user_by_username(
    pool: &PgPool,
    username: &str,
) -> Result<Option<User>, StoreError> {
    let sql = format!("SELECT {USER_COLUMNS} FROM users WHERE username = $1");
    let row = sqlx::query(&sql)
        .bind(username)
        .fetch_optional(pool)
        .await
        .map_err(db)?;
    row.as_ref().map(user).transpose()
}

pub(crate) async fn list_users(
    pool: &PgPool,
    after_id: i64,
    limit: u32,
) -> Result<Vec<User>, StoreError> {
    let sql = format!("SELECT {USER_COLUMNS} FROM users WHERE id > $1 ORDER BY id LIMIT $2");
    let rows = sqlx::query(&sql)
        .bind(after_id)
        .bind(i64::from(limit))
        .fetch_all(pool)
        .await
        .map_err(db)?;
    rows.iter().map(user).collect()
}
