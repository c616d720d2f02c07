//! Versioned templates: versions grow, identical saves store nothing, pinned versions stay
//! readable, concurrent saves never share a version.

use super::{invalid_field, nd, SEC, T0};
use crate::harness::both;
use gurumisha_core::notify_data::TemplateDraft;
use gurumisha_core::Timestamp;
use std::collections::BTreeSet;

fn draft(name: &str, channel: &str, body: &str) -> TemplateDraft {
    TemplateDraft {
        name: name.into(),
        channel: channel.into(),
        notification_type: "orders".into(),
        subject_template: Some("Order {{ order.id }} update".into()),
        body_template: body.into(),
        html_body_template: Some(format!("<p>{body}</p>")),
        available_variables: vec!["recipient".into(), "order".into()],
        priority: 2,
        active: true,
        edited_by: Some("create-notification-templates".into()),
        note: Some("seed".into()),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn versions_grow_and_identical_saves_store_nothing() {
    both(|db| async move {
        let s = nd(&db);
        let n = db.name;
        let (v1, created) = s
            .save_template(
                draft("order_status_change", "email", "Hello"),
                Timestamp(T0),
            )
            .await
            .unwrap();
        assert!(created, "{n}");
        assert_eq!(v1.version, 1, "{n}");
        assert_eq!(v1.created_at, Timestamp(T0), "{n}");
        assert_eq!(v1.available_variables, vec!["recipient", "order"], "{n}");

        // Same content, another editor and note: nothing new.
        let mut same = draft("order_status_change", "email", "Hello");
        same.edited_by = Some("42".into());
        same.note = Some("no change really".into());
        let (cur, created) = s.save_template(same, Timestamp(T0 + SEC)).await.unwrap();
        assert!(!created, "{n}");
        assert_eq!(cur, v1, "{n}");

        // Any content field counts: body, then the active flag.
        let (v2, created) = s
            .save_template(
                draft("order_status_change", "email", "Hello again"),
                Timestamp(T0 + 2 * SEC),
            )
            .await
            .unwrap();
        assert!(created && v2.version == 2, "{n}: {v2:?}");
        let mut off = draft("order_status_change", "email", "Hello again");
        off.active = false;
        let (v3, created) = s.save_template(off, Timestamp(T0 + 3 * SEC)).await.unwrap();
        assert!(created && v3.version == 3 && !v3.active, "{n}: {v3:?}");

        let current = s
            .get_template("order_status_change", "email")
            .await
            .unwrap();
        assert_eq!(current.as_ref(), Some(&v3), "{n}");
        // A queued notification pinned version 1: still there, unchanged.
        let pinned = s
            .get_template_version("order_status_change", "email", 1)
            .await
            .unwrap();
        assert_eq!(pinned.as_ref(), Some(&v1), "{n}");
        assert_eq!(pinned.unwrap().body_template, "Hello", "{n}");
        assert!(s
            .get_template_version("order_status_change", "email", 4)
            .await
            .unwrap()
            .is_none());
        assert!(s
            .get_template("order_status_change", "sms")
            .await
            .unwrap()
            .is_none());

        let history = s
            .template_history("order_status_change", "email")
            .await
            .unwrap();
        let versions: Vec<i64> = history.iter().map(|t| t.version).collect();
        assert_eq!(versions, vec![3, 2, 1], "{n}: newest first");
        assert_eq!(history[2], v1, "{n}");
        assert!(s
            .template_history("nope", "email")
            .await
            .unwrap()
            .is_empty());
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn list_shows_each_current_version_once_in_byte_order() {
    both(|db| async move {
        let s = nd(&db);
        let at = Timestamp(T0);
        for d in [
            draft("order_shipped", "email", "one"),
            draft("order_shipped", "email", "two"),
            draft("order_shipped", "sms", "one"),
            // Upper case sorts before lower case in byte order, whatever the locale.
            draft("Welcome", "email", "karibu"),
            draft("import_cleared", "push", "one"),
        ] {
            s.save_template(d, at).await.unwrap();
        }
        let list: Vec<(String, String, i64)> = s
            .list_templates()
            .await
            .unwrap()
            .into_iter()
            .map(|t| (t.name, t.channel, t.version))
            .collect();
        let want = [
            ("Welcome", "email", 1),
            ("import_cleared", "push", 1),
            ("order_shipped", "email", 2),
            ("order_shipped", "sms", 1),
        ];
        let want: Vec<(String, String, i64)> = want
            .iter()
            .map(|(a, b, v)| (a.to_string(), b.to_string(), *v))
            .collect();
        assert_eq!(list, want, "{}", db.name);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_saves_never_share_a_version() {
    both(|db| async move {
        let s = nd(&db);
        let tasks: Vec<_> = (0..8)
            .map(|i| {
                let s = s.clone();
                tokio::spawn(async move {
                    let d = draft("payment_received", "email", &format!("body {i}"));
                    s.save_template(d, Timestamp(T0 + i)).await.unwrap()
                })
            })
            .collect();
        let mut versions = BTreeSet::new();
        for t in tasks {
            let (v, created) = t.await.unwrap();
            assert!(created, "{}", db.name);
            versions.insert(v.version);
        }
        assert_eq!(versions, (1..=8).collect(), "{}", db.name);
        let history = s
            .template_history("payment_received", "email")
            .await
            .unwrap();
        assert_eq!(history.len(), 8, "{}", db.name);
        let bodies: BTreeSet<String> = history.into_iter().map(|t| t.body_template).collect();
        assert_eq!(bodies.len(), 8, "{}: every save kept its own body", db.name);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_template_input_names_the_field() {
    both(|db| async move {
        let s = nd(&db);
        let at = Timestamp(T0);
        let mut d = draft("order_shipped", "email", "x");
        d.priority = 0;
        assert_eq!(invalid_field(s.save_template(d, at).await), "priority");
        let mut d = draft("order_shipped", "email", "x");
        d.priority = 6;
        assert_eq!(invalid_field(s.save_template(d, at).await), "priority");
        assert_eq!(
            invalid_field(s.save_template(draft("", "email", "x"), at).await),
            "name"
        );
        assert_eq!(
            invalid_field(s.save_template(draft("order_shipped", " ", "x"), at).await),
            "channel"
        );
        // Unknown channels are the notify crate's business, not the store's.
        let (v, _) = s
            .save_template(draft("order_shipped", "carrier_pigeon", "x"), at)
            .await
            .unwrap();
        assert_eq!(v.version, 1);
        assert!(s
            .get_template("order_shipped", "email")
            .await
            .unwrap()
            .is_none());
    })
    .await;
}
