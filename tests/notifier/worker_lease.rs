//! Leases and shutdown: a worker whose lease was taken over cannot record its result, and a
//! cancelled worker stops claiming but finishes (and records) the send it has in flight.

use crate::harness::{both, smtp_providers, Db};
use gurumisha_core::queue::QueueStatus;
use gurumisha_notifier::{CancellationToken, SendRequest};
use gurumisha_notify::{Channel, NotificationType};
use gurumisha_testkit::smtp_server::SmtpServer;
use mail_parser::MessageParser;
use std::time::Duration;

async fn email(db: &Db, user: i64, n: u32) -> i64 {
    let mut r = SendRequest::new(user, NotificationType::Orders, &[Channel::Email]);
    r.title = format!("Order ORD-{n}: Confirmed");
    r.message = format!("Your order ORD-{n} is confirmed.");
    db.notifier().send_notification(r).await.unwrap().channels[0]
        .notification_id
        .unwrap()
}

#[tokio::test]
async fn a_worker_whose_lease_was_taken_over_cannot_complete() {
    both(|db: Db| async move {
        let server = SmtpServer::start().await;
        let user = db.user("chebet", "Africa/Nairobi").await;
        let id = email(&db, user, 1).await;
        let lease = Duration::from_secs(60);
        let slow = db.worker_with(smtp_providers(&server), |c| {
            c.lease = Some(lease);
            c.batch_size = 1;
            c.send_timeout = Duration::from_secs(20);
        });
        server.hold_next(1);
        let first = tokio::spawn(async move { slow.drain().await.unwrap() });
        server.wait_held(1).await;

        // The first worker looks dead: its lease runs out and another worker takes the row.
        db.advance(lease + Duration::from_secs(1));
        let second = db.worker(smtp_providers(&server)).drain().await.unwrap();
        assert_eq!(
            (second.claimed, second.sent),
            (1, 1),
            "{}: {second:?}",
            db.name
        );
        server.release();
        let first = first.await.unwrap();
        assert_eq!((first.sent, first.lease_lost), (0, 1), "{first:?}");

        let d = db.detail(id).await;
        assert_eq!(d.notification.status, QueueStatus::Sent);
        assert_eq!(
            d.attempts.len(),
            1,
            "only the current lease holder's attempt counts"
        );
        // Both messages reached the server (the old one was in flight); the row names the one
        // whose lease was current.
        let got = server.received();
        assert_eq!(got.len(), 2);
        let ids: Vec<String> = got
            .iter()
            .map(|m| {
                MessageParser::default()
                    .parse(&m.data)
                    .unwrap()
                    .message_id()
                    .unwrap()
                    .to_owned()
            })
            .collect();
        let kept = d.notification.provider_message_id.unwrap();
        assert!(ids.contains(&kept.trim_matches(['<', '>']).to_owned()));
    })
    .await;
}

#[tokio::test]
async fn shutdown_stops_claiming_and_finishes_the_send_in_flight() {
    both(|db: Db| async move {
        let server = SmtpServer::start().await;
        let user = db.user("kiptoo", "Africa/Nairobi").await;
        let worker = db.worker(smtp_providers(&server));
        let stop = CancellationToken::new();
        let token = stop.clone();
        let running = tokio::spawn(async move { worker.run(token).await.unwrap() });
        server.hold_next(1);
        let first = email(&db, user, 1).await;
        server.wait_held(1).await;
        stop.cancel();
        // A claim already running when the token was cancelled may still return rows (they
        // would be finished too); give it time to end, then nothing new may be claimed.
        tokio::time::sleep(Duration::from_millis(200)).await;
        let second = email(&db, user, 2).await;
        tokio::time::sleep(Duration::from_millis(200)).await;
        assert!(
            !running.is_finished(),
            "{}: waits for the send in flight",
            db.name
        );
        server.release();
        let report = tokio::time::timeout(Duration::from_secs(10), running)
            .await
            .expect("the worker exits")
            .unwrap();
        assert_eq!((report.claimed, report.sent), (1, 1), "{report:?}");
        assert_eq!(
            db.detail(first).await.notification.status,
            QueueStatus::Sent
        );
        assert_eq!(
            db.detail(second).await.notification.status,
            QueueStatus::Pending
        );
        assert_eq!(server.received().len(), 1);
    })
    .await;
}
