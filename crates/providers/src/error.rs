//! The one error every provider returns, classified for the queue.

use std::time::Duration;

/// What the queue should do with a failed attempt: `gurumisha-notify`'s class, shared with the
/// backoff policy so a provider's answer feeds the retry decision without translation.
/// Transient: 4xx SMTP replies, HTTP 5xx, timeouts, refused connections. Permanent: 5xx SMTP
/// replies, an invalid number, a push subscription gone. Rate limited: the provider asked us to
/// slow down, with its `Retry-After` hint when it gave one.
pub use gurumisha_notify::backoff::ErrorClass;

/// Whose fault a failure is, which decides whether failing over to another provider can help.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorScope {
    /// The message itself is undeliverable (invalid number, unknown mailbox, subscription
    /// gone): every provider would refuse it, so failover must not try the next one.
    Message,
    /// The provider or our account with it is the problem (outage, timeout, auth, balance):
    /// another provider may well succeed.
    Provider,
}

/// A failed delivery attempt. `message` is meant for people and logs: it never carries a
/// credential (request URLs are stripped from HTTP errors, secrets never enter a string).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{provider}: {message}")]
pub struct DeliveryError {
    pub class: ErrorClass,
    pub scope: ErrorScope,
    /// `Provider::name` of the provider that failed.
    pub provider: String,
    pub message: String,
    /// The HTTP status, for HTTP providers, when a response arrived.
    pub http_status: Option<u16>,
    /// The SMTP reply code, for SMTP, when the server answered.
    pub smtp_code: Option<u16>,
    /// The provider's own error or status code (Twilio `code`, Africa's Talking `statusCode`).
    pub provider_code: Option<String>,
}

impl DeliveryError {
    fn new(class: ErrorClass, scope: ErrorScope, provider: &str, message: String) -> Self {
        Self {
            class,
            scope,
            provider: provider.to_owned(),
            message,
            http_status: None,
            smtp_code: None,
            provider_code: None,
        }
    }

    /// A transient failure of the provider (outage, timeout, connection refused).
    pub fn transient(provider: &str, message: impl Into<String>) -> Self {
        Self::new(
            ErrorClass::Transient,
            ErrorScope::Provider,
            provider,
            message.into(),
        )
    }

    /// A permanent failure caused by the message (invalid address, subscription gone).
    pub fn permanent(provider: &str, message: impl Into<String>) -> Self {
        Self::new(
            ErrorClass::Permanent,
            ErrorScope::Message,
            provider,
            message.into(),
        )
    }

    /// A permanent failure caused by the provider account (bad credentials, no balance).
    pub fn permanent_provider(provider: &str, message: impl Into<String>) -> Self {
        Self::new(
            ErrorClass::Permanent,
            ErrorScope::Provider,
            provider,
            message.into(),
        )
    }

    /// The provider asked to slow down.
    pub fn rate_limited(
        provider: &str,
        retry_after: Option<Duration>,
        message: impl Into<String>,
    ) -> Self {
        Self::new(
            ErrorClass::RateLimited { retry_after },
            ErrorScope::Provider,
            provider,
            message.into(),
        )
    }

    pub fn with_http_status(mut self, status: u16) -> Self {
        self.http_status = Some(status);
        self
    }

    pub fn with_smtp_code(mut self, code: u16) -> Self {
        self.smtp_code = Some(code);
        self
    }

    pub fn with_provider_code(mut self, code: impl Into<String>) -> Self {
        self.provider_code = Some(code.into());
        self
    }

    pub fn is_transient(&self) -> bool {
        self.class == ErrorClass::Transient
    }

    pub fn is_permanent(&self) -> bool {
        self.class == ErrorClass::Permanent
    }

    /// The provider's `Retry-After` hint, when rate limited.
    pub fn retry_after(&self) -> Option<Duration> {
        match self.class {
            ErrorClass::RateLimited { retry_after } => retry_after,
            _ => None,
        }
    }

    /// Whether another provider could succeed where this one failed.
    pub fn may_fail_over(&self) -> bool {
        self.scope == ErrorScope::Provider
    }
}
