//! The in-app inbox: idempotent delivery, keyset pages, unread state, and a change feed that a
//! follower can read "after seq N" without ever missing a change.

use super::{nd, SEC, T0};
use crate::harness::both;
use gurumisha_core::notify_data::{InboxItem, NotifyDataStore};
use gurumisha_core::query::PageRequest;
use gurumisha_core::{StoreError, Timestamp};
use std::collections::BTreeSet;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

async fn deliver(s: &Arc<dyn NotifyDataStore>, user: i64, note: i64, at: i64) -> InboxItem {
    s.deliver_inbox(
        user,
        note,
        "orders",
        &format!("Order {note}"),
        "Your Toyota Harrier has shipped.",
        Timestamp(at),
    )
    .await
    .unwrap()
}

/// Every page of the user's inbox, following the cursor.
async fn walk(s: &Arc<dyn NotifyDataStore>, user: i64, unread: bool, limit: u32) -> Vec<Vec<i64>> {
    let mut pages = Vec::new();
    let mut page = PageRequest::first(limit);
    loop {
        let p = s.list_inbox(user, unread, &page).await.unwrap();
        assert!(p.items.iter().all(|i| i.user_id == user));
        pages.push(p.items.iter().map(|i| i.id).collect());
        match p.next_cursor {
            Some(c) => page = PageRequest::new(Some(&c), Some(limit)).unwrap(),
            None => return pages,
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn delivery_is_idempotent_on_the_notification_id() {
    both(|db| async move {
        let s = nd(&db);
        let n = db.name;
        let first = deliver(&s, 1, 500, T0).await;
        assert_eq!((first.user_id, first.notification_id), (1, 500), "{n}");
        assert_eq!(first.read_at, None, "{n}");
        assert_eq!(first.title, "Order 500", "{n}");
        let again = s
            .deliver_inbox(
                1,
                500,
                "orders",
                "Other title",
                "Other body",
                Timestamp(T0 + SEC),
            )
            .await
            .unwrap();
        assert_eq!(again, first, "{n}: the first delivery's item, unchanged");
        let changes = s.inbox_changes(None, 0, 100).await.unwrap();
        assert_eq!(changes.len(), 1, "{n}: one created change");
        assert_eq!(
            (
                changes[0].user_id,
                changes[0].item_id,
                changes[0].kind.as_str()
            ),
            (1, first.id, "created")
        );
        assert_eq!(changes[0].at, Timestamp(T0), "{n}");
        // The same notification for someone else is a caller bug, not a silent success.
        let other = s
            .deliver_inbox(2, 500, "orders", "t", "b", Timestamp(T0))
            .await;
        assert!(
            matches!(other, Err(StoreError::Conflict(_))),
            "{n}: {other:?}"
        );
        assert_eq!(s.unread_count(2).await.unwrap(), 0, "{n}");
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn inbox_pages_newest_first_across_pages() {
    both(|db| async move {
        let s = nd(&db);
        let n = db.name;
        // Ties on created_at are broken by id, newest (highest) first.
        let times = [0, 1, 1, 2, 3, 3, 3, 5];
        let mut mine = Vec::new();
        for (i, t) in times.iter().enumerate() {
            mine.push(deliver(&s, 1, 100 + i as i64, T0 + t * SEC).await);
            deliver(&s, 2, 200 + i as i64, T0 + t * SEC).await;
        }
        mine.sort_by_key(|i| std::cmp::Reverse((i.created_at, i.id)));
        let want: Vec<i64> = mine.iter().map(|i| i.id).collect();
        let pages = walk(&s, 1, false, 3).await;
        assert_eq!(
            pages.iter().map(Vec::len).collect::<Vec<_>>(),
            vec![3, 3, 2],
            "{n}"
        );
        assert_eq!(pages.concat(), want, "{n}");
        let one = walk(&s, 1, false, 100).await;
        assert_eq!(
            one,
            vec![want.clone()],
            "{n}: no cursor after the last page"
        );
        assert_eq!(walk(&s, 3, false, 10).await, vec![Vec::<i64>::new()], "{n}");
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unread_count_unread_only_and_mark_read_once() {
    both(|db| async move {
        let s = nd(&db);
        let n = db.name;
        let mut ids = Vec::new();
        for i in 0..5 {
            ids.push(deliver(&s, 1, 300 + i, T0 + i * SEC).await.id);
        }
        let theirs = deliver(&s, 2, 400, T0).await.id;
        assert_eq!(s.unread_count(1).await.unwrap(), 5, "{n}");

        // Only the caller's own items change; someone else's id is ignored.
        let changed = s
            .mark_read(1, &[ids[1], ids[3], theirs], Timestamp(T0 + 10 * SEC))
            .await
            .unwrap();
        assert_eq!(changed, 2, "{n}");
        assert_eq!(s.unread_count(2).await.unwrap(), 1, "{n}");
        assert_eq!(
            s.mark_read(1, &[ids[1], ids[3]], Timestamp(T0 + 11 * SEC))
                .await
                .unwrap(),
            0,
            "{n}: once"
        );
        assert_eq!(s.mark_read(1, &[], Timestamp(T0)).await.unwrap(), 0);
        assert_eq!(s.unread_count(1).await.unwrap(), 3, "{n}");

        let unread = walk(&s, 1, true, 2).await.concat();
        assert_eq!(unread, vec![ids[4], ids[2], ids[0]], "{n}");
        let all = s
            .list_inbox(1, false, &PageRequest::first(10))
            .await
            .unwrap();
        let read: Vec<_> = all.items.iter().filter(|i| i.read_at.is_some()).collect();
        assert_eq!(read.len(), 2, "{n}");
        assert!(
            read.iter()
                .all(|i| i.read_at == Some(Timestamp(T0 + 10 * SEC))),
            "{n}"
        );

        let reads: Vec<(i64, i64)> = s
            .inbox_changes(Some(1), 0, 100)
            .await
            .unwrap()
            .into_iter()
            .filter(|c| c.kind == "read")
            .map(|c| (c.user_id, c.item_id))
            .collect();
        assert_eq!(
            reads,
            vec![(1, ids[1]), (1, ids[3])],
            "{n}: one read change each"
        );
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn change_feed_after_seq_limit_and_user() {
    both(|db| async move {
        let s = nd(&db);
        let n = db.name;
        let a = deliver(&s, 1, 1, T0).await.id;
        let b = deliver(&s, 2, 2, T0).await.id;
        let c = deliver(&s, 1, 3, T0).await.id;
        s.mark_read(1, &[a], Timestamp(T0 + SEC)).await.unwrap();
        let all = s.inbox_changes(None, 0, 100).await.unwrap();
        let got: Vec<(i64, i64, &str)> = all
            .iter()
            .map(|c| (c.user_id, c.item_id, c.kind.as_str()))
            .collect();
        assert_eq!(
            got,
            vec![
                (1, a, "created"),
                (2, b, "created"),
                (1, c, "created"),
                (1, a, "read")
            ],
            "{n}"
        );
        assert!(
            all.windows(2).all(|w| w[0].seq < w[1].seq),
            "{n}: seq grows"
        );

        let after = s.inbox_changes(None, all[1].seq, 100).await.unwrap();
        assert_eq!(after, all[2..].to_vec(), "{n}");
        let limited = s.inbox_changes(None, all[0].seq, 2).await.unwrap();
        assert_eq!(limited, all[1..3].to_vec(), "{n}");
        let user1 = s.inbox_changes(Some(1), 0, 100).await.unwrap();
        assert_eq!(user1.len(), 3, "{n}");
        assert!(user1.iter().all(|c| c.user_id == 1), "{n}");
        let user1_later = s.inbox_changes(Some(1), all[2].seq, 100).await.unwrap();
        assert_eq!(user1_later, vec![all[3].clone()], "{n}");
        assert!(s
            .inbox_changes(None, all[3].seq, 100)
            .await
            .unwrap()
            .is_empty());
        assert!(s.inbox_changes(None, 0, 0).await.unwrap().is_empty());
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_follower_misses_no_change_under_concurrent_writers() {
    both(|db| async move {
        let s = nd(&db);
        const WRITERS: i64 = 4;
        const EACH: i64 = 15;
        let writers: Vec<_> = (0..WRITERS)
            .map(|w| {
                let s = s.clone();
                tokio::spawn(async move {
                    for i in 0..EACH {
                        let item = deliver(&s, w + 1, w * 1000 + i, T0 + i).await;
                        if i % 3 == 0 {
                            s.mark_read(w + 1, &[item.id], Timestamp(T0 + i))
                                .await
                                .unwrap();
                        }
                    }
                })
            })
            .collect();
        let total = (WRITERS * EACH + WRITERS * ((EACH + 2) / 3)) as usize;
        let done = Arc::new(AtomicBool::new(false));
        // Polls "after the last seq seen" until a poll that started after every writer had
        // finished comes back empty.
        let follower = {
            let (s, done) = (s.clone(), done.clone());
            tokio::spawn(async move {
                let (mut last, mut seen) = (0, Vec::new());
                loop {
                    let finished = done.load(Ordering::SeqCst);
                    let batch = s.inbox_changes(None, last, 7).await.unwrap();
                    for c in &batch {
                        assert!(c.seq > last);
                        last = c.seq;
                        seen.push(c.seq);
                    }
                    if batch.is_empty() {
                        if finished {
                            return seen;
                        }
                        tokio::time::sleep(Duration::from_millis(2)).await;
                    }
                }
            })
        };
        for w in writers {
            w.await.unwrap();
        }
        done.store(true, Ordering::SeqCst);
        let seen = follower.await.unwrap();
        let all: Vec<i64> = s
            .inbox_changes(None, 0, 1000)
            .await
            .unwrap()
            .iter()
            .map(|c| c.seq)
            .collect();
        assert_eq!(all.len(), total, "{}", db.name);
        assert_eq!(
            seen, all,
            "{}: the follower saw every change, in order",
            db.name
        );
        assert_eq!(seen.iter().collect::<BTreeSet<_>>().len(), total);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_notifies_listeners_of_inbox_changes() {
    both(|db| async move {
        if db.name != "postgres" {
            return;
        }
        let url = db.api.store().location();
        let mut listener = sqlx::postgres::PgListener::connect(&url).await.unwrap();
        listener.listen("gurumisha_inbox").await.unwrap();
        let s = nd(&db);
        let item = deliver(&s, 77, 9, T0).await;
        let got = tokio::time::timeout(Duration::from_secs(10), listener.recv())
            .await
            .expect("a notification within 10 s")
            .unwrap();
        assert_eq!(got.payload(), "77");
        s.mark_read(77, &[item.id], Timestamp(T0)).await.unwrap();
        let got = tokio::time::timeout(Duration::from_secs(10), listener.recv())
            .await
            .expect("a notification within 10 s")
            .unwrap();
        assert_eq!((got.channel(), got.payload()), ("gurumisha_inbox", "77"));
    })
    .await;
}
