//! Migrations, the append-only triggers and index use.

use crate::common::{self, fresh};
use gurumisha_core::checkpoint::{CheckpointPolicy, CheckpointSigner};
use gurumisha_core::query::{ActivityFilter, AuditFilter, Cursor, PageRequest};
use gurumisha_core::store::Store;
use gurumisha_core::{StoreError, Timestamp};

#[tokio::test]
async fn migrating_twice_is_a_no_op() {
    let Some(db) = fresh("migrating_twice_is_a_no_op").await else {
        return;
    };
    db.store.migrate().await.unwrap();
    db.store.migrate().await.unwrap();
    let applied: i64 = sqlx::query_scalar("SELECT count(*) FROM _sqlx_migrations WHERE success")
        .fetch_one(db.store.pool())
        .await
        .unwrap();
    assert_eq!(
        applied,
        gurumisha_store_postgres::MIGRATOR.iter().count() as i64
    );
    let (seq, hash): (i64, Vec<u8>) =
        sqlx::query_as("SELECT last_seq, last_hash FROM audit_chain_head WHERE id = 1")
            .fetch_one(db.store.pool())
            .await
            .unwrap();
    assert_eq!((seq, hash), (0, vec![0u8; 32]));
    assert_eq!(db.store.audit_head().await.unwrap(), None);
}

#[tokio::test]
async fn audit_tables_refuse_update_delete_and_truncate() {
    let Some(db) = fresh("audit_tables_refuse_update_delete_and_truncate").await else {
        return;
    };
    let policy = CheckpointPolicy {
        signer: CheckpointSigner::from_seed([3; 32]),
        every: 1,
    };
    db.store
        .append_audit(vec![common::audit(1), common::audit(2)], Some(&policy))
        .await
        .unwrap();
    for sql in [
        "UPDATE audit_log SET description = 'edited' WHERE seq = 1",
        "DELETE FROM audit_log WHERE seq = 2",
        "TRUNCATE audit_log",
        "UPDATE audit_checkpoint SET key_id = 'x'",
        "DELETE FROM audit_checkpoint",
        "TRUNCATE audit_checkpoint",
    ] {
        let err = sqlx::query(sql).execute(db.store.pool()).await.unwrap_err();
        assert!(
            err.to_string().contains("audit_log is append-only"),
            "{sql}: {err}"
        );
    }
    let report = gurumisha_core::service::verify_store(
        &db.store,
        Some(policy.signer.verifying_key()),
        1,
        None,
        None,
    )
    .await
    .unwrap();
    assert!(report.ok, "{report:?}");
    assert_eq!((report.rows_checked, report.checkpoints_checked), (2, 2));
}

#[tokio::test]
async fn corrupt_hashes_are_errors_not_panics() {
    let Some(db) = fresh("corrupt_hashes_are_errors_not_panics").await else {
        return;
    };
    let pool = db.store.pool();
    // Someone with owner rights loosened the schema and wrote garbage.
    for sql in [
        "ALTER TABLE audit_checkpoint DROP CONSTRAINT audit_checkpoint_head_hash_check",
        "ALTER TABLE audit_log DROP CONSTRAINT audit_log_hash_check",
        "INSERT INTO audit_checkpoint VALUES (5, '\\x0102', now(), 'k', decode(repeat('00', 64), 'hex'))",
        "INSERT INTO audit_log (seq, ts, action_type, table_name, severity, description, prev_hash, hash)
         VALUES (1, 'infinity', 'update', 'cars', 'low', 'd', decode(repeat('00', 32), 'hex'), '\\x01')",
    ] {
        sqlx::query(sql).execute(pool).await.unwrap();
    }
    assert!(matches!(
        db.store.list_checkpoints(0, 10).await,
        Err(StoreError::Database(_))
    ));
    assert!(matches!(
        db.store.audit_head().await,
        Err(StoreError::Database(_))
    ));
    assert!(matches!(
        db.store.audit_rows(1, 10).await,
        Err(StoreError::Database(_))
    ));
    let page = db
        .store
        .list_audit(&AuditFilter::default(), &PageRequest::first(10))
        .await;
    assert!(matches!(page, Err(StoreError::Database(_))), "{page:?}");
    let err = gurumisha_core::service::verify_store(&db.store, None, 0, None, None).await;
    assert!(err.is_err());
}

