//! The console's side of the notification queue: bulk retry, cancel and requeue (dry-run
//! counts equal real counts), filtered keyset lists, cleanup of old sent and cancelled rows.

use crate::harness::both;
use crate::queue::{attempt, note, q, status, SEC};
use gurumisha_core::query::PageRequest;
use gurumisha_core::queue::{NextStep, NotificationStore, QueueFilter, QueueStatus, Target};
use gurumisha_core::Timestamp;
use std::sync::Arc;

/// Builds a mix: 2 pending, 2 failed (one over SMS), 2 dead, 1 cancelled, 1 sent.
async fn mix(q: &Arc<dyn NotificationStore>, t: Timestamp) -> Vec<i64> {
    // The two lowest-priority rows are left pending by the claim below.
    let mut rows: Vec<_> = (0..8)
        .map(|i| note(&format!("m{i}"), if i < 2 { 5 } else { 3 }, t))
        .collect();
    rows[3].channel = "sms".into();
    rows[3].recipient_id = 9;
    let ids: Vec<i64> = q
        .enqueue(rows)
        .await
        .unwrap()
        .into_iter()
        .map(|r| r.0)
        .collect();
    let leases = q.claim("w", 6, 30_000, t).await.unwrap();
    let lease = |id: i64| leases.iter().find(|(n, _)| n.id == id).unwrap().1;
    let later = NextStep::Retry {
        at: Timestamp(t.0 + 600 * SEC),
    };
    for (i, error) in [(2, "421 try later"), (3, "429 Too Many Requests")] {
        let mut a = attempt(t, error);
        if i == 3 {
            a.provider = "africastalking".into();
        }
        assert!(q.fail(lease(ids[i]), a, later.clone(), t).await.unwrap());
    }
    for i in [4, 5] {
        let dead = NextStep::Dead {
            reason: "550 no such user".into(),
        };
        assert!(q
            .fail(lease(ids[i]), attempt(t, "550"), dead, t)
            .await
            .unwrap());
    }
    assert!(q
        .complete(lease(ids[7]), "smtp", Some("m"), 3, t)
        .await
        .unwrap());
    // ids[6] is leased; cancel it by hand after it fails.
    assert!(q
        .fail(lease(ids[6]), attempt(t, "421"), later, t)
        .await
        .unwrap());
    assert_eq!(
        q.cancel(Target::Ids(vec![ids[6]]), false, t).await.unwrap(),
        1
    );
    ids
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bulk_actions_dry_run_counts_match_real_counts() {
    both(|db| async move {
        let q = q(&db);
        let t = Timestamp::now();
        let ids = mix(&q, t).await;
        let c = q.counts().await.unwrap();
        let shape = (
            c.pending,
            c.failed,
            c.dead,
            c.cancelled,
            c.sent,
            c.processing,
        );
        assert_eq!(shape, (2, 2, 2, 1, 1, 0), "{}", db.name);

        let sms = Target::Filter(QueueFilter {
            channel: Some("sms".into()),
            ..QueueFilter::default()
        });
        let errors = Target::Filter(QueueFilter {
            error_contains: Some("550".into()),
            ..QueueFilter::default()
        });
        let failed = Target::Filter(QueueFilter {
            status: Some(QueueStatus::Failed),
            ..QueueFilter::default()
        });
        let sent_only = Target::Filter(QueueFilter {
            status: Some(QueueStatus::Sent),
            ..QueueFilter::default()
        });
        let provider = Target::Filter(QueueFilter {
            provider: Some("africastalking".into()),
            recipient_id: Some(9),
            ..QueueFilter::default()
        });
        // Each dry run first, then the real action: the counts agree.
        for (what, target, expect) in [
            ("retry sms", sms.clone(), 1),
            ("retry sent", sent_only.clone(), 0),
            ("retry 550", errors.clone(), 2),
        ] {
            let dry = q.retry(target.clone(), true, t).await.unwrap();
            assert_eq!(dry, expect, "{}: {what}", db.name);
            assert_eq!(q.retry(target, false, t).await.unwrap(), dry, "{what}");
        }
        assert_eq!(q.retry(provider.clone(), true, t).await.unwrap(), 0);
        let dry = q
            .cancel(Target::Filter(QueueFilter::default()), true, t)
            .await
            .unwrap();
        // pending 2 + the 2 dead now pending + the SMS one now pending + 1 failed
        assert_eq!(dry, 6, "{}", db.name);
        assert_eq!(q.cancel(failed.clone(), true, t).await.unwrap(), 1);
        assert_eq!(q.cancel(failed, false, t).await.unwrap(), 1);
        let everything = Target::Filter(QueueFilter::default());
        assert_eq!(q.cancel(everything.clone(), false, t).await.unwrap(), 5);
        assert_eq!(q.requeue(everything.clone(), true, t).await.unwrap(), 7);
        let ids_target = Target::Ids(vec![ids[0], ids[7], ids[1]]);
        assert_eq!(q.requeue(ids_target.clone(), true, t).await.unwrap(), 2);
        assert_eq!(q.requeue(ids_target, false, t).await.unwrap(), 2);
        assert_eq!(q.requeue(Target::Ids(vec![]), false, t).await.unwrap(), 0);
        let n = q
            .get_notification(ids[0])
            .await
            .unwrap()
            .unwrap()
            .notification;
        assert_eq!(
            (n.status, n.retry_count, n.next_attempt_at),
            (QueueStatus::Pending, 0, Some(t))
        );
        let c = q.counts().await.unwrap();
        assert_eq!((c.pending, c.cancelled, c.sent), (2, 5, 1), "{}", db.name);
        assert_eq!(
            status(&q, ids[7]).await,
            QueueStatus::Sent,
            "sent is never requeued"
        );
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lists_filter_and_page_newest_first() {
    both(|db| async move {
        let q = q(&db);
        let t = Timestamp::now();
        let ids = mix(&q, t).await;
        let all = |f: QueueFilter| {
            let q = q.clone();
            async move {
                let mut out = Vec::new();
                let mut page = PageRequest::first(3);
                loop {
                    let p = q.list_queue(&f, &page).await.unwrap();
                    out.extend(p.items.iter().map(|n| n.id));
                    match p.next_cursor {
                        Some(c) => page = PageRequest::new(Some(&c), Some(3)).unwrap(),
                        None => return out,
                    }
                }
            }
        };
        let mut newest_first = ids.clone();
        newest_first.reverse();
        assert_eq!(
            all(QueueFilter::default()).await,
            newest_first,
            "{}",
            db.name
        );
        let dead = QueueFilter {
            status: Some(QueueStatus::Dead),
            ..QueueFilter::default()
        };
        assert_eq!(all(dead).await, vec![ids[5], ids[4]]);
        let busy = QueueFilter {
            error_contains: Some("Too Many".into()),
            ..QueueFilter::default()
        };
        assert_eq!(all(busy).await, vec![ids[3]]);
        let smtp_sent = QueueFilter {
            provider: Some("smtp".into()),
            status: Some(QueueStatus::Sent),
            ..QueueFilter::default()
        };
        assert_eq!(all(smtp_sent).await, vec![ids[7]]);
        let nobody = QueueFilter {
            recipient_id: Some(12345),
            ..QueueFilter::default()
        };
        assert!(all(nobody).await.is_empty());
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cleanup_removes_old_sent_and_cancelled_only() {
    both(|db| async move {
        let q = q(&db);
        let old = Timestamp(Timestamp::now().0 - 40 * 86_400 * SEC);
        let ids = mix(&q, old).await;
        let cutoff = Timestamp(old.0 + SEC);
        assert_eq!(q.cleanup(Timestamp(old.0 - SEC)).await.unwrap(), 0);
        assert_eq!(q.cleanup(cutoff).await.unwrap(), 2, "{}", db.name);
        assert!(
            q.get_notification(ids[7]).await.unwrap().is_none(),
            "sent row gone"
        );
        assert!(
            q.get_notification(ids[6]).await.unwrap().is_none(),
            "cancelled row gone"
        );
        let c = q.counts().await.unwrap();
        assert_eq!((c.total(), c.sent, c.cancelled), (6, 0, 0), "{}", db.name);
        // A recently finished row stays.
        let now = Timestamp::now();
        let lease = q.claim("w", 10, 30_000, now).await.unwrap();
        assert_eq!(lease.len(), 4, "pending and failed rows are due");
        assert!(q.complete(lease[0].1, "smtp", None, 1, now).await.unwrap());
        assert_eq!(q.cleanup(cutoff).await.unwrap(), 0);
        assert_eq!(q.counts().await.unwrap().sent, 1);
    })
    .await;
}
