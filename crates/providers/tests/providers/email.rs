//! SmtpProvider against the loopback SMTP server: MIME structure, escaping, encoded subject,
//! Message-ID, dot-stuffing, reply-code classification, auth, timeouts and pooling.

use std::time::Duration;

use gurumisha_core::domain::Email;
use gurumisha_providers::email::{PoolSettings, SmtpConfig, SmtpProvider, TlsMode};
use gurumisha_providers::{ErrorClass, ErrorScope, OutboundMessage, Provider, Recipient};
use mail_parser::{MessageParser, MimeHeaders, PartType};
use secrecy::SecretString;

use crate::smtp_server::SmtpServer;

const SUBJECT: &str = "Habari Wanjiru — gari lako limefika";
const HTML: &str = "<p>Habari <b>Wanjiru</b>,</p><p>Gari lako &amp; vipuri vyake vimefika. \
                    Bei: KES 1,250,000 &lt;imelipwa&gt;.</p>";
const TEXT: &str = "Habari Wanjiru,\r\nGari lako na vipuri vyake vimefika.\r\nBei: KES 1,250,000.";

fn config(server: &SmtpServer) -> SmtpConfig {
    let mut c = SmtpConfig::new(
        "127.0.0.1",
        server.addr.port(),
        "Gurumisha Motors <noreply@gurumisha.co.ke>",
    );
    c.tls = TlsMode::None;
    c.timeout = Duration::from_secs(5);
    c
}

fn message(html: Option<&str>) -> OutboundMessage {
    let mut m = OutboundMessage::new(
        "notif-42-email",
        Recipient::Email(Email::parse("wanjiru@example.co.ke").unwrap()),
        SUBJECT,
        TEXT,
    );
    m.html_body = html.map(str::to_owned);
    m
}

fn crlf(s: &str) -> String {
    s.replace("\r\n", "\n")
}

#[tokio::test]
async fn multipart_alternative_with_escaped_html_encoded_subject_and_message_id() {
    let server = SmtpServer::start().await;
    let provider = SmtpProvider::new(&config(&server)).unwrap();
    let delivery = provider.send(&message(Some(HTML))).await.unwrap();
    assert_eq!(delivery.provider, "smtp");
    assert!(
        delivery.status_text.starts_with("250"),
        "{}",
        delivery.status_text
    );
    assert!(delivery.provider_message_id.starts_with('<'));
    assert!(delivery.provider_message_id.ends_with("@gurumisha.co.ke>"));

    let received = server.received();
    assert_eq!(received.len(), 1);
    let r = &received[0];
    assert_eq!(r.mail_from, "noreply@gurumisha.co.ke");
    assert_eq!(r.rcpt_to, vec!["wanjiru@example.co.ke".to_owned()]);
    assert!(
        r.data.is_ascii(),
        "headers and bodies are transfer-encoded to 7-bit"
    );

    let raw = String::from_utf8(r.data.clone()).unwrap();
    let subject_line = raw
        .lines()
        .find(|l| l.to_ascii_lowercase().starts_with("subject:"))
        .unwrap();
    assert!(
        subject_line.contains("=?utf-8?"),
        "RFC 2047 encoded: {subject_line}"
    );
    assert!(raw.contains("X-Gurumisha-Idempotency-Key: notif-42-email"));

    let parsed = MessageParser::default().parse(&r.data).unwrap();
    assert_eq!(parsed.subject(), Some(SUBJECT));
    assert_eq!(
        format!("<{}>", parsed.message_id().unwrap()),
        delivery.provider_message_id
    );
    let from = parsed.from().unwrap().first().unwrap();
    assert_eq!(from.name(), Some("Gurumisha Motors"));
    assert_eq!(from.address(), Some("noreply@gurumisha.co.ke"));
    assert_eq!(
        parsed.to().unwrap().first().unwrap().address(),
        Some("wanjiru@example.co.ke")
    );

    let root = parsed.root_part();
    let ct = root.content_type().unwrap();
    assert_eq!(
        (ct.ctype(), ct.subtype()),
        ("multipart", Some("alternative"))
    );
    let PartType::Multipart(children) = &root.body else {
        panic!("root is not multipart: {:?}", root.body);
    };
    assert_eq!(children.len(), 2);
    let plain = &parsed.parts[children[0] as usize];
    let html = &parsed.parts[children[1] as usize];
    let pct = plain.content_type().unwrap();
    let hct = html.content_type().unwrap();
    assert_eq!((pct.ctype(), pct.subtype()), ("text", Some("plain")));
    assert_eq!((hct.ctype(), hct.subtype()), ("text", Some("html")));
    assert_eq!(crlf(&parsed.body_text(0).unwrap()), crlf(TEXT));
    // The HTML arrives byte for byte: entities stay escaped, nothing is re-escaped.
    assert_eq!(crlf(&parsed.body_html(0).unwrap()), crlf(HTML));
}

