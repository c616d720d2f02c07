//! Web Push (RFC 8030) to a browser's push subscription: the JSON payload is encrypted for
//! the subscription's keys (RFC 8291, [`ece`]) and the request is signed with VAPID
//! (RFC 8292, [`vapid`]).
//!
//! Answers: 201/202 are accepted (the `Location` header, the push service's id for the
//! message, becomes the provider message id); 404 and 410 mean the subscription is gone and
//! 413 that the payload is too large (permanent, the message's fault: the caller should drop
//! the subscription); 400/401/403 are VAPID or request problems on our side (permanent, the
//! provider's); 429 is rate limiting with `Retry-After`; 5xx and timeouts are transient.

pub mod ece;
pub mod vapid;

use std::time::{Duration, Instant};

use async_trait::async_trait;
use reqwest::header::{AUTHORIZATION, CONTENT_ENCODING, CONTENT_TYPE, LOCATION};
use reqwest::StatusCode;
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};
use tracing::instrument;

use crate::http::{retry_after, snippet, transport_error};
use crate::{Channel, Delivery, DeliveryError, OutboundMessage, Provider, PushContent, Recipient};
pub use vapid::VapidKey;

const NAME: &str = "webpush";

/// RFC 8030 section 5.3 `Urgency`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Urgency {
    VeryLow,
    Low,
    Normal,
    High,
}

impl Urgency {
    pub fn as_str(self) -> &'static str {
        match self {
            Urgency::VeryLow => "very-low",
            Urgency::Low => "low",
            Urgency::Normal => "normal",
            Urgency::High => "high",
        }
    }

    fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "very-low" => Urgency::VeryLow,
            "low" => Urgency::Low,
            "normal" => Urgency::Normal,
            "high" => Urgency::High,
            _ => return None,
        })
    }
}

/// Web Push settings. `Debug` is safe: the VAPID private key is a `SecretString`.
#[derive(Debug, Clone)]
pub struct WebPushConfig {
    /// The VAPID private scalar, base64url (32 bytes).
    pub vapid_private_key: SecretString,
    /// The VAPID contact, `mailto:` or `https:` (RFC 8292 section 2.1).
    pub subject: String,
    /// How long the push service keeps an undelivered message (`TTL`).
    pub ttl: Duration,
    /// Default urgency; a message's `metadata["urgency"]` overrides it.
    pub urgency: Urgency,
    pub timeout: Duration,
    /// VAPID JWT lifetime (capped at 24 h).
    pub jwt_lifetime: Duration,
}

impl WebPushConfig {
    pub fn new(vapid_private_key: SecretString, subject: impl Into<String>) -> Self {
        Self {
            vapid_private_key,
            subject: subject.into(),
            ttl: Duration::from_secs(24 * 3600),
            urgency: Urgency::Normal,
            timeout: Duration::from_secs(10),
            jwt_lifetime: Duration::from_secs(12 * 3600),
        }
    }
}

/// A configuration that cannot work.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("web push configuration: {0}")]
pub struct PushConfigError(pub String);

/// The Web Push client.
#[derive(Debug)]
pub struct WebPushProvider {
    client: reqwest::Client,
    key: VapidKey,
    config: WebPushConfig,
}

/// The JSON the service worker receives in its `push` event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PushPayload {
    pub title: String,
    pub body: String,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub url: Option<String>,
    /// The notification's idempotency key, usable as the notification `tag`.
    pub id: String,
    #[serde(skip_serializing_if = "std::collections::BTreeMap::is_empty", default)]
    pub data: std::collections::BTreeMap<String, String>,
}

impl PushPayload {
    /// The payload for `msg`: its push content, or its subject and text body.
    pub fn from_message(msg: &OutboundMessage) -> Self {
        let content = msg.push.clone().unwrap_or_else(|| PushContent {
            title: msg.subject.clone(),
            body: msg.text_body.clone(),
            url: None,
        });
        Self {
            title: content.title,
            body: content.body,
            url: content.url,
            id: msg.idempotency_key.clone(),
            data: msg.metadata.clone(),
        }
    }
}

