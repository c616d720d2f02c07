//! Digests: items gathered in a daily bucket go out once, as one message, when the window ends
//! (and only once even when a flush is repeated or crashed after enqueueing).

use crate::harness::{both, Db, HOUR, T0};
use gurumisha_core::query::PageRequest;
use gurumisha_core::queue::NewNotification;
use gurumisha_core::Timestamp;
use gurumisha_notifier::SendRequest;
use gurumisha_notify::{Channel, NotificationType};
use serde_json::json;
use std::time::Duration;

#[tokio::test]
async fn a_due_bucket_is_flushed_once_as_one_message() {
    both(|db: Db| async move {
        db.install_templates().await;
        let user = db.user("wambui", "Africa/Nairobi").await;
        db.prefs(user, json!({"frequency": "daily"})).await;
        let n = db.notifier();
        let mut bucket = None;
        for (i, what) in [
            "Order ORD-1 is now Shipped",
            "Import IMP-9: In customs",
            "New reply about the Forester",
        ]
        .iter()
        .enumerate()
        {
            let mut r = SendRequest::new(user, NotificationType::Orders, &[Channel::InApp]);
            r.title = what.to_string();
            r.message = format!("{what}.");
            r.idempotency_key = Some(format!("d{i}"));
            let out = n.send_notification(r).await.unwrap();
            bucket = out.channels[0].digest_bucket_id;
        }
        let bucket = bucket.unwrap();
        let worker = db.worker(Default::default());
        assert_eq!(
            worker.flush_digests().await.unwrap(),
            0,
            "the day is not over"
        );

        // A flush that crashed after enqueueing left this row behind: the retry finds it.
        db.advance(Duration::from_secs(2 * 3600));
        assert!(db.now() > Timestamp(T0.0 + HOUR));
        let crashed = NewNotification {
            idempotency_key: format!("digest:{bucket}"),
            recipient_id: user,
            channel: "in_app".into(),
            notification_type: "system".into(),
            template_name: None,
            template_version: None,
            title: "3 updates".into(),
            body: "(left by a crashed flush)".into(),
            html_body: None,
            context: json!({}),
            priority: 3,
            scheduled_at: db.now(),
            created_at: db.now(),
            max_retries: 3,
        };
        let (row_id, _) = db.queue().enqueue(vec![crashed]).await.unwrap()[0];
        assert_eq!(worker.flush_digests().await.unwrap(), 1, "{}", db.name);
        assert_eq!(worker.flush_digests().await.unwrap(), 0, "flushed once");
        assert_eq!(
            db.queue().counts().await.unwrap().total(),
            1,
            "one message for the bucket"
        );
        assert!(db.data().pending_digests(10).await.unwrap().is_empty());
        let report = worker.drain().await.unwrap();
        assert_eq!(report.sent, 1);
        let inbox = db
            .data()
            .list_inbox(user, false, &PageRequest::first(10))
            .await
            .unwrap();
        assert_eq!(inbox.items.len(), 1);
        assert_eq!(inbox.items[0].notification_id, row_id);
    })
    .await;
}

#[tokio::test]
async fn a_flushed_digest_lists_its_items_with_the_digest_template() {
    both(|db: Db| async move {
        db.install_templates().await;
        let user = db.user("makena", "Africa/Nairobi").await;
        db.prefs(user, json!({"frequency": "daily"})).await;
        for (i, what) in ["Order ORD-1 is now Shipped", "Import IMP-9: In customs"]
            .iter()
            .enumerate()
        {
            let mut r = SendRequest::new(user, NotificationType::Imports, &[Channel::Email]);
            r.title = what.to_string();
            r.message = format!("{what}.");
            r.idempotency_key = Some(format!("e{i}"));
            db.notifier().send_notification(r).await.unwrap();
        }
        db.advance(Duration::from_secs(2 * 3600));
        let worker = db.worker(Default::default());
        assert_eq!(worker.flush_digests().await.unwrap(), 1, "{}", db.name);
        let page = db
            .queue()
            .list_queue(&Default::default(), &PageRequest::first(10))
            .await
            .unwrap();
        let row = &page.items[0];
        assert_eq!(row.idempotency_key.split(':').next(), Some("digest"));
        assert_eq!(row.template_name.as_deref(), Some("notification_digest"));
        assert_eq!(
            row.title,
            "Your Gurumisha Motors updates for Thursday 26 Nov 2026"
        );
        assert!(row.body.contains("You have 2 updates"), "{}", row.body);
        assert!(
            row.body
                .contains("- Order ORD-1 is now Shipped\n- Import IMP-9: In customs"),
            "{}",
            row.body
        );
    })
    .await;
}
