//! Fresh database per test, dropped afterwards (even when the test panics). Without
//! `GURUMISHA_TEST_PG_URL` the tests pass after a skip notice, unless `GURUMISHA_REQUIRE_PG=1`.

use gurumisha_core::domain::{Outcome, Severity};
use gurumisha_core::event::{ActivityRow, AuditContent};
use gurumisha_core::Timestamp;
use gurumisha_store_postgres::PgStore;
use sqlx::Connection;

pub const ENV: &str = "GURUMISHA_TEST_PG_URL";

pub struct TestDb {
    pub store: PgStore,
    pub url: String,
    admin_url: String,
    name: String,
}

/// The admin URL, or `None` after printing a skip notice.
pub fn admin_url(test: &str) -> Option<String> {
    match std::env::var(ENV) {
        Ok(u) if !u.trim().is_empty() => Some(u),
        _ => {
            if std::env::var("GURUMISHA_REQUIRE_PG").as_deref() == Ok("1") {
                panic!("{ENV} is not set but GURUMISHA_REQUIRE_PG=1");
            }
            // Straight to stderr (not eprintln!, which the test harness captures), once.
            static NOTICE: std::sync::Once = std::sync::Once::new();
            NOTICE.call_once(|| {
                use std::io::Write;
                let _ = writeln!(
                    std::io::stderr(),
                    "SKIPPED PostgreSQL store tests (first: {test}): {ENV} is not set; \
                     start a cluster with `scripts/pg-throwaway.sh start DIR` and export the URL it prints"
                );
            });
            None
        }
    }
}

/// Replaces the database name of a `postgres://…/db?query` URL.
pub fn with_database(url: &str, db: &str) -> String {
    let start = url.find("://").map_or(0, |i| i + 3);
    let rest = &url[start..];
    let path = rest.find('/').map_or(rest.len(), |i| i);
    let query = rest[path..].find('?').map_or("", |i| &rest[path + i..]);
    format!("{}/{db}{query}", &url[..start + path])
}

/// A migrated store on a database of its own, or `None` (skip) without the cluster.
pub async fn fresh(test: &str) -> Option<TestDb> {
    let admin_url = admin_url(test)?;
    let name = format!("test_{}", uuid::Uuid::new_v4().simple());
    let mut admin = sqlx::PgConnection::connect(&admin_url)
        .await
        .expect("connect to the admin database");
    sqlx::query(&format!("CREATE DATABASE {name}"))
        .execute(&mut admin)
        .await
        .expect("create the test database");
    admin.close().await.ok();
    let url = with_database(&admin_url, &name);
    let store = PgStore::connect(&url)
        .await
        .expect("connect to the test database");
    gurumisha_core::store::Store::migrate(&store)
        .await
        .expect("migrate");
    Some(TestDb {
        store,
        url,
        admin_url,
        name,
    })
}

impl Drop for TestDb {
    fn drop(&mut self) {
        let (admin_url, name) = (self.admin_url.clone(), self.name.clone());
        // Dropping needs async I/O; do it on a runtime of its own so it works from any context.
        let done = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("runtime");
            rt.block_on(async move {
                let mut admin = sqlx::PgConnection::connect(&admin_url).await?;
                sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                    .execute(&mut admin)
                    .await?;
                admin.close().await
            })
        })
        .join();
        if !matches!(done, Ok(Ok(()))) {
            eprintln!(
                "warning: could not drop test database {}: {done:?}",
                self.name
            );
        }
    }
}

pub const BASE: i64 = 1_700_000_000_123_457;

/// A deterministic activity row with plenty of ties in `ts` and a spread of filter values.
pub fn activity(i: i64) -> ActivityRow {
    let cars = [
        "Toyota Harrier",
        "Nissan Note",
        "Subaru Forester",
        "Mazda Demio",
    ];
    let ip = if i % 13 == 0 {
        // Canonical text, as the core produces it (inet would normalise "2001:db8::0").
        format!("2001:db8::{:x}", i % 5)
            .parse::<std::net::IpAddr>()
            .unwrap()
            .to_string()
    } else {
        format!("10.0.{}.{}", i % 3, i % 7)
    };
    ActivityRow {
        timestamp: Timestamp(BASE + ((i * 37) % 101) * 1_000),
        user_id: (i % 11 != 0).then_some(i % 5 + 1),
        action: ["login", "car_view", "search", "order_create"][(i % 4) as usize].into(),
        description: format!("Viewed {} number{i}", cars[(i % 4) as usize]),
        ip_address: (i % 19 != 0).then_some(ip),
        user_agent: Some(format!("Mozilla/5.0 (agent {})", i % 3)),
        session_id: Some(format!("s{}", i % 9)),
        request_id: (i % 2 == 0).then(|| format!("req-{i}")),
        object_type: (i % 2 == 0).then(|| "car".to_owned()),
        object_id: (i % 2 == 0).then(|| (i % 10).to_string()),
        object_display: (i % 2 == 0).then(|| format!("{} 2018", cars[(i % 3) as usize])),
        extra_data: format!("{{\"i\":{i},\"tags\":[\"a\",null,1.5]}}"),
        outcome: if i % 6 == 0 {
            Outcome::Failure
        } else {
            Outcome::Success
        },
        content_flags: if i % 17 == 0 {
            vec!["truncated:description".into()]
        } else {
            vec![]
        },
    }
}

/// A deterministic audit content with ties in `ts`.
pub fn audit(i: i64) -> AuditContent {
    AuditContent {
        timestamp: Timestamp(BASE + ((i * 29) % 53) * 1_000),
        user_id: (i % 7 != 0).then_some(i % 4 + 1),
        action_type: ["update", "create", "delete", "failed_login"][(i % 4) as usize].into(),
        table_name: ["cars", "orders"][(i % 2) as usize].into(),
        record_id: Some((i % 6).to_string()),
        field_name: (i % 3 != 0).then(|| ["price_kes", "status"][(i % 2) as usize].to_owned()),
        old_value: Some(format!("{{\"b\":2,\"a\":{i}}}")),
        new_value: (i % 5 != 0).then(|| "null".to_owned()),
        severity: Severity::ALL[(i % 4) as usize],
        description: format!("Changed price of Toyota Harrier record{i}"),
        ip_address: (i % 2 == 0).then(|| "192.168.1.9".to_owned()),
        user_agent: None,
        change_set_id: Some(format!("cs-{}", i / 3)),
        content_flags: if i % 10 == 0 {
            vec!["nul_escaped:description".into()]
        } else {
            vec![]
        },
    }
}
