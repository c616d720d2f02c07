//! The notification queue: idempotent enqueue, claim order, leases (concurrency, expiry,
//! takeover), retry and dead transitions. The console's verbs are in `queue_console`.

use crate::harness::{both, Db};
use gurumisha_core::queue::{
    Attempt, Lease, NewNotification, NextStep, NotificationStore, QueueStatus,
};
use gurumisha_core::Timestamp;
use serde_json::json;
use std::collections::HashSet;
use std::sync::Arc;

pub const SEC: i64 = 1_000_000;

pub fn note(key: &str, priority: i16, scheduled_at: Timestamp) -> NewNotification {
    NewNotification {
        idempotency_key: key.into(),
        recipient_id: 7,
        channel: "email".into(),
        notification_type: "orders".into(),
        template_name: Some("order_status_change".into()),
        template_version: Some(1),
        title: format!("Order {key}"),
        body: "Dear Wanjiru, your order has shipped.".into(),
        html_body: Some("<p>Dear Wanjiru</p>".into()),
        context: json!({"order": key, "recipient": {"first_name": "Wanjiru"}}),
        priority,
        scheduled_at,
        created_at: scheduled_at,
        max_retries: 2,
    }
}

pub fn q(db: &Db) -> Arc<dyn NotificationStore> {
    db.api.queue_store().clone()
}

pub fn attempt(at: Timestamp, error: &str) -> Attempt {
    Attempt {
        at,
        provider: "smtp".into(),
        outcome: "transient".into(),
        error: Some(error.into()),
        latency_ms: 12,
    }
}

pub async fn status(q: &Arc<dyn NotificationStore>, id: i64) -> QueueStatus {
    q.get_notification(id)
        .await
        .unwrap()
        .unwrap()
        .notification
        .status
}

