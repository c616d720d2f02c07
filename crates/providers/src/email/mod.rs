//! E-mail over SMTP with lettre: pooled connections, TLS (none, STARTTLS or implicit),
//! multipart/alternative when an HTML body is given, and a Message-ID we generate and keep.
//!
//! Classification follows RFC 5321 reply codes: 4yz is transient (greylisting, mailbox busy),
//! 5yz is permanent; authentication refusals (530/534/535/538) are blamed on the account, not
//! the message. Connection failures, TLS failures and timeouts are transient.
//!
//! Connections come from our own pool (the `pool` module): lettre builds and speaks the
//! protocol, we own the sockets (`TCP_NODELAY`) and the deadline.

mod pool;

use std::time::{Duration, Instant};

use async_trait::async_trait;
use lettre::message::header::{ContentType, HeaderName, HeaderValue};
use lettre::message::{Mailbox, MultiPart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::TlsParameters;
use lettre::transport::smtp::extension::ClientId;
use lettre::Message;
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};
use tracing::instrument;

use crate::{Channel, Delivery, DeliveryError, OutboundMessage, Provider, Recipient};

const NAME: &str = "smtp";

/// How the connection to the relay is secured.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TlsMode {
    /// Plain text. Only for a relay on the same host or in tests.
    None,
    /// Plain connect, then STARTTLS is required (port 587).
    StartTls,
    /// TLS from the first byte (port 465).
    Implicit,
}

/// Connection-pool settings. The pool does not cap concurrency (the queue's worker count does):
/// each concurrent send holds one connection, and up to `max_idle` of them are kept open
/// between messages, so size it to the worker concurrency. A connection idle for more than
/// 5 s is checked with NOOP before reuse, one idle for more than `idle_timeout` is closed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PoolSettings {
    pub max_idle: usize,
    pub idle_timeout: Duration,
}

impl Default for PoolSettings {
    fn default() -> Self {
        Self {
            max_idle: 16,
            idle_timeout: Duration::from_secs(60),
        }
    }
}

/// SMTP relay configuration. `Debug` is safe to log: the password is a `SecretString`.
#[derive(Debug, Clone)]
pub struct SmtpConfig {
    pub host: String,
    pub port: u16,
    pub tls: TlsMode,
    /// Accept self-signed or mismatched certificates. Only for a development relay.
    pub accept_invalid_certs: bool,
    pub username: Option<String>,
    pub password: Option<SecretString>,
    /// The From mailbox, e.g. `Gurumisha Motors <noreply@gurumisha.co.ke>`.
    pub from: String,
    /// Right-hand side of generated Message-IDs; the From domain when `None`.
    pub message_id_domain: Option<String>,
    /// Name sent in EHLO; lettre's default (the host name) when `None`.
    pub hello_name: Option<String>,
    /// Deadline for one whole send: connect, greeting, every command and the DATA transfer.
    /// A connection that misses it is dropped, never reused.
    pub timeout: Duration,
    pub pool: PoolSettings,
}

impl SmtpConfig {
    /// A configuration with the defaults: STARTTLS, 30 s send deadline, 16 idle connections.
    pub fn new(host: impl Into<String>, port: u16, from: impl Into<String>) -> Self {
        Self {
            host: host.into(),
            port,
            tls: TlsMode::StartTls,
            accept_invalid_certs: false,
            username: None,
            password: None,
            from: from.into(),
            message_id_domain: None,
            hello_name: None,
            timeout: Duration::from_secs(30),
            pool: PoolSettings::default(),
        }
    }
}

/// A configuration that cannot work (bad From address, missing password, TLS setup).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("smtp configuration: {0}")]
pub struct SmtpConfigError(pub String);

/// Sends e-mail through one SMTP relay.
pub struct SmtpProvider {
    pool: pool::Pool,
    timeout: Duration,
    from: Mailbox,
    message_id_domain: String,
}

impl std::fmt::Debug for SmtpProvider {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SmtpProvider")
            .field("from", &self.from.to_string())
            .finish_non_exhaustive()
    }
}

impl SmtpProvider {
    pub fn new(config: &SmtpConfig) -> Result<Self, SmtpConfigError> {
        let from: Mailbox = config
            .from
            .parse()
            .map_err(|e| SmtpConfigError(format!("from {:?}: {e}", config.from)))?;
        let message_id_domain = config
            .message_id_domain
            .clone()
            .unwrap_or_else(|| from.email.domain().to_owned());

        Ok(Self {
            pool: pool::Pool::new(pool_settings(config)?),
            timeout: config.timeout,
            from,
            message_id_domain,
        })
    }

