//! activity_log: ids in input order, every filter, keyset pages, text search, exact round trips.

use crate::common::{self, fresh};
use gurumisha_core::domain::Action;
use gurumisha_core::event::{ActivityRecord, ActivityRow, NewActivity, ObjectRef, RequestContext};
use gurumisha_core::query::{ActivityFilter, Cursor, PageRequest};
use gurumisha_core::service::Recorder;
use gurumisha_core::store::Store;
use gurumisha_core::{StoreError, Timestamp};
use gurumisha_store_postgres::PgStore;
use std::sync::Arc;

async fn all_pages(store: &PgStore, f: &ActivityFilter, limit: u32) -> Vec<ActivityRecord> {
    let mut out = Vec::new();
    let mut page = PageRequest::first(limit);
    loop {
        let p = store.list_activity(f, &page).await.unwrap();
        assert!(p.items.len() <= limit as usize);
        out.extend(p.items);
        match p.next_cursor {
            Some(c) => page = PageRequest::new(Some(&c), Some(limit)).unwrap(),
            None => return out,
        }
    }
}

/// What reading `row` back as `id` must give (no users exist, so no usernames).
fn expected(id: i64, r: &ActivityRow) -> ActivityRecord {
    ActivityRecord {
        id,
        timestamp: r.timestamp,
        user_id: r.user_id,
        username: None,
        action: r.action.clone(),
        description: r.description.clone(),
        ip_address: r.ip_address.clone(),
        user_agent: r.user_agent.clone(),
        session_id: r.session_id.clone(),
        request_id: r.request_id.clone(),
        object_type: r.object_type.clone(),
        object_id: r.object_id.clone(),
        object_display: r.object_display.clone(),
        extra_data: serde_json::from_str(&r.extra_data).unwrap(),
        outcome: r.outcome,
        content_flags: r.content_flags.clone(),
    }
}

#[tokio::test]
async fn filters_and_keyset_pages_return_every_match_once() {
    let Some(db) = fresh("filters_and_keyset_pages_return_every_match_once").await else {
        return;
    };
    let rows: Vec<ActivityRow> = (0..700).map(common::activity).collect();
    let mut ids = Vec::new();
    for chunk in rows.chunks(250) {
        ids.extend(db.store.insert_activities(chunk.to_vec()).await.unwrap());
    }
    assert_eq!(ids, (1..=700).collect::<Vec<i64>>(), "ids in input order");

    let filters = [
        ActivityFilter::default(),
        ActivityFilter {
            user_id: Some(3),
            ..Default::default()
        },
        ActivityFilter {
            action: Some("car_view".into()),
            ..Default::default()
        },
        ActivityFilter {
            object_type: Some("car".into()),
            ..Default::default()
        },
        ActivityFilter {
            object_type: Some("car".into()),
            object_id: Some("4".into()),
            ..Default::default()
        },
        ActivityFilter {
            ip: Some("10.0.2.5".into()),
            ..Default::default()
        },
        ActivityFilter {
            ip: Some("2001:DB8:0::3".into()),
            ..Default::default()
        },
        ActivityFilter {
            session_id: Some("s4".into()),
            ..Default::default()
        },
        ActivityFilter {
            from: Some(Timestamp(common::BASE + 20_000)),
            to: Some(Timestamp(common::BASE + 40_000)),
            ..Default::default()
        },
        ActivityFilter {
            user_id: Some(2),
            action: Some("login".into()),
            from: Some(Timestamp(common::BASE + 50_000)),
            ..Default::default()
        },
    ];
    for f in filters {
        let ip =
            f.ip.as_ref()
                .map(|s| s.parse::<std::net::IpAddr>().unwrap());
        let matches = |r: &ActivityRow| {
            f.user_id.is_none_or(|v| r.user_id == Some(v))
                && f.action.as_ref().is_none_or(|v| &r.action == v)
                && f.object_type
                    .as_ref()
                    .is_none_or(|v| r.object_type.as_ref() == Some(v))
                && f.object_id
                    .as_ref()
                    .is_none_or(|v| r.object_id.as_ref() == Some(v))
                && ip.is_none_or(|v| r.ip_address.as_ref().map(|s| s.parse().unwrap()) == Some(v))
                && f.session_id
                    .as_ref()
                    .is_none_or(|v| r.session_id.as_ref() == Some(v))
                && f.from.is_none_or(|v| r.timestamp >= v)
                && f.to.is_none_or(|v| r.timestamp < v)
        };
        let mut want: Vec<ActivityRecord> = rows
            .iter()
            .zip(&ids)
            .filter(|(r, _)| matches(r))
            .map(|(r, id)| expected(*id, r))
            .collect();
        want.sort_by_key(|r| std::cmp::Reverse((r.timestamp, r.id)));
        assert!(!want.is_empty(), "{f:?} should match something");
        for limit in [1, 13, 1000] {
            let got = all_pages(&db.store, &f, limit).await;
            let key = |r: &ActivityRecord| (r.timestamp.micros() - common::BASE, r.id);
            assert_eq!(
                got.iter().map(key).collect::<Vec<_>>(),
                want.iter().map(key).collect::<Vec<_>>(),
                "{f:?} limit {limit}"
            );
            for (g, w) in got.iter().zip(&want) {
                assert_eq!(g, w, "{f:?} limit {limit}");
            }
        }
    }
}

