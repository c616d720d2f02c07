//! Fan-out through preferences: skips with reasons, quiet hours in the user's zone, digests,
//! security above all of it, idempotency, and template versions pinned on the queue row.

use crate::harness::{both, Db, HOUR, T0};
use gurumisha_core::notify_data::DecisionFilter;
use gurumisha_core::Timestamp;
use gurumisha_notifier::shortcuts::{OrderInfo, SecurityAlert};
use gurumisha_notifier::SendRequest;
use gurumisha_notify::preferences::DecisionKind;
use gurumisha_notify::template::SecurityAlertKind;
use gurumisha_notify::{Channel, NotificationType, TemplateName};
use serde_json::json;

fn plain(user: i64, channels: &[Channel], key: &str) -> SendRequest {
    let mut r = SendRequest::new(user, NotificationType::Orders, channels);
    r.title = "Order ORD-1: Shipped".into();
    r.message = "Your order ORD-1 is now Shipped.".into();
    r.idempotency_key = Some(key.into());
    r
}

fn order() -> OrderInfo {
    OrderInfo {
        number: "ORD-10457".into(),
        vehicle: "2019 Toyota Harrier".into(),
        total_kes: 4_250_000,
        url: "https://gurumisha.test/dashboard/orders/10457/".into(),
    }
}

#[tokio::test]
async fn channel_off_is_skipped_quiet_hours_defer_in_the_users_zone_security_goes_at_once() {
    both(|db: Db| async move {
        let nairobi = db.user("wanjiru", "Africa/Nairobi").await;
        let tokyo = db.user("kenji", "Asia/Tokyo").await;
        let quiet = json!({"channels": {"email": true, "sms": false, "push": true, "in_app": true},
                           "quiet_hours": {"start": "22:00", "end": "07:00"}});
        db.prefs(nairobi, quiet.clone()).await;
        db.prefs(tokyo, quiet).await;
        let n = db.notifier();

        let channels = [Channel::Email, Channel::Sms, Channel::InApp];
        let out = n
            .send_notification(plain(nairobi, &channels, "k-nbo"))
            .await
            .unwrap();
        let by = |c: Channel| {
            out.channels
                .iter()
                .find(|o| o.channel == c)
                .unwrap()
                .clone()
        };
        let sms = by(Channel::Sms);
        assert_eq!(
            (sms.decision, sms.reason.as_str()),
            (DecisionKind::Skip, "sms is turned off")
        );
        assert_eq!(sms.notification_id, None);
        // 23:00 in Nairobi: quiet until 07:00 there, 04:00 UTC.
        let morning = Timestamp(T0.0 + 8 * HOUR);
        for c in [Channel::Email, Channel::InApp] {
            let o = by(c);
            assert_eq!(o.decision, DecisionKind::Defer, "{}: {o:?}", db.name);
            assert_eq!(o.until, Some(morning));
            assert!(o.reason.contains("07:00 Africa/Nairobi"), "{}", o.reason);
            let row = db.detail(o.notification_id.unwrap()).await.notification;
            assert_eq!(row.scheduled_at, morning);
            assert_eq!(row.idempotency_key, format!("k-nbo:{c}"));
        }
        let recorded = db
            .data()
            .list_decisions(&DecisionFilter {
                send_key: Some("k-nbo".into()),
                ..Default::default()
            })
            .await
            .unwrap();
        assert_eq!(
            recorded.len(),
            3,
            "one decision per channel, skips included"
        );
        let skip = recorded
            .iter()
            .find(|d| d.decision.channel == "sms")
            .unwrap();
        assert_eq!(
            (
                skip.decision.decision.as_str(),
                skip.decision.reason.as_str()
            ),
            ("skip", "sms is turned off")
        );

        // The same preferences in Tokyo (05:00 there): quiet until 07:00 Tokyo, 22:00 UTC.
        let out = n
            .send_notification(plain(tokyo, &[Channel::Email], "k-tyo"))
            .await
            .unwrap();
        assert_eq!(
            out.channels[0].until,
            Some(Timestamp(T0.0 + 2 * HOUR)),
            "{}",
            db.name
        );
        assert!(out.channels[0].reason.contains("Asia/Tokyo"));

        // Security ignores the switched-off channel and the quiet hours.
        let alert = SecurityAlert {
            kind: SecurityAlertKind::NewDevice,
            details: "Signed in from Chrome on Windows near Nakuru.".into(),
            occurred_at: T0,
            ip_address: "105.161.44.7".into(),
            count: 1,
            review_url: "https://gurumisha.test/dashboard/security/".into(),
        };
        let out = n.security_alert(nairobi, &alert).await.unwrap();
        assert_eq!(out.channels.len(), 4);
        for o in &out.channels {
            assert_eq!(o.decision, DecisionKind::Send, "{o:?}");
            let row = db.detail(o.notification_id.unwrap()).await.notification;
            assert_eq!((row.scheduled_at, row.priority), (T0, 1));
        }
    })
    .await;
}

