//! Opening, migrations, the writer's group commit and error mapping.

use super::{activity, Fresh};
use crate::migrate::{self, Migration};
use crate::{path_from_url, SqliteStore};
use gurumisha_core::store::Store;
use gurumisha_core::StoreError;
use std::path::PathBuf;

#[tokio::test]
async fn migrate_twice_is_a_no_op() {
    let f = Fresh::new().await;
    f.store.migrate().await.unwrap();
    let raw = f.raw();
    let rows: Vec<(i64, String, String)> = raw
        .prepare("SELECT version, name, checksum FROM schema_migrations")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(rows.len(), migrate::MIGRATIONS.len());
    assert_eq!(rows[0].1, "0001_init.sql");
    assert_eq!(rows[0].2, migrate::checksum(migrate::MIGRATIONS[0].sql));
}

#[tokio::test]
async fn an_edited_migration_refuses_to_start() {
    let f = Fresh::new().await;
    let raw = f.raw();
    // Every migration this build knows, with the first one changed.
    let edited: Vec<Migration> = migrate::MIGRATIONS
        .iter()
        .map(|m| Migration {
            version: m.version,
            name: m.name,
            sql: if m.version == 1 {
                "CREATE TABLE sneaky (x);"
            } else {
                m.sql
            },
        })
        .collect();
    let tx = raw.unchecked_transaction().unwrap();
    match migrate::apply(&tx, &edited) {
        Err(StoreError::Migration(m)) => assert!(m.contains("0001_init.sql"), "{m}"),
        other => panic!("expected a migration error, got {other:?}"),
    }
    drop(tx);
    // A database migrated by a newer build is refused too.
    let newer: [Migration; 0] = [];
    match migrate::apply(&raw, &newer) {
        Err(StoreError::Migration(m)) => assert!(m.contains("newer"), "{m}"),
        other => panic!("expected a migration error, got {other:?}"),
    }
}

#[tokio::test]
async fn open_creates_directories_and_lists_fail_before_migrate() {
    let f = Fresh::unmigrated();
    assert!(f.store.path().exists());
    assert_eq!(f.store.location(), f.store.path().display().to_string());
    let err = f.store.estimate_activity().await.unwrap_err();
    assert!(matches!(err, StoreError::Database(_)), "{err:?}");
    f.store.migrate().await.unwrap();
    assert_eq!(f.store.estimate_activity().await.unwrap(), 0);
}

#[test]
fn urls_name_files() {
    let p = |u: &str| path_from_url(u).unwrap();
    assert_eq!(p("sqlite:///var/lib/g.db"), PathBuf::from("/var/lib/g.db"));
    assert_eq!(p("sqlite://data/g.db"), PathBuf::from("data/g.db"));
    assert_eq!(p("sqlite:g.db"), PathBuf::from("g.db"));
    assert_eq!(p("sqlite://g.db?mode=rwc"), PathBuf::from("g.db"));
    assert_eq!(p("/tmp/x/g.db"), PathBuf::from("/tmp/x/g.db"));
    assert!(path_from_url("sqlite::memory:").is_err());
    assert!(path_from_url("sqlite:").is_err());
}

#[tokio::test]
async fn open_url_opens_the_file() {
    let dir = std::env::temp_dir().join(format!("gurumisha-sqlite-{}", uuid::Uuid::new_v4()));
    let path = dir.join("u.db");
    {
        let s = SqliteStore::open_url(&format!("sqlite://{}", path.display())).unwrap();
        s.migrate().await.unwrap();
        assert_eq!(s.location(), path.display().to_string());
    }
    // Reopening keeps the data and migrating again is harmless.
    let s = SqliteStore::open(&path).unwrap();
    s.migrate().await.unwrap();
    drop(s);
    std::fs::remove_dir_all(dir).unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bad_job_fails_alone_in_a_shared_commit() {
    let f = Fresh::new().await;
    let w = &f.store.writer;
    // Hold the writer busy so the next jobs queue up and run in one transaction.
    let slow = w
        .submit(|_c| {
            std::thread::sleep(std::time::Duration::from_millis(100));
            Ok(())
        })
        .unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    let good1 = w
        .submit(|c| crate::activity::insert(c, &[activity(1)]))
        .unwrap();
    let bad = w
        .submit(|c| {
            crate::activity::insert(c, &[activity(2)])?;
            c.execute_batch("INSERT INTO no_such_table VALUES (1)")
                .map_err(crate::conn::db_err)?;
            Ok(Vec::<i64>::new())
        })
        .unwrap();
    let good2 = w
        .submit(|c| crate::activity::insert(c, &[activity(3)]))
        .unwrap();
    slow.await.unwrap().unwrap();
    let a = good1.await.unwrap().unwrap();
    let e = bad.await.unwrap().unwrap_err();
    let b = good2.await.unwrap().unwrap();
    assert!(e.to_string().contains("no_such_table"), "{e}");
    assert_eq!(a.len(), 1);
    assert_eq!(b.len(), 1);
    // The bad job's own insert was rolled back with it.
    let page = f
        .store
        .list_activity(
            &Default::default(),
            &gurumisha_core::query::PageRequest::first(10),
        )
        .await
        .unwrap();
    let descs: Vec<_> = page.items.iter().map(|r| r.description.as_str()).collect();
    assert_eq!(descs, ["Viewed car number 3", "Viewed car number 1"]);
}

#[tokio::test]
async fn a_panicking_job_does_not_stop_the_writer() {
    let f = Fresh::new().await;
    let r: Result<(), _> = f.store.writer.run(|_c| panic!("boom")).await;
    assert!(r.is_err());
    assert_eq!(
        f.store
            .insert_activities(vec![activity(1)])
            .await
            .unwrap()
            .len(),
        1
    );
}

#[tokio::test]
async fn bad_data_read_back_is_an_error_not_a_panic() {
    let f = Fresh::new().await;
    let raw = f.raw();
    raw.execute(
        "INSERT INTO audit_log (seq, ts, action_type, table_name, severity, description,
             content_flags, prev_hash, hash)
         VALUES (1, 0, 'update', 'cars', 'medium', 'x', '[]', zeroblob(32), zeroblob(31))",
        [],
    )
    .unwrap();
    assert!(matches!(
        f.store.audit_rows(1, 10).await,
        Err(StoreError::Database(_))
    ));
    assert!(matches!(
        f.store.audit_head().await,
        Err(StoreError::Database(_))
    ));
    raw.execute(
        "INSERT INTO activity_log (ts, action, description, extra_data, outcome)
         VALUES (0, 'login', 'x', 'not json', 'success')",
        [],
    )
    .unwrap();
    let r = f
        .store
        .list_activity(
            &Default::default(),
            &gurumisha_core::query::PageRequest::first(5),
        )
        .await;
    assert!(matches!(r, Err(StoreError::Database(_))), "{r:?}");
}
