//! The audit chain: linking, append-only triggers, concurrency, checkpoints, lists.

use super::{audit, Fresh, Lcg, T0};
use gurumisha_core::chain::{seal, GENESIS};
use gurumisha_core::checkpoint::{CheckpointPolicy, CheckpointSigner};
use gurumisha_core::domain::Severity;
use gurumisha_core::event::AuditContent;
use gurumisha_core::query::{AuditFilter, PageRequest};
use gurumisha_core::service::verify_store;
use gurumisha_core::store::Store;
use gurumisha_core::Timestamp;
use std::sync::Arc;

#[tokio::test]
async fn two_appends_link_into_one_chain() {
    let f = Fresh::new().await;
    assert_eq!(f.store.audit_head().await.unwrap(), None);
    let a = f
        .store
        .append_audit(vec![audit(1), audit(2)], None)
        .await
        .unwrap();
    let b = f.store.append_audit(vec![audit(3)], None).await.unwrap();
    assert_eq!((a, b), (vec![1, 2], vec![3]));
    let rows = f.store.audit_rows(1, 10).await.unwrap();
    assert_eq!(rows.len(), 3);
    assert_eq!(rows[0].prev_hash, GENESIS);
    assert_eq!(rows[2].prev_hash, rows[1].hash);
    assert_eq!(rows[2].hash, seal(3, &rows[1].hash, &audit(3)));
    assert_eq!(rows[1].content, audit(2));
    assert_eq!(f.store.audit_head().await.unwrap(), Some((3, rows[2].hash)));
    assert_eq!(f.store.audit_rows(3, 10).await.unwrap().len(), 1);
    assert_eq!(f.store.audit_rows(2, 1).await.unwrap()[0].seq, 2);
    let report = verify_store(f.store.as_ref(), None, 0, None, None)
        .await
        .unwrap();
    assert!(report.ok, "{report:?}");
    assert_eq!(report.rows_checked, 3);
}

