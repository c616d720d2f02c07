//! The worker delivering e-mail to a real SMTP server on loopback, and a channel with no
//! provider failing permanently with a clear reason.

use crate::harness::{both, smtp_providers, Db};
use gurumisha_core::queue::QueueStatus;
use gurumisha_notifier::{Providers, SendRequest};
use gurumisha_notify::{Channel, NotificationType, TemplateName};
use gurumisha_testkit::smtp_server::SmtpServer;
use mail_parser::{MessageParser, MimeHeaders};
use serde_json::json;

#[tokio::test]
async fn email_goes_out_as_multipart_alternative_escaped_with_our_message_id() {
    both(|db: Db| async move {
        db.install_templates().await;
        let server = SmtpServer::start().await;
        let user = db.user("wanjiru", "Africa/Nairobi").await;
        let mut r = SendRequest::new(user, NotificationType::Orders, &[Channel::Email]);
        r.template_name = Some(TemplateName::parse("order_status_change").unwrap());
        r.context = json!({
            "order": {"number": "ORD-10457", "vehicle": "Toyota Harrier <Premium> & \"Sport\"",
                      "total": 4_250_000, "url": "https://gurumisha.test/o/10457"},
            "new_status": "shipped", "status_label": "Shipped",
        });
        let out = db.notifier().send_notification(r).await.unwrap();
        let id = out.channels[0].notification_id.unwrap();

        let report = db.worker(smtp_providers(&server)).drain().await.unwrap();
        assert_eq!(
            (report.claimed, report.sent),
            (1, 1),
            "{}: {report:?}",
            db.name
        );

        let got = server.received();
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].rcpt_to, vec!["wanjiru@example.co.ke".to_owned()]);
        let mail = MessageParser::default().parse(&got[0].data).unwrap();
        let ct = mail.content_type().unwrap();
        assert_eq!(
            (ct.ctype(), ct.subtype()),
            ("multipart", Some("alternative"))
        );
        assert_eq!(mail.subject(), Some("Order ORD-10457: Shipped"));
        let text = mail.body_text(0).unwrap();
        assert!(
            text.contains("Toyota Harrier <Premium> & \"Sport\""),
            "{text}"
        );
        assert!(text.contains("KES 4,250,000"), "{text}");
        let html = mail.body_html(0).unwrap();
        assert!(
            html.contains("Toyota Harrier &lt;Premium&gt; &amp; "),
            "{html}"
        );
        assert!(!html.contains("<Premium>"), "values are escaped in HTML");

        let d = db.detail(id).await;
        let row = &d.notification;
        assert_eq!(row.status, QueueStatus::Sent);
        assert_eq!(row.provider.as_deref(), Some("smtp"));
        let message_id = row.provider_message_id.clone().unwrap();
        assert_eq!(
            message_id.trim_matches(['<', '>']),
            mail.message_id().unwrap(),
            "the Message-ID we generated is the one kept"
        );
        assert_eq!(d.attempts.len(), 1);
        assert_eq!(
            (
                d.attempts[0].outcome.as_str(),
                d.attempts[0].provider.as_str()
            ),
            ("sent", "smtp")
        );
    })
    .await;
}

#[tokio::test]
async fn a_channel_without_a_provider_fails_permanently_saying_so() {
    both(|db: Db| async move {
        let user = db.user("kamau", "Africa/Nairobi").await;
        let mut r = SendRequest::new(
            user,
            NotificationType::Orders,
            &[Channel::Sms, Channel::Email],
        );
        r.title = "Order ORD-2: Delivered".into();
        r.message = "Your order ORD-2 has been delivered.".into();
        let out = db.notifier().send_notification(r).await.unwrap();
        let report = db.worker(Providers::default()).drain().await.unwrap();
        assert_eq!(
            (report.dead, report.sent),
            (2, 0),
            "{}: {report:?}",
            db.name
        );
        for (o, what) in out.channels.iter().zip(["SMS", "email"]) {
            let row = db.detail(o.notification_id.unwrap()).await.notification;
            assert_eq!(row.status, QueueStatus::Dead);
            let err = row.last_error.unwrap();
            assert!(
                err.contains(&format!("no {what} provider configured")),
                "{err}"
            );
        }
    })
    .await;
}
