//! Activity inserts, filters, keyset pages and full-text search.

use super::{activity, Fresh, Lcg, T0};
use crate::fts::Matches;
use gurumisha_core::domain::Outcome;
use gurumisha_core::event::ActivityRow;
use gurumisha_core::query::{search_terms, ActivityFilter, PageRequest};
use gurumisha_core::store::Store;
use gurumisha_core::Timestamp;

pub(super) fn varied(n: i64, rng: &mut Lcg) -> ActivityRow {
    let mut r = activity(n);
    // Few distinct timestamps, so equal ts (ordered by id) happen often.
    r.timestamp = Timestamp(T0 + rng.next(50) as i64 * 1_000);
    r.user_id = [None, Some(1), Some(2), Some(3)][rng.next(4) as usize];
    r.action = ["login", "car_view", "search"][rng.next(3) as usize].into();
    let (ot, oid) = [
        (None, None),
        (Some("car"), Some("7")),
        (Some("car"), Some("8")),
        (Some("order"), Some("7")),
    ][rng.next(4) as usize];
    r.object_type = ot.map(Into::into);
    r.object_id = oid.map(Into::into);
    r.object_display = ot.map(|_| {
        ["Toyota Harrier 2018", "Mazda CX-5", "Subaru Forester"][rng.next(3) as usize].into()
    });
    r.ip_address =
        [None, Some("10.0.0.1"), Some("2001:db8::1")][rng.next(3) as usize].map(Into::into);
    r.session_id = [None, Some("sa"), Some("sb")][rng.next(3) as usize].map(Into::into);
    r.description = [
        "Viewed a car",
        "Logged in from Nairobi",
        "Searched harriers under 3M",
    ][rng.next(3) as usize]
        .into();
    r.outcome = [Outcome::Success, Outcome::Failure][rng.next(2) as usize];
    r
}

fn word_prefix(text: &str, term: &str) -> bool {
    text.to_lowercase()
        .split(|c: char| !c.is_alphanumeric())
        .any(|w| w.starts_with(term))
}

pub(super) fn matches(f: &ActivityFilter, r: &ActivityRow) -> bool {
    f.user_id.is_none_or(|v| r.user_id == Some(v))
        && f.action.as_ref().is_none_or(|v| &r.action == v)
        && f.object_type
            .as_ref()
            .is_none_or(|v| r.object_type.as_ref() == Some(v))
        && f.object_id
            .as_ref()
            .is_none_or(|v| r.object_id.as_ref() == Some(v))
        && f.ip
            .as_ref()
            .is_none_or(|v| r.ip_address.as_ref() == Some(v))
        && f.session_id
            .as_ref()
            .is_none_or(|v| r.session_id.as_ref() == Some(v))
        && f.from.is_none_or(|v| r.timestamp >= v)
        && f.to.is_none_or(|v| r.timestamp < v)
        && f.text
            .as_deref()
            .and_then(search_terms)
            .is_none_or(|terms| {
                terms.iter().all(|t| {
                    word_prefix(&r.description, t)
                        || word_prefix(r.object_display.as_deref().unwrap_or(""), t)
                })
            })
}

pub(crate) fn filters() -> Vec<ActivityFilter> {
    let base = ActivityFilter::default();
    vec![
        base.clone(),
        ActivityFilter {
            user_id: Some(2),
            ..base.clone()
        },
        ActivityFilter {
            action: Some("search".into()),
            ..base.clone()
        },
        ActivityFilter {
            object_type: Some("car".into()),
            ..base.clone()
        },
        ActivityFilter {
            object_type: Some("car".into()),
            object_id: Some("7".into()),
            ..base.clone()
        },
        ActivityFilter {
            object_id: Some("7".into()),
            ..base.clone()
        },
        ActivityFilter {
            ip: Some("2001:db8::1".into()),
            ..base.clone()
        },
        ActivityFilter {
            session_id: Some("sb".into()),
            ..base.clone()
        },
        ActivityFilter {
            from: Some(Timestamp(T0 + 10_000)),
            ..base.clone()
        },
        ActivityFilter {
            to: Some(Timestamp(T0 + 10_000)),
            ..base.clone()
        },
        ActivityFilter {
            from: Some(Timestamp(T0 + 10_000)),
            to: Some(Timestamp(T0 + 30_000)),
            user_id: Some(1),
            ..base.clone()
        },
        ActivityFilter {
            text: Some("harr".into()),
            ..base.clone()
        },
        ActivityFilter {
            text: Some("to HARRIER".into()),
            ..base.clone()
        },
        ActivityFilter {
            text: Some("nairobi".into()),
            action: Some("login".into()),
            session_id: Some("sa".into()),
            ..base.clone()
        },
        ActivityFilter {
            text: Some("  \" * ".into()),
            ..base.clone()
        },
        ActivityFilter {
            ip: Some("10.0.0.1".into()),
            session_id: Some("sa".into()),
            ..base.clone()
        },
        ActivityFilter {
            text: Some("car".into()),
            ip: Some("2001:db8::1".into()),
            from: Some(Timestamp(T0 + 5_000)),
            ..base.clone()
        },
    ]
}

