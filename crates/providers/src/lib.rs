//! Gurumisha providers: the clients that hand one rendered notification to the outside world.
//!
//! Every client implements [`Provider`]: it takes an [`OutboundMessage`] and answers either a
//! [`Delivery`] (the provider's message id, its status text and how long the call took) or a
//! [`DeliveryError`] whose [`ErrorClass`] tells the queue what to do next: retry later
//! (transient), give up at once (permanent) or wait as long as the provider asked (rate limited).
//!
//! - [`email::SmtpProvider`]: SMTP through lettre with pooled connections and TLS options.
//! - [`sms::AfricasTalking`] and [`sms::Twilio`]: the two SMS REST APIs through reqwest, and
//!   [`sms::FailoverSms`] over an ordered list of them with a circuit breaker and a token-bucket
//!   rate limit per provider (both driven by an injectable [`clock::Clock`]).
//! - [`push::WebPushProvider`]: RFC 8030 Web Push with RFC 8291 `aes128gcm` payload encryption
//!   and RFC 8292 VAPID.
//! - [`NoopProvider`]: succeeds at once, for queue throughput benchmarks.
//!
//! [`Channel`] and [`ErrorClass`] are `gurumisha-notify`'s types, re-exported: one channel enum
//! and one error class across the domain, the queue's backoff policy and the clients. The
//! monotonic [`clock::Clock`] stays separate from notify's wall clock (see its docs).
//!
//! What this crate must not do: touch a database (the queue and the in-app inbox live in the
//! stores), decide policy (retries, backoff, preferences belong to the queue and
//! `gurumisha-notify`), or let a credential reach an error message, a log line or `Debug` output.
//! Credentials are `secrecy::SecretString` from the moment the configuration is read.

pub mod bench;
pub mod clock;
pub mod email;
mod error;
mod http;
mod message;
mod noop;
pub mod push;
pub mod sms;

pub use error::{DeliveryError, ErrorClass, ErrorScope};
pub use message::{
    Channel, Delivery, OutboundMessage, PushContent, PushSubscription, Recipient, SubscriptionError,
};
pub use noop::NoopProvider;

use async_trait::async_trait;

/// One delivery client. Implementations are cheap to share (`Arc<dyn Provider>`) and safe to
/// call from many workers at once; connection pools live inside them.
#[async_trait]
pub trait Provider: Send + Sync {
    /// A short stable name recorded with every attempt (`"smtp"`, `"africastalking"`, ...).
    fn name(&self) -> &str;

    /// The channel this provider delivers on.
    fn channel(&self) -> Channel;

    /// Sends one message. Never retries by itself: the durable queue owns retries and backoff.
    async fn send(&self, msg: &OutboundMessage) -> Result<Delivery, DeliveryError>;
}
