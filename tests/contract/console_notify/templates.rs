//! The template views: previews with inline errors and SMS cost, versioned saves whose diff
//! lands in the audit trail, and test sends to the operator.

use super::{operator, recent_audit, sign_in, user};
use crate::harness::both;
use gurumisha_api::types::*;
use gurumisha_core::domain::*;
use gurumisha_notify::template::{SmsEncoding, TemplateErrorKind};
use gurumisha_notify::{Channel, NotificationStatus, NotificationType};
use serde_json::json;

fn preview(channel: Channel, body: &str) -> PreviewTemplateRequest {
    PreviewTemplateRequest {
        name: Some("order_status_change".into()),
        channel,
        notification_type: None,
        subject: None,
        body: body.into(),
        html: None,
        available_variables: None,
        context: None,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn previews_mark_errors_and_count_sms_segments() {
    both(|db| async move {
        let (_, manager) = operator(&db, "chebet", Role::Manager).await;
        let p = manager
            .preview_template(preview(
                Channel::Sms,
                "Habari {recipient.first_name},\nOrder {order.number is late",
            ))
            .await
            .unwrap();
        assert!(!p.ok);
        let e = &p.problems[0];
        assert_eq!(
            (e.field.as_str(), e.kind, e.line, e.column),
            (
                "body",
                Some(TemplateErrorKind::UnclosedBrace),
                Some(2),
                Some(7)
            ),
            "{}",
            db.name
        );
        let p = manager
            .preview_template(preview(Channel::Sms, "Hi {payment.code}"))
            .await
            .unwrap();
        assert_eq!(p.problems[0].kind, Some(TemplateErrorKind::UnknownVariable));

        // The sample context: a Kenyan customer and order.
        let body = "Habari {recipient.first_name}! Oda yako {order.number} ({order.vehicle}) \
                    imesafirishwa. Asante kwa kununua na Gurumisha Motors 🚗";
        let p = manager
            .preview_template(preview(Channel::Sms, body))
            .await
            .unwrap();
        assert!(p.ok, "{:?}", p.problems);
        let text = &p.rendered.as_ref().unwrap().body;
        assert!(
            text.starts_with("Habari Wanjiku! Oda yako ORD-10457"),
            "{text}"
        );
        let sms = p.sms.unwrap();
        assert_eq!(sms.encoding, SmsEncoding::Ucs2, "the emoji forces UCS-2");
        assert!(sms.characters > 70 && sms.segments == 2, "{sms:?}");
        let p = manager
            .preview_template(preview(Channel::Sms, &"Karibu sana. ".repeat(13)))
            .await
            .unwrap();
        let sms = p.sms.unwrap();
        assert_eq!((sms.encoding, sms.segments), (SmsEncoding::Gsm7, 2));
        assert_eq!(sms.characters, 169);

        // An e-mail needs a subject; SMS has none.
        let p = manager
            .preview_template(preview(Channel::Email, "Hello"))
            .await
            .unwrap();
        assert_eq!(p.problems[0].field, "subject");
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn saving_a_template_makes_a_version_and_audits_the_diff() {
    both(|db| async move {
        let (admin_id, admin) = operator(&db, "akinyi", Role::Admin).await;
        let save = |body: &str| SaveTemplateRequest {
            name: "order_status_change".into(),
            channel: Channel::Sms,
            notification_type: None,
            subject: None,
            body: body.into(),
            html: None,
            available_variables: None,
            priority: None,
            active: None,
            note: Some("shorter".into()),
        };
        let first = admin
            .save_template(save("Order {order.number}: {status_label}"))
            .await
            .unwrap();
        assert!(first.created && first.template.version == 1, "{}", db.name);
        let second = admin
            .save_template(save("Oda {order.number}: {status_label}. Asante!"))
            .await
            .unwrap();
        assert_eq!(second.template.version, 2);
        assert_eq!(
            second.template.edited_by_name.as_deref(),
            Some("Njeri Mwangi")
        );
        let same = admin
            .save_template(save("Oda {order.number}: {status_label}. Asante!"))
            .await
            .unwrap();
        assert!(!same.created && same.change_set_id.is_none());

        let rows = admin
            .get_change_set(ChangeSetQuery {
                change_set_id: second.change_set_id.clone().unwrap(),
            })
            .await
            .unwrap();
        assert_eq!(rows.len(), 1, "only the body changed: {rows:?}");
        let r = &rows[0];
        assert_eq!(
            (
                r.table_name.as_str(),
                r.record_id.as_deref(),
                r.field_name.as_deref()
            ),
            (
                "notification_templates",
                Some("order_status_change:sms"),
                Some("body_template")
            )
        );
        assert_eq!(
            r.old_value,
            Some(json!("Order {order.number}: {status_label}"))
        );
        assert_eq!(
            r.new_value,
            Some(json!("Oda {order.number}: {status_label}. Asante!"))
        );
        assert_eq!(r.user_id, Some(admin_id));
        let mine = admin
            .list_activity(ActivityQuery {
                mine: Some(true),
                ..Default::default()
            })
            .await
            .unwrap();
        assert!(mine.items.iter().any(|a| a
            .description
            .starts_with("Console: edited template order_status_change")));

        let detail = admin
            .get_template(GetTemplateRequest {
                name: "order_status_change".into(),
            })
            .await
            .unwrap();
        let sms = &detail.channels[0];
        assert_eq!(sms.history.len(), 2);
        assert_eq!(sms.current.version, 2);
        assert_eq!(sms.history[1].body, "Order {order.number}: {status_label}");
        let list = admin.list_templates(ListTemplatesRequest {}).await.unwrap();
        assert_eq!(list.templates[0].channels[0].version, 2);
        assert_eq!(list.templates[0].notification_type, "orders");

        let e = admin
            .save_template(save("Oda {order.number"))
            .await
            .unwrap_err();
        assert_eq!(e.code, ApiErrorCode::InvalidInput);
        assert!(
            e.message.contains("invalid body") && e.message.contains("line 1"),
            "{}",
            e.message
        );
        let mut custom = save("Hello");
        custom.name = "service_reminder".into();
        let e = admin.save_template(custom.clone()).await.unwrap_err();
        assert!(e.message.contains("notification_type"), "{}", e.message);
        custom.notification_type = Some(NotificationType::System);
        assert!(admin.save_template(custom).await.unwrap().created);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_test_send_queues_one_notification_for_the_operator() {
    both(|db| async move {
        let (admin_id, admin) = operator(&db, "wekesa", Role::Admin).await;
        admin
            .save_template(SaveTemplateRequest {
                name: "order_status_change".into(),
                channel: Channel::Sms,
                notification_type: None,
                subject: None,
                body: "Habari {recipient.first_name}, oda {order.number}: {status_label}".into(),
                html: None,
                available_variables: None,
                priority: None,
                active: None,
                note: None,
            })
            .await
            .unwrap();
        let sent = admin
            .send_test_template(SendTestTemplateRequest {
                name: "order_status_change".into(),
                channel: Channel::Sms,
            })
            .await
            .unwrap();
        assert_eq!(sent.address, "+254712345678");
        assert_eq!(sent.body, "Habari Njeri, oda ORD-10457: Shipped");
        let v = admin
            .get_notification(GetNotificationRequest {
                id: sent.notification_id,
            })
            .await
            .unwrap();
        let n = &v.notification;
        assert_eq!(
            (n.recipient_id, n.channel.as_str(), n.status),
            (admin_id, "sms", NotificationStatus::Pending),
            "{}",
            db.name
        );
        assert_eq!(n.template_version, Some(1));
        assert!(n.title.starts_with("[Test]"), "{}", n.title);
        assert_eq!(v.decisions.len(), 1);
        assert!(v.decisions[0].reason.contains("template editor"));
        let c = &recent_audit(&db, 1).await[0].row.content;
        assert_eq!(c.user_id, Some(admin_id));
        assert!(c
            .description
            .starts_with("sent a test of template order_status_change (sms)"));
        assert_eq!(
            db.api.queue_store().counts().await.unwrap().pending,
            1,
            "exactly one notification"
        );

        // No phone, no SMS test.
        user(&db, "bila_simu", Role::Admin, None).await;
        let no_phone = sign_in(&db, "bila_simu").await;
        let e = no_phone
            .send_test_template(SendTestTemplateRequest {
                name: "order_status_change".into(),
                channel: Channel::Sms,
            })
            .await
            .unwrap_err();
        assert!(e.message.contains("no phone number"), "{}", e.message);
    })
    .await;
}