#[tokio::test]
async fn every_activity_filter_pages_through_exactly_the_right_rows() {
    let f = Fresh::new().await;
    let mut rng = Lcg(7);
    let rows: Vec<ActivityRow> = (1..=300).map(|n| varied(n, &mut rng)).collect();
    // Small inserts index their full-text entries row by row, big ones by id range: use both.
    let mut ids = Vec::new();
    for chunk in rows[..100].chunks(7) {
        ids.extend(f.store.insert_activities(chunk.to_vec()).await.unwrap());
    }
    ids.extend(
        f.store
            .insert_activities(rows[100..].to_vec())
            .await
            .unwrap(),
    );
    assert_eq!(ids, (1..=300).collect::<Vec<i64>>());
    assert_eq!(f.store.estimate_activity().await.unwrap(), 300);
    for filter in filters() {
        let mut expected: Vec<(i64, i64)> = rows
            .iter()
            .zip(&ids)
            .filter(|(r, _)| matches(&filter, r))
            .map(|(r, id)| (r.timestamp.micros(), *id))
            .collect();
        expected.sort_by(|a, b| b.cmp(a));
        assert!(
            !expected.is_empty(),
            "{filter:?} selects nothing: a useless case"
        );
        for limit in [1, 9, 1000] {
            let mut got = Vec::new();
            let mut page = PageRequest::first(limit);
            loop {
                let p = f.store.list_activity(&filter, &page).await.unwrap();
                assert!(p.items.len() <= limit as usize);
                got.extend(p.items.iter().map(|r| (r.timestamp.micros(), r.id)));
                match p.next_cursor {
                    Some(c) => page = PageRequest::new(Some(&c), Some(limit)).unwrap(),
                    None => break,
                }
            }
            assert_eq!(got, expected, "{filter:?} limit {limit}");
        }
    }
}

/// Every way of planning the full-text conditions gives the same rows.
#[tokio::test]
async fn every_match_plan_agrees() {
    let f = Fresh::new().await;
    let mut rng = Lcg(3);
    let rows: Vec<ActivityRow> = (1..=200).map(|n| varied(n, &mut rng)).collect();
    f.store.insert_activities(rows).await.unwrap();
    let mut cases = filters();
    cases.push(ActivityFilter {
        text: Some("viewed".into()),
        ip: Some("10.0.0.1".into()),
        session_id: Some("sa".into()),
        ..Default::default()
    });
    cases.push(ActivityFilter {
        text: Some("log".into()),
        session_id: Some("sb".into()),
        user_id: Some(2),
        ..Default::default()
    });
    for filter in cases {
        let all = crate::activity::matches(&filter);
        if all.is_empty() {
            continue;
        }
        // Each condition driving in turn, and none driving.
        let mut plans: Vec<Matches> = (0..all.len())
            .map(|i| {
                let mut rest = all.clone();
                let drive = rest.remove(i);
                Matches {
                    drive: Some(drive),
                    filter: rest,
                }
            })
            .collect();
        plans.push(Matches {
            drive: None,
            filter: all.clone(),
        });
        let mut results = Vec::new();
        for m in plans {
            let filter = filter.clone();
            let ids = f
                .store
                .readers
                .read(move |c| {
                    let q = crate::activity::build_list(&filter, &PageRequest::first(1000), &m);
                    let mut s = c.prepare(&q.sql).unwrap();
                    let ids: Vec<i64> = s
                        .query_map(q.params(), |r| r.get(0))
                        .unwrap()
                        .map(Result::unwrap)
                        .collect();
                    Ok(ids)
                })
                .await
                .unwrap();
            results.push(ids);
        }
        assert!(!results[0].is_empty(), "{filter:?}");
        assert!(
            results.windows(2).all(|w| w[0] == w[1]),
            "{filter:?}: {results:?}"
        );
    }
}

