//! In-app notifications land in the inbox; push goes to every subscription through the real
//! Web Push endpoint (VAPID checked, payload decrypted), and a gone subscription is dropped.

use crate::harness::{both, from_env, Db};
use gurumisha_core::notify_data::PushSubscriptionRow;
use gurumisha_core::query::PageRequest;
use gurumisha_core::queue::QueueStatus;
use gurumisha_notifier::SendRequest;
use gurumisha_notify::{Channel, NotificationType};
use gurumisha_providers::push::VapidKey;
use gurumisha_testkit::push_peer::PushPeer;
use gurumisha_testkit::sms_peers::Scripted;
use secrecy::ExposeSecret;

fn request(user: i64, channel: Channel) -> SendRequest {
    let mut r = SendRequest::new(user, NotificationType::Imports, &[channel]);
    r.title = "Import IMP-2026-0142: Arrived at the dock (Mombasa)".into();
    r.message = "Your 2018 Mazda CX-5 is now at stage: Arrived at the dock (Mombasa).".into();
    r.context = serde_json::json!({"url": "https://gurumisha.test/dashboard/imports/142/"});
    r
}

#[tokio::test]
async fn in_app_goes_to_the_inbox() {
    both(|db: Db| async move {
        let user = db.user("njeri", "Africa/Nairobi").await;
        let out = db
            .notifier()
            .send_notification(request(user, Channel::InApp))
            .await
            .unwrap();
        let id = out.channels[0].notification_id.unwrap();
        let report = db.worker(Default::default()).drain().await.unwrap();
        assert_eq!(report.sent, 1, "{}: {report:?}", db.name);
        let page = db
            .data()
            .list_inbox(user, true, &PageRequest::first(10))
            .await
            .unwrap();
        assert_eq!(page.items.len(), 1);
        let item = &page.items[0];
        assert_eq!(
            (item.notification_id, item.notification_type.as_str()),
            (id, "imports")
        );
        assert!(item.title.starts_with("Import IMP-2026-0142"));
        let row = db.detail(id).await.notification;
        assert_eq!(
            (row.status, row.provider.as_deref()),
            (QueueStatus::Sent, Some("inbox"))
        );
        assert_eq!(row.provider_message_id, Some(format!("inbox-{}", item.id)));
        assert_eq!(db.data().unread_count(user).await.unwrap(), 1);
    })
    .await;
}

#[tokio::test]
async fn push_reaches_every_subscription_and_a_gone_one_is_dropped() {
    both(|db: Db| async move {
        let peer = PushPeer::start().await;
        peer.answer_token("old-phone", Scripted::status(410, "unsubscribed"));
        let user = db.user("baraka", "Africa/Nairobi").await;
        for token in ["laptop", "old-phone"] {
            let (endpoint, p256dh, auth) = peer.subscription_at(token);
            db.data()
                .save_push_subscription(PushSubscriptionRow {
                    user_id: user,
                    endpoint,
                    p256dh,
                    auth,
                    created_at: db.now(),
                })
                .await
                .unwrap();
        }
        let key = VapidKey::generate();
        let providers = from_env(&[
            (
                "GURUMISHA_VAPID_PRIVATE_KEY",
                key.private_base64url().expose_secret().to_owned(),
            ),
            (
                "GURUMISHA_VAPID_SUBJECT",
                "mailto:ops@gurumisha.co.ke".into(),
            ),
        ]);
        let out = db
            .notifier()
            .send_notification(request(user, Channel::Push))
            .await
            .unwrap();
        let report = db.worker(providers).drain().await.unwrap();
        assert_eq!(report.sent, 1, "{}: {report:?}", db.name);
        assert!(peer.rejected().is_empty(), "{:?}", peer.rejected());
        let got = peer.received();
        assert_eq!(got.len(), 2);
        let laptop = got.iter().find(|r| r.token == "laptop").unwrap();
        let payload: serde_json::Value = serde_json::from_slice(&laptop.plaintext).unwrap();
        assert_eq!(
            payload["title"],
            "Import IMP-2026-0142: Arrived at the dock (Mombasa)"
        );
        assert_eq!(
            payload["url"],
            "https://gurumisha.test/dashboard/imports/142/"
        );
        let left = db.data().push_subscriptions(user).await.unwrap();
        assert_eq!(left.len(), 1);
        assert!(left[0].endpoint.ends_with("/laptop"));
        let row = db
            .detail(out.channels[0].notification_id.unwrap())
            .await
            .notification;
        assert_eq!(row.status, QueueStatus::Sent);
        assert!(row.provider_message_id.unwrap().starts_with(&peer.origin));
    })
    .await;
}