#[tokio::test]
async fn text_only_message_is_single_part_and_dot_stuffing_round_trips() {
    let server = SmtpServer::start().await;
    let provider = SmtpProvider::new(&config(&server)).unwrap();
    let mut msg = message(None);
    msg.text_body = "Line one\r\n.\r\n.leading dot\r\n..two dots\r\nend".into();
    provider.send(&msg).await.unwrap();
    let r = &server.received()[0];
    let parsed = MessageParser::default().parse(&r.data).unwrap();
    let ct = parsed.root_part().content_type().unwrap();
    assert_eq!((ct.ctype(), ct.subtype()), ("text", Some("plain")));
    // lettre ends the body with a line break; the content before it must be intact.
    assert_eq!(
        crlf(&parsed.body_text(0).unwrap()).trim_end(),
        crlf(&msg.text_body)
    );
    assert_eq!(
        parsed.html_body_count(),
        1,
        "mail-parser synthesises html from text"
    );
}

#[tokio::test]
async fn rcpt_451_is_transient_and_550_is_permanent() {
    let server = SmtpServer::start().await;
    let provider = SmtpProvider::new(&config(&server)).unwrap();

    server.reply_to_rcpt("451 4.7.1 Greylisted, try again later");
    let e = provider.send(&message(Some(HTML))).await.unwrap_err();
    assert_eq!(e.class, ErrorClass::Transient);
    assert_eq!(e.smtp_code, Some(451));
    assert!(e.message.contains("Greylisted"), "{}", e.message);

    server.reply_to_rcpt("550 5.1.1 Mailbox does not exist");
    let e = provider.send(&message(Some(HTML))).await.unwrap_err();
    assert_eq!(e.class, ErrorClass::Permanent);
    assert_eq!(e.scope, ErrorScope::Message);
    assert_eq!(e.smtp_code, Some(550));
    assert!(server.received().is_empty());
}

#[tokio::test]
async fn credentials_are_sent_and_never_shown() {
    let server = SmtpServer::start().await;
    server.require_auth("mailer", "s3cret-Pa55");
    let mut cfg = config(&server);
    cfg.username = Some("mailer".into());
    cfg.password = Some(SecretString::from("s3cret-Pa55"));
    let provider = SmtpProvider::new(&cfg).unwrap();
    provider.send(&message(None)).await.unwrap();
    assert_eq!(
        server.auth_seen(),
        vec![("mailer".into(), "s3cret-Pa55".into())]
    );
    assert!(!format!("{cfg:?}").contains("s3cret"));
    assert!(!format!("{provider:?}").contains("s3cret"));

    let mut wrong = cfg.clone();
    wrong.password = Some(SecretString::from("wrong-Pa55"));
    let provider = SmtpProvider::new(&wrong).unwrap();
    let e = provider.send(&message(None)).await.unwrap_err();
    assert_eq!(
        (e.class, e.scope),
        (ErrorClass::Permanent, ErrorScope::Provider)
    );
    assert_eq!(e.smtp_code, Some(535));
    assert!(!e.message.contains("wrong-Pa55") && !format!("{e:?}").contains("wrong-Pa55"));
}

