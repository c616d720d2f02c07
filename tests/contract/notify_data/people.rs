//! Per-user data: preferences, fan-out decisions, push subscriptions, contact details.

use super::{invalid_field, nd, HOUR, SEC, T0};
use crate::harness::{both, Db};
use gurumisha_core::domain::{Email, PhoneE164, Role};
use gurumisha_core::notify_data::{DecisionFilter, NewDecision, PushSubscriptionRow};
use gurumisha_core::platform::NewUser;
use gurumisha_core::Timestamp;
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn preferences_set_get_many_and_overwrite() {
    both(|db| async move {
        let s = nd(&db);
        let n = db.name;
        assert!(s.get_preferences(1).await.unwrap().is_none(), "{n}");
        let p1 = json!({"channels": {"email": true, "sms": false}, "quiet_hours": null});
        s.set_preferences(1, p1.clone(), Timestamp(T0))
            .await
            .unwrap();
        s.set_preferences(2, json!({"digest": "daily"}), Timestamp(T0))
            .await
            .unwrap();
        let got = s.get_preferences(1).await.unwrap().unwrap();
        assert_eq!((got.user_id, &got.preferences), (1, &p1), "{n}");
        assert_eq!(got.updated_at, Timestamp(T0), "{n}");

        let p1b = json!({"channels": {"email": false}, "time_zone": "Africa/Nairobi"});
        s.set_preferences(1, p1b.clone(), Timestamp(T0 + SEC))
            .await
            .unwrap();
        let got = s.get_preferences(1).await.unwrap().unwrap();
        assert_eq!(got.preferences, p1b, "{n}: replaced, not merged");
        assert_eq!(got.updated_at, Timestamp(T0 + SEC), "{n}");

        let many = s.get_preferences_many(&[3, 2, 1, 2]).await.unwrap();
        let ids: Vec<i64> = many.iter().map(|p| p.user_id).collect();
        assert_eq!(ids, vec![1, 2], "{n}: unknown ids left out, by id");
        assert_eq!(many[1].preferences, json!({"digest": "daily"}), "{n}");
        assert!(s.get_preferences_many(&[]).await.unwrap().is_empty());

        let bad = s.set_preferences(1, json!(["email"]), Timestamp(T0)).await;
        assert_eq!(invalid_field(bad), "preferences");
        assert_eq!(
            s.get_preferences(1).await.unwrap().unwrap().preferences,
            p1b
        );
    })
    .await;
}

