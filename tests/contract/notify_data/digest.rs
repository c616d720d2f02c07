//! Digest buckets: idempotent items, due only after the window ends, flushed exactly once, and
//! an item that arrives for a window already closed or flushed opens a fresh bucket (due at
//! once) instead of being lost or riding along with a digest that was already sent.

use super::{invalid_field, nd, HOUR, SEC, T0};
use crate::harness::both;
use gurumisha_core::notify_data::NewDigestItem;
use gurumisha_core::{StoreError, Timestamp};

const START: i64 = T0;
const END: i64 = T0 + 24 * HOUR;

fn item(user: i64, channel: &str, key: &str, end: i64) -> NewDigestItem {
    NewDigestItem {
        recipient_id: user,
        channel: channel.into(),
        window_start: Timestamp(end - 24 * HOUR),
        window_end: Timestamp(end),
        idempotency_key: key.into(),
        notification_type: "car_listings".into(),
        title: format!("New listing {key}"),
        body: "A 2019 Mazda CX-5 in Nairobi".into(),
        created_at: Timestamp(START + HOUR),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn items_gather_in_buckets_that_fall_due_at_window_end() {
    both(|db| async move {
        let s = nd(&db);
        let n = db.name;
        let b1 = s.add_digest_item(item(1, "email", "a", END)).await.unwrap();
        let same = s.add_digest_item(item(1, "email", "b", END)).await.unwrap();
        assert_eq!(b1, same, "{n}: one bucket per user, channel and window");
        let again = s.add_digest_item(item(1, "email", "a", END)).await.unwrap();
        assert_eq!(again, b1, "{n}: the same key stores nothing new");
        let b2 = s.add_digest_item(item(1, "sms", "c", END)).await.unwrap();
        let b3 = s
            .add_digest_item(item(2, "email", "d", END - HOUR))
            .await
            .unwrap();
        let later = s
            .add_digest_item(item(1, "email", "e", END + 24 * HOUR))
            .await
            .unwrap();
        assert_eq!(
            [b1, b2, b3, later]
                .iter()
                .collect::<std::collections::BTreeSet<_>>()
                .len(),
            4,
            "{n}"
        );

        assert!(
            s.due_digests(Timestamp(END - HOUR - 1), 10)
                .await
                .unwrap()
                .is_empty(),
            "{n}"
        );
        let due: Vec<i64> = s
            .due_digests(Timestamp(END), 10)
            .await
            .unwrap()
            .iter()
            .map(|b| b.id)
            .collect();
        assert_eq!(due, vec![b3, b1, b2], "{n}: oldest window first, then id");
        let limited = s.due_digests(Timestamp(END), 1).await.unwrap();
        assert_eq!(limited.len(), 1, "{n}");
        assert_eq!(limited[0].id, b3, "{n}");

        let bucket = s
            .due_digests(Timestamp(END), 10)
            .await
            .unwrap()
            .into_iter()
            .find(|b| b.id == b1)
            .unwrap();
        assert_eq!(
            (bucket.recipient_id, bucket.channel.as_str()),
            (1, "email"),
            "{n}"
        );
        assert_eq!(
            (bucket.window_start, bucket.window_end),
            (Timestamp(START), Timestamp(END))
        );
        assert_eq!(
            (bucket.items, bucket.flushed_at, bucket.notification_id),
            (2, None, None)
        );
        let items = s.digest_items(b1).await.unwrap();
        let keys: Vec<&str> = items.iter().map(|i| i.idempotency_key.as_str()).collect();
        assert_eq!(keys, vec!["a", "b"], "{n}");
        assert!(items
            .iter()
            .all(|i| i.bucket_id == b1 && i.title.starts_with("New listing")));
        assert_eq!(items[0].created_at, Timestamp(START + HOUR), "{n}");

        let pending: Vec<i64> = s
            .pending_digests(10)
            .await
            .unwrap()
            .iter()
            .map(|b| b.id)
            .collect();
        assert_eq!(pending, vec![b3, b1, b2, later], "{n}");
        assert!(s.digest_items(987_654).await.unwrap().is_empty());
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bucket_flushes_once_and_late_items_are_not_lost() {
    both(|db| async move {
        let s = nd(&db);
        let n = db.name;
        let b1 = s.add_digest_item(item(1, "email", "a", END)).await.unwrap();
        assert_eq!(
            s.due_digests(Timestamp(END + SEC), 10).await.unwrap().len(),
            1
        );

        // Listed as due, not yet flushed: the bucket is closed, so a straggler for the same
        // window opens a new bucket instead of joining items the flusher may have read.
        let b2 = s
            .add_digest_item(item(1, "email", "late-1", END))
            .await
            .unwrap();
        assert_ne!(b2, b1, "{n}");
        assert_eq!(s.digest_items(b1).await.unwrap().len(), 1, "{n}");

        assert!(
            s.mark_digest_flushed(b1, 9001, Timestamp(END + 2 * SEC))
                .await
                .unwrap(),
            "{n}"
        );
        assert!(
            !s.mark_digest_flushed(b1, 9002, Timestamp(END + 3 * SEC))
                .await
                .unwrap(),
            "{n}: once"
        );
        let missing = s.mark_digest_flushed(424_242, 1, Timestamp(END)).await;
        assert!(
            matches!(missing, Err(StoreError::NotFound(_))),
            "{n}: {missing:?}"
        );

        // After the flush: not due again, and it keeps the first flush's queue row.
        let due: Vec<i64> = s
            .due_digests(Timestamp(END + 4 * SEC), 10)
            .await
            .unwrap()
            .iter()
            .map(|b| b.id)
            .collect();
        assert_eq!(due, vec![b2], "{n}");
        assert!(s
            .pending_digests(10)
            .await
            .unwrap()
            .iter()
            .all(|b| b.id != b1));

        // Another straggler after the flush: b2 is closed too (listed as due just now), so a
        // third bucket, due at once; a repeated key still finds its original bucket.
        let b3 = s
            .add_digest_item(item(1, "email", "late-2", END))
            .await
            .unwrap();
        assert!(b3 != b1 && b3 != b2, "{n}");
        assert_eq!(
            s.add_digest_item(item(1, "email", "a", END)).await.unwrap(),
            b1,
            "{n}"
        );
        let due = s.due_digests(Timestamp(END + 5 * SEC), 10).await.unwrap();
        assert_eq!(
            due.iter().map(|b| (b.id, b.items)).collect::<Vec<_>>(),
            vec![(b2, 1), (b3, 1)],
            "{n}"
        );
        assert!(due.iter().all(|b| b.window_end == Timestamp(END)), "{n}");
        for b in [b2, b3] {
            assert!(s
                .mark_digest_flushed(b, 9100 + b, Timestamp(END + 6 * SEC))
                .await
                .unwrap());
        }
        assert!(
            s.due_digests(Timestamp(END + 7 * SEC), 10)
                .await
                .unwrap()
                .is_empty(),
            "{n}"
        );
        assert!(s.pending_digests(10).await.unwrap().is_empty(), "{n}");
        let mut keys = Vec::new();
        for b in [b1, b2, b3] {
            let items = s.digest_items(b).await.unwrap();
            keys.extend(items.into_iter().map(|i| i.idempotency_key));
        }
        assert_eq!(
            keys,
            vec!["a", "late-1", "late-2"],
            "{n}: every item went out once"
        );
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_adds_share_a_bucket_and_concurrent_flushes_win_once() {
    both(|db| async move {
        let s = nd(&db);
        let n = db.name;
        // Eight callers, distinct keys, one window: one bucket with eight items. Eight more
        // repeat one key: one item.
        let adds: Vec<_> = (0..16)
            .map(|i| {
                let s = s.clone();
                let key = if i < 8 {
                    format!("k{i}")
                } else {
                    "same".into()
                };
                tokio::spawn(async move {
                    s.add_digest_item(item(5, "email", &key, END))
                        .await
                        .unwrap()
                })
            })
            .collect();
        let mut buckets = std::collections::BTreeSet::new();
        for a in adds {
            buckets.insert(a.await.unwrap());
        }
        assert_eq!(buckets.len(), 1, "{n}: {buckets:?}");
        let bucket = *buckets.first().unwrap();
        assert_eq!(s.digest_items(bucket).await.unwrap().len(), 9, "{n}");

        let due = s.due_digests(Timestamp(END), 10).await.unwrap();
        assert_eq!(due.len(), 1, "{n}");
        assert_eq!(due[0].items, 9, "{n}");
        let flushes: Vec<_> = (0..8)
            .map(|i| {
                let s = s.clone();
                tokio::spawn(async move {
                    s.mark_digest_flushed(bucket, 7000 + i, Timestamp(END + SEC))
                        .await
                        .unwrap()
                })
            })
            .collect();
        let mut won = 0;
        for f in flushes {
            won += usize::from(f.await.unwrap());
        }
        assert_eq!(won, 1, "{n}: exactly one flush");
        assert!(
            s.due_digests(Timestamp(END + HOUR), 10)
                .await
                .unwrap()
                .is_empty(),
            "{n}"
        );
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_digest_input_names_the_field() {
    both(|db| async move {
        let s = nd(&db);
        let mut i = item(1, "email", "a", END);
        i.window_start = Timestamp(END);
        assert_eq!(invalid_field(s.add_digest_item(i).await), "window_end");
        assert_eq!(
            invalid_field(s.add_digest_item(item(1, "email", "", END)).await),
            "idempotency_key"
        );
        assert_eq!(
            invalid_field(s.add_digest_item(item(1, "", "a", END)).await),
            "channel"
        );
        assert!(
            s.pending_digests(10).await.unwrap().is_empty(),
            "{}",
            db.name
        );
        assert!(s.due_digests(Timestamp(END), 0).await.unwrap().is_empty());
    })
    .await;
}