/// Every filter is served by its own index (no sequential scan of the log).
#[tokio::test]
async fn filters_use_their_indexes() {
    let Some(db) = fresh("filters_use_their_indexes").await else {
        return;
    };
    let rows: Vec<_> = (0..30_000)
        .map(|i| {
            let mut r = common::activity(i);
            r.timestamp = Timestamp(common::BASE + i * 1_000);
            r.user_id = Some(i % 400 + 1);
            r.action = format!("action_{}", i % 40);
            r.ip_address = Some(format!("10.{}.{}.{}", i % 3, (i / 3) % 250, i % 7));
            r.session_id = Some(format!("s{}", i % 3000));
            r.object_id = Some((i % 5000).to_string());
            r
        })
        .collect();
    for chunk in rows.chunks(5_000) {
        db.store.insert_activities(chunk.to_vec()).await.unwrap();
    }
    let audits: Vec<_> = (0..6_000)
        .map(|i| {
            let mut a = common::audit(i);
            a.timestamp = Timestamp(common::BASE + i * 1_000);
            a.user_id = Some(i % 300);
            a.record_id = Some((i % 2000).to_string());
            a.change_set_id = Some(format!("cs-{i}"));
            a
        })
        .collect();
    for chunk in audits.chunks(1_000) {
        db.store.append_audit(chunk.to_vec(), None).await.unwrap();
    }
    sqlx::query("ANALYZE")
        .execute(db.store.pool())
        .await
        .unwrap();

    let later = PageRequest {
        after: Some(Cursor {
            ts: common::BASE + 20_000_000,
            id: 20_000,
        }),
        limit: 100,
    };
    let a = |f: ActivityFilter, idx: &str| (f, idx.to_owned());
    let cases = [
        a(ActivityFilter::default(), "activity_log_ts_idx"),
        a(
            ActivityFilter {
                user_id: Some(7),
                ..Default::default()
            },
            "activity_log_user_idx",
        ),
        a(
            ActivityFilter {
                action: Some("action_3".into()),
                ..Default::default()
            },
            "activity_log_action_idx",
        ),
        a(
            ActivityFilter {
                object_type: Some("car".into()),
                object_id: Some("42".into()),
                ..Default::default()
            },
            "activity_log_object_idx",
        ),
        a(
            ActivityFilter {
                ip: Some("10.1.9.3".into()),
                ..Default::default()
            },
            "activity_log_keys_idx",
        ),
        a(
            ActivityFilter {
                session_id: Some("s17".into()),
                ..Default::default()
            },
            "activity_log_keys_idx",
        ),
        a(
            ActivityFilter {
                text: Some("number2999".into()),
                ..Default::default()
            },
            "activity_log_search_idx",
        ),
        a(
            ActivityFilter {
                from: Some(Timestamp(common::BASE + 1_000_000)),
                to: Some(Timestamp(common::BASE + 2_000_000)),
                ..Default::default()
            },
            "activity_log_ts_idx",
        ),
        // Common words (every row says "Viewed"): an ordered walk that stops after one page.
        a(
            ActivityFilter {
                text: Some("view".into()),
                ..Default::default()
            },
            "activity_log_ts_idx",
        ),
        a(
            ActivityFilter {
                text: Some("view".into()),
                user_id: Some(7),
                ..Default::default()
            },
            "activity_log_user_idx",
        ),
    ];
    for (f, idx) in cases {
        for page in [PageRequest::first(100), later] {
            let plan = db.store.explain_list_activity(&f, &page).await.unwrap();
            assert!(plan.contains(&idx), "{f:?} should use {idx}:\n{plan}");
            assert!(!plan.contains("Seq Scan on activity_log"), "{f:?}:\n{plan}");
            if f.text.as_deref() == Some("view") {
                assert!(
                    !plan.contains("Sort") && !plan.contains("Bitmap"),
                    "{f:?}:\n{plan}"
                );
            }
        }
    }
    let b = |f: AuditFilter, idx: &str| (f, idx.to_owned());
    let cases = [
        b(AuditFilter::default(), "audit_log_ts_idx"),
        b(
            AuditFilter {
                user_id: Some(7),
                ..Default::default()
            },
            "audit_log_user_idx",
        ),
        b(
            AuditFilter {
                table_name: Some("cars".into()),
                record_id: Some("42".into()),
                ..Default::default()
            },
            "audit_log_record_idx",
        ),
        b(
            AuditFilter {
                table_name: Some("cars".into()),
                record_id: Some("42".into()),
                field_name: Some("status".into()),
                ..Default::default()
            },
            "audit_log_field_idx",
        ),
        b(
            AuditFilter {
                change_set_id: Some("cs-17".into()),
                ..Default::default()
            },
            "audit_log_change_set_idx",
        ),
        b(
            AuditFilter {
                text: Some("record4242".into()),
                ..Default::default()
            },
            "audit_log_search_idx",
        ),
    ];
    for (f, idx) in cases {
        let plan = db
            .store
            .explain_list_audit(&f, &PageRequest::first(100))
            .await
            .unwrap();
        assert!(plan.contains(&idx), "{f:?} should use {idx}:\n{plan}");
        assert!(!plan.contains("Seq Scan on audit_log"), "{f:?}:\n{plan}");
    }
}
