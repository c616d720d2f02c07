//! Completing many rows at once (token-checked per row, one flag each, attempts appended) and
//! waking a waiting worker when work is enqueued (LISTEN/NOTIFY on PostgreSQL, the store's
//! own wake-up on SQLite).

use crate::harness::both;
use crate::queue::{note, q, SEC};
use gurumisha_core::queue::{Completion, Lease, QueueStatus};
use gurumisha_core::Timestamp;
use std::time::{Duration, Instant};
use uuid::Uuid;

#[tokio::test]
async fn complete_many_checks_every_token() {
    both(|db| async move {
        let q = q(&db);
        let now = Timestamp::now();
        let rows = (0..3).map(|i| note(&format!("cm-{i}"), 3, now)).collect();
        q.enqueue(rows).await.unwrap();
        let claimed = q.claim("w1", 10, 30_000, now).await.unwrap();
        assert_eq!(claimed.len(), 3);
        let done = |lease: Lease, id: &str| Completion {
            lease,
            provider: "smtp".into(),
            provider_message_id: Some(id.into()),
            latency_ms: 7,
        };
        let stale = Lease {
            id: claimed[2].1.id,
            token: Uuid::new_v4(),
        };
        let flags = q
            .complete_many(
                vec![
                    done(claimed[0].1, "<a@x>"),
                    done(stale, "<stale@x>"),
                    done(claimed[1].1, "<b@x>"),
                ],
                Timestamp(now.0 + SEC),
            )
            .await
            .unwrap();
        assert_eq!(flags, [true, false, true], "{}", db.name);
        let d = q.get_notification(claimed[0].1.id).await.unwrap().unwrap();
        assert_eq!(d.notification.status, QueueStatus::Sent);
        assert_eq!(d.notification.provider_message_id.as_deref(), Some("<a@x>"));
        assert_eq!((d.attempts.len(), d.attempts[0].latency_ms), (1, 7));
        let d = q.get_notification(claimed[2].1.id).await.unwrap().unwrap();
        assert_eq!(
            (d.notification.status, d.attempts.len()),
            (QueueStatus::Processing, 0)
        );
        assert!(q.complete_many(Vec::new(), now).await.unwrap().is_empty());
    })
    .await;
}

#[tokio::test]
async fn an_enqueue_wakes_a_waiting_worker() {
    both(|db| async move {
        let q = q(&db);
        // The first wait may start a listener and returns on its own (a spurious wake-up is
        // allowed); after that, waiting with nothing enqueued lasts the whole timeout.
        q.wait_for_work(Duration::from_millis(300)).await;
        q.wait_for_work(Duration::from_millis(300)).await;
        let t = Instant::now();
        q.wait_for_work(Duration::from_millis(200)).await;
        assert!(
            t.elapsed() >= Duration::from_millis(150),
            "{}: no work, no wake",
            db.name
        );

        let waiter = {
            let q = q.clone();
            tokio::spawn(async move {
                let t = Instant::now();
                q.wait_for_work(Duration::from_secs(20)).await;
                t.elapsed()
            })
        };
        tokio::time::sleep(Duration::from_millis(200)).await;
        q.enqueue(vec![note("wake-1", 3, Timestamp::now())])
            .await
            .unwrap();
        let waited = waiter.await.unwrap();
        assert!(
            waited < Duration::from_secs(5),
            "{}: woke after {waited:?}",
            db.name
        );
    })
    .await;
}
