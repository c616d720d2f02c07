//! What a provider is asked to deliver and what it answers on success.

use std::collections::BTreeMap;
use std::fmt;
use std::time::Duration;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use gurumisha_core::domain::{Email, PhoneE164};
use serde::{Deserialize, Serialize};

/// The delivery channel: `gurumisha-notify`'s domain type, the one every crate uses.
pub use gurumisha_notify::Channel;

/// Where a message goes. Each variant is already valid by construction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Recipient {
    Email(Email),
    Phone(PhoneE164),
    Push(PushSubscription),
}

/// Title, body and click-through URL of a push notification; serialised as the JSON payload
/// the service worker receives.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PushContent {
    pub title: String,
    pub body: String,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub url: Option<String>,
}

/// One rendered notification for one recipient on one channel.
#[derive(Debug, Clone)]
pub struct OutboundMessage {
    /// The queue entry's idempotency key; providers that support one pass it on.
    pub idempotency_key: String,
    pub to: Recipient,
    /// E-mail subject (also the push title when `push` is absent).
    pub subject: String,
    /// Plain-text body: the e-mail text part, the SMS text, the push body fallback.
    pub text_body: String,
    /// HTML e-mail body; when present the e-mail is multipart/alternative.
    pub html_body: Option<String>,
    pub push: Option<PushContent>,
    /// Free-form values (template name, notification id) carried into logs and push payloads.
    pub metadata: BTreeMap<String, String>,
}

impl OutboundMessage {
    /// A message with only the fields every channel needs; set the rest directly.
    pub fn new(
        idempotency_key: impl Into<String>,
        to: Recipient,
        subject: impl Into<String>,
        text_body: impl Into<String>,
    ) -> Self {
        Self {
            idempotency_key: idempotency_key.into(),
            to,
            subject: subject.into(),
            text_body: text_body.into(),
            html_body: None,
            push: None,
            metadata: BTreeMap::new(),
        }
    }
}

/// A successful hand-over to the provider (accepted, not necessarily delivered to the person).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delivery {
    pub provider: String,
    /// Message-ID for e-mail, the SMS provider's message id, the push service's `Location`.
    pub provider_message_id: String,
    /// The provider's own word for the state (`"250 OK"`, `"Success"`, `"queued"`, `"201"`).
    pub status_text: String,
    pub latency: Duration,
}

/// A browser's push subscription (`PushSubscription.toJSON()`): the endpoint and the two
/// keys of RFC 8291, checked on construction (a P-256 point and a 16-byte secret).
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "SubscriptionJson", into = "SubscriptionJson")]
pub struct PushSubscription {
    endpoint: String,
    p256dh: [u8; 65],
    auth: [u8; 16],
}

/// Why a push subscription was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("push subscription: {0}")]
pub struct SubscriptionError(pub String);

impl PushSubscription {
    /// Parses the endpoint and the base64url keys (padding optional, as browsers vary).
    pub fn new(endpoint: &str, p256dh: &str, auth: &str) -> Result<Self, SubscriptionError> {
        let url = reqwest::Url::parse(endpoint)
            .map_err(|e| SubscriptionError(format!("endpoint is not a URL: {e}")))?;
        if !matches!(url.scheme(), "https" | "http") || url.host_str().is_none() {
            return Err(SubscriptionError(
                "endpoint must be an http(s) URL with a host".into(),
            ));
        }
        let key = decode_b64url(p256dh)
            .ok_or_else(|| SubscriptionError("p256dh is not base64url".into()))?;
        let p256dh: [u8; 65] = key
            .try_into()
            .map_err(|_| SubscriptionError("p256dh must be a 65-byte uncompressed point".into()))?;
        p256::PublicKey::from_sec1_bytes(&p256dh)
            .map_err(|_| SubscriptionError("p256dh is not a point on P-256".into()))?;
        let auth = decode_b64url(auth)
            .ok_or_else(|| SubscriptionError("auth is not base64url".into()))?
            .try_into()
            .map_err(|_| SubscriptionError("auth must be 16 bytes".into()))?;
        Ok(Self {
            endpoint: endpoint.to_owned(),
            p256dh,
            auth,
        })
    }

    pub fn endpoint(&self) -> &str {
        &self.endpoint
    }

    /// The user agent's public key, uncompressed SEC1 (65 bytes).
    pub fn p256dh(&self) -> &[u8; 65] {
        &self.p256dh
    }

    /// The 16-byte authentication secret.
    pub fn auth(&self) -> &[u8; 16] {
        &self.auth
    }
}

/// The endpoint URL is a bearer capability (anyone holding it can push), so Debug shows only
/// its origin.
impl fmt::Debug for PushSubscription {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let origin = reqwest::Url::parse(&self.endpoint)
            .map(|u| u.origin().ascii_serialization())
            .unwrap_or_default();
        f.debug_struct("PushSubscription")
            .field("endpoint_origin", &origin)
            .finish_non_exhaustive()
    }
}

pub(crate) fn decode_b64url(s: &str) -> Option<Vec<u8>> {
    URL_SAFE_NO_PAD.decode(s.trim().trim_end_matches('=')).ok()
}

#[derive(Serialize, Deserialize)]
struct SubscriptionJson {
    endpoint: String,
    keys: SubscriptionKeys,
}

#[derive(Serialize, Deserialize)]
struct SubscriptionKeys {
    p256dh: String,
    auth: String,
}

impl TryFrom<SubscriptionJson> for PushSubscription {
    type Error = SubscriptionError;
    fn try_from(j: SubscriptionJson) -> Result<Self, Self::Error> {
        PushSubscription::new(&j.endpoint, &j.keys.p256dh, &j.keys.auth)
    }
}

impl From<PushSubscription> for SubscriptionJson {
    fn from(s: PushSubscription) -> Self {
        SubscriptionJson {
            endpoint: s.endpoint,
            keys: SubscriptionKeys {
                p256dh: URL_SAFE_NO_PAD.encode(s.p256dh),
                auth: URL_SAFE_NO_PAD.encode(s.auth),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const P256DH: &str =
        "BCVxsr7N_eNgVRqvHtD0zTZsEc6-VV-JvLexhqUzORcxaOzi6-AYWXvTBHm4bjyPjs7Vd8pZGH6SRpkNtoIAiw4";

    #[test]
    fn subscription_round_trips_browser_json() {
        let json = format!(
            r#"{{"endpoint":"https://push.example.net/s/abc","keys":{{"p256dh":"{P256DH}","auth":"BTBZMqHH6r4Tts7J_aSIgg=="}}}}"#
        );
        let s: PushSubscription = serde_json::from_str(&json).unwrap();
        assert_eq!(s.auth().len(), 16);
        let back = serde_json::to_value(&s).unwrap();
        assert_eq!(back["keys"]["auth"], "BTBZMqHH6r4Tts7J_aSIgg");
        assert!(!format!("{s:?}").contains("/s/abc"));
    }

    #[test]
    fn subscription_rejects_bad_keys() {
        let bad_point = URL_SAFE_NO_PAD.encode([4u8; 65]);
        let e = PushSubscription::new("https://x.example/", &bad_point, "BTBZMqHH6r4Tts7J_aSIgg");
        assert!(e.unwrap_err().0.contains("P-256"));
        let e = PushSubscription::new("https://x.example/", P256DH, "AAAA");
        assert!(e.unwrap_err().0.contains("16 bytes"));
        assert!(PushSubscription::new("ftp://x/", P256DH, "BTBZMqHH6r4Tts7J_aSIgg").is_err());
    }
}