#[tokio::test]
async fn odd_filters_and_cursors() {
    let Some(db) = fresh("odd_filters_and_cursors").await else {
        return;
    };
    db.store
        .insert_activities((0..10).map(common::activity).collect())
        .await
        .unwrap();
    let bad_ip = ActivityFilter {
        ip: Some("not-an-ip".into()),
        ..Default::default()
    };
    let p = db
        .store
        .list_activity(&bad_ip, &PageRequest::first(10))
        .await
        .unwrap();
    assert!(p.items.is_empty() && p.next_cursor.is_none());
    let far = PageRequest {
        after: Some(Cursor {
            ts: i64::MIN,
            id: 1,
        }),
        limit: 10,
    };
    assert!(matches!(
        db.store
            .list_activity(&ActivityFilter::default(), &far)
            .await,
        Err(StoreError::InvalidCursor)
    ));
    let huge = ActivityFilter {
        from: Some(Timestamp(i64::MIN)),
        to: Some(Timestamp(i64::MAX)),
        ..Default::default()
    };
    assert_eq!(
        db.store
            .list_activity(&huge, &PageRequest::first(100))
            .await
            .unwrap()
            .items
            .len(),
        10
    );
    assert!(db.store.insert_activities(vec![]).await.unwrap().is_empty());
}

#[tokio::test]
async fn text_search_matches_word_prefixes_in_description_and_object() {
    let Some(db) = fresh("text_search_matches_word_prefixes_in_description_and_object").await
    else {
        return;
    };
    let mut a = common::activity(0);
    a.description = "Viewed car listing".into();
    a.object_display = Some("Toyota Harrier 2018".into());
    let mut b = common::activity(1);
    b.description = "Searched for Subaru Forester XT".into();
    b.object_display = None;
    let mut c = common::activity(2);
    c.description = "Logged in from Nairobi".into();
    c.object_display = None;
    let ids = db.store.insert_activities(vec![a, b, c]).await.unwrap();
    let search = |t: &str| {
        let f = ActivityFilter {
            text: Some(t.into()),
            ..Default::default()
        };
        let store = db.store.clone();
        async move {
            let mut got: Vec<i64> = store
                .list_activity(&f, &PageRequest::first(10))
                .await
                .unwrap()
                .items
                .iter()
                .map(|r| r.id)
                .collect();
            got.sort();
            got
        }
    };
    assert_eq!(search("harr").await, vec![ids[0]]);
    assert_eq!(search("TOYOTA view 2018").await, vec![ids[0]]);
    assert_eq!(search("subaru fore").await, vec![ids[1]]);
    assert_eq!(search("nairobi harrier").await, Vec::<i64>::new());
    assert_eq!(search("nai").await, vec![ids[2]]);
    assert_eq!(
        search("\"xt\" OR (car:*)").await,
        Vec::<i64>::new(),
        "operators are just words"
    );
    assert_eq!(
        search("' & | ! ").await.len(),
        3,
        "no words, no text filter"
    );
}

#[tokio::test]
async fn nul_and_json_survive_as_the_core_escaped_them() {
    let Some(db) = fresh("nul_and_json_survive_as_the_core_escaped_them").await else {
        return;
    };
    let store: Arc<dyn Store> = Arc::new(db.store.clone());
    let recorder = Recorder::new(store, None, Default::default());
    let mut a = NewActivity::new(
        Some(9),
        Action::parse("car_view").unwrap(),
        "desc \u{0} with NUL, \"quotes\", \\ and 😀",
    );
    a.timestamp = Some(Timestamp(1_234_567));
    a.object = Some(ObjectRef::parse("car", "12", "Toyota\u{0}Harrier").unwrap());
    a.context = RequestContext::parse(
        Some("2001:db8::1"),
        Some("UA\u{0}x"),
        Some("sess\u{0}"),
        Some("r1"),
    )
    .unwrap();
    a.extra_data = serde_json::json!({"k\u{0}": ["v\u{0}", 1, 2.5, null, {"z": true, "a": "{}"}], "big": 12345678901234i64});
    let row = recorder.activity_row(a);
    assert!(row.content_flags.len() >= 4, "{:?}", row.content_flags);
    let id = db.store.insert_activities(vec![row.clone()]).await.unwrap()[0];
    let got = db
        .store
        .list_activity(&ActivityFilter::default(), &PageRequest::first(10))
        .await
        .unwrap();
    assert_eq!(got.items, vec![expected(id, &row)]);
    // And through the recorder's single-event path (group commit).
    let mut b = NewActivity::new(None, Action::parse("login").unwrap(), "x\u{0}");
    b.extra_data = serde_json::json!("\u{0}");
    let id2 = recorder.log_activity(b).await.unwrap();
    assert!(id2 > id);
}

