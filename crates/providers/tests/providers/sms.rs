//! Africa's Talking and Twilio clients against loopback servers speaking their APIs.

use std::time::{Duration, Instant};

use gurumisha_core::domain::PhoneE164;
use gurumisha_providers::sms::{
    AfricasTalking, AfricasTalkingConfig, Twilio, TwilioConfig, TwilioSender,
};
use gurumisha_providers::{ErrorClass, ErrorScope, OutboundMessage, Provider, Recipient};
use secrecy::SecretString;

use crate::sms_peers::*;

pub fn sms(to: &str) -> OutboundMessage {
    OutboundMessage::new(
        "notif-7-sms",
        Recipient::Phone(PhoneE164::parse(to).unwrap()),
        "",
        "Habari Wanjiru, gari lako KDA 123X limefika Mombasa. Asante — Gurumisha",
    )
}

pub fn at_config(peer: &ApiPeer) -> AfricasTalkingConfig {
    let mut c = AfricasTalkingConfig::new(AT_USER, SecretString::from(AT_KEY));
    c.base_url = peer.base_url.clone();
    c.from = Some("GURUMISHA".into());
    c.timeout = Duration::from_millis(500);
    c
}

pub fn tw_config(peer: &ApiPeer) -> TwilioConfig {
    let mut c = TwilioConfig::new(
        TW_SID,
        SecretString::from(TW_TOKEN),
        TwilioSender::From("+15005550006".into()),
    );
    c.base_url = format!("{}/", peer.base_url);
    c.timeout = Duration::from_millis(500);
    c
}

#[tokio::test]
async fn africas_talking_sends_the_form_and_reads_the_recipient() {
    let peer = ApiPeer::africas_talking().await;
    let at = AfricasTalking::new(at_config(&peer)).unwrap();
    let d = at.send(&sms("+254 712 345 678")).await.unwrap();
    assert_eq!(d.provider, "africastalking");
    assert!(d.provider_message_id.starts_with("ATXid_"));
    assert_eq!(d.status_text, "Success KES 0.8000");

    let reqs = peer.requests();
    assert_eq!(reqs.len(), 1);
    let r = &reqs[0];
    assert_eq!(r.field("username"), Some(AT_USER));
    assert_eq!(r.field("to"), Some("+254712345678"));
    assert_eq!(r.field("from"), Some("GURUMISHA"));
    assert_eq!(
        r.field("message"),
        Some(sms("+254712345678").text_body.as_str())
    );
    assert_eq!(r.header("apikey"), Some(AT_KEY));
    assert_eq!(r.header("accept"), Some("application/json"));
    assert_eq!(
        r.header("content-type"),
        Some("application/x-www-form-urlencoded")
    );
}

#[tokio::test]
async fn africas_talking_classifies_recipient_statuses_and_http_errors() {
    let peer = ApiPeer::africas_talking().await;
    let at = AfricasTalking::new(at_config(&peer)).unwrap();
    peer.script([
        at_recipient_failure(403, "InvalidPhoneNumber"),
        at_recipient_failure(405, "InsufficientBalance"),
        at_recipient_failure(502, "RejectedByGateway"),
        Scripted::status(500, "Internal Server Error"),
        Scripted::too_many("7", "Too many requests"),
    ]);
    let e = at.send(&sms("+254712345678")).await.unwrap_err();
    assert_eq!(
        (e.class, e.scope),
        (ErrorClass::Permanent, ErrorScope::Message)
    );
    assert_eq!(e.provider_code.as_deref(), Some("403"));
    let e = at.send(&sms("+254712345678")).await.unwrap_err();
    assert_eq!(
        (e.class, e.scope),
        (ErrorClass::Permanent, ErrorScope::Provider)
    );
    let e = at.send(&sms("+254712345678")).await.unwrap_err();
    assert_eq!(e.class, ErrorClass::Transient);
    let e = at.send(&sms("+254712345678")).await.unwrap_err();
    assert_eq!((e.class, e.http_status), (ErrorClass::Transient, Some(500)));
    let e = at.send(&sms("+254712345678")).await.unwrap_err();
    assert_eq!(
        e.class,
        ErrorClass::RateLimited {
            retry_after: Some(Duration::from_secs(7))
        }
    );
}

#[tokio::test]
async fn africas_talking_timeout_is_transient_and_bad_key_is_the_accounts_fault() {
    let peer = ApiPeer::africas_talking().await;
    let at = AfricasTalking::new(at_config(&peer)).unwrap();
    peer.script([Scripted::Hang]);
    let started = Instant::now();
    let e = at.send(&sms("+254712345678")).await.unwrap_err();
    assert_eq!(e.class, ErrorClass::Transient);
    assert!(e.message.contains("timed out"), "{}", e.message);
    assert!(started.elapsed() < Duration::from_secs(3));

    let mut cfg = at_config(&peer);
    cfg.api_key = SecretString::from("atsk_wrong_key_0000");
    let at = AfricasTalking::new(cfg.clone()).unwrap();
    let e = at.send(&sms("+254712345678")).await.unwrap_err();
    assert_eq!(
        (e.class, e.scope),
        (ErrorClass::Permanent, ErrorScope::Provider)
    );
    assert_eq!(e.http_status, Some(401));
    for shown in [
        format!("{e:?}"),
        e.to_string(),
        format!("{cfg:?}"),
        format!("{at:?}"),
    ] {
        assert!(!shown.contains("atsk_wrong_key"), "{shown}");
    }
}

