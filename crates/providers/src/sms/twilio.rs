//! Twilio Programmable Messaging: `POST {base}/2010-04-01/Accounts/{sid}/Messages.json`,
//! form-encoded, HTTP basic auth `AccountSid:AuthToken`.
//!
//! Success is 201 with the Message resource (`sid`, `status`). Errors are JSON
//! `{code, message, more_info, status}`: 429 (code 20429) is rate limiting with `Retry-After`;
//! 5xx is transient; 401/403/404 are the account's fault (wrong SID or token); a 400 is the
//! message's fault when its code is about the recipient (21211 invalid `To`, 21612
//! unreachable, 21614 not a mobile, 21610 unsubscribed, 21408 region not enabled for the
//! number) and the account's otherwise (21606 bad `From`, missing service, ...).

use std::time::Duration;

use async_trait::async_trait;
use reqwest::StatusCode;
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;
use tracing::instrument;

use super::{base_url, http_client, phone, snippet, SmsConfigError};
use crate::{Channel, Delivery, DeliveryError, OutboundMessage, Provider};

const NAME: &str = "twilio";

/// Who the message is sent from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TwilioSender {
    /// A Twilio number (E.164) or alphanumeric sender ID: the `From` field.
    From(String),
    /// A Messaging Service (`MG...`): the `MessagingServiceSid` field.
    MessagingService(String),
}

/// Twilio account settings. `Debug` is safe: the auth token is a `SecretString`.
#[derive(Debug, Clone)]
pub struct TwilioConfig {
    /// `https://api.twilio.com`.
    pub base_url: String,
    pub account_sid: String,
    pub auth_token: SecretString,
    pub sender: TwilioSender,
    /// Optional delivery-status webhook (`StatusCallback`).
    pub status_callback: Option<String>,
    pub timeout: Duration,
}

impl TwilioConfig {
    pub fn new(
        account_sid: impl Into<String>,
        auth_token: SecretString,
        sender: TwilioSender,
    ) -> Self {
        Self {
            base_url: "https://api.twilio.com".into(),
            account_sid: account_sid.into(),
            auth_token,
            sender,
            status_callback: None,
            timeout: super::DEFAULT_TIMEOUT,
        }
    }
}

/// The Twilio SMS client.
#[derive(Debug)]
pub struct Twilio {
    client: reqwest::Client,
    url: String,
    config: TwilioConfig,
}

impl Twilio {
    pub fn new(config: TwilioConfig) -> Result<Self, SmsConfigError> {
        if config.account_sid.is_empty()
            || !config
                .account_sid
                .chars()
                .all(|c| c.is_ascii_alphanumeric())
        {
            return Err(SmsConfigError(
                "Twilio account SID must be alphanumeric".into(),
            ));
        }
        let url = format!(
            "{}/2010-04-01/Accounts/{}/Messages.json",
            base_url(&config.base_url)?,
            config.account_sid
        );
        Ok(Self {
            client: http_client(config.timeout)?,
            url,
            config,
        })
    }
}

#[derive(Deserialize)]
struct MessageResource {
    sid: String,
    #[serde(default)]
    status: String,
    #[serde(default)]
    error_code: Option<i64>,
    #[serde(default)]
    error_message: Option<String>,
}

#[derive(Deserialize)]
struct ErrorBody {
    #[serde(default)]
    code: Option<i64>,
    #[serde(default)]
    message: String,
}

#[async_trait]
impl Provider for Twilio {
    fn name(&self) -> &str {
        NAME
    }

    fn channel(&self) -> Channel {
        Channel::Sms
    }

    #[instrument(skip_all, fields(provider = NAME, key = %msg.idempotency_key))]
    async fn send(&self, msg: &OutboundMessage) -> Result<Delivery, DeliveryError> {
        let to = phone(NAME, msg)?;
        let mut form = vec![("To", to.as_str()), ("Body", msg.text_body.as_str())];
        match &self.config.sender {
            TwilioSender::From(from) => form.push(("From", from.as_str())),
            TwilioSender::MessagingService(sid) => form.push(("MessagingServiceSid", sid.as_str())),
        }
        if let Some(cb) = &self.config.status_callback {
            form.push(("StatusCallback", cb.as_str()));
        }
        let request = self
            .client
            .post(&self.url)
            .basic_auth(
                &self.config.account_sid,
                Some(self.config.auth_token.expose_secret()),
            )
            .header("Accept", "application/json")
            .form(&form);
        crate::http::exchange(NAME, request, interpret).await
    }
}