#[tokio::test]
async fn timestamps_round_trip_to_the_microsecond() {
    let Some(db) = fresh("timestamps_round_trip_to_the_microsecond").await else {
        return;
    };
    let instants = [
        0,
        1,
        -1,
        1_700_000_000_123_457,
        946_684_800_000_000, // PostgreSQL's epoch
        946_684_799_999_999,
        -62_135_596_800_000_000,  // 0001-01-01T00:00:00Z
        253_402_300_799_999_999,  // 9999-12-31T23:59:59.999999Z
        4_102_444_800_000_001,    // 2100-01-01 + 1 µs
        -210_000_000_000_000_000, // 4686 BC, near PostgreSQL's lower limit
        300_000_000_000_000_000,  // year ~11476, beyond the time crate's default range
    ];
    let rows: Vec<ActivityRow> = instants
        .iter()
        .enumerate()
        .map(|(i, &t)| {
            let mut r = common::activity(i as i64);
            r.timestamp = Timestamp(t);
            r
        })
        .collect();
    let ids = db.store.insert_activities(rows.clone()).await.unwrap();
    let got = db
        .store
        .list_activity(&ActivityFilter::default(), &PageRequest::first(100))
        .await
        .unwrap()
        .items;
    for (id, r) in ids.iter().zip(&rows) {
        let back = got.iter().find(|g| g.id == *id).unwrap();
        assert_eq!(back.timestamp, r.timestamp, "id {id}");
    }
    let contents: Vec<_> = instants
        .iter()
        .enumerate()
        .map(|(i, &t)| {
            let mut c = common::audit(i as i64);
            c.timestamp = Timestamp(t);
            c
        })
        .collect();
    db.store.append_audit(contents.clone(), None).await.unwrap();
    let back = db.store.audit_rows(1, 100).await.unwrap();
    let back: Vec<_> = back.into_iter().map(|r| r.content).collect();
    assert_eq!(back, contents);
    assert!(
        gurumisha_core::service::verify_store(&db.store, None, 0, None, None)
            .await
            .unwrap()
            .ok
    );

    // Out of PostgreSQL's range: an error, nothing stored, no panic.
    let mut r = common::activity(0);
    r.timestamp = Timestamp(i64::MIN);
    assert!(matches!(
        db.store.insert_activities(vec![r]).await,
        Err(StoreError::Database(_))
    ));
    // The far end fits: PostgreSQL goes to year 294276, past i64::MAX µs after 1970.
    let mut r = common::activity(0);
    r.timestamp = Timestamp(i64::MAX);
    let id = db.store.insert_activities(vec![r]).await.unwrap()[0];
    let top = db
        .store
        .list_activity(&ActivityFilter::default(), &PageRequest::first(1))
        .await
        .unwrap();
    assert_eq!(
        (top.items[0].id, top.items[0].timestamp),
        (id, Timestamp(i64::MAX))
    );
}

#[tokio::test]
async fn estimate_uses_statistics_or_max_id() {
    let Some(db) = fresh("estimate_uses_statistics_or_max_id").await else {
        return;
    };
    assert_eq!(db.store.estimate_activity().await.unwrap(), 0);
    db.store
        .insert_activities((0..3000).map(common::activity).collect())
        .await
        .unwrap();
    assert_eq!(
        db.store.estimate_activity().await.unwrap(),
        3000,
        "never analysed: max(id)"
    );
    sqlx::query("ANALYZE activity_log")
        .execute(db.store.pool())
        .await
        .unwrap();
    db.store
        .insert_activities((0..3000).map(common::activity).collect())
        .await
        .unwrap();
    let e = db.store.estimate_activity().await.unwrap();
    assert!((5000..=7000).contains(&e), "scaled statistics: {e}");
}
