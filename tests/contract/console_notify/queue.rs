//! The queue view: bulk actions with dry runs and their audit rows, the summary's grouped
//! failures and depth, one notification with its attempts and decisions, filtered lists.

use super::{dead_sms, operator, recent_audit, user};
use crate::harness::{both, Db};
use crate::queue::{note, SEC};
use gurumisha_api::types::*;
use gurumisha_core::domain::*;
use gurumisha_core::notify_data::NewDecision;
use gurumisha_core::queue::{Attempt, NextStep, QueueStatus};
use gurumisha_core::Timestamp;
use gurumisha_notify::NotificationStatus;

fn attempt(at: Timestamp, provider: &str, error: &str) -> Attempt {
    Attempt {
        at,
        provider: provider.into(),
        outcome: "permanent".into(),
        error: Some(error.into()),
        latency_ms: 41,
    }
}

/// Enqueues one row per (channel, error) and fails each: dead with the error, or failed (to
/// be retried in 10 minutes) when `retry`. Returns the ids in input order.
async fn failures(db: &Db, t: Timestamp, rows: &[(&str, &str, &str, bool)]) -> Vec<i64> {
    let q = db.api.queue_store();
    let mut ids = Vec::new();
    for (i, (channel, provider, error, retry)) in rows.iter().enumerate() {
        let mut n = note(&format!("f{i}-{channel}"), 3, t);
        n.channel = (*channel).into();
        let id = q.enqueue(vec![n]).await.unwrap()[0].0;
        let (_, lease) = q.claim("w", 1, 30_000, t).await.unwrap().remove(0);
        let next = if *retry {
            NextStep::Retry {
                at: Timestamp(t.0 + 600 * SEC),
            }
        } else {
            NextStep::Dead {
                reason: (*error).into(),
            }
        };
        assert!(q
            .fail(lease, attempt(t, provider, error), next, t)
            .await
            .unwrap());
        ids.push(id);
    }
    ids
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn retrying_dead_notifications_counts_first_and_is_audited() {
    both(|db| async move {
        let (support_id, support) = operator(&db, "kamau", Role::Support).await;
        let t = Timestamp::now();
        let ids = failures(
            &db,
            t,
            &[
                ("sms", "africastalking", "HTTP 500: gateway down", false),
                ("sms", "africastalking", "HTTP 500: gateway down", false),
                ("sms", "africastalking", "HTTP 500: gateway down", false),
                ("email", "smtp", "550 no such user", false),
                ("sms", "africastalking", "HTTP 429: slow down", true),
            ],
        )
        .await;
        let action = |dry_run| QueueActionRequest {
            action: QueueActionKind::Retry,
            ids: None,
            filter: Some(dead_sms()),
            dry_run,
        };
        let dry = support.queue_action(action(true)).await.unwrap();
        assert_eq!((dry.matched, dry.changed), (3, 0), "{}", db.name);
        let head = recent_audit(&db, 1).await[0].row.seq;
        let real = support.queue_action(action(false)).await.unwrap();
        assert_eq!(real.changed, dry.matched, "{}", db.name);
        assert_eq!(
            real.description,
            "retried 3 dead sms notifications (filter: status=dead, channel=sms)"
        );
        for id in &ids[..3] {
            let n = db
                .api
                .queue_store()
                .get_notification(*id)
                .await
                .unwrap()
                .unwrap()
                .notification;
            assert_eq!((n.status, n.retry_count), (QueueStatus::Pending, 0));
        }
        let audit = &recent_audit(&db, 1).await[0].row;
        assert!(audit.seq > head);
        let c = &audit.content;
        assert_eq!(
            (c.action_type.as_str(), c.table_name.as_str(), c.user_id),
            ("update", "notifications", Some(support_id))
        );
        assert_eq!(c.description, real.description);
        assert_eq!(c.severity, Severity::Medium);

        // One id: low severity, the id as record.
        let one = support
            .queue_action(QueueActionRequest {
                action: QueueActionKind::Cancel,
                ids: Some(vec![ids[4]]),
                filter: None,
                dry_run: false,
            })
            .await
            .unwrap();
        assert_eq!(one.changed, 1);
        let c = &recent_audit(&db, 1).await[0].row.content;
        assert_eq!(c.record_id.as_deref(), Some(ids[4].to_string().as_str()));
        assert_eq!(c.severity, Severity::Low);

        // A filter without a status would sweep the whole queue: refused, naming why.
        for filter in [None, Some(NotificationFilter::default())] {
            let e = support
                .queue_action(QueueActionRequest {
                    action: QueueActionKind::Cancel,
                    ids: None,
                    filter,
                    dry_run: true,
                })
                .await
                .unwrap_err();
            assert_eq!(e.code, ApiErrorCode::InvalidInput);
            assert!(e.message.contains("status"), "{}", e.message);
        }
        let e = support
            .queue_action(QueueActionRequest {
                action: QueueActionKind::Retry,
                ids: None,
                filter: Some(NotificationFilter {
                    status: Some(NotificationStatus::Sent),
                    ..NotificationFilter::default()
                }),
                dry_run: true,
            })
            .await
            .unwrap_err();
        assert!(e.message.contains("not sent"), "{}", e.message);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_summary_groups_failures_that_differ_only_in_ids() {
    both(|db| async move {
        let (_, manager) = operator(&db, "wanjiru", Role::Manager).await;
        let t = Timestamp::now();
        let ids = failures(
            &db,
            t,
            &[
                ("push", "webpush", "HTTP 410 for sub 123", false),
                ("push", "webpush", "HTTP 410 for sub 456", true),
                ("push", "webpush", "HTTP 404 for sub 789", false),
                (
                    "email",
                    "smtp",
                    "550 5.1.1 <a1@example.co.ke>: user unknown",
                    false,
                ),
                (
                    "email",
                    "smtp",
                    "550 5.1.1 <b2@example.co.ke>: user unknown",
                    false,
                ),
            ],
        )
        .await;
        let q = db.api.queue_store();
        let mut later = note("later", 3, Timestamp(t.0 + 3_600 * SEC));
        later.channel = "sms".into();
        q.enqueue(vec![later, note("due", 3, t)]).await.unwrap();

        let s = manager.queue_summary(QueueSummaryRequest {}).await.unwrap();
        assert_eq!(
            (
                s.counts.dead,
                s.counts.failed,
                s.counts.pending,
                s.counts.total
            ),
            (4, 1, 2, 7),
            "{}",
            db.name
        );
        let gone = s
            .failures
            .iter()
            .find(|g| g.pattern == "HTTP 410 for sub #")
            .unwrap_or_else(|| panic!("{}: {:?}", db.name, s.failures));
        assert_eq!((gone.count, gone.dead, gone.failed), (2, 1, 1));
        assert_eq!(gone.newest_id, ids[1]);
        assert_eq!(gone.provider.as_deref(), Some("webpush"));
        assert_eq!(gone.example_error, "HTTP 410 for sub 456");
        let smtp = s.failures.iter().find(|g| g.channel == "email").unwrap();
        assert_eq!(smtp.count, 2, "{:?}", s.failures);
        assert_eq!(s.failures.len(), 3, "{:?}", s.failures);
        assert_eq!(s.failures_scanned, 5);
        assert!(!s.failures_truncated);

        let depth = |c: &str| s.depth.iter().find(|d| d.channel == c).cloned().unwrap();
        let sms = depth("sms");
        assert_eq!(
            (sms.due, sms.scheduled, sms.total),
            (0, 1, 1),
            "{}",
            db.name
        );
        let email = depth("email");
        assert_eq!((email.due, email.retrying, email.total), (1, 0, 1));
        assert_eq!(depth("push").retrying, 1);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_notification_shows_attempts_and_why() {
    both(|db| async move {
        let (_, manager) = operator(&db, "otieno", Role::Manager).await;
        let customer = user(&db, "mteja", Role::Customer, Some("+254722000111")).await;
        let q = db.api.queue_store();
        let t = Timestamp::now();
        let mut row = note("send-1:sms", 3, t);
        row.channel = "sms".into();
        row.recipient_id = customer;
        let id = q.enqueue(vec![row]).await.unwrap()[0].0;
        let (_, lease) = q.claim("w", 1, 30_000, t).await.unwrap().remove(0);
        let retry_at = Timestamp(t.0 + 600 * SEC);
        q.fail(
            lease,
            attempt(t, "africastalking", "HTTP 502: bad gateway"),
            NextStep::Retry { at: retry_at },
            t,
        )
        .await
        .unwrap();
        let decision = |channel: &str, decision: &str, reason: &str, nid| NewDecision {
            send_key: "send-1".into(),
            recipient_id: customer,
            channel: channel.into(),
            notification_type: "orders".into(),
            decision: decision.into(),
            reason: reason.into(),
            notification_id: nid,
            digest_bucket_id: None,
            until: None,
            decided_at: t,
        };
        db.api
            .notify_data()
            .record_decisions(vec![
                decision("sms", "send", "sms is on for orders", Some(id)),
                decision("email", "skip", "email is off for orders", None),
            ])
            .await
            .unwrap();

        let head = recent_audit(&db, 1).await[0].row.seq;
        let v = manager
            .get_notification(GetNotificationRequest { id })
            .await
            .unwrap();
        assert_eq!(
            recent_audit(&db, 1).await[0].row.seq,
            head,
            "opening a notification is not audited"
        );
        assert_eq!(v.notification.status, NotificationStatus::Failed);
        assert_eq!(v.attempts.len(), 1, "{}", db.name);
        let a = &v.attempts[0];
        assert_eq!(
            (
                a.number,
                a.provider.as_str(),
                a.error.as_deref(),
                a.latency_ms
            ),
            (1, "africastalking", Some("HTTP 502: bad gateway"), 41)
        );
        assert_eq!(v.decisions.len(), 2, "{}: {:?}", db.name, v.decisions);
        let skipped = v.decisions.iter().find(|d| d.channel == "email").unwrap();
        assert_eq!(skipped.reason, "email is off for orders");
        assert!(!skipped.this_notification);
        assert!(v.decisions.iter().any(|d| d.this_notification));
        assert!(
            v.status_explanation
                .starts_with("attempt 1 of 3 failed: HTTP 502"),
            "{}",
            v.status_explanation
        );
        assert!(v.status_explanation.contains("next retry"));
        assert_eq!(v.recipient.unwrap().phone.as_deref(), Some("+254722000111"));

        // Filtered lists by error text and by the recipient's username.
        let page = manager
            .list_notifications(ListNotificationsRequest {
                filter: NotificationFilter {
                    error: Some("bad gateway".into()),
                    username: Some("mteja".into()),
                    ..NotificationFilter::default()
                },
                ..ListNotificationsRequest::default()
            })
            .await
            .unwrap();
        assert_eq!(page.items.len(), 1);
        assert_eq!(page.items[0].id, id);

        let e = manager
            .get_notification(GetNotificationRequest { id: id + 1000 })
            .await
            .unwrap_err();
        assert_eq!(e.code, ApiErrorCode::NotFound);
    })
    .await;
}