#[tokio::test]
async fn audit_tables_are_append_only() {
    let f = Fresh::new().await;
    let signer = CheckpointSigner::from_seed([5; 32]);
    f.store.append_audit(vec![audit(1)], None).await.unwrap();
    let (seq, hash) = f.store.audit_head().await.unwrap().unwrap();
    f.store
        .insert_checkpoint(&signer.sign(seq, hash, Timestamp(1)))
        .await
        .unwrap();
    let raw = f.raw();
    for (sql, msg) in [
        (
            "UPDATE audit_log SET description = 'x'",
            "audit_log is append-only",
        ),
        ("DELETE FROM audit_log", "audit_log is append-only"),
        (
            "UPDATE audit_checkpoint SET key_id = 'x'",
            "audit_checkpoint is append-only",
        ),
        (
            "DELETE FROM audit_checkpoint",
            "audit_checkpoint is append-only",
        ),
    ] {
        let e = raw.execute(sql, []).unwrap_err();
        assert!(e.to_string().contains(msg), "{sql}: {e}");
    }
    // And through the store's own error mapping.
    let e = f
        .store
        .writer
        .run(|c| {
            c.execute("DELETE FROM audit_log", [])
                .map_err(crate::conn::db_err)
        })
        .await
        .unwrap_err();
    assert!(e.to_string().contains("audit_log is append-only"), "{e}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_appends_never_fork_and_checkpoints_are_signed_in_the_same_commit() {
    let f = Fresh::new().await;
    let policy = Arc::new(CheckpointPolicy {
        signer: CheckpointSigner::from_seed([3; 32]),
        every: 10,
    });
    let mut tasks = Vec::new();
    for t in 0..8i64 {
        let store = f.store.clone();
        let policy = policy.clone();
        tasks.push(tokio::spawn(async move {
            let mut seqs = Vec::new();
            for i in 0..25i64 {
                let rows = vec![audit(t * 1000 + i); (i % 3 + 1) as usize];
                seqs.extend(store.append_audit(rows, Some(&policy)).await.unwrap());
            }
            seqs
        }));
    }
    let mut all = Vec::new();
    for t in tasks {
        all.extend(t.await.unwrap());
    }
    all.sort();
    let n = all.len() as i64;
    assert_eq!(all, (1..=n).collect::<Vec<_>>(), "gap-free, no duplicates");
    let cps = f.store.list_checkpoints(1, n).await.unwrap();
    let at: Vec<i64> = cps.iter().map(|c| c.seq).collect();
    assert_eq!(
        at,
        (1..=n / 10).map(|k| k * 10).collect::<Vec<_>>(),
        "one at every 10th row"
    );
    let report = verify_store(
        f.store.as_ref(),
        Some(policy.signer.verifying_key()),
        10,
        None,
        None,
    )
    .await
    .unwrap();
    assert!(report.ok, "{report:?}");
    assert_eq!(report.rows_checked as i64, n);
    assert_eq!(report.checkpoints_checked as usize, cps.len());
}

#[tokio::test]
async fn checkpoints_round_trip_and_ignore_duplicates() {
    let f = Fresh::new().await;
    let s = CheckpointSigner::from_seed([1; 32]);
    let a = s.sign(10, [1; 32], Timestamp(5));
    let b = s.sign(20, [2; 32], Timestamp(6));
    f.store.insert_checkpoint(&a).await.unwrap();
    f.store.insert_checkpoint(&b).await.unwrap();
    f.store
        .insert_checkpoint(&s.sign(10, [9; 32], Timestamp(7)))
        .await
        .unwrap();
    assert_eq!(
        f.store.list_checkpoints(1, 100).await.unwrap(),
        vec![a.clone(), b]
    );
    assert_eq!(f.store.list_checkpoints(10, 19).await.unwrap(), vec![a]);
}

#[tokio::test]
async fn nul_and_long_text_round_trip_through_the_chain() {
    let f = Fresh::new().await;
    let mut c = audit(1);
    c.description = format!("nul\0inside {}", "é".repeat(300_000));
    c.old_value = Some("{\"a\":\"\\u0000\"}".into());
    c.ip_address = Some(String::new());
    c.content_flags = vec!["truncated:description".into()];
    f.store.append_audit(vec![c.clone()], None).await.unwrap();
    let rows = f.store.audit_rows(1, 1).await.unwrap();
    assert_eq!(rows[0].content, c);
    assert!(
        verify_store(f.store.as_ref(), None, 0, None, None)
            .await
            .unwrap()
            .ok
    );
}

fn varied(n: i64, rng: &mut Lcg) -> AuditContent {
    let mut c = audit(n);
    c.timestamp = Timestamp(T0 + rng.next(40) as i64 * 1_000);
    c.user_id = [None, Some(1), Some(2)][rng.next(3) as usize];
    c.table_name = ["cars", "orders"][rng.next(2) as usize].into();
    c.record_id = [None, Some("1".to_owned()), Some("2".to_owned())][rng.next(3) as usize].clone();
    c.field_name = [
        None,
        Some("price_kes".to_owned()),
        Some("status".to_owned()),
    ][rng.next(3) as usize]
        .clone();
    c.action_type = ["update", "delete", "create"][rng.next(3) as usize].into();
    c.severity = Severity::ALL[rng.next(4) as usize];
    c.change_set_id =
        [None, Some("cs-a".to_owned()), Some("cs-b".to_owned())][rng.next(3) as usize].clone();
    c.description =
        ["Harrier price cut", "status sold", "Prado imported"][rng.next(3) as usize].into();
    c
}

fn matches(f: &AuditFilter, c: &AuditContent) -> bool {
    f.user_id.is_none_or(|v| c.user_id == Some(v))
        && f.table_name.as_ref().is_none_or(|v| &c.table_name == v)
        && f.record_id
            .as_ref()
            .is_none_or(|v| c.record_id.as_ref() == Some(v))
        && f.field_name
            .as_ref()
            .is_none_or(|v| c.field_name.as_ref() == Some(v))
        && f.action_type.as_ref().is_none_or(|v| &c.action_type == v)
        && f.severity.is_none_or(|v| c.severity == v)
        && f.change_set_id
            .as_ref()
            .is_none_or(|v| c.change_set_id.as_ref() == Some(v))
        && f.from.is_none_or(|v| c.timestamp >= v)
        && f.to.is_none_or(|v| c.timestamp < v)
        && f.text.as_ref().is_none_or(|t| {
            c.description
                .to_lowercase()
                .split(' ')
                .any(|w| w.starts_with(&t.to_lowercase()))
        })
}

#[tokio::test]
async fn every_audit_filter_pages_through_exactly_the_right_rows() {
    let f = Fresh::new().await;
    let mut rng = Lcg(11);
    let contents: Vec<AuditContent> = (1..=240).map(|n| varied(n, &mut rng)).collect();
    // Small appends index their full-text entries row by row, big ones by range: use both.
    for chunk in contents[..100].chunks(9).chain(contents[100..].chunks(70)) {
        f.store.append_audit(chunk.to_vec(), None).await.unwrap();
    }
    let mut filters = vec![AuditFilter::default()];
    let base = AuditFilter::default();
    filters.push(AuditFilter {
        user_id: Some(1),
        ..base.clone()
    });
    filters.push(AuditFilter {
        table_name: Some("cars".into()),
        ..base.clone()
    });
    filters.push(AuditFilter {
        table_name: Some("cars".into()),
        record_id: Some("1".into()),
        ..base.clone()
    });
    filters.push(AuditFilter {
        table_name: Some("orders".into()),
        record_id: Some("2".into()),
        field_name: Some("status".into()),
        ..base.clone()
    });
    filters.push(AuditFilter {
        field_name: Some("price_kes".into()),
        ..base.clone()
    });
    filters.push(AuditFilter {
        action_type: Some("delete".into()),
        ..base.clone()
    });
    filters.push(AuditFilter {
        severity: Some(Severity::Critical),
        ..base.clone()
    });
    filters.push(AuditFilter {
        change_set_id: Some("cs-b".into()),
        ..base.clone()
    });
    filters.push(AuditFilter {
        from: Some(Timestamp(T0 + 10_000)),
        to: Some(Timestamp(T0 + 20_000)),
        ..base.clone()
    });
    filters.push(AuditFilter {
        text: Some("harr".into()),
        ..base.clone()
    });
    filters.push(AuditFilter {
        text: Some("SOLD".into()),
        user_id: Some(2),
        severity: Some(Severity::Low),
        ..base.clone()
    });
    for filter in filters {
        let mut expected: Vec<(i64, i64)> = contents
            .iter()
            .enumerate()
            .filter(|(_, c)| matches(&filter, c))
            .map(|(i, c)| (c.timestamp.micros(), i as i64 + 1))
            .collect();
        expected.sort_by(|a, b| b.cmp(a));
        let mut got = Vec::new();
        let mut page = PageRequest::first(7);
        loop {
            let p = f.store.list_audit(&filter, &page).await.unwrap();
            assert!(p.items.len() <= 7);
            got.extend(
                p.items
                    .iter()
                    .map(|e| (e.row.content.timestamp.micros(), e.row.seq)),
            );
            match p.next_cursor {
                Some(c) => page = PageRequest::new(Some(&c), Some(7)).unwrap(),
                None => break,
            }
        }
        assert!(
            !expected.is_empty(),
            "{filter:?} selects nothing: a useless case"
        );
        assert_eq!(got, expected, "{filter:?}");
    }
}

#[tokio::test]
async fn audit_entries_carry_the_username() {
    let f = Fresh::new().await;
    f.store
        .insert_users(vec![super::platform::user("wanjiru")])
        .await
        .unwrap();
    let mut c = audit(1);
    c.user_id = Some(1);
    let mut d = audit(2);
    d.user_id = Some(99);
    f.store.append_audit(vec![c, d], None).await.unwrap();
    let p = f
        .store
        .list_audit(&AuditFilter::default(), &PageRequest::first(10))
        .await
        .unwrap();
    let names: Vec<_> = p.items.iter().map(|e| e.username.clone()).collect();
    assert_eq!(names, [None, Some("wanjiru".to_owned())]);
}
