//! Activity log: writing, every filter, keyset pages, group commit.

use crate::harness::{both, Db};
use gurumisha_api::types::ActivityQuery;
use gurumisha_core::domain::*;
use gurumisha_core::event::{NewActivity, ObjectRef, RequestContext};
use gurumisha_core::platform::NewUser;
use gurumisha_core::Timestamp;
use serde_json::json;
use std::collections::HashSet;

const DAY: i64 = 86_400_000_000;

pub async fn user(db: &Db, username: &str) -> i64 {
    db.api
        .store()
        .insert_users(vec![NewUser {
            username: username.into(),
            first_name: "Wanjiru".into(),
            last_name: "Kamau".into(),
            email: Email::parse(&format!("{username}@example.co.ke")).unwrap(),
            phone: Some(PhoneE164::parse("+254712345678").unwrap()),
            role: Role::Customer,
            is_staff: false,
            is_active: true,
            date_joined: Timestamp::now(),
            time_zone: "Africa/Nairobi".into(),
            password_hash: "!".into(),
        }])
        .await
        .unwrap()[0]
}

fn event(user: i64, action: &str, description: &str, at: Timestamp, ip: &str) -> NewActivity {
    let mut a = NewActivity::new(Some(user), Action::parse(action).unwrap(), description);
    a.timestamp = Some(at);
    a.context = RequestContext::parse(
        Some(ip),
        Some("Mozilla/5.0"),
        Some(&format!("sess-{user}")),
        None,
    )
    .unwrap();
    a
}

