//! WebPushProvider against the loopback push endpoint that verifies VAPID and decrypts.

use std::time::{Duration, Instant};

use gurumisha_providers::push::{VapidKey, WebPushConfig, WebPushProvider};
use gurumisha_providers::{
    ErrorClass, ErrorScope, OutboundMessage, Provider, PushContent, Recipient,
};
use secrecy::ExposeSecret;

use crate::push_peer::PushPeer;
use crate::sms_peers::Scripted;

fn provider() -> (WebPushProvider, VapidKey) {
    let key = VapidKey::generate();
    let mut cfg = WebPushConfig::new(key.private_base64url(), "mailto:ops@gurumisha.co.ke");
    cfg.ttl = Duration::from_secs(3600);
    cfg.timeout = Duration::from_millis(500);
    (WebPushProvider::new(cfg).unwrap(), key)
}

fn message(peer: &PushPeer) -> OutboundMessage {
    let mut m = OutboundMessage::new(
        "notif-9-push",
        Recipient::Push(serde_json::from_value(peer.subscription_json()).unwrap()),
        "Import update",
        "Gari lako limefika",
    );
    m.push = Some(PushContent {
        title: "Habari Wanjiru — gari lako limefika".into(),
        body: "KDA 123X is at Mombasa port <arrived_docked> & ready for clearing".into(),
        url: Some("https://console.gurumisha.co.ke/imports/123".into()),
    });
    m.metadata.insert("import_id".into(), "123".into());
    m.metadata.insert("urgency".into(), "high".into());
    m
}

#[tokio::test]
async fn endpoint_decrypts_the_payload_and_verifies_vapid() {
    let peer = PushPeer::start().await;
    let (provider, key) = provider();
    let d = provider.send(&message(&peer)).await.unwrap();
    assert_eq!(d.provider, "webpush");
    assert_eq!(d.status_text, "201");
    assert!(d
        .provider_message_id
        .starts_with(&format!("{}/m/", peer.origin)));

    assert!(peer.rejected().is_empty(), "{:?}", peer.rejected());
    let got = &peer.received()[0];
    let json: serde_json::Value = serde_json::from_slice(&got.plaintext).unwrap();
    assert_eq!(
        json,
        serde_json::json!({
            "title": "Habari Wanjiru — gari lako limefika",
            "body": "KDA 123X is at Mombasa port <arrived_docked> & ready for clearing",
            "url": "https://console.gurumisha.co.ke/imports/123",
            "id": "notif-9-push",
            "data": {"import_id": "123", "urgency": "high"}
        })
    );
    let h = |n: &str| got.headers.get(n).unwrap().to_str().unwrap().to_owned();
    assert_eq!(h("ttl"), "3600");
    assert_eq!(h("urgency"), "high");
    assert_eq!(h("content-encoding"), "aes128gcm");
    assert_eq!(h("content-type"), "application/octet-stream");
    assert_eq!(got.vapid_key, key.public_base64url());
    assert_eq!(got.vapid_key, provider.public_key());
    assert_eq!(got.claims["aud"], peer.origin.as_str());
    assert_eq!(got.claims["sub"], "mailto:ops@gurumisha.co.ke");
}

#[tokio::test]
async fn without_push_content_the_subject_and_text_are_sent() {
    let peer = PushPeer::start().await;
    let (provider, _) = provider();
    let mut m = message(&peer);
    m.push = None;
    m.metadata.clear();
    provider.send(&m).await.unwrap();
    let got = &peer.received()[0];
    let json: serde_json::Value = serde_json::from_slice(&got.plaintext).unwrap();
    assert_eq!(
        json,
        serde_json::json!({"title": "Import update", "body": "Gari lako limefika", "id": "notif-9-push"})
    );
    assert_eq!(got.headers["urgency"], "normal");
}

#[tokio::test]
async fn push_service_answers_are_classified() {
    let peer = PushPeer::start().await;
    let (provider, _) = provider();
    peer.script([
        Scripted::status(410, "push subscription has unsubscribed or expired"),
        Scripted::status(404, "not found"),
        Scripted::status(413, "payload too large"),
        Scripted::too_many("11", "slow down"),
        Scripted::status(502, "bad gateway"),
        Scripted::Hang,
    ]);
    let m = message(&peer);
    let e = provider.send(&m).await.unwrap_err();
    assert_eq!(
        (e.class, e.scope),
        (ErrorClass::Permanent, ErrorScope::Message)
    );
    assert_eq!(e.http_status, Some(410));
    assert!(e.message.contains("subscription gone"), "{}", e.message);
    let e = provider.send(&m).await.unwrap_err();
    assert_eq!((e.class, e.http_status), (ErrorClass::Permanent, Some(404)));
    let e = provider.send(&m).await.unwrap_err();
    assert_eq!((e.class, e.http_status), (ErrorClass::Permanent, Some(413)));
    let e = provider.send(&m).await.unwrap_err();
    assert_eq!(e.retry_after(), Some(Duration::from_secs(11)));
    let e = provider.send(&m).await.unwrap_err();
    assert_eq!((e.class, e.http_status), (ErrorClass::Transient, Some(502)));
    let started = Instant::now();
    let e = provider.send(&m).await.unwrap_err();
    assert_eq!(e.class, ErrorClass::Transient);
    assert!(started.elapsed() < Duration::from_secs(3));
    // The endpoint URL is a capability: it must not end up in messages.
    assert!(!e.message.contains("gAAAAABm-token"), "{}", e.message);
    assert_eq!(
        peer.received().len(),
        6,
        "each request decrypted and verified"
    );
}

#[tokio::test]
async fn a_payload_over_the_limit_is_refused_before_sending() {
    let peer = PushPeer::start().await;
    let (provider, _) = provider();
    let mut m = message(&peer);
    m.push.as_mut().unwrap().body = "x".repeat(4000);
    let e = provider.send(&m).await.unwrap_err();
    assert_eq!(
        (e.class, e.scope),
        (ErrorClass::Permanent, ErrorScope::Message)
    );
    assert!(e.message.contains("exceeds"), "{}", e.message);
    assert_eq!(peer.requests(), 0);
}

#[tokio::test]
async fn a_jwt_the_service_refuses_is_the_providers_fault() {
    // A push service refuses a VAPID JWT minted for another audience with 401.
    let peer = PushPeer::start().await;
    peer.expect_audience("https://updates.push.example.net");
    let (provider, _) = provider();
    let e = provider.send(&message(&peer)).await.unwrap_err();
    assert_eq!(
        (e.class, e.scope),
        (ErrorClass::Permanent, ErrorScope::Provider)
    );
    assert_eq!(e.http_status, Some(401));
    assert!(peer.rejected()[0].contains("aud"), "{:?}", peer.rejected());
}

#[test]
fn configuration_is_checked_and_never_shows_the_private_key() {
    let key = VapidKey::generate();
    let cfg = WebPushConfig::new(key.private_base64url(), "mailto:ops@gurumisha.co.ke");
    let provider = WebPushProvider::new(cfg.clone()).unwrap();
    let secret = key.private_base64url();
    for shown in [
        format!("{cfg:?}"),
        format!("{provider:?}"),
        format!("{key:?}"),
    ] {
        assert!(!shown.contains(secret.expose_secret()), "{shown}");
    }
    let bad = WebPushConfig::new("bm90IGEga2V5".to_owned().into(), "mailto:a@b.c");
    assert!(WebPushProvider::new(bad).is_err());
    let bad_subject = WebPushConfig::new(key.private_base64url(), "ops@gurumisha.co.ke");
    assert!(WebPushProvider::new(bad_subject).is_err());
}
