//! SMS through the Africa's Talking API peer: rate limits with Retry-After, server errors
//! retried with backoff, permanent refusals dead at once, and giving up after max retries.

use crate::harness::{both, sms_providers, Db};
use gurumisha_core::queue::QueueStatus;
use gurumisha_core::Timestamp;
use gurumisha_notifier::{Notifier, SendRequest};
use gurumisha_notify::{Channel, NotificationType};
use gurumisha_testkit::sms_peers::{at_recipient_failure, ApiPeer, Scripted};
use std::time::Duration;

async fn one_sms(db: &Db, n: &Notifier) -> i64 {
    let user = db
        .user(
            &format!("u{}", uuid::Uuid::new_v4().simple()),
            "Africa/Nairobi",
        )
        .await;
    let mut r = SendRequest::new(user, NotificationType::Imports, &[Channel::Sms]);
    r.title = "Import IMP-2026-0142".into();
    r.message = "Gurumisha Motors: your import IMP-2026-0142 has arrived at Mombasa.".into();
    let out = n.send_notification(r).await.unwrap();
    out.channels[0].notification_id.unwrap()
}

#[tokio::test]
async fn a_429_waits_as_long_as_the_provider_asked() {
    both(|db: Db| async move {
        let peer = ApiPeer::africas_talking().await;
        peer.script([Scripted::too_many(
            "120",
            r#"{"error":"Too Many Requests"}"#,
        )]);
        let id = one_sms(&db, &db.notifier()).await;
        let worker = db.worker(sms_providers(&peer));
        let report = worker.drain().await.unwrap();
        assert_eq!(report.retrying, 1, "{}: {report:?}", db.name);
        let d = db.detail(id).await;
        let row = &d.notification;
        assert_eq!((row.status, row.retry_count), (QueueStatus::Failed, 1));
        let next = row.next_attempt_at.unwrap();
        assert!(
            next >= Timestamp(db.now().0 + 120_000_000),
            "{next:?} honours Retry-After"
        );
        assert!(
            next <= Timestamp(db.now().0 + 121_000_000),
            "no more than asked (+ backoff)"
        );
        assert_eq!(d.attempts[0].outcome, "rate_limited");

        db.advance(Duration::from_secs(60));
        assert_eq!(
            worker.drain().await.unwrap().claimed,
            0,
            "not before Retry-After"
        );
        db.advance(Duration::from_secs(61));
        let report = worker.drain().await.unwrap();
        assert_eq!(report.sent, 1);
        let row = db.detail(id).await.notification;
        assert_eq!(row.status, QueueStatus::Sent);
        assert!(row.provider_message_id.unwrap().starts_with("ATXid_"));
        assert_eq!(peer.requests().len(), 2);
    })
    .await;
}

#[tokio::test]
async fn a_500_is_retried_with_backoff_then_sent() {
    both(|db: Db| async move {
        let peer = ApiPeer::africas_talking().await;
        peer.script([Scripted::status(500, "upstream gateway error")]);
        let id = one_sms(&db, &db.notifier()).await;
        let worker = db.worker(sms_providers(&peer));
        worker.drain().await.unwrap();
        let row = db.detail(id).await.notification;
        assert_eq!(row.status, QueueStatus::Failed, "{}", db.name);
        let next = row.next_attempt_at.unwrap();
        // Full jitter over the first step: somewhere in [now, now + 15 s].
        assert!(
            next >= db.now() && next <= Timestamp(db.now().0 + 15_000_000),
            "{next:?}"
        );
        assert!(row.last_error.unwrap().contains("500"));
        db.advance(Duration::from_secs(16));
        assert_eq!(worker.drain().await.unwrap().sent, 1);
        let d = db.detail(id).await;
        assert_eq!(d.notification.status, QueueStatus::Sent);
        let outcomes: Vec<&str> = d.attempts.iter().map(|a| a.outcome.as_str()).collect();
        assert_eq!(outcomes, ["transient", "sent"]);
    })
    .await;
}

#[tokio::test]
async fn a_permanent_refusal_is_dead_at_once() {
    both(|db: Db| async move {
        let peer = ApiPeer::africas_talking().await;
        peer.script([at_recipient_failure(403, "InvalidPhoneNumber")]);
        let id = one_sms(&db, &db.notifier()).await;
        let report = db.worker(sms_providers(&peer)).drain().await.unwrap();
        assert_eq!(report.dead, 1, "{}: {report:?}", db.name);
        let row = db.detail(id).await.notification;
        assert_eq!((row.status, row.retry_count), (QueueStatus::Dead, 1));
        let err = row.last_error.unwrap();
        assert!(
            err.contains("permanent") && err.contains("InvalidPhoneNumber"),
            "{err}"
        );
        assert_eq!(row.next_attempt_at, None);
    })
    .await;
}

#[tokio::test]
async fn retries_run_out_and_the_row_dies_with_the_last_error() {
    both(|db: Db| async move {
        let peer = ApiPeer::africas_talking().await;
        peer.script((0..3).map(|_| Scripted::status(503, "service unavailable")));
        let id = one_sms(&db, &db.notifier_with(2)).await;
        let worker = db.worker(sms_providers(&peer));
        for _ in 0..3 {
            worker.drain().await.unwrap();
            db.advance(Duration::from_secs(3600));
        }
        let d = db.detail(id).await;
        let row = &d.notification;
        assert_eq!(
            (row.status, row.retry_count),
            (QueueStatus::Dead, 3),
            "{}",
            db.name
        );
        let err = row.last_error.clone().unwrap();
        assert!(
            err.contains("gave up after 3 attempts") && err.contains("503"),
            "{err}"
        );
        assert_eq!(d.attempts.len(), 3);
        assert_eq!(
            worker.drain().await.unwrap().claimed,
            0,
            "dead rows stay dead"
        );
        assert_eq!(peer.requests().len(), 3);
    })
    .await;
}