/// Claims everything due at `now` as `owner`, one row at a time.
async fn claim_one(q: &Arc<dyn NotificationStore>, owner: &str, now: Timestamp) -> Option<Lease> {
    let mut got = q.claim(owner, 1, 30_000, now).await.unwrap();
    assert!(got.len() <= 1);
    got.pop().map(|(_, l)| l)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_same_key_twice_creates_one_row() {
    both(|db| async move {
        let q = q(&db);
        let t = Timestamp::now();
        let first = q
            .enqueue(vec![note("a", 3, t), note("b", 3, t), note("a", 1, t)])
            .await
            .unwrap();
        assert!(first[0].1 && first[1].1, "{}: {first:?}", db.name);
        assert_eq!(first[2], (first[0].0, false), "{}", db.name);
        let again = q
            .enqueue(vec![note("b", 3, t), note("c", 3, t)])
            .await
            .unwrap();
        assert_eq!(again[0], (first[1].0, false), "{}", db.name);
        assert!(again[1].1);
        let counts = q.counts().await.unwrap();
        assert_eq!((counts.pending, counts.total()), (3, 3), "{}", db.name);
        let d = q.get_notification(first[0].0).await.unwrap().unwrap();
        let n = d.notification;
        assert_eq!((n.priority, n.retry_count, n.max_retries), (3, 0, 2));
        assert_eq!(n.context["recipient"]["first_name"], "Wanjiru");
        assert_eq!(n.html_body.as_deref(), Some("<p>Dear Wanjiru</p>"));
        assert_eq!(n.next_attempt_at, Some(t));
        assert!(d.attempts.is_empty());
        assert!(q
            .get_notification(first[0].0 + 1000)
            .await
            .unwrap()
            .is_none());
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn claims_take_due_rows_by_priority_then_time() {
    both(|db| async move {
        let q = q(&db);
        let t = Timestamp::now();
        let ids: Vec<i64> = q
            .enqueue(vec![
                note("p3-early", 3, Timestamp(t.0 - 50 * SEC)),
                note("p1-late", 1, Timestamp(t.0 - 10 * SEC)),
                note("p1-early", 1, Timestamp(t.0 - 20 * SEC)),
                note("p5", 5, Timestamp(t.0 - 90 * SEC)),
                note("future", 1, Timestamp(t.0 + 60 * SEC)),
            ])
            .await
            .unwrap()
            .into_iter()
            .map(|(id, _)| id)
            .collect();
        let got = q.claim("w1", 3, 120_000, t).await.unwrap();
        let order: Vec<i64> = got.iter().map(|(n, _)| n.id).collect();
        assert_eq!(order, vec![ids[2], ids[1], ids[0]], "{}", db.name);
        for (n, lease) in &got {
            assert_eq!(n.status, QueueStatus::Processing);
            assert_eq!(n.lease_owner.as_deref(), Some("w1"));
            assert_eq!(n.lease_token, Some(lease.token));
            assert_eq!(n.lease_expires_at, Some(Timestamp(t.0 + 120 * SEC)));
        }
        let tokens: HashSet<_> = got.iter().map(|(_, l)| l.token).collect();
        assert_eq!(tokens.len(), 3, "fresh token per row");
        let rest = q.claim("w2", 10, 120_000, t).await.unwrap();
        assert_eq!(
            rest.iter().map(|(n, _)| n.id).collect::<Vec<_>>(),
            vec![ids[3]],
            "{}: leased and future rows stay put",
            db.name
        );
        // The scheduled one is claimed once due.
        let later = q
            .claim("w2", 10, 120_000, Timestamp(t.0 + 61 * SEC))
            .await
            .unwrap();
        assert_eq!(later.len(), 1);
        assert_eq!(later[0].0.id, ids[4]);
        assert_eq!(q.counts().await.unwrap().processing, 5);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_claimers_never_share_a_row() {
    both(|db| async move {
        let q = q(&db);
        let t = Timestamp::now();
        let rows: Vec<_> = (0..240)
            .map(|i| note(&format!("n{i}"), (i % 5 + 1) as i16, t))
            .collect();
        q.enqueue(rows).await.unwrap();
        let tasks: Vec<_> = (0..8)
            .map(|w| {
                let q = q.clone();
                tokio::spawn(async move {
                    let mut mine = Vec::new();
                    loop {
                        let got = q.claim(&format!("w{w}"), 7, 30_000, t).await.unwrap();
                        if got.is_empty() {
                            return mine;
                        }
                        mine.extend(got.into_iter().map(|(n, _)| n.id));
                    }
                })
            })
            .collect();
        let mut all = Vec::new();
        for task in tasks {
            all.extend(task.await.unwrap());
        }
        let distinct: HashSet<i64> = all.iter().copied().collect();
        assert_eq!(all.len(), 240, "{}", db.name);
        assert_eq!(distinct.len(), 240, "{}: a row was claimed twice", db.name);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn expired_leases_return_and_stale_tokens_cannot_finish() {
    both(|db| async move {
        let q = q(&db);
        let t = Timestamp::now();
        let id = q.enqueue(vec![note("x", 3, t)]).await.unwrap()[0].0;
        let first = q.claim("crashed", 5, 1_000, t).await.unwrap();
        assert_eq!(first.len(), 1);
        let old = first[0].1;
        assert!(q
            .claim("w2", 5, 1_000, Timestamp(t.0 + SEC / 2))
            .await
            .unwrap()
            .is_empty());
        let taken = q
            .claim("w2", 5, 1_000, Timestamp(t.0 + 2 * SEC))
            .await
            .unwrap();
        assert_eq!(taken.len(), 1, "{}: the expired lease returns", db.name);
        let new = taken[0].1;
        assert_eq!(new.id, id);
        assert_ne!(new.token, old.token);
        assert_eq!(taken[0].0.lease_owner.as_deref(), Some("w2"));
        let at = Timestamp(t.0 + 3 * SEC);
        assert!(!q.complete(old, "smtp", Some("m-1"), 5, at).await.unwrap());
        let next = NextStep::Retry { at };
        assert!(!q.fail(old, attempt(at, "late"), next, at).await.unwrap());
        assert!(q.complete(new, "smtp", Some("m-2"), 9, at).await.unwrap());
        // Finished: the current token no longer works either.
        assert!(!q.complete(new, "smtp", Some("m-3"), 9, at).await.unwrap());
        let d = q.get_notification(id).await.unwrap().unwrap();
        let n = &d.notification;
        assert_eq!(n.status, QueueStatus::Sent, "{}", db.name);
        assert_eq!(n.provider_message_id.as_deref(), Some("m-2"));
        assert_eq!(n.provider.as_deref(), Some("smtp"));
        assert_eq!(n.sent_at, Some(at));
        assert_eq!((n.lease_token, n.lease_owner.as_deref()), (None, None));
        assert_eq!(n.next_attempt_at, None);
        assert_eq!(d.attempts.len(), 1);
        assert_eq!(d.attempts[0].outcome, "sent");
        assert_eq!(d.attempts[0].latency_ms, 9);
        assert!(q
            .claim("w3", 5, 1_000, Timestamp(t.0 + 99 * SEC))
            .await
            .unwrap()
            .is_empty());
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failures_retry_then_die() {
    both(|db| async move {
        let q = q(&db);
        let t = Timestamp::now();
        let ids = q
            .enqueue(vec![note("retry", 3, t), note("perm", 3, t)])
            .await
            .unwrap();
        let (id, perm) = (ids[0].0, ids[1].0);
        let leases = q.claim("w", 2, 30_000, t).await.unwrap();
        let lease_perm = leases.iter().find(|(n, _)| n.id == perm).unwrap().1;
        let dead = NextStep::Dead {
            reason: "550 mailbox unavailable".into(),
        };
        assert!(q
            .fail(lease_perm, attempt(t, "550"), dead, t)
            .await
            .unwrap());
        let d = q.get_notification(perm).await.unwrap().unwrap();
        assert_eq!(d.notification.status, QueueStatus::Dead, "{}", db.name);
        assert_eq!(
            d.notification.last_error.as_deref(),
            Some("550 mailbox unavailable")
        );
        assert_eq!(d.notification.next_attempt_at, None);

        // max_retries = 2: two retries, the third failure is final.
        let mut lease = leases.iter().find(|(n, _)| n.id == id).unwrap().1;
        let mut now = t;
        for round in 1..=3 {
            let at = Timestamp(now.0 + 10 * SEC);
            let next = NextStep::Retry { at };
            assert!(q
                .fail(lease, attempt(now, &format!("421 busy {round}")), next, now)
                .await
                .unwrap());
            let n = q.get_notification(id).await.unwrap().unwrap().notification;
            assert_eq!(n.retry_count, round, "{}", db.name);
            if round < 3 {
                assert_eq!(n.status, QueueStatus::Failed, "{} round {round}", db.name);
                assert_eq!(n.next_attempt_at, Some(at));
                assert!(claim_one(&q, "w", Timestamp(at.0 - 1)).await.is_none());
                now = at;
                lease = claim_one(&q, "w", now).await.expect("due again");
            } else {
                assert_eq!(n.status, QueueStatus::Dead, "{}", db.name);
                assert_eq!(n.next_attempt_at, None);
                assert_eq!(n.last_error.as_deref(), Some("421 busy 3"));
            }
        }
        let d = q.get_notification(id).await.unwrap().unwrap();
        assert_eq!(d.attempts.len(), 3);
        assert_eq!(d.attempts[2].error.as_deref(), Some("421 busy 3"));
        assert!(d.attempts.windows(2).all(|w| w[0].at < w[1].at));
        let c = q.counts().await.unwrap();
        assert_eq!((c.dead, c.total()), (2, 2));
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_enqueues_of_one_key_create_one_row() {
    both(|db| async move {
        let q = q(&db);
        let t = Timestamp::now();
        let tasks: Vec<_> = (0..8)
            .map(|i| {
                let q = q.clone();
                // Two shared keys between keys of the batch's own, in opposite orders in half
                // of the batches (which must not deadlock).
                let (x, y) = if i % 2 == 0 { ("x", "y") } else { ("y", "x") };
                let rows = vec![
                    note(&format!("own-{i}-a"), 3, t),
                    note(&format!("shared-{x}"), 3, t),
                    note(&format!("shared-{y}"), 3, t),
                    note(&format!("own-{i}-b"), 3, t),
                ];
                tokio::spawn(async move { q.enqueue(rows).await.unwrap() })
            })
            .collect();
        let (mut xs, mut ys) = (Vec::new(), Vec::new());
        for (i, task) in tasks.into_iter().enumerate() {
            let got = task.await.unwrap();
            assert!(got[0].1 && got[3].1, "{}: {got:?}", db.name);
            let (x, y) = if i % 2 == 0 { (1, 2) } else { (2, 1) };
            xs.push(got[x]);
            ys.push(got[y]);
        }
        for one in [&xs, &ys] {
            let created = one.iter().filter(|(_, c)| *c).count();
            assert_eq!(created, 1, "{}: {one:?}", db.name);
            assert!(one.iter().all(|(id, _)| *id == one[0].0), "{one:?}");
        }
        assert_ne!(xs[0].0, ys[0].0);
        assert_eq!(q.counts().await.unwrap().pending, 18, "{}", db.name);
    })
    .await;
}
