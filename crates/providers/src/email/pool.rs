//! Our own SMTP connection pool over lettre's `AsyncSmtpConnection`.
//!
//! Why not lettre's `AsyncSmtpTransport` pool: (1) its sockets do not set `TCP_NODELAY`, and
//! lettre writes the message and the closing `\r\n.\r\n` as two writes, so Nagle's algorithm
//! holds the terminator until the server's delayed ACK (40 ms on Linux): every message costs
//! 40 ms whatever the link; (2) its async client bounds only the TCP connect, so a server that
//! stops answering mid-command hangs the send, and a send cancelled by an outer timeout hands a
//! half-used connection back to the pool. Here the connection is owned by the sending future:
//! a timeout drops it with the future, and only a connection that finished cleanly returns.
//!
//! Plain and STARTTLS connections are opened by us (with `TCP_NODELAY`) and handed to lettre,
//! which does the SMTP, STARTTLS and AUTH. Implicit TLS is opened by lettre itself (it does not
//! take a pre-wrapped TLS stream), so on port 465 the Nagle delay remains.

use std::sync::Mutex;
use std::time::{Duration, Instant};

use lettre::transport::smtp::authentication::{Credentials, Mechanism};
use lettre::transport::smtp::client::{AsyncSmtpConnection, TlsParameters};
use lettre::transport::smtp::extension::ClientId;
use tokio::net::TcpStream;

use super::TlsMode;

/// A pooled connection that was idle longer than this is checked with NOOP before reuse.
const CHECK_AFTER: Duration = Duration::from_secs(5);

/// Why a connection could not be made or used.
#[derive(Debug)]
pub(crate) enum ConnError {
    /// TCP connect failed or timed out (before lettre was involved).
    Io(std::io::Error),
    /// Anything lettre reports: replies, TLS, protocol, network.
    Smtp(lettre::transport::smtp::Error),
}

impl From<lettre::transport::smtp::Error> for ConnError {
    fn from(e: lettre::transport::smtp::Error) -> Self {
        ConnError::Smtp(e)
    }
}

pub(crate) struct Settings {
    pub host: String,
    pub port: u16,
    pub mode: TlsMode,
    pub tls: Option<TlsParameters>,
    pub credentials: Option<Credentials>,
    pub hello: ClientId,
    pub connect_timeout: Duration,
    pub max_idle: usize,
    pub idle_timeout: Duration,
}

struct Idle {
    conn: AsyncSmtpConnection,
    since: Instant,
}

pub(crate) struct Pool {
    settings: Settings,
    idle: Mutex<Vec<Idle>>,
}

impl Pool {
    pub fn new(settings: Settings) -> Self {
        Self {
            settings,
            idle: Mutex::new(Vec::new()),
        }
    }

    fn pop(&self) -> Option<Idle> {
        self.idle.lock().unwrap_or_else(|p| p.into_inner()).pop()
    }

    /// A ready connection: a recent idle one, a checked older one, or a new one.
    pub async fn checkout(&self) -> Result<AsyncSmtpConnection, ConnError> {
        while let Some(Idle { mut conn, since }) = self.pop() {
            let idle_for = since.elapsed();
            if idle_for > self.settings.idle_timeout {
                conn.abort().await;
                continue;
            }
            if idle_for > CHECK_AFTER && !conn.test_connected().await {
                conn.abort().await;
                continue;
            }
            return Ok(conn);
        }
        self.connect().await
    }

    /// Returns a connection that finished a transaction cleanly.
    pub async fn checkin(&self, mut conn: AsyncSmtpConnection) {
        if conn.has_broken() {
            return;
        }
        {
            let mut idle = self.idle.lock().unwrap_or_else(|p| p.into_inner());
            if idle.len() < self.settings.max_idle {
                idle.push(Idle {
                    conn,
                    since: Instant::now(),
                });
                return;
            }
        }
        let _ = conn.quit().await;
    }

    /// Says QUIT on every idle connection.
    pub async fn close_all(&self) {
        let all: Vec<Idle> =
            std::mem::take(&mut *self.idle.lock().unwrap_or_else(|p| p.into_inner()));
        for mut i in all {
            let _ = i.conn.quit().await;
        }
    }

    async fn connect(&self) -> Result<AsyncSmtpConnection, ConnError> {
        let s = &self.settings;
        let mut conn = match (s.mode, &s.tls) {
            (TlsMode::Implicit, Some(params)) => {
                AsyncSmtpConnection::connect_tokio1(
                    (s.host.as_str(), s.port),
                    Some(s.connect_timeout),
                    &s.hello,
                    Some(params.clone()),
                    None,
                )
                .await?
            }
            _ => {
                let tcp = tokio::time::timeout(
                    s.connect_timeout,
                    TcpStream::connect((s.host.as_str(), s.port)),
                )
                .await
                .map_err(|_| {
                    ConnError::Io(std::io::Error::new(
                        std::io::ErrorKind::TimedOut,
                        "connection timed out",
                    ))
                })?
                .map_err(ConnError::Io)?;
                tcp.set_nodelay(true).map_err(ConnError::Io)?;
                let mut conn =
                    AsyncSmtpConnection::connect_with_transport(Box::new(tcp), &s.hello).await?;
                if let (TlsMode::StartTls, Some(params)) = (s.mode, &s.tls) {
                    // lettre refuses (client error) when the server does not offer STARTTLS,
                    // so nothing is ever sent in the clear when TLS was asked for.
                    conn.starttls(params.clone(), &s.hello).await?;
                }
                conn
            }
        };
        if let Some(credentials) = &s.credentials {
            conn.auth(&[Mechanism::Plain, Mechanism::Login], credentials)
                .await?;
        }
        Ok(conn)
    }
}