#[tokio::test]
async fn digest_frequency_puts_items_in_the_users_bucket() {
    both(|db: Db| async move {
        let user = db.user("achieng", "Africa/Nairobi").await;
        db.prefs(user, json!({"frequency": "daily"})).await;
        let out = db
            .notifier()
            .send_notification(plain(user, &[Channel::Email, Channel::InApp], "k1"))
            .await
            .unwrap();
        for o in &out.channels {
            assert_eq!(o.decision, DecisionKind::Digest, "{}", db.name);
            assert!(o.digest_bucket_id.is_some() && o.notification_id.is_none());
            // The Nairobi day ends at 21:00 UTC.
            assert_eq!(o.until, Some(Timestamp(T0.0 + HOUR)));
        }
        let pending = db.data().pending_digests(10).await.unwrap();
        assert_eq!(pending.len(), 2);
        assert_eq!(
            db.queue().counts().await.unwrap().total(),
            0,
            "nothing queued yet"
        );
    })
    .await;
}

#[tokio::test]
async fn the_same_key_twice_is_one_notification() {
    both(|db: Db| async move {
        db.install_templates().await;
        let user = db.user("otieno", "Africa/Nairobi").await;
        let n = db.notifier();
        let first = n
            .order_status_change(user, &order(), "shipped")
            .await
            .unwrap();
        let again = n
            .order_status_change(user, &order(), "shipped")
            .await
            .unwrap();
        assert!(!first.replayed && again.replayed);
        assert_eq!(first.channels, again.channels);
        assert_eq!(db.queue().counts().await.unwrap().pending, 4, "{}", db.name);
        let decisions = db
            .data()
            .list_decisions(&DecisionFilter {
                send_key: Some(first.send_key.clone()),
                ..Default::default()
            })
            .await
            .unwrap();
        assert_eq!(decisions.len(), 4);
        // Same key through the plain API too: the per-channel queue keys collide, not duplicate.
        let mut r = plain(user, &[Channel::Sms], "plain-key");
        r.idempotency_key = Some("plain-key".into());
        let a = n.send_notification(r.clone()).await.unwrap();
        let b = n.send_notification(r).await.unwrap();
        assert_eq!(a.channels[0].notification_id, b.channels[0].notification_id);
        assert_eq!(db.queue().counts().await.unwrap().pending, 5);
    })
    .await;
}

#[tokio::test]
async fn a_queued_row_keeps_the_template_version_it_was_rendered_from() {
    both(|db: Db| async move {
        db.install_templates().await;
        let user = db.user("mwangi", "Africa/Nairobi").await;
        let n = db.notifier();
        let send = |key: &str| {
            let mut r = SendRequest::new(user, NotificationType::Orders, &[Channel::Email]);
            r.template_name = Some(TemplateName::parse("order_status_change").unwrap());
            r.context = json!({"order": {"number": "ORD-7", "vehicle": "Mazda CX-5",
                                         "total": 3_150_000, "url": "https://x/7"},
                               "new_status": "shipped", "status_label": "Shipped"});
            r.idempotency_key = Some(key.into());
            r
        };
        let v1 = n.send_notification(send("before")).await.unwrap().channels[0].notification_id;
        let data = db.data();
        let mut t = data
            .get_template("order_status_change", "email")
            .await
            .unwrap()
            .unwrap();
        assert_eq!(t.version, 1);
        t.subject_template = Some("Update on order {order.number}: {status_label}".into());
        let draft = gurumisha_core::notify_data::TemplateDraft {
            name: t.name,
            channel: t.channel,
            notification_type: t.notification_type,
            subject_template: t.subject_template,
            body_template: t.body_template,
            html_body_template: t.html_body_template,
            available_variables: t.available_variables,
            priority: t.priority,
            active: true,
            edited_by: Some("ops".into()),
            note: Some("clearer subject".into()),
        };
        let (saved, created) = data.save_template(draft, db.now()).await.unwrap();
        assert!(created && saved.version == 2);
        let v2 = n.send_notification(send("after")).await.unwrap().channels[0].notification_id;

        let old = db.detail(v1.unwrap()).await.notification;
        let new = db.detail(v2.unwrap()).await.notification;
        assert_eq!(
            (old.template_name.as_deref(), old.template_version),
            (Some("order_status_change"), Some(1))
        );
        assert_eq!(old.title, "Order ORD-7: Shipped", "{}", db.name);
        assert_eq!(new.template_version, Some(2));
        assert_eq!(new.title, "Update on order ORD-7: Shipped");
        assert!(new.html_body.unwrap().contains("ORD-7"));
    })
    .await;
}
