//! The extent of a filtered log (`activity_extent`, `audit_extent`): the keys of its newest and
//! oldest rows are the first and last rows of a full keyset walk of the same query, and its
//! count is the walk's length up to the cap, an estimate above it.

use crate::activity::{all_pages, user};
use crate::console::{cheap, sign_in, staff};
use crate::harness::{both, Db};
use gurumisha_api::types::{
    ActivityQuery, ActivityRecord, ApiErrorCode, AuditQuery, AuditRecord, LogExtent, RowKey,
};
use gurumisha_core::domain::*;
use gurumisha_core::event::{NewActivity, NewAudit, RequestContext};
use gurumisha_core::extent::Extent;
use gurumisha_core::query::{ActivityFilter, AuditFilter, Cursor};
use gurumisha_core::Timestamp;
use serde_json::json;

const DAY: i64 = 86_400_000_000;
const ROWS: i64 = 600;

/// `ROWS` activity rows over about six days, seven at a time, from two users and two
/// addresses, a third of them about a Toyota. Returns the users' ids.
async fn seed_activity(db: &Db) -> (i64, i64) {
    let (wanjiru, otieno) = (user(db, "wanjiru").await, user(db, "otieno").await);
    let base = Timestamp::now().minus_days(7);
    let batch = (0..ROWS)
        .map(|i| {
            let (who, ip) = if i % 2 == 0 {
                (wanjiru, "41.90.1.2")
            } else {
                (otieno, "105.160.3.4")
            };
            let (action, what) = match i % 3 {
                0 => ("car_view", "Viewed car: Toyota Harrier"),
                1 => ("search", "Searched for Mazda Demio"),
                _ => ("page_view", "Visited /imports/"),
            };
            let mut a = NewActivity::new(
                Some(who),
                Action::parse(action).unwrap(),
                format!("{what} #{i}"),
            );
            a.timestamp = Some(Timestamp(base.0 + (i / 7) * DAY / 14));
            a.context =
                RequestContext::parse(Some(ip), None, Some(&format!("sess-{who}")), None).unwrap();
            a
        })
        .collect();
    db.api.recorder().log_activities(batch).await.unwrap();
    (wanjiru, otieno)
}

fn activity_key(r: &ActivityRecord) -> RowKey {
    RowKey {
        ts: r.timestamp.micros(),
        id: r.id,
    }
}

fn audit_key(r: &AuditRecord) -> RowKey {
    RowKey {
        ts: r.timestamp.micros(),
        id: r.seq,
    }
}

/// What the extent must say of a walk's rows.
fn exact<T>(rows: &[T], key: impl Fn(&T) -> RowKey) -> LogExtent {
    LogExtent {
        newest: rows.first().map(&key),
        oldest: rows.last().map(&key),
        count: rows.len() as i64,
        exact: true,
    }
}

fn cursor(k: Option<RowKey>) -> Option<Cursor> {
    k.map(|k| Cursor { ts: k.ts, id: k.id })
}

async fn audit_pages(db: &Db, q: AuditQuery) -> Vec<AuditRecord> {
    let mut rows = Vec::new();
    let mut cursor = None;
    loop {
        let p = db
            .api
            .list_audit(AuditQuery {
                cursor,
                limit: Some(97),
                ..q.clone()
            })
            .await
            .unwrap();
        rows.extend(p.items);
        cursor = p.next_cursor;
        if cursor.is_none() {
            return rows;
        }
    }
}