fn decision(key: &str, user: i64, channel: &str, what: &str) -> NewDecision {
    NewDecision {
        send_key: key.into(),
        recipient_id: user,
        channel: channel.into(),
        notification_type: "orders".into(),
        decision: what.into(),
        reason: format!("{channel}: {what}"),
        notification_id: None,
        digest_bucket_id: None,
        until: None,
        decided_at: Timestamp(T0),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn decisions_are_found_by_each_filter() {
    both(|db| async move {
        let s = nd(&db);
        let n = db.name;
        let mut send = decision("k1", 7, "email", "send");
        send.notification_id = Some(101);
        let skip = decision("k1", 7, "sms", "skip");
        let mut defer = decision("k1", 7, "push", "defer");
        defer.notification_id = Some(102);
        defer.until = Some(Timestamp(T0 + 8 * HOUR));
        let mut digest = decision("k2", 8, "email", "digest");
        digest.digest_bucket_id = Some(5);
        digest.until = Some(Timestamp(T0 + 24 * HOUR));
        let rows = vec![send.clone(), skip.clone(), defer.clone(), digest.clone()];
        s.record_decisions(rows.clone()).await.unwrap();
        s.record_decisions(Vec::new()).await.unwrap();

        let by = |f: DecisionFilter| {
            let s = s.clone();
            async move { s.list_decisions(&f).await.unwrap() }
        };
        let k1 = by(DecisionFilter {
            send_key: Some("k1".into()),
            ..Default::default()
        })
        .await;
        let got: Vec<NewDecision> = k1.iter().map(|d| d.decision.clone()).collect();
        assert_eq!(
            got,
            vec![send.clone(), skip, defer.clone()],
            "{n}: oldest first"
        );
        assert!(k1.windows(2).all(|w| w[0].id < w[1].id), "{n}");

        let by_note = by(DecisionFilter {
            notification_id: Some(102),
            ..Default::default()
        })
        .await;
        assert_eq!(by_note.len(), 1, "{n}");
        assert_eq!(by_note[0].decision, defer, "{n}: until round-trips");

        let by_user = by(DecisionFilter {
            recipient_id: Some(8),
            ..Default::default()
        })
        .await;
        assert_eq!(by_user.len(), 1, "{n}");
        assert_eq!(by_user[0].decision, digest, "{n}");

        let both_set = by(DecisionFilter {
            send_key: Some("k1".into()),
            recipient_id: Some(8),
            notification_id: None,
        })
        .await;
        assert!(both_set.is_empty(), "{n}: every set field must match");

        let e = s.list_decisions(&DecisionFilter::default()).await;
        assert_eq!(invalid_field(e), "filter");
        let e = s
            .record_decisions(vec![decision("k3", 1, "email", "maybe")])
            .await;
        assert_eq!(invalid_field(e), "decision");
        let e = s
            .record_decisions(vec![decision("", 1, "email", "send")])
            .await;
        assert_eq!(invalid_field(e), "send_key");
    })
    .await;
}

fn sub(user: i64, endpoint: &str, keys: &str, at: i64) -> PushSubscriptionRow {
    PushSubscriptionRow {
        user_id: user,
        endpoint: endpoint.into(),
        p256dh: format!("BP{keys}"),
        auth: format!("au{keys}"),
        created_at: Timestamp(at),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn push_subscriptions_upsert_by_endpoint_and_delete() {
    both(|db| async move {
        let s = nd(&db);
        let n = db.name;
        let e1 = "https://fcm.googleapis.com/fcm/send/abc";
        let e2 = "https://updates.push.services.mozilla.com/wpush/v2/def";
        s.save_push_subscription(sub(1, e1, "old", T0))
            .await
            .unwrap();
        s.save_push_subscription(sub(1, e2, "x", T0 + SEC))
            .await
            .unwrap();
        // The browser refreshed its keys: same endpoint, one row, new keys.
        s.save_push_subscription(sub(1, e1, "new", T0 + 2 * SEC))
            .await
            .unwrap();
        let subs = s.push_subscriptions(1).await.unwrap();
        assert_eq!(subs.len(), 2, "{n}");
        assert_eq!(subs[0].endpoint, e1, "{n}: oldest first");
        assert_eq!(
            (subs[0].p256dh.as_str(), subs[0].auth.as_str()),
            ("BPnew", "aunew")
        );
        assert_eq!(subs[0].created_at, Timestamp(T0), "{n}: first seen stays");

        // Another person signs in on that browser: the endpoint moves to them.
        s.save_push_subscription(sub(2, e2, "y", T0 + 3 * SEC))
            .await
            .unwrap();
        assert_eq!(s.push_subscriptions(1).await.unwrap().len(), 1, "{n}");
        assert_eq!(
            s.push_subscriptions(2).await.unwrap()[0].endpoint,
            e2,
            "{n}"
        );

        assert!(s.delete_push_subscription(e1).await.unwrap(), "{n}");
        assert!(
            !s.delete_push_subscription(e1).await.unwrap(),
            "{n}: gone already"
        );
        assert!(s.push_subscriptions(1).await.unwrap().is_empty(), "{n}");
        let e = s.save_push_subscription(sub(1, "", "k", T0)).await;
        assert_eq!(invalid_field(e), "endpoint");
    })
    .await;
}

fn person(username: &str, phone: Option<&str>, active: bool, tz: &str) -> NewUser {
    NewUser {
        username: username.into(),
        first_name: "Achieng".into(),
        last_name: username.to_uppercase(),
        email: Email::parse(&format!("{username}@example.co.ke")).unwrap(),
        phone: phone.map(|p| PhoneE164::parse(p).unwrap()),
        role: Role::Customer,
        is_staff: false,
        is_active: active,
        date_joined: Timestamp(T0),
        time_zone: tz.into(),
        password_hash: "!".into(),
    }
}

async fn people(db: &Db) -> Vec<i64> {
    db.api
        .store()
        .insert_users(vec![
            person(
                "achieng.otieno",
                Some("+254722000111"),
                true,
                "Africa/Nairobi",
            ),
            person("brian.mwangi", None, true, "Africa/Kampala"),
            person(
                "chebet.kiprop",
                Some("+254733000222"),
                false,
                "Africa/Nairobi",
            ),
        ])
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn contacts_of_several_users_in_one_call() {
    both(|db| async move {
        let s = nd(&db);
        let n = db.name;
        let ids = people(&db).await;
        let got = s
            .contacts(&[ids[2], 999_999, ids[0], ids[1]])
            .await
            .unwrap();
        let got_ids: Vec<i64> = got.iter().map(|c| c.user_id).collect();
        assert_eq!(got_ids, ids, "{n}: by id, unknown ids left out");
        assert_eq!(got[0].email, "achieng.otieno@example.co.ke", "{n}");
        assert_eq!(got[0].phone.as_deref(), Some("+254722000111"), "{n}");
        assert_eq!(
            (got[0].first_name.as_str(), got[0].last_name.as_str()),
            ("Achieng", "ACHIENG.OTIENO")
        );
        assert_eq!(got[1].phone, None, "{n}");
        assert_eq!(got[1].time_zone, "Africa/Kampala", "{n}");
        assert!(got[0].is_active && !got[2].is_active, "{n}");
        assert!(s.contacts(&[]).await.unwrap().is_empty());
        assert!(s.contacts(&[123_456]).await.unwrap().is_empty());
    })
    .await;
}
