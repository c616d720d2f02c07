//! The query plans: every filter walks an index in (ts, id) order, with no sort, and the
//! keyset condition seeks rather than scans.

use super::Fresh;
use crate::fts::{FtsTable, Match, Matches};
use crate::sql::Query;
use gurumisha_core::domain::Severity;
use gurumisha_core::query::{ActivityFilter, AuditFilter, Cursor, PageRequest};
use gurumisha_core::Timestamp;

fn plan(f: &Fresh, q: &Query) -> String {
    let raw = f.raw();
    let mut s = raw
        .prepare(&format!("EXPLAIN QUERY PLAN {}", q.sql))
        .unwrap();
    let rows: Vec<String> = s
        .query_map(q.params(), |r| r.get::<_, String>(3))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    rows.join(" | ")
}

fn pages() -> [PageRequest; 2] {
    [
        PageRequest::first(100),
        PageRequest {
            after: Some(Cursor {
                ts: 1_700_000_000_000_000,
                id: 5,
            }),
            limit: 100,
        },
    ]
}

#[tokio::test]
async fn activity_filters_use_their_index_without_a_sort() {
    let f = Fresh::new().await;
    let b = ActivityFilter::default();
    let t = Some(Timestamp(1));
    let cases: Vec<(ActivityFilter, &str)> = vec![
        (b.clone(), "USING INDEX activity_ts"),
        (
            ActivityFilter {
                from: t,
                to: t,
                ..b.clone()
            },
            "USING INDEX activity_ts (ts>? AND ts<?",
        ),
        (
            ActivityFilter {
                user_id: Some(1),
                ..b.clone()
            },
            "USING INDEX activity_user (user_id=?",
        ),
        (
            ActivityFilter {
                user_id: Some(1),
                from: t,
                ..b.clone()
            },
            "USING INDEX activity_user (user_id=? AND ts>?",
        ),
        (
            ActivityFilter {
                action: Some("x".into()),
                ..b.clone()
            },
            "USING INDEX activity_action (action=?",
        ),
        (
            ActivityFilter {
                object_type: Some("car".into()),
                ..b.clone()
            },
            "USING INDEX activity_object_type (object_type=?",
        ),
        (
            ActivityFilter {
                object_type: Some("car".into()),
                object_id: Some("1".into()),
                ..b.clone()
            },
            "USING INDEX activity_object (object_type=? AND object_id=?",
        ),
        (
            ActivityFilter {
                object_id: Some("1".into()),
                ..b.clone()
            },
            "USING INDEX activity_ts",
        ),
    ];
    for (filter, index) in cases {
        for page in pages() {
            let p = plan(
                &f,
                &crate::activity::build_list(&filter, &page, &Matches::default()),
            );
            assert!(p.contains(index), "{filter:?}: {p}");
            assert!(!p.contains("TEMP B-TREE"), "{filter:?}: {p}");
            assert!(p.contains("SEARCH u USING INTEGER PRIMARY KEY"), "{p}");
            if page.after.is_some() {
                assert!(p.contains("ts<?"), "the cursor seeks: {p}");
            }
        }
        // The extent's count and oldest row walk the same index, without a sort either.
        let none = Matches::default();
        for q in [
            crate::extent::count_activity(&filter, &none, 100_000),
            crate::extent::oldest_activity(&filter, &none),
        ] {
            // Reading only `ts` and the key, the index alone answers.
            let p = plan(&f, &q).replace("COVERING INDEX", "INDEX");
            assert!(
                p.contains(index) && !p.contains("TEMP B-TREE"),
                "{filter:?}: {p}"
            );
        }
        // Many matches keep the index order; few matches are walked and sorted.
        for table in [FtsTable::ActivityText, FtsTable::ActivityKeys] {
            let m = Match {
                table,
                expr: "\"a\"".into(),
            };
            let common = Matches {
                drive: None,
                filter: vec![m.clone()],
            };
            let p = plan(
                &f,
                &crate::activity::build_list(&filter, &pages()[0], &common),
            );
            assert!(
                p.contains(index) && !p.contains("TEMP B-TREE"),
                "{filter:?}: {p}"
            );
            let rare = Matches {
                drive: Some(m),
                filter: vec![],
            };
            let p = plan(
                &f,
                &crate::activity::build_list(&filter, &pages()[0], &rare),
            );
            assert!(p.starts_with("SCAN activity_"), "{filter:?}: {p}");
            assert!(p.contains("VIRTUAL TABLE INDEX"), "{filter:?}: {p}");
            assert!(
                p.contains("SEARCH a USING INTEGER PRIMARY KEY"),
                "{filter:?}: {p}"
            );
        }
    }
}