/// `ROWS / 2` audit rows: cars and orders, two users, every fourth one high, some appended
/// with a time older than rows before them (an import), so seq order is not time order.
async fn seed_audit(db: &Db) -> (i64, i64) {
    let (kamau, achieng) = (user(db, "kamau").await, user(db, "achieng").await);
    let base = Timestamp::now().minus_days(7);
    let batch = (0..ROWS / 2)
        .map(|i| {
            let late = if i % 10 == 9 { -3 * DAY } else { 0 };
            let table = if i % 2 == 0 { "cars" } else { "orders" };
            NewAudit {
                timestamp: Some(Timestamp(base.0 + (i / 5) * DAY / 12 + late)),
                user_id: Some(if i % 3 == 0 { kamau } else { achieng }),
                action_type: AuditActionType::parse("update").unwrap(),
                table_name: TableName::parse(table).unwrap(),
                record_id: Some(RecordId::from(i % 17)),
                field_name: Some(FieldName::parse("status").unwrap()),
                old_value: Some(json!("available")),
                new_value: Some(json!("reserved")),
                severity: if i % 4 == 0 {
                    Severity::High
                } else {
                    Severity::Low
                },
                description: if i % 3 == 0 {
                    format!("Reserved Toyota Harrier #{i}")
                } else {
                    format!("Reserved Mazda Demio #{i}")
                },
                context: RequestContext::default(),
                change_set_id: None,
            }
        })
        .collect();
    db.api.recorder().log_audits(batch).await.unwrap();
    (kamau, achieng)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_empty_set_has_no_keys_and_counts_zero_exactly() {
    both(|db| async move {
        let n = db.name;
        let empty: LogExtent = Extent::EMPTY.into();
        assert_eq!(
            db.api.activity_extent(Default::default()).await.unwrap(),
            empty,
            "{n}: a new log"
        );
        assert_eq!(
            db.api.audit_extent(Default::default()).await.unwrap(),
            empty,
            "{n}: a new trail"
        );
        let (wanjiru, _) = seed_activity(&db).await;
        seed_audit(&db).await;
        let nobody = user(&db, "nobody").await;
        for q in [
            ActivityQuery {
                user_id: Some(nobody),
                ..Default::default()
            },
            ActivityQuery {
                text: Some("subaru".into()),
                ..Default::default()
            },
            ActivityQuery {
                user_id: Some(wanjiru),
                ip: Some("105.160.3.4".into()),
                ..Default::default()
            },
            ActivityQuery {
                from: Some(Timestamp::now().to_rfc3339()),
                ..Default::default()
            },
        ] {
            assert_eq!(
                db.api.activity_extent(q.clone()).await.unwrap(),
                empty,
                "{n}: {q:?}"
            );
        }
        for q in [
            AuditQuery {
                user_id: Some(nobody),
                ..Default::default()
            },
            AuditQuery {
                text: Some("subaru".into()),
                ..Default::default()
            },
            AuditQuery {
                severity: Some("critical".into()),
                ..Default::default()
            },
        ] {
            assert_eq!(
                db.api.audit_extent(q.clone()).await.unwrap(),
                empty,
                "{n}: {q:?}"
            );
        }
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn activity_extent_is_the_first_and_last_row_of_a_keyset_walk() {
    both(|db| async move {
        let (wanjiru, otieno) = seed_activity(&db).await;
        let base = Timestamp::now().minus_days(7);
        let day = |d: i64| Timestamp(base.0 + d * DAY).to_rfc3339();
        let queries = [
            ActivityQuery::default(),
            ActivityQuery {
                username: Some("otieno".into()),
                ..Default::default()
            },
            ActivityQuery {
                action: Some("search".into()),
                ..Default::default()
            },
            ActivityQuery {
                text: Some("toyota harr".into()),
                ..Default::default()
            },
            ActivityQuery {
                from: Some(day(1)),
                to: Some(day(4)),
                ..Default::default()
            },
            ActivityQuery {
                ip: Some("41.90.1.2".into()),
                text: Some("toyota".into()),
                ..Default::default()
            },
            ActivityQuery {
                session_id: Some(format!("sess-{otieno}")),
                action: Some("page_view".into()),
                from: Some(day(2)),
                ..Default::default()
            },
            ActivityQuery {
                user_id: Some(wanjiru),
                text: Some("visited".into()),
                to: Some(day(3)),
                ..Default::default()
            },
            // The cursor and the limit are a page's, not the set's: ignored.
            ActivityQuery {
                limit: Some(3),
                cursor: Some("garbage".into()),
                ..Default::default()
            },
        ];
        for q in queries {
            let walk = all_pages(
                &db,
                ActivityQuery {
                    limit: Some(83),
                    cursor: None,
                    ..q.clone()
                },
            )
            .await;
            assert!(!walk.is_empty(), "{}: {q:?} selects rows", db.name);
            assert_eq!(
                db.api.activity_extent(q.clone()).await.unwrap(),
                exact(&walk, activity_key),
                "{}: {q:?}",
                db.name
            );
        }
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn audit_extent_is_the_first_and_last_row_of_a_keyset_walk() {
    both(|db| async move {
        let (kamau, _) = seed_audit(&db).await;
        let base = Timestamp::now().minus_days(7);
        let day = |d: i64| Timestamp(base.0 + d * DAY).to_rfc3339();
        let queries = [
            AuditQuery::default(),
            AuditQuery {
                table_name: Some("orders".into()),
                ..Default::default()
            },
            AuditQuery {
                user_id: Some(kamau),
                severity: Some("high".into()),
                ..Default::default()
            },
            AuditQuery {
                text: Some("toyota".into()),
                ..Default::default()
            },
            AuditQuery {
                from: Some(day(1)),
                to: Some(day(3)),
                text: Some("mazda".into()),
                ..Default::default()
            },
            AuditQuery {
                table_name: Some("cars".into()),
                record_id: Some("4".into()),
                field_name: Some("status".into()),
                ..Default::default()
            },
        ];
        for q in queries {
            let walk = audit_pages(&db, q.clone()).await;
            assert!(!walk.is_empty(), "{}: {q:?} selects rows", db.name);
            assert_eq!(
                db.api.audit_extent(q.clone()).await.unwrap(),
                exact(&walk, audit_key),
                "{}: {q:?}",
                db.name
            );
        }
        // Rows appended with an older time: neither end of the trail is an end of its seqs.
        let all = audit_pages(&db, AuditQuery::default()).await;
        let head = all.iter().map(|r| r.seq).max().unwrap();
        assert_eq!(all.len() as i64, head, "{}", db.name);
        assert_ne!(all[0].seq, head, "{}", db.name);
        assert_ne!(all[all.len() - 1].seq, 1, "{}", db.name);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn above_the_cap_the_count_is_an_estimate() {
    both(|db| async move {
        let n = db.name;
        seed_activity(&db).await;
        seed_audit(&db).await;
        let store = db.api.store();
        let walk = all_pages(
            &db,
            ActivityQuery {
                limit: Some(1000),
                ..Default::default()
            },
        )
        .await;
        let whole = exact(&walk, activity_key);

        // At the cap: exact.
        let e = store
            .activity_extent(&ActivityFilter::default(), ROWS)
            .await
            .unwrap();
        assert_eq!(LogExtent::from(e), whole, "{n}");
        // One below: more than the cap, the keys still exact, the count the log's estimate.
        let e = store
            .activity_extent(&ActivityFilter::default(), ROWS - 1)
            .await
            .unwrap();
        assert!(!e.exact, "{n}");
        assert_eq!(
            (e.newest, e.oldest),
            (cursor(whole.newest), cursor(whole.oldest)),
            "{n}"
        );
        assert!((ROWS..=2 * ROWS).contains(&e.count), "{n}: {}", e.count);

        // A filter: its newest rows' density over the whole span (rows here are evenly spread).
        let toyota = ActivityFilter {
            text: Some("toyota".into()),
            ..Default::default()
        };
        let walk = all_pages(
            &db,
            ActivityQuery {
                text: Some("toyota".into()),
                limit: Some(1000),
                ..Default::default()
            },
        )
        .await;
        let truth = walk.len() as i64;
        assert_eq!(truth, ROWS / 3, "{n}");
        let e = store.activity_extent(&toyota, truth).await.unwrap();
        assert_eq!(LogExtent::from(e), exact(&walk, activity_key), "{n}");
        let e = store.activity_extent(&toyota, 40).await.unwrap();
        assert!(!e.exact, "{n}");
        assert_eq!(e.oldest, cursor(exact(&walk, activity_key).oldest), "{n}");
        assert!(
            e.count > 40 && (truth * 2 / 3..=truth * 3 / 2).contains(&e.count),
            "{n}: estimated {} for {truth}",
            e.count
        );
        // A cap of nothing: every non-empty set is above it.
        let e = store.activity_extent(&toyota, 0).await.unwrap();
        assert!(!e.exact && e.count >= 1, "{n}");

        // The trail: unfiltered above the cap is the head's sequence number.
        let e = store
            .audit_extent(&AuditFilter::default(), 10)
            .await
            .unwrap();
        assert_eq!((e.count, e.exact), (ROWS / 2, false), "{n}");
        let high = AuditFilter {
            severity: Some(Severity::High),
            ..Default::default()
        };
        let e = store.audit_extent(&high, ROWS / 8).await.unwrap();
        assert_eq!((e.count, e.exact), (ROWS / 8, true), "{n}");
        let e = store.audit_extent(&high, ROWS / 8 - 1).await.unwrap();
        assert!(!e.exact && e.count >= ROWS / 8, "{n}");
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_extent_is_checked_like_the_list() {
    both(|db| async move {
        let n = db.name;
        seed_activity(&db).await;
        seed_audit(&db).await;
        let id = staff(&db, "support", Role::Support, &cheap("pw"), true, true).await;
        let support = sign_in(&db, "support", "pw").await.unwrap();
        let e = support
            .audit_extent(AuditQuery::default())
            .await
            .unwrap_err();
        assert_eq!(e.code, ApiErrorCode::Forbidden, "{n}");
        // Support sees everyone's activity; `mine` is only their own (their sign-in, their
        // refusal just now), whatever user the request names.
        let all = support
            .activity_extent(ActivityQuery::default())
            .await
            .unwrap();
        assert!(all.count > ROWS, "{n}: {all:?}");
        let mine = ActivityQuery {
            mine: Some(true),
            username: Some("wanjiru".into()),
            ..Default::default()
        };
        let walk = all_pages(
            &db,
            ActivityQuery {
                user_id: Some(id),
                ..Default::default()
            },
        )
        .await;
        assert_eq!(walk.len(), 2, "{n}");
        assert_eq!(
            support.activity_extent(mine).await.unwrap(),
            exact(&walk, activity_key),
            "{n}"
        );
    })
    .await;
}
