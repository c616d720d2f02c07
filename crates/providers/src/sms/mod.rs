//! SMS over the Africa's Talking and Twilio REST APIs, and failover between them.
//!
//! Both clients take a base URL (so tests and sandboxes can point them anywhere), a request
//! timeout, and their credentials as `SecretString`s. What both share lives here: the HTTP
//! client, Retry-After parsing and the mapping of transport errors (timeouts and refused
//! connections are transient; the request URL is stripped from every message).

mod africastalking;
mod failover;
mod resilience;
mod twilio;

pub use africastalking::{AfricasTalking, AfricasTalkingConfig};
pub use failover::{FailoverMember, FailoverSms};
pub use resilience::{BreakerPolicy, BreakerState, CircuitBreaker, RateLimit, TokenBucket};
pub use twilio::{Twilio, TwilioConfig, TwilioSender};

use std::time::Duration;

use gurumisha_core::domain::PhoneE164;

pub(crate) use crate::http::snippet;
use crate::{DeliveryError, OutboundMessage, Recipient};

/// The default request timeout for SMS APIs.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);

/// A configuration that cannot work.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("sms configuration: {0}")]
pub struct SmsConfigError(pub String);

pub(crate) fn http_client(timeout: Duration) -> Result<reqwest::Client, SmsConfigError> {
    reqwest::Client::builder()
        .timeout(timeout)
        .connect_timeout(timeout.min(Duration::from_secs(5)))
        .user_agent(concat!("gurumisha-providers/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|e| SmsConfigError(format!("http client: {e}")))
}

/// The base URL without a trailing slash, checked to be http(s).
pub(crate) fn base_url(raw: &str) -> Result<String, SmsConfigError> {
    let url =
        reqwest::Url::parse(raw).map_err(|e| SmsConfigError(format!("base URL {raw:?}: {e}")))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(SmsConfigError(format!("base URL {raw:?} is not http(s)")));
    }
    Ok(raw.trim_end_matches('/').to_owned())
}

pub(crate) fn phone<'a>(
    provider: &str,
    msg: &'a OutboundMessage,
) -> Result<&'a PhoneE164, DeliveryError> {
    match &msg.to {
        Recipient::Phone(p) => Ok(p),
        _ => Err(DeliveryError::permanent(
            provider,
            "recipient is not a phone number",
        )),
    }
}