/// Twilio error codes that are about the recipient, not the account.
fn recipient_fault(code: i64) -> bool {
    matches!(
        code,
        21211 | 21217 | 21401 | 21407 | 21408 | 21610 | 21612 | 21614
    )
}

fn interpret(
    status: StatusCode,
    wait: Option<Duration>,
    body: &str,
) -> Result<(String, String), DeliveryError> {
    let http = status.as_u16();
    if status.is_success() {
        let m: MessageResource = serde_json::from_str(body).map_err(|e| {
            DeliveryError::transient(
                NAME,
                format!("unreadable response ({e}): {}", snippet(body, 200)),
            )
            .with_http_status(http)
        })?;
        if matches!(m.status.as_str(), "failed" | "undelivered") {
            let code = m.error_code.unwrap_or_default();
            let err = DeliveryError::permanent(
                NAME,
                format!(
                    "{} at creation: {}",
                    m.status,
                    m.error_message.unwrap_or_default()
                ),
            )
            .with_http_status(http);
            return Err(err.with_provider_code(code.to_string()));
        }
        return Ok((m.sid, m.status));
    }
    let parsed: Option<ErrorBody> = serde_json::from_str(body).ok();
    let code = parsed.as_ref().and_then(|b| b.code);
    let text = match &parsed {
        Some(b) if !b.message.is_empty() => match b.code {
            Some(c) => format!("HTTP {http}, code {c}: {}", snippet(&b.message, 300)),
            None => format!("HTTP {http}: {}", snippet(&b.message, 300)),
        },
        _ => format!("HTTP {http}: {}", snippet(body, 200)),
    };
    let err = if status == StatusCode::TOO_MANY_REQUESTS {
        DeliveryError::rate_limited(NAME, wait, text)
    } else if status.is_server_error() {
        DeliveryError::transient(NAME, text)
    } else if status == StatusCode::BAD_REQUEST && code.is_some_and(recipient_fault) {
        DeliveryError::permanent(NAME, text)
    } else {
        DeliveryError::permanent_provider(NAME, text)
    };
    let err = err.with_http_status(http);
    Err(match code {
        Some(c) => err.with_provider_code(c.to_string()),
        None => err,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{ErrorClass, ErrorScope};

    #[test]
    fn error_bodies_map_to_classes() {
        let e = interpret(
            StatusCode::BAD_REQUEST,
            None,
            r#"{"code":21211,"message":"The 'To' number 5551234567 is not a valid phone number.","more_info":"https://www.twilio.com/docs/errors/21211","status":400}"#,
        )
        .unwrap_err();
        assert_eq!(
            (e.class, e.scope),
            (ErrorClass::Permanent, ErrorScope::Message)
        );
        assert_eq!(e.provider_code.as_deref(), Some("21211"));
        let e = interpret(
            StatusCode::TOO_MANY_REQUESTS,
            Some(Duration::from_secs(3)),
            r#"{"code":20429,"message":"Too Many Requests","status":429}"#,
        )
        .unwrap_err();
        assert_eq!(e.retry_after(), Some(Duration::from_secs(3)));
        let e = interpret(
            StatusCode::UNAUTHORIZED,
            None,
            r#"{"code":20003,"message":"Authenticate","status":401}"#,
        )
        .unwrap_err();
        assert_eq!(
            (e.class, e.scope),
            (ErrorClass::Permanent, ErrorScope::Provider)
        );
        let e = interpret(StatusCode::BAD_GATEWAY, None, "<html>bad gateway</html>").unwrap_err();
        assert_eq!(e.class, ErrorClass::Transient);
        let ok = interpret(
            StatusCode::CREATED,
            None,
            r#"{"sid":"SM123","status":"queued"}"#,
        )
        .unwrap();
        assert_eq!(ok, ("SM123".into(), "queued".into()));
    }
}