async fn list(db: &Db, q: ActivityQuery) -> Vec<i64> {
    db.api
        .list_activity(q)
        .await
        .unwrap()
        .items
        .iter()
        .map(|r| r.id)
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn filters_select_the_right_rows() {
    both(|db| async move {
        let (wanjiru, otieno) = (user(&db, "wanjiru").await, user(&db, "otieno").await);
        let now = Timestamp::now();
        let mut car_view = event(
            wanjiru,
            "car_view",
            "Viewed car: Toyota Harrier 2018",
            now.minus_days(1),
            "41.90.1.2",
        );
        car_view.object = Some(ObjectRef::parse("car", "17", "Toyota Harrier 2018").unwrap());
        car_view.extra_data = json!({"source": "listing", "price_kes": 2_450_000});
        let ids = db
            .api
            .recorder()
            .log_activities(vec![
                car_view,
                event(
                    wanjiru,
                    "search",
                    "Searched for \"Subaru Forester\"",
                    now.minus_days(2),
                    "41.90.1.2",
                ),
                event(
                    otieno,
                    "login",
                    "Otieno logged in",
                    now.minus_days(40),
                    "105.160.3.4",
                ),
                event(
                    otieno,
                    "page_view",
                    "Visited /imports/",
                    now.minus_days(3),
                    "2001:db8::7",
                ),
            ])
            .await
            .unwrap();
        assert_eq!(ids.len(), 4);
        let n = db.name;

        let all = list(&db, ActivityQuery::default()).await;
        assert_eq!(
            all,
            vec![ids[0], ids[1], ids[3], ids[2]],
            "{n}: newest first"
        );
        assert_eq!(
            list(
                &db,
                ActivityQuery {
                    username: Some("otieno".into()),
                    ..Default::default()
                }
            )
            .await,
            vec![ids[3], ids[2]],
            "{n}"
        );
        assert_eq!(
            list(
                &db,
                ActivityQuery {
                    user_id: Some(wanjiru),
                    action: Some("search".into()),
                    ..Default::default()
                }
            )
            .await,
            vec![ids[1]],
            "{n}"
        );
        assert_eq!(
            list(
                &db,
                ActivityQuery {
                    object_type: Some("car".into()),
                    object_id: Some("17".into()),
                    ..Default::default()
                }
            )
            .await,
            vec![ids[0]],
            "{n}"
        );
        assert_eq!(
            list(
                &db,
                ActivityQuery {
                    ip: Some("2001:0db8::7".into()),
                    ..Default::default()
                }
            )
            .await,
            vec![ids[3]],
            "{n}: IPs compare canonically"
        );
        assert_eq!(
            list(
                &db,
                ActivityQuery {
                    session_id: Some(format!("sess-{otieno}")),
                    ..Default::default()
                }
            )
            .await,
            vec![ids[3], ids[2]],
            "{n}"
        );
        let from = now.minus_days(30).to_rfc3339();
        let to = now.minus_days(1).to_rfc3339();
        assert_eq!(
            list(
                &db,
                ActivityQuery {
                    from: Some(from),
                    to: Some(to),
                    ..Default::default()
                }
            )
            .await,
            vec![ids[1], ids[3]],
            "{n}: from inclusive, to exclusive"
        );
        assert_eq!(
            list(
                &db,
                ActivityQuery {
                    text: Some("subaru fores".into()),
                    ..Default::default()
                }
            )
            .await,
            vec![ids[1]],
            "{n}: word prefixes"
        );
        assert_eq!(
            list(
                &db,
                ActivityQuery {
                    text: Some("harrier".into()),
                    user_id: Some(otieno),
                    ..Default::default()
                }
            )
            .await,
            Vec::<i64>::new(),
            "{n}"
        );

        let page = db
            .api
            .list_activity(ActivityQuery {
                limit: Some(1),
                ..Default::default()
            })
            .await
            .unwrap();
        let r = &page.items[0];
        assert_eq!(r.username.as_deref(), Some("wanjiru"));
        assert_eq!(r.object_display.as_deref(), Some("Toyota Harrier 2018"));
        assert_eq!(
            r.extra_data,
            json!({"price_kes": 2_450_000, "source": "listing"}),
            "{n}: JSON keeps its types"
        );
        assert_eq!(r.timestamp, now.minus_days(1), "{n}: microseconds survive");
        assert_eq!(r.ip_address.as_deref(), Some("41.90.1.2"));
    })
    .await;
}

/// Every row of a query, following the keyset cursor page by page.
pub async fn all_pages(db: &Db, q: ActivityQuery) -> Vec<gurumisha_api::types::ActivityRecord> {
    let mut rows = Vec::new();
    let mut cursor = None;
    loop {
        let p = db
            .api
            .list_activity(ActivityQuery {
                cursor,
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn keyset_pages_cover_every_row_once() {
    both(|db| async move {
        let u = user(&db, "pager").await;
        let base = Timestamp::now().minus_days(5);
        // Many rows share a timestamp: the id breaks the tie.
        let batch: Vec<_> = (0..537)
            .map(|i| {
                event(
                    u,
                    "page_view",
                    &format!("view {i}"),
                    Timestamp(base.0 + (i / 7) * DAY / 100),
                    "41.90.1.2",
                )
            })
            .collect();
        let ids: HashSet<i64> = db
            .api
            .recorder()
            .log_activities(batch)
            .await
            .unwrap()
            .into_iter()
            .collect();
        let seen: Vec<_> = all_pages(
            &db,
            ActivityQuery {
                limit: Some(50),
                ..Default::default()
            },
        )
        .await
        .iter()
        .map(|r| (r.timestamp, r.id))
        .collect();
        assert_eq!(seen.len(), 537, "{}", db.name);
        assert!(
            seen.windows(2).all(|w| w[0] > w[1]),
            "{}: strictly newest first",
            db.name
        );
        assert_eq!(seen.iter().map(|s| s.1).collect::<HashSet<_>>(), ids);
        let bad = db
            .api
            .list_activity(ActivityQuery {
                cursor: Some("garbage!".into()),
                ..Default::default()
            })
            .await
            .unwrap_err();
        assert_eq!(bad.code, gurumisha_api::ApiErrorCode::InvalidInput);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_single_events_are_all_durable_and_distinct() {
    both(|db| async move {
        let u = user(&db, "busy").await;
        let mut handles = Vec::new();
        for i in 0..64 {
            let rec = db.api.recorder().clone();
            handles.push(tokio::spawn(async move {
                let mut ids = Vec::new();
                for j in 0..10 {
                    let a = NewActivity::new(
                        Some(u),
                        Action::parse("page_view").unwrap(),
                        format!("caller {i} event {j}"),
                    );
                    ids.push(rec.log_activity(a).await.unwrap());
                }
                ids
            }));
        }
        let mut all = HashSet::new();
        for h in handles {
            all.extend(h.await.unwrap());
        }
        assert_eq!(all.len(), 640, "{}", db.name);
        let page = db
            .api
            .list_activity(ActivityQuery {
                user_id: Some(u),
                limit: Some(1000),
                ..Default::default()
            })
            .await
            .unwrap();
        assert_eq!(
            page.items.len(),
            640,
            "{}: every returned id is readable",
            db.name
        );
        assert!(
            db.api
                .status(Default::default())
                .await
                .unwrap()
                .activity_estimate
                >= 1
        );
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bulk_ids_come_back_in_input_order() {
    both(|db| async move {
        let u = user(&db, "bulk").await;
        let at = Timestamp::now().minus_days(1);
        // More than two bulk chunks, so PostgreSQL writes them concurrently.
        let batch: Vec<_> = (0..12_345)
            .map(|i| {
                event(
                    u,
                    "page_view",
                    &format!("bulk {i}"),
                    Timestamp(at.0 + i),
                    "41.90.1.2",
                )
            })
            .collect();
        let ids = db.api.recorder().log_activities(batch).await.unwrap();
        assert_eq!(ids.len(), 12_345);
        let by_id: std::collections::HashMap<i64, String> = all_pages(
            &db,
            ActivityQuery {
                limit: Some(1000),
                ..Default::default()
            },
        )
        .await
        .into_iter()
        .map(|r| (r.id, r.description))
        .collect();
        for (i, id) in ids.iter().enumerate() {
            assert_eq!(
                by_id.get(id).map(String::as_str),
                Some(format!("bulk {i}").as_str()),
                "{}: id {id}",
                db.name
            );
        }
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn text_search_pages_through_common_words() {
    both(|db| async move {
        let u = user(&db, "searcher").await;
        let base = Timestamp::now().minus_days(3);
        let batch: Vec<_> = (0..400)
            .map(|i| {
                let car = if i % 3 == 0 {
                    "Toyota Harrier"
                } else {
                    "Mazda Demio"
                };
                event(
                    u,
                    "car_view",
                    &format!("Viewed car: {car} #{i}"),
                    Timestamp(base.0 + i * 1_000_000),
                    "41.90.1.2",
                )
            })
            .collect();
        db.api.recorder().log_activities(batch).await.unwrap();
        let found = all_pages(
            &db,
            ActivityQuery {
                text: Some("harr".into()),
                limit: Some(25),
                ..Default::default()
            },
        )
        .await;
        assert!(
            found.iter().all(|r| r.description.contains("Harrier")),
            "{}",
            db.name
        );
        let seen: Vec<_> = found.iter().map(|r| (r.timestamp, r.id)).collect();
        assert_eq!(seen.len(), 134, "{}: every match once", db.name);
        assert!(
            seen.windows(2).all(|w| w[0] > w[1]),
            "{}: newest first",
            db.name
        );
    })
    .await;
}
