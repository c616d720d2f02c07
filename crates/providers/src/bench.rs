//! SMTP throughput measurement for `gurumisha-bench smtp_throughput` and the
//! `smtp_throughput` example: a minimal SMTP sink on loopback that accepts and discards mail,
//! and a driver that pushes N messages through [`SmtpProvider`] with pooled connections.
//!
//! The sink speaks just enough SMTP for lettre (EHLO, MAIL, RCPT, DATA with dot-terminated
//! content, RSET, NOOP, QUIT); it is a load target, not a test peer: the integration tests have
//! their own, stricter server that stores and parses what it receives.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use gurumisha_core::domain::Email;
use serde::Serialize;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;

use crate::email::{PoolSettings, SmtpConfig, SmtpProvider, TlsMode};
use crate::{OutboundMessage, Provider, Recipient};

/// An SMTP server on 127.0.0.1 that accepts every message and counts it.
#[derive(Debug)]
pub struct SmtpSink {
    addr: SocketAddr,
    received: Arc<AtomicU64>,
    task: JoinHandle<()>,
}

impl SmtpSink {
    /// Binds an ephemeral loopback port and starts accepting connections.
    pub async fn start() -> std::io::Result<Self> {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        let received = Arc::new(AtomicU64::new(0));
        let counter = received.clone();
        let task = tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let counter = counter.clone();
                tokio::spawn(async move {
                    let _ = serve(stream, &counter).await;
                });
            }
        });
        Ok(Self {
            addr,
            received,
            task,
        })
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Messages accepted so far.
    pub fn received(&self) -> u64 {
        self.received.load(Ordering::Relaxed)
    }
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn serve(stream: TcpStream, counter: &AtomicU64) -> std::io::Result<()> {
    stream.set_nodelay(true)?;
    let (read, mut write) = stream.into_split();
    let mut lines = BufReader::new(read);
    write.write_all(b"220 sink ESMTP\r\n").await?;
    let mut line = String::new();
    loop {
        line.clear();
        if lines.read_line(&mut line).await? == 0 {
            return Ok(());
        }
        let verb = line.get(..4).unwrap_or("").to_ascii_uppercase();
        let reply: &[u8] = match verb.as_str() {
            "EHLO" => b"250-sink\r\n250-8BITMIME\r\n250-PIPELINING\r\n250 SMTPUTF8\r\n",
            "HELO" | "MAIL" | "RCPT" | "RSET" | "NOOP" => b"250 OK\r\n",
            "DATA" => {
                write.write_all(b"354 end with <CRLF>.<CRLF>\r\n").await?;
                loop {
                    line.clear();
                    if lines.read_line(&mut line).await? == 0 {
                        return Ok(());
                    }
                    if line == ".\r\n" || line == ".\n" {
                        break;
                    }
                }
                counter.fetch_add(1, Ordering::Relaxed);
                b"250 OK queued\r\n"
            }
            "QUIT" => {
                write.write_all(b"221 bye\r\n").await?;
                return Ok(());
            }
            _ => b"502 command not implemented\r\n",
        };
        write.write_all(reply).await?;
    }
}

/// One throughput measurement, printed by the benchmark as a JSON line.
#[derive(Debug, Clone, Serialize)]
pub struct SmtpThroughput {
    pub bench: &'static str,
    pub messages: u64,
    pub failed: u64,
    pub seconds: f64,
    pub per_second: f64,
    pub concurrency: usize,
    pub pool_size: u32,
}

/// Sends `messages` multipart e-mails through a pooled [`SmtpProvider`] to a fresh
/// [`SmtpSink`], `concurrency` at a time, and measures messages per second.
pub async fn smtp_throughput(
    messages: usize,
    concurrency: usize,
    pool_size: u32,
) -> std::io::Result<SmtpThroughput> {
    let sink = SmtpSink::start().await?;
    let mut config = SmtpConfig::new(
        "127.0.0.1",
        sink.addr().port(),
        "Gurumisha Motors <noreply@gurumisha.co.ke>",
    );
    config.tls = TlsMode::None;
    config.pool = PoolSettings {
        max_idle: pool_size as usize,
        ..PoolSettings::default()
    };
    let provider =
        Arc::new(SmtpProvider::new(&config).map_err(|e| std::io::Error::other(e.to_string()))?);
    let to =
        Email::parse("wanjiru@example.co.ke").map_err(|e| std::io::Error::other(e.to_string()))?;
    let next = Arc::new(AtomicU64::new(0));
    let failed = Arc::new(AtomicU64::new(0));
    let start = Instant::now();
    let workers: Vec<_> = (0..concurrency.max(1))
        .map(|_| {
            let (provider, next, failed, to) =
                (provider.clone(), next.clone(), failed.clone(), to.clone());
            tokio::spawn(async move {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    if i >= messages as u64 {
                        break;
                    }
                    let mut msg = OutboundMessage::new(
                        format!("bench-{i}"),
                        Recipient::Email(to.clone()),
                        "Gari lako limefika Mombasa",
                        "Habari Wanjiru, gari lako limefika bandarini.",
                    );
                    msg.html_body =
                        Some("<p>Habari Wanjiru, gari lako <b>limefika</b> bandarini.</p>".into());
                    if provider.send(&msg).await.is_err() {
                        failed.fetch_add(1, Ordering::Relaxed);
                    }
                }
            })
        })
        .collect();
    for w in workers {
        w.await.map_err(std::io::Error::other)?;
    }
    let seconds = start.elapsed().as_secs_f64();
    provider.shutdown().await;
    // Let the sink count the last DATA terminators before reading the counter.
    tokio::time::sleep(Duration::from_millis(20)).await;
    let received = sink.received();
    Ok(SmtpThroughput {
        bench: "smtp_throughput",
        messages: received,
        failed: failed.load(Ordering::Relaxed),
        seconds,
        per_second: received as f64 / seconds,
        concurrency,
        pool_size,
    })
}