impl WebPushProvider {
    pub fn new(config: WebPushConfig) -> Result<Self, PushConfigError> {
        let key = VapidKey::from_base64url(config.vapid_private_key.expose_secret()).ok_or_else(
            || PushConfigError("VAPID private key must be a base64url P-256 scalar".into()),
        )?;
        if !(config.subject.starts_with("mailto:") || config.subject.starts_with("https:")) {
            return Err(PushConfigError(
                "VAPID subject must be a mailto: or https: URI".into(),
            ));
        }
        let client = reqwest::Client::builder()
            .timeout(config.timeout)
            .connect_timeout(config.timeout.min(Duration::from_secs(5)))
            .build()
            .map_err(|e| PushConfigError(format!("http client: {e}")))?;
        Ok(Self {
            client,
            key,
            config,
        })
    }

    /// The public key to hand to `pushManager.subscribe({applicationServerKey})`.
    pub fn public_key(&self) -> &str {
        self.key.public_base64url()
    }
}

#[async_trait]
impl Provider for WebPushProvider {
    fn name(&self) -> &str {
        NAME
    }

    fn channel(&self) -> Channel {
        Channel::Push
    }

    #[instrument(skip_all, fields(provider = NAME, key = %msg.idempotency_key))]
    async fn send(&self, msg: &OutboundMessage) -> Result<Delivery, DeliveryError> {
        let Recipient::Push(sub) = &msg.to else {
            return Err(DeliveryError::permanent(
                NAME,
                "recipient is not a push subscription",
            ));
        };
        let endpoint = reqwest::Url::parse(sub.endpoint())
            .map_err(|e| DeliveryError::permanent(NAME, format!("endpoint: {e}")))?;
        let payload = serde_json::to_vec(&PushPayload::from_message(msg))
            .map_err(|e| DeliveryError::permanent(NAME, format!("payload: {e}")))?;
        let body = ece::encrypt(&payload, sub.p256dh(), sub.auth())
            .map_err(|e| DeliveryError::permanent(NAME, e.to_string()))?;
        let urgency = msg
            .metadata
            .get("urgency")
            .and_then(|u| Urgency::parse(u))
            .unwrap_or(self.config.urgency);
        let auth =
            self.key
                .authorization(&endpoint, &self.config.subject, self.config.jwt_lifetime);

        let start = Instant::now();
        let response = self
            .client
            .post(endpoint)
            .header(AUTHORIZATION, auth)
            .header("TTL", self.config.ttl.as_secs().to_string())
            .header("Urgency", urgency.as_str())
            .header(CONTENT_ENCODING, "aes128gcm")
            .header(CONTENT_TYPE, "application/octet-stream")
            .body(body)
            .send()
            .await
            // The endpoint URL is a capability; the shared helper strips it from the message.
            .map_err(|e| transport_error(NAME, e))?;
        let status = response.status();
        let http = status.as_u16();
        let location = response
            .headers()
            .get(LOCATION)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let wait = retry_after(response.headers());
        let latency = start.elapsed();
        if status == StatusCode::CREATED
            || status == StatusCode::ACCEPTED
            || status == StatusCode::OK
        {
            return Ok(Delivery {
                provider: NAME.into(),
                provider_message_id: location
                    .unwrap_or_else(|| format!("push-{}", uuid::Uuid::now_v7())),
                status_text: http.to_string(),
                latency,
            });
        }
        let text = response.text().await.unwrap_or_default();
        let text = format!("HTTP {http}: {}", snippet(&text, 200));
        let err = match status {
            StatusCode::NOT_FOUND | StatusCode::GONE => {
                DeliveryError::permanent(NAME, format!("subscription gone ({text})"))
            }
            StatusCode::PAYLOAD_TOO_LARGE => DeliveryError::permanent(NAME, text),
            StatusCode::TOO_MANY_REQUESTS => DeliveryError::rate_limited(NAME, wait, text),
            s if s.is_server_error() => DeliveryError::transient(NAME, text),
            _ => DeliveryError::permanent_provider(NAME, text),
        };
        tracing::warn!(error = %err.message, class = ?err.class, "web push failed");
        Err(err.with_http_status(http))
    }
}