#[tokio::test]
async fn refused_connection_and_silent_server_are_transient() {
    let closed = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let mut cfg = SmtpConfig::new("127.0.0.1", closed, "noreply@gurumisha.co.ke");
    cfg.tls = TlsMode::None;
    let e = SmtpProvider::new(&cfg)
        .unwrap()
        .send(&message(None))
        .await
        .unwrap_err();
    assert_eq!(e.class, ErrorClass::Transient);
    assert_eq!(e.smtp_code, None);

    let server = SmtpServer::start().await;
    server.go_silent();
    let mut cfg = config(&server);
    cfg.timeout = Duration::from_millis(300);
    let started = std::time::Instant::now();
    let e = SmtpProvider::new(&cfg)
        .unwrap()
        .send(&message(None))
        .await
        .unwrap_err();
    assert_eq!(e.class, ErrorClass::Transient, "{e:?}");
    assert!(started.elapsed() < Duration::from_secs(3));
}

#[tokio::test]
async fn implicit_tls_to_a_plain_server_fails_transiently() {
    let server = SmtpServer::start().await;
    let mut cfg = config(&server);
    cfg.tls = TlsMode::Implicit;
    cfg.timeout = Duration::from_secs(2);
    let e = SmtpProvider::new(&cfg)
        .unwrap()
        .send(&message(None))
        .await
        .unwrap_err();
    assert_eq!(e.class, ErrorClass::Transient, "{e:?}");
    assert!(server.received().is_empty());
}

#[tokio::test]
async fn required_starttls_never_falls_back_to_plain_text() {
    let server = SmtpServer::start().await; // offers no STARTTLS
    let mut cfg = config(&server);
    cfg.tls = TlsMode::StartTls;
    let e = SmtpProvider::new(&cfg)
        .unwrap()
        .send(&message(None))
        .await
        .unwrap_err();
    assert_eq!(
        (e.class, e.scope),
        (ErrorClass::Permanent, ErrorScope::Provider),
        "{e:?}"
    );
    assert!(e.message.contains("STARTTLS"), "{}", e.message);
    assert!(server.received().is_empty());
}

#[tokio::test]
async fn pooled_connections_are_reused() {
    let server = SmtpServer::start().await;
    let mut cfg = config(&server);
    cfg.pool = PoolSettings {
        max_idle: 4,
        ..PoolSettings::default()
    };
    let provider = std::sync::Arc::new(SmtpProvider::new(&cfg).unwrap());
    let mut tasks = Vec::new();
    for _ in 0..4 {
        let p = provider.clone();
        tasks.push(tokio::spawn(async move {
            for _ in 0..10 {
                p.send(&message(Some(HTML))).await.unwrap();
            }
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    assert_eq!(server.received().len(), 40);
    let ids: std::collections::HashSet<_> = server
        .received()
        .iter()
        .map(|r| {
            MessageParser::default()
                .parse(&r.data)
                .unwrap()
                .message_id()
                .unwrap()
                .to_owned()
        })
        .collect();
    assert_eq!(ids.len(), 40, "every message has its own Message-ID");
    // Four concurrent senders, four idle slots: each connection carries about ten messages.
    assert!(
        server.connections() <= 4,
        "connections: {}",
        server.connections()
    );
    provider.shutdown().await;
}

#[tokio::test]
async fn wrong_recipient_kind_is_permanent() {
    let server = SmtpServer::start().await;
    let provider = SmtpProvider::new(&config(&server)).unwrap();
    let mut msg = message(None);
    msg.to = Recipient::Phone(gurumisha_core::domain::PhoneE164::parse("+254712345678").unwrap());
    let e = provider.send(&msg).await.unwrap_err();
    assert_eq!(
        (e.class, e.scope),
        (ErrorClass::Permanent, ErrorScope::Message)
    );
}
