//! The audit chain: concurrent appends, checkpoints, filters, keyset pages, exact round trips.

use crate::common::{self, fresh};
use gurumisha_core::checkpoint::{CheckpointPolicy, CheckpointSigner};
use gurumisha_core::domain::Severity;
use gurumisha_core::event::AuditEntry;
use gurumisha_core::query::{AuditFilter, PageRequest};
use gurumisha_core::service::{verify_store, verify_store_split, Recorder};
use gurumisha_core::store::Store;
use gurumisha_core::Timestamp;
use gurumisha_store_postgres::PgStore;
use std::collections::BTreeSet;
use std::sync::Arc;

async fn all_pages(store: &PgStore, f: &AuditFilter, limit: u32) -> Vec<AuditEntry> {
    let mut out = Vec::new();
    let mut page = PageRequest::first(limit);
    loop {
        let p = store.list_audit(f, &page).await.unwrap();
        assert!(p.items.len() <= limit as usize);
        out.extend(p.items);
        match p.next_cursor {
            Some(c) => page = PageRequest::new(Some(&c), Some(limit)).unwrap(),
            None => return out,
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_appends_make_one_gap_free_chain() {
    let Some(db) = fresh("concurrent_appends_make_one_gap_free_chain").await else {
        return;
    };
    let policy = Arc::new(CheckpointPolicy {
        signer: CheckpointSigner::from_seed([5; 32]),
        every: 50,
    });
    let mut tasks = Vec::new();
    for t in 0..8i64 {
        let store = db.store.clone();
        let policy = policy.clone();
        tasks.push(tokio::spawn(async move {
            let mut mine = Vec::new();
            for b in 0..30i64 {
                let n = 1 + (t + b) % 7;
                let rows = (0..n)
                    .map(|k| common::audit(t * 1000 + b * 10 + k))
                    .collect();
                let seqs = store.append_audit(rows, Some(&policy)).await.unwrap();
                assert_eq!(seqs.len() as i64, n);
                assert!(
                    seqs.windows(2).all(|w| w[1] == w[0] + 1),
                    "a batch is contiguous: {seqs:?}"
                );
                mine.extend(seqs);
            }
            mine
        }));
    }
    let mut all = Vec::new();
    for t in tasks {
        all.extend(t.await.unwrap());
    }
    let total = all.len() as i64;
    let unique: BTreeSet<i64> = all.iter().copied().collect();
    assert_eq!(unique.len() as i64, total, "no sequence number given twice");
    assert_eq!(unique, (1..=total).collect(), "no gaps");

    let report = verify_store(
        &db.store,
        Some(policy.signer.verifying_key()),
        policy.every,
        None,
        None,
    )
    .await
    .unwrap();
    assert!(report.ok, "{report:?}");
    assert_eq!(report.rows_checked as i64, total);
    assert_eq!(report.head_seq, Some(total));
    assert_eq!(
        report.checkpoints_checked,
        (total / 50) as u64,
        "one at every 50th row: {report:?}"
    );
    let cps = db.store.list_checkpoints(1, total).await.unwrap();
    assert_eq!(
        cps.iter().map(|c| c.seq).collect::<Vec<_>>(),
        (1..=total / 50).map(|k| k * 50).collect::<Vec<_>>()
    );
    let (head_seq, head_hash) = db.store.audit_head().await.unwrap().unwrap();
    let (chain_seq, chain_hash): (i64, Vec<u8>) =
        sqlx::query_as("SELECT last_seq, last_hash FROM audit_chain_head")
            .fetch_one(db.store.pool())
            .await
            .unwrap();
    assert_eq!((head_seq, head_hash.to_vec()), (chain_seq, chain_hash));
    // A partial range verifies from its anchor too.
    let part = verify_store(
        &db.store,
        Some(policy.signer.verifying_key()),
        policy.every,
        Some(100),
        Some(200),
    )
    .await
    .unwrap();
    assert!(part.ok && part.rows_checked == 101, "{part:?}");
}

#[tokio::test]
async fn rows_round_trip_exactly_and_filters_page_through_everything() {
    let Some(db) = fresh("rows_round_trip_exactly_and_filters_page_through_everything").await
    else {
        return;
    };
    let contents: Vec<_> = (0..400).map(common::audit).collect();
    let mut seqs = Vec::new();
    for chunk in contents.chunks(64) {
        seqs.extend(db.store.append_audit(chunk.to_vec(), None).await.unwrap());
    }
    assert_eq!(seqs, (1..=400).collect::<Vec<i64>>());
    let rows = db.store.audit_rows(1, 1_000).await.unwrap();
    assert_eq!(rows.len(), 400);
    for (r, c) in rows.iter().zip(&contents) {
        assert_eq!(&r.content, c, "row {} differs", r.seq);
    }
    assert_eq!(db.store.audit_rows(399, 10).await.unwrap().len(), 2);

    let filters = [
        AuditFilter::default(),
        AuditFilter {
            user_id: Some(2),
            ..Default::default()
        },
        AuditFilter {
            table_name: Some("cars".into()),
            record_id: Some("4".into()),
            ..Default::default()
        },
        AuditFilter {
            table_name: Some("orders".into()),
            record_id: Some("1".into()),
            field_name: Some("status".into()),
            ..Default::default()
        },
        AuditFilter {
            field_name: Some("price_kes".into()),
            ..Default::default()
        },
        AuditFilter {
            action_type: Some("delete".into()),
            ..Default::default()
        },
        AuditFilter {
            severity: Some(Severity::High),
            ..Default::default()
        },
        AuditFilter {
            change_set_id: Some("cs-7".into()),
            ..Default::default()
        },
        AuditFilter {
            from: Some(Timestamp(common::BASE + 10_000)),
            to: Some(Timestamp(common::BASE + 20_000)),
            ..Default::default()
        },
        AuditFilter {
            user_id: Some(3),
            severity: Some(Severity::Medium),
            from: Some(Timestamp(common::BASE + 5_000)),
            ..Default::default()
        },
    ];
    for f in filters {
        let matches = |c: &gurumisha_core::event::AuditContent| {
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
        };
        let mut expected: Vec<(i64, i64)> = contents
            .iter()
            .zip(1i64..)
            .filter(|(c, _)| matches(c))
            .map(|(c, seq)| (c.timestamp.micros(), seq))
            .collect();
        expected.sort_by(|a, b| b.cmp(a));
        assert!(!expected.is_empty(), "{f:?} should match something");
        for limit in [1, 7, 1000] {
            let got = all_pages(&db.store, &f, limit).await;
            let keys: Vec<(i64, i64)> = got
                .iter()
                .map(|e| (e.row.content.timestamp.micros(), e.row.seq))
                .collect();
            assert_eq!(keys, expected, "{f:?} limit {limit}");
            for e in &got {
                assert_eq!(e.row, rows[(e.row.seq - 1) as usize]);
            }
        }
    }
}

#[tokio::test]
async fn text_search_matches_word_prefixes() {
    let Some(db) = fresh("text_search_matches_word_prefixes").await else {
        return;
    };
    let mut a = common::audit(1);
    a.description = "Price of Toyota Harrier 2018 lowered".into();
    let mut b = common::audit(2);
    b.description = "Nissan Note status set to sold".into();
    db.store.append_audit(vec![a, b], None).await.unwrap();
    let search = |t: &str| {
        let f = AuditFilter {
            text: Some(t.into()),
            ..Default::default()
        };
        let store = db.store.clone();
        async move {
            store
                .list_audit(&f, &PageRequest::first(10))
                .await
                .unwrap()
                .items
                .iter()
                .map(|e| e.row.seq)
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(search("harr").await, vec![1]);
    assert_eq!(search("TOY har 201").await, vec![1]);
    assert_eq!(search("harrier nissan").await, Vec::<i64>::new());
    assert_eq!(search("sol").await, vec![2]);
    assert_eq!(search("t").await, vec![1, 2], "newest first");
    // Punctuation and tsquery syntax are not operators, only separators.
    assert_eq!(search("'harrier' & !(|:*").await, vec![1]);
    assert_eq!(
        search("  --  ").await,
        vec![1, 2],
        "no terms means no text filter"
    );
}

#[tokio::test]
async fn nul_and_odd_text_survive_the_chain() {
    let Some(db) = fresh("nul_and_odd_text_survive_the_chain").await else {
        return;
    };
    let store: Arc<dyn Store> = Arc::new(db.store.clone());
    let recorder = Recorder::new(store.clone(), None, Default::default());
    let mut entries = gurumisha_core::service::Recorder::model_change_entries(
        gurumisha_core::service::ModelChange {
            timestamp: Some(Timestamp(-1)),
            user_id: Some(1),
            table_name: gurumisha_core::domain::TableName::parse("cars").unwrap(),
            record_id: gurumisha_core::domain::RecordId::parse("9").unwrap(),
            action_type: gurumisha_core::domain::AuditActionType::parse("update").unwrap(),
            changes: vec![gurumisha_core::event::FieldChange {
                field: gurumisha_core::domain::FieldName::parse("notes").unwrap(),
                old: serde_json::json!({"z": "a\u{0}b", "a": [1, 2.5, null], "k\u{0}": "\"quoted\" \\ {}"}),
                new: serde_json::json!("ünïcödé ✓ 😀"),
            }],
            severity: None,
            description: Some("desc with NUL \u{0} and 'quotes' and {braces}".into()),
            context: gurumisha_core::event::RequestContext::parse(Some("::ffff:10.0.0.1"), Some("agent\u{0}x"), None, None).unwrap(),
        },
    )
    .unwrap()
    .1;
    let content = recorder.audit_content(entries.remove(0));
    assert!(
        content
            .content_flags
            .iter()
            .any(|f| f.starts_with("nul_escaped")),
        "{content:?}"
    );
    let seqs = db
        .store
        .append_audit(vec![content.clone()], None)
        .await
        .unwrap();
    let row = db.store.audit_rows(seqs[0], 1).await.unwrap().remove(0);
    assert_eq!(row.content, content);
    assert!(
        verify_store(&db.store, None, 0, None, None)
            .await
            .unwrap()
            .ok
    );
}

/// The binary COPY path that verification reads through notices an edited field, a changed
/// NULL, edited content flags and a deleted row, each at its sequence number.
#[tokio::test]
async fn verification_names_each_tampered_row() {
    let Some(db) = fresh("verification_names_each_tampered_row").await else {
        return;
    };
    let rows: Vec<_> = (1..=120).map(common::audit).collect();
    db.store.append_audit(rows, None).await.unwrap();
    let ok = verify_store(&db.store, None, 0, None, None).await.unwrap();
    assert!(ok.ok && ok.rows_checked == 120, "{ok:?}");

    use sqlx::Connection;
    let mut conn = sqlx::PgConnection::connect(&db.url).await.unwrap();
    sqlx::query("ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_update_delete")
        .execute(&mut conn)
        .await
        .unwrap();
    let cases = [
        (
            "UPDATE audit_log SET description = description || '.' WHERE seq = 97",
            97,
        ),
        ("UPDATE audit_log SET user_agent = 'x' WHERE seq = 61", 61),
        (
            "UPDATE audit_log SET content_flags = '{}' WHERE seq = 30",
            30,
        ),
        (
            "UPDATE audit_log SET ts = ts + interval '1 microsecond' WHERE seq = 12",
            12,
        ),
        ("DELETE FROM audit_log WHERE seq = 5", 5),
    ];
    for (sql, seq) in cases {
        sqlx::query(sql).execute(&mut conn).await.unwrap();
        // Split into the store's three parts (rows 1-40, 41-80, 81-120), as a long chain is.
        let r = verify_store_split(&db.store, None, 0, None, None, 10)
            .await
            .unwrap();
        let p = r.problem.expect("a problem is reported");
        assert!(!r.ok);
        assert_eq!(p.seq, seq, "{sql}: {p:?}");
    }
}