#[tokio::test]
async fn audit_filters_use_their_index_without_a_sort() {
    let f = Fresh::new().await;
    let b = AuditFilter::default();
    let t = Some(Timestamp(1));
    let s = |v: &str| Some(v.to_owned());
    let cases: Vec<(AuditFilter, &str)> = vec![
        (b.clone(), "USING INDEX audit_ts"),
        (
            AuditFilter {
                from: t,
                to: t,
                ..b.clone()
            },
            "USING INDEX audit_ts (ts>? AND ts<?",
        ),
        (
            AuditFilter {
                user_id: Some(1),
                ..b.clone()
            },
            "USING INDEX audit_user (user_id=?",
        ),
        (
            AuditFilter {
                table_name: s("cars"),
                ..b.clone()
            },
            "USING INDEX audit_table (table_name=?",
        ),
        (
            AuditFilter {
                table_name: s("cars"),
                record_id: s("1"),
                ..b.clone()
            },
            "USING INDEX audit_record (table_name=? AND record_id=?",
        ),
        (
            AuditFilter {
                table_name: s("cars"),
                record_id: s("1"),
                field_name: s("price"),
                ..b.clone()
            },
            "USING INDEX audit_record_field (table_name=? AND record_id=? AND field_name=?",
        ),
        (
            AuditFilter {
                field_name: s("price"),
                ..b.clone()
            },
            "USING INDEX audit_field (field_name=?",
        ),
        (
            AuditFilter {
                action_type: s("delete"),
                ..b.clone()
            },
            "USING INDEX audit_action (action_type=?",
        ),
        (
            AuditFilter {
                severity: Some(Severity::High),
                ..b.clone()
            },
            "USING INDEX audit_severity (severity=?",
        ),
        (
            AuditFilter {
                change_set_id: s("c"),
                ..b.clone()
            },
            "USING INDEX audit_change_set (change_set_id=?",
        ),
        (
            AuditFilter {
                record_id: s("1"),
                ..b.clone()
            },
            "USING INDEX audit_ts",
        ),
    ];
    for (filter, index) in cases {
        for page in pages() {
            let p = plan(
                &f,
                &crate::audit::build_list(&filter, &page, &Matches::default()),
            );
            assert!(p.contains(index), "{filter:?}: {p}");
            assert!(!p.contains("TEMP B-TREE"), "{filter:?}: {p}");
        }
        let none = Matches::default();
        for q in [
            crate::extent::count_audit(&filter, &none, 100_000),
            crate::extent::oldest_audit(&filter, &none),
        ] {
            // Reading only `ts` and the key, the index alone answers.
            let p = plan(&f, &q).replace("COVERING INDEX", "INDEX");
            assert!(
                p.contains(index) && !p.contains("TEMP B-TREE"),
                "{filter:?}: {p}"
            );
        }
        let m = Match {
            table: FtsTable::AuditText,
            expr: "\"a\"*".into(),
        };
        let common = Matches {
            drive: None,
            filter: vec![m.clone()],
        };
        let p = plan(&f, &crate::audit::build_list(&filter, &pages()[0], &common));
        assert!(
            p.contains(index) && !p.contains("TEMP B-TREE"),
            "{filter:?}: {p}"
        );
        let rare = Matches {
            drive: Some(m),
            filter: vec![],
        };
        let p = plan(&f, &crate::audit::build_list(&filter, &pages()[0], &rare));
        assert!(
            p.starts_with("SCAN audit_fts VIRTUAL TABLE INDEX"),
            "{filter:?}: {p}"
        );
    }
    // Verification reads walk the primary key.
    let mut q = Query::new("SELECT seq FROM audit_log a");
    q.bind(" WHERE a.seq >= ? ORDER BY a.seq LIMIT 10", 1i64);
    let p = plan(&f, &q);
    assert!(
        p.contains("USING INTEGER PRIMARY KEY (rowid>?)") && !p.contains("TEMP"),
        "{p}"
    );
}
