//! Africa's Talking bulk SMS: `POST {base}/version1/messaging`, form-encoded, `apiKey` header.
//!
//! A 201 answer carries one entry per recipient in `SMSMessageData.Recipients` whose
//! `statusCode` decides the outcome: 100 Processed, 101 Sent and 102 Queued are success;
//! 403 InvalidPhoneNumber, 404 UnsupportedNumberType, 406 UserInBlacklist, 407 CouldNotRoute and
//! 409 DoNotDisturbRejection are the message's fault; 401 RiskHold, 402 InvalidSenderId and
//! 405 InsufficientBalance are the account's (permanent, but another provider may work);
//! 500 InternalServerError, 501 GatewayError and 502 RejectedByGateway are transient.

use std::time::Duration;

use async_trait::async_trait;
use reqwest::StatusCode;
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;
use tracing::instrument;

use super::{base_url, http_client, phone, snippet, SmsConfigError};
use crate::{Channel, Delivery, DeliveryError, OutboundMessage, Provider};

const NAME: &str = "africastalking";

/// Africa's Talking account settings. `Debug` is safe: the API key is a `SecretString`.
#[derive(Debug, Clone)]
pub struct AfricasTalkingConfig {
    /// `https://api.africastalking.com` (live) or `https://api.sandbox.africastalking.com`.
    pub base_url: String,
    pub username: String,
    pub api_key: SecretString,
    /// Sender ID or short code; the account default when `None`.
    pub from: Option<String>,
    pub timeout: Duration,
}

impl AfricasTalkingConfig {
    pub fn new(username: impl Into<String>, api_key: SecretString) -> Self {
        Self {
            base_url: "https://api.africastalking.com".into(),
            username: username.into(),
            api_key,
            from: None,
            timeout: super::DEFAULT_TIMEOUT,
        }
    }
}

/// The Africa's Talking SMS client.
#[derive(Debug)]
pub struct AfricasTalking {
    client: reqwest::Client,
    url: String,
    config: AfricasTalkingConfig,
}

impl AfricasTalking {
    pub fn new(config: AfricasTalkingConfig) -> Result<Self, SmsConfigError> {
        let url = format!("{}/version1/messaging", base_url(&config.base_url)?);
        Ok(Self {
            client: http_client(config.timeout)?,
            url,
            config,
        })
    }
}

#[derive(Deserialize)]
struct Response {
    #[serde(rename = "SMSMessageData")]
    data: MessageData,
}

#[derive(Deserialize)]
struct MessageData {
    #[serde(rename = "Message", default)]
    message: String,
    #[serde(rename = "Recipients", default)]
    recipients: Vec<RecipientStatus>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RecipientStatus {
    status_code: u16,
    #[serde(default)]
    status: String,
    #[serde(default)]
    message_id: String,
    #[serde(default)]
    cost: String,
}

#[async_trait]
impl Provider for AfricasTalking {
    fn name(&self) -> &str {
        NAME
    }

    fn channel(&self) -> Channel {
        Channel::Sms
    }