#[tokio::test]
async fn rows_round_trip_with_nul_and_long_text() {
    let f = Fresh::new().await;
    f.store
        .insert_users(vec![super::platform::user("achieng")])
        .await
        .unwrap();
    let mut r = activity(1);
    r.user_id = Some(1);
    r.description = format!("nul\0here and {}", "ü".repeat(500_000));
    r.user_agent = Some("agent\0with nul".into());
    r.extra_data = r#"{"query":"a\u0000b","filters":{"make":"Toyota"},"results_count":3}"#.into();
    r.outcome = Outcome::Failure;
    r.content_flags = vec![
        "nul_escaped:description".into(),
        "truncated:extra_data".into(),
    ];
    let ids = f.store.insert_activities(vec![r.clone()]).await.unwrap();
    let p = f
        .store
        .list_activity(&ActivityFilter::default(), &PageRequest::first(5))
        .await
        .unwrap();
    let got = &p.items[0];
    assert_eq!(got.id, ids[0]);
    assert_eq!(got.username.as_deref(), Some("achieng"));
    assert_eq!(got.description, r.description);
    assert_eq!(got.user_agent, r.user_agent);
    assert_eq!(
        got.extra_data,
        serde_json::from_str::<serde_json::Value>(&r.extra_data).unwrap()
    );
    assert_eq!(got.outcome, Outcome::Failure);
    assert_eq!(got.content_flags, r.content_flags);
    assert_eq!(got.object_display, r.object_display);
    assert_eq!(got.session_id, r.session_id);
    assert_eq!(got.request_id, r.request_id);
    assert_eq!(got.ip_address, r.ip_address);
}

#[tokio::test]
async fn prefix_search_finds_words_in_description_and_object_display() {
    let f = Fresh::new().await;
    let mut a = activity(1);
    a.description = "Viewed Toyota Harrier 2018".into();
    a.object_display = Some("KDA 123X".into());
    let mut b = activity(2);
    b.description = "Logged in".into();
    b.object_display = Some("Toyota Prado".into());
    let mut c = activity(3);
    c.description = "Searched for Škoda".into();
    c.object_display = None;
    f.store.insert_activities(vec![a, b, c]).await.unwrap();
    let find = |text: &str| {
        let store = f.store.clone();
        let filter = ActivityFilter {
            text: Some(text.into()),
            ..Default::default()
        };
        async move {
            let p = store
                .list_activity(&filter, &PageRequest::first(10))
                .await
                .unwrap();
            p.items.iter().map(|r| r.id).collect::<Vec<_>>()
        }
    };
    assert_eq!(find("to").await, [2, 1]);
    assert_eq!(find("toy harr").await, [1]);
    assert_eq!(find("HARRIER 2018").await, [1]);
    assert_eq!(find("kda").await, [1]);
    assert_eq!(find("prado").await, [2]);
    assert_eq!(find("skoda").await, [3], "diacritics folded");
    assert_eq!(
        find("arrier").await,
        Vec::<i64>::new(),
        "prefixes only, not infixes"
    );
    assert_eq!(
        find("\"; DROP TABLE activity_log; --").await,
        Vec::<i64>::new()
    );
    assert_eq!(find("  ").await, [3, 2, 1], "no terms means no text filter");
}

#[tokio::test]
async fn ip_and_session_filters_match_exact_values_only() {
    let f = Fresh::new().await;
    let sessions = ["sa", "sab", "a b", "ä", "x\0y", "", "SA"];
    let mk = |s: &str, ip: Option<&str>| {
        let mut r = activity(1);
        r.session_id = Some(s.to_owned());
        r.ip_address = ip.map(Into::into);
        r
    };
    // Once through the row-by-row path, once through the range path.
    let small: Vec<_> = sessions.iter().map(|s| mk(s, Some("10.0.0.1"))).collect();
    let mut big: Vec<_> = sessions.iter().map(|s| mk(s, None)).collect();
    big.extend((0..40).map(|_| mk("filler", Some("2001:db8::1"))));
    let a = f.store.insert_activities(small).await.unwrap();
    let b = f.store.insert_activities(big).await.unwrap();
    for (i, s) in sessions.iter().enumerate() {
        let filter = ActivityFilter {
            session_id: Some(s.to_string()),
            ..Default::default()
        };
        let p = f
            .store
            .list_activity(&filter, &PageRequest::first(100))
            .await
            .unwrap();
        let mut got: Vec<i64> = p.items.iter().map(|r| r.id).collect();
        got.sort();
        assert_eq!(got, [a[i], b[i]], "session {s:?}");
    }
    let by_ip = |ip: &str, session: Option<&str>| {
        let store = f.store.clone();
        let filter = ActivityFilter {
            ip: Some(ip.into()),
            session_id: session.map(Into::into),
            ..Default::default()
        };
        async move {
            store
                .list_activity(&filter, &PageRequest::first(100))
                .await
                .unwrap()
                .items
                .len()
        }
    };
    assert_eq!(by_ip("10.0.0.1", None).await, sessions.len());
    assert_eq!(by_ip("10.0.0.1", Some("sab")).await, 1);
    assert_eq!(by_ip("2001:db8::1", Some("filler")).await, 40);
    assert_eq!(by_ip("2001:db8::1", Some("sa")).await, 0);
    assert_eq!(by_ip("10.0.0.10", None).await, 0);
}