#[tokio::test]
async fn twilio_sends_basic_auth_and_form_fields() {
    let peer = ApiPeer::twilio().await;
    let tw = Twilio::new(tw_config(&peer)).unwrap();
    let d = tw.send(&sms("+254712345678")).await.unwrap();
    assert_eq!(d.provider, "twilio");
    assert!(d.provider_message_id.starts_with("SM"));
    assert_eq!(d.status_text, "queued");
    let r = &peer.requests()[0];
    assert_eq!(
        r.path,
        format!("/2010-04-01/Accounts/{TW_SID}/Messages.json")
    );
    assert_eq!(r.field("To"), Some("+254712345678"));
    assert_eq!(r.field("From"), Some("+15005550006"));
    assert_eq!(
        r.field("Body"),
        Some(sms("+254712345678").text_body.as_str())
    );
    assert_eq!(r.field("MessagingServiceSid"), None);

    let mut cfg = tw_config(&peer);
    cfg.sender = TwilioSender::MessagingService("MG0123456789abcdef0123456789abcdef".into());
    Twilio::new(cfg)
        .unwrap()
        .send(&sms("+254712345678"))
        .await
        .unwrap();
    let r = &peer.requests()[1];
    assert_eq!(r.field("From"), None);
    assert_eq!(
        r.field("MessagingServiceSid"),
        Some("MG0123456789abcdef0123456789abcdef")
    );
}

#[tokio::test]
async fn twilio_error_codes_retry_after_and_timeouts() {
    let peer = ApiPeer::twilio().await;
    let tw = Twilio::new(tw_config(&peer)).unwrap();
    peer.script([
        twilio_error(
            400,
            21211,
            "The 'To' number +2547 is not a valid phone number.",
        ),
        twilio_error(
            400,
            21606,
            "The From phone number is not a valid, SMS-capable number.",
        ),
        Scripted::too_many(
            "2",
            r#"{"code":20429,"message":"Too Many Requests","status":429}"#,
        ),
        Scripted::status(503, "Service Unavailable"),
        Scripted::Hang,
    ]);
    let e = tw.send(&sms("+254712345678")).await.unwrap_err();
    assert_eq!(
        (e.class, e.scope),
        (ErrorClass::Permanent, ErrorScope::Message)
    );
    assert_eq!(
        (e.http_status, e.provider_code.as_deref()),
        (Some(400), Some("21211"))
    );
    let e = tw.send(&sms("+254712345678")).await.unwrap_err();
    assert_eq!(
        (e.class, e.scope),
        (ErrorClass::Permanent, ErrorScope::Provider)
    );
    let e = tw.send(&sms("+254712345678")).await.unwrap_err();
    assert_eq!(e.retry_after(), Some(Duration::from_secs(2)));
    assert_eq!(e.provider_code.as_deref(), Some("20429"));
    let e = tw.send(&sms("+254712345678")).await.unwrap_err();
    assert_eq!((e.class, e.http_status), (ErrorClass::Transient, Some(503)));
    let e = tw.send(&sms("+254712345678")).await.unwrap_err();
    assert_eq!(e.class, ErrorClass::Transient);
    assert!(!e.message.contains(TW_SID), "URL stripped: {}", e.message);
}

#[tokio::test]
async fn twilio_bad_token_is_permanent_and_never_shown() {
    let peer = ApiPeer::twilio().await;
    let mut cfg = tw_config(&peer);
    cfg.auth_token = SecretString::from("tw-token-WRONG-123");
    let tw = Twilio::new(cfg.clone()).unwrap();
    let e = tw.send(&sms("+254712345678")).await.unwrap_err();
    assert_eq!(
        (e.class, e.scope),
        (ErrorClass::Permanent, ErrorScope::Provider)
    );
    assert_eq!(e.provider_code.as_deref(), Some("20003"));
    for shown in [
        format!("{e:?}"),
        e.to_string(),
        format!("{cfg:?}"),
        format!("{tw:?}"),
    ] {
        assert!(!shown.contains("WRONG-123"), "{shown}");
        assert!(!shown.contains(TW_TOKEN), "{shown}");
    }
    // And a good token is really what the server checks.
    let ok = Twilio::new(tw_config(&peer)).unwrap();
    ok.send(&sms("+254712345678")).await.unwrap();
}

#[tokio::test]
async fn refused_connection_is_transient() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut cfg = AfricasTalkingConfig::new(AT_USER, SecretString::from(AT_KEY));
    cfg.base_url = format!("http://127.0.0.1:{port}");
    let e = AfricasTalking::new(cfg)
        .unwrap()
        .send(&sms("+254712345678"))
        .await
        .unwrap_err();
    assert_eq!(e.class, ErrorClass::Transient);
    assert!(e.message.contains("could not connect"), "{}", e.message);
}