    /// Builds the RFC 5322 message; returns it with its Message-ID.
    fn build(&self, msg: &OutboundMessage) -> Result<(Message, String), DeliveryError> {
        let Recipient::Email(to) = &msg.to else {
            return Err(DeliveryError::permanent(
                NAME,
                "recipient is not an e-mail address",
            ));
        };
        let to: Mailbox = to
            .as_str()
            .parse()
            .map_err(|e| DeliveryError::permanent(NAME, format!("recipient address: {e}")))?;
        let message_id = format!("<{}@{}>", uuid::Uuid::new_v4(), self.message_id_domain);
        let mut builder = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(msg.subject.clone())
            .message_id(Some(message_id.clone()));
        if !msg.idempotency_key.is_empty() {
            // Lets a receiving system (or a person reading headers) tie the mail to the queue.
            // Control characters are dropped so a key can never start a header of its own.
            let name = HeaderName::new_from_ascii_str("X-Gurumisha-Idempotency-Key");
            let key: String = msg
                .idempotency_key
                .chars()
                .filter(|c| !c.is_control())
                .collect();
            builder = builder.raw_header(HeaderValue::new(name, key));
        }
        let built = match &msg.html_body {
            Some(html) => builder.multipart(MultiPart::alternative_plain_html(
                msg.text_body.clone(),
                html.clone(),
            )),
            None => builder
                .header(ContentType::TEXT_PLAIN)
                .body(msg.text_body.clone()),
        };
        let message =
            built.map_err(|e| DeliveryError::permanent(NAME, format!("building message: {e}")))?;
        Ok((message, message_id))
    }

    /// Closes pooled connections (QUIT); call on graceful shutdown.
    pub async fn shutdown(&self) {
        self.pool.close_all().await;
    }

    /// One transaction on a pooled connection; the connection goes back only if it ended
    /// cleanly (lettre aborts it on any error reply).
    async fn transact(
        &self,
        message: &Message,
    ) -> Result<lettre::transport::smtp::response::Response, pool::ConnError> {
        let mut conn = self.pool.checkout().await?;
        let response = conn.send(message.envelope(), &message.formatted()).await?;
        self.pool.checkin(conn).await;
        Ok(response)
    }
}

fn pool_settings(config: &SmtpConfig) -> Result<pool::Settings, SmtpConfigError> {
    let tls = match config.tls {
        TlsMode::None => None,
        TlsMode::StartTls | TlsMode::Implicit => Some(
            TlsParameters::builder(config.host.clone())
                .dangerous_accept_invalid_certs(config.accept_invalid_certs)
                .dangerous_accept_invalid_hostnames(config.accept_invalid_certs)
                .build_rustls()
                .map_err(|e| SmtpConfigError(format!("tls: {e}")))?,
        ),
    };
    let credentials = match (&config.username, &config.password) {
        (Some(user), Some(pass)) => Some(Credentials::new(
            user.clone(),
            pass.expose_secret().to_owned(),
        )),
        (Some(_), None) => return Err(SmtpConfigError("username given without a password".into())),
        _ => None,
    };
    let hello = match &config.hello_name {
        Some(name) => ClientId::Domain(name.clone()),
        None => ClientId::default(),
    };
    Ok(pool::Settings {
        host: config.host.clone(),
        port: config.port,
        mode: config.tls,
        tls,
        credentials,
        hello,
        connect_timeout: config.timeout,
        max_idle: config.pool.max_idle,
        idle_timeout: config.pool.idle_timeout,
    })
}

#[async_trait]
impl Provider for SmtpProvider {
    fn name(&self) -> &str {
        NAME
    }

    fn channel(&self) -> Channel {
        Channel::Email
    }

    #[instrument(skip_all, fields(provider = NAME, key = %msg.idempotency_key))]
    async fn send(&self, msg: &OutboundMessage) -> Result<Delivery, DeliveryError> {
        let (message, message_id) = self.build(msg)?;
        let start = Instant::now();
        let Ok(sent) = tokio::time::timeout(self.timeout, self.transact(&message)).await else {
            tracing::warn!(timeout = ?self.timeout, "smtp send timed out");
            return Err(DeliveryError::transient(
                NAME,
                format!("timed out after {:?}", self.timeout),
            ));
        };
        match sent {
            Ok(response) => {
                let text: Vec<&str> = response.message().collect();
                Ok(Delivery {
                    provider: NAME.into(),
                    provider_message_id: message_id,
                    status_text: format!("{} {}", response.code(), text.join(" "))
                        .trim_end()
                        .to_owned(),
                    latency: start.elapsed(),
                })
            }
            Err(e) => {
                let err = classify(&e);
                tracing::warn!(error = %err.message, class = ?err.class, "smtp send failed");
                Err(err)
            }
        }
    }
}

/// Maps a failure onto the queue's classes. lettre's messages carry the server's reply text
/// and never the credentials.
fn classify(e: &pool::ConnError) -> DeliveryError {
    let e = match e {
        pool::ConnError::Io(io) => {
            return DeliveryError::transient(NAME, format!("connection failed: {io}"))
        }
        pool::ConnError::Smtp(e) => e,
    };
    let message = e.to_string();
    if let Some(code) = e.status() {
        let code = u16::from(code);
        let err = if e.is_transient() {
            DeliveryError::transient(NAME, message)
        } else if matches!(code, 530 | 534 | 535 | 538) {
            DeliveryError::permanent_provider(NAME, message)
        } else {
            DeliveryError::permanent(NAME, message)
        };
        return err.with_smtp_code(code);
    }
    if e.is_client() {
        // Our side refused to go on: the relay lacks STARTTLS (when TLS is required), an auth
        // mechanism or 8BITMIME. A relay problem, not the message's.
        return DeliveryError::permanent_provider(NAME, message);
    }
    // Timeouts, refused connections, TLS handshakes, a server hanging up, pool shut down.
    DeliveryError::transient(NAME, message)
}
