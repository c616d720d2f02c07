//! Fresh databases per test and a runner that executes one test body on both backends.

use gurumisha_api::{Api, Config};
use gurumisha_core::sanitize::Limits;
use std::future::Future;
use std::path::PathBuf;

pub struct Db {
    pub api: Api,
    pub name: &'static str,
    /// The database's URL (for tests that reach around the API, e.g. to tamper with rows).
    pub url: String,
    /// A scratch directory of this database, removed with it.
    pub dir: PathBuf,
}

impl Drop for Db {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn scratch() -> PathBuf {
    let dir = std::env::temp_dir().join(format!("gurumisha-contract-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn config(url: String, dir: &std::path::Path, limits: Limits) -> Config {
    Config {
        database_url: Some(url),
        signing_key_file: dir.join("signing.key"),
        checkpoint_every: 10,
        limits,
        session_idle: gurumisha_api::config::SESSION_IDLE,
    }
}

pub async fn sqlite(limits: Limits) -> Db {
    let dir = scratch();
    let url = format!("sqlite://{}", dir.join("test.sqlite3").display());
    let api = Api::open_with(config(url.clone(), &dir, limits))
        .await
        .expect("open sqlite");
    Db {
        api,
        name: "sqlite",
        url,
        dir,
    }
}

pub async fn postgres(limits: Limits) -> Option<Db> {
    let Ok(admin) = std::env::var("GURUMISHA_TEST_PG_URL") else {
        if std::env::var("GURUMISHA_REQUIRE_PG").as_deref() == Ok("1") {
            panic!("GURUMISHA_TEST_PG_URL is not set but GURUMISHA_REQUIRE_PG=1");
        }
        eprintln!("note: GURUMISHA_TEST_PG_URL unset, skipping the PostgreSQL half");
        return None;
    };
    use sqlx::Connection;
    let name = format!("contract_{}", uuid::Uuid::new_v4().simple());
    let mut conn = sqlx::PgConnection::connect(&admin)
        .await
        .expect("connect to the test cluster");
    sqlx::query(&format!("CREATE DATABASE {name}"))
        .execute(&mut conn)
        .await
        .unwrap();
    conn.close().await.ok();
    let (base, _) = admin.rsplit_once('/').expect("URL has a database part");
    let dir = scratch();
    let url = format!("{base}/{name}");
    let api = Api::open_with(config(url.clone(), &dir, limits))
        .await
        .expect("open postgres");
    Some(Db {
        api,
        name: "postgres",
        url,
        dir,
    })
}

/// Polls `state` every 20 ms (10 s at most) until the job it reads is no longer running.
pub async fn until_finished<T, Fut>(what: &str, mut state: impl FnMut() -> Fut) -> T
where
    Fut: Future<Output = (gurumisha_api::types::JobState, T)>,
{
    for _ in 0..500 {
        let (s, value) = state().await;
        if s != gurumisha_api::types::JobState::Running {
            return value;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    panic!("{what} did not finish");
}

/// Runs `sql` on the database behind the API's back, with the audit trail's append-only
/// triggers out of the way: how an attacker with database access would edit history.
pub async fn tamper(db: &Db, sql: &str) {
    if db.name == "postgres" {
        use sqlx::Connection;
        let mut conn = sqlx::PgConnection::connect(&db.url).await.unwrap();
        sqlx::query("ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_update_delete")
            .execute(&mut conn)
            .await
            .unwrap();
        sqlx::query(sql).execute(&mut conn).await.unwrap();
        sqlx::query("ALTER TABLE audit_log ENABLE TRIGGER audit_log_no_update_delete")
            .execute(&mut conn)
            .await
            .unwrap();
    } else {
        let path = db.url.trim_start_matches("sqlite://").to_owned();
        let sql = sql.to_owned();
        tokio::task::spawn_blocking(move || {
            let conn = rusqlite::Connection::open(path).unwrap();
            conn.execute_batch(&format!(
                "BEGIN; DROP TRIGGER audit_log_no_update; {sql}; \
                 CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log BEGIN \
                 SELECT RAISE(ABORT, 'audit_log is append-only'); END; COMMIT;"
            ))
            .unwrap();
        })
        .await
        .unwrap();
    }
}

/// Runs `body` on SQLite and then on PostgreSQL.
pub async fn both<F, Fut>(body: F)
where
    F: Fn(Db) -> Fut,
    Fut: Future<Output = ()>,
{
    both_with(Limits::default(), body).await
}

pub async fn both_with<F, Fut>(limits: Limits, body: F)
where
    F: Fn(Db) -> Fut,
    Fut: Future<Output = ()>,
{
    body(sqlite(limits).await).await;
    if let Some(db) = postgres(limits).await {
        body(db).await;
    }
}