    #[instrument(skip_all, fields(provider = NAME, key = %msg.idempotency_key))]
    async fn send(&self, msg: &OutboundMessage) -> Result<Delivery, DeliveryError> {
        let to = phone(NAME, msg)?;
        let mut form = vec![
            ("username", self.config.username.as_str()),
            ("to", to.as_str()),
            ("message", msg.text_body.as_str()),
        ];
        if let Some(from) = &self.config.from {
            form.push(("from", from.as_str()));
        }
        let request = self
            .client
            .post(&self.url)
            .header("apiKey", self.config.api_key.expose_secret())
            .header("Accept", "application/json")
            .form(&form);
        crate::http::exchange(NAME, request, interpret).await
    }
}

/// Turns one HTTP answer into a message id and status text, or a classified error.
fn interpret(
    status: StatusCode,
    wait: Option<Duration>,
    body: &str,
) -> Result<(String, String), DeliveryError> {
    let http = status.as_u16();
    if status == StatusCode::TOO_MANY_REQUESTS {
        return Err(DeliveryError::rate_limited(
            NAME,
            wait,
            format!("HTTP 429: {}", snippet(body, 200)),
        )
        .with_http_status(http));
    }
    if status.is_server_error() {
        return Err(
            DeliveryError::transient(NAME, format!("HTTP {http}: {}", snippet(body, 200)))
                .with_http_status(http),
        );
    }
    if status == StatusCode::UNAUTHORIZED || status == StatusCode::FORBIDDEN {
        // "The supplied authentication is invalid": the account, not the message.
        return Err(DeliveryError::permanent_provider(
            NAME,
            format!("HTTP {http}: {}", snippet(body, 200)),
        )
        .with_http_status(http));
    }
    if !status.is_success() {
        return Err(
            DeliveryError::permanent(NAME, format!("HTTP {http}: {}", snippet(body, 200)))
                .with_http_status(http),
        );
    }
    let parsed: Response = serde_json::from_str(body).map_err(|e| {
        DeliveryError::transient(
            NAME,
            format!("unreadable response ({e}): {}", snippet(body, 200)),
        )
        .with_http_status(http)
    })?;
    let Some(r) = parsed.data.recipients.into_iter().next() else {
        // No recipient entry: the whole request was refused, e.g. Message "InvalidSenderId".
        return Err(DeliveryError::permanent_provider(
            NAME,
            format!(
                "no recipient accepted: {}",
                snippet(&parsed.data.message, 200)
            ),
        )
        .with_http_status(http));
    };
    let code = r.status_code;
    let text = format!("{} ({code})", r.status);
    let err = match code {
        100..=102 => {
            let status_text = if r.cost.is_empty() {
                r.status
            } else {
                format!("{} {}", r.status, r.cost)
            };
            return Ok((r.message_id, status_text));
        }
        403 | 404 | 406 | 407 | 409 => DeliveryError::permanent(NAME, text),
        401 | 402 | 405 => DeliveryError::permanent_provider(NAME, text),
        500..=599 => DeliveryError::transient(NAME, text),
        _ => DeliveryError::permanent(NAME, format!("unknown status {text}")),
    };
    Err(err
        .with_http_status(http)
        .with_provider_code(code.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{ErrorClass, ErrorScope};

    fn body(code: u16, status: &str) -> String {
        format!(
            r#"{{"SMSMessageData":{{"Message":"Sent to 1/1 Total Cost: KES 0.8000","Recipients":[{{"statusCode":{code},"number":"+254711000000","status":"{status}","cost":"KES 0.8000","messageId":"ATXid_1"}}]}}}}"#
        )
    }

    #[test]
    fn status_codes_map_to_classes() {
        let ok = interpret(StatusCode::CREATED, None, &body(101, "Success")).unwrap();
        assert_eq!(ok, ("ATXid_1".into(), "Success KES 0.8000".into()));
        let e = interpret(StatusCode::CREATED, None, &body(403, "InvalidPhoneNumber")).unwrap_err();
        assert_eq!(
            (e.class, e.scope),
            (ErrorClass::Permanent, ErrorScope::Message)
        );
        assert_eq!(e.provider_code.as_deref(), Some("403"));
        let e =
            interpret(StatusCode::CREATED, None, &body(405, "InsufficientBalance")).unwrap_err();
        assert_eq!(
            (e.class, e.scope),
            (ErrorClass::Permanent, ErrorScope::Provider)
        );
        let e = interpret(StatusCode::CREATED, None, &body(502, "RejectedByGateway")).unwrap_err();
        assert_eq!(e.class, ErrorClass::Transient);
        let e = interpret(
            StatusCode::UNAUTHORIZED,
            None,
            "The supplied authentication is invalid",
        )
        .unwrap_err();
        assert_eq!(e.scope, ErrorScope::Provider);
        let e = interpret(
            StatusCode::CREATED,
            None,
            r#"{"SMSMessageData":{"Message":"InvalidSenderId","Recipients":[]}}"#,
        )
        .unwrap_err();
        assert!(e.message.contains("InvalidSenderId"));
    }
}
