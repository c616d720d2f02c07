//! A small but real SMTP server (RFC 5321) on 127.0.0.1 for the e-mail tests: EHLO/HELO,
//! AUTH PLAIN, MAIL, RCPT, DATA with dot-unstuffing, RSET, NOOP, QUIT. It stores every
//! accepted message with its envelope, counts connections (to see pooling), and can be told
//! to refuse RCPT with a given reply, to never send its greeting, or to hold its answer to the
//! next DATA transfers until released (a send caught in flight).

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tokio::task::JoinHandle;

#[derive(Debug, Clone)]
pub struct Received {
    pub mail_from: String,
    pub rcpt_to: Vec<String>,
    /// The message after dot-unstuffing, CRLF line endings, without the final ".".
    pub data: Vec<u8>,
}

#[derive(Default)]
struct State {
    received: Vec<Received>,
    connections: usize,
    /// Reply to every RCPT instead of 250, e.g. "451 4.3.0 try later".
    rcpt_reply: Option<String>,
    /// Required `(user, password)` for AUTH PLAIN; no AUTH advertised when `None`.
    auth: Option<(String, String)>,
    auth_seen: Vec<(String, String)>,
    silent: bool,
    /// How many of the next DATA transfers wait for `release` before being answered.
    hold_budget: usize,
    /// DATA transfers waiting right now.
    held: usize,
}

pub struct SmtpServer {
    pub addr: SocketAddr,
    state: Arc<Mutex<State>>,
    release: Arc<watch::Sender<u64>>,
    task: JoinHandle<()>,
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl SmtpServer {
    pub async fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let state = Arc::new(Mutex::new(State::default()));
        let release = Arc::new(watch::channel(0u64).0);
        let (shared, gate) = (state.clone(), release.clone());
        let task = tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let (state, gate) = (shared.clone(), gate.clone());
                tokio::spawn(async move {
                    let _ = session(stream, state, gate).await;
                });
            }
        });
        Self {
            addr,
            state,
            release,
            task,
        }
    }

    /// Holds the answer to the next `n` DATA transfers (the message is read, not yet accepted)
    /// until [`SmtpServer::release`].
    pub fn hold_next(&self, n: usize) {
        self.state.lock().unwrap().hold_budget = n;
    }

    /// Answers every held DATA transfer.
    pub fn release(&self) {
        self.release.send_modify(|g| *g += 1);
    }

    /// Waits (up to 10 s) until `n` DATA transfers are held.
    pub async fn wait_held(&self, n: usize) {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        while self.state.lock().unwrap().held < n {
            assert!(
                std::time::Instant::now() < deadline,
                "no DATA transfer arrived to hold"
            );
            tokio::time::sleep(std::time::Duration::from_millis(5)).await;
        }
    }

    pub fn reply_to_rcpt(&self, reply: &str) {
        self.state.lock().unwrap().rcpt_reply = Some(reply.to_owned());
    }

    /// Accepts recipients again after [`SmtpServer::reply_to_rcpt`].
    pub fn accept_rcpt(&self) {
        self.state.lock().unwrap().rcpt_reply = None;
    }

    pub fn require_auth(&self, user: &str, password: &str) {
        self.state.lock().unwrap().auth = Some((user.into(), password.into()));
    }

    /// Accept connections but never greet: the client must time out.
    pub fn go_silent(&self) {
        self.state.lock().unwrap().silent = true;
    }

    pub fn received(&self) -> Vec<Received> {
        self.state.lock().unwrap().received.clone()
    }

    pub fn connections(&self) -> usize {
        self.state.lock().unwrap().connections
    }

    pub fn auth_seen(&self) -> Vec<(String, String)> {
        self.state.lock().unwrap().auth_seen.clone()
    }
}

async fn session(
    stream: TcpStream,
    state: Arc<Mutex<State>>,
    gate: Arc<watch::Sender<u64>>,
) -> std::io::Result<()> {
    let silent = {
        let mut s = state.lock().unwrap();
        s.connections += 1;
        s.silent
    };
    if silent {
        // Hold the socket open without a word until the client gives up.
        let mut buf = [0u8; 64];
        let (mut r, _w) = stream.into_split();
        while tokio::io::AsyncReadExt::read(&mut r, &mut buf).await? > 0 {}
        return Ok(());
    }
    let (read, mut w) = stream.into_split();
    let mut r = BufReader::new(read);
    w.write_all(b"220 peer.test ESMTP ready\r\n").await?;
    let mut mail_from: Option<String> = None;
    let mut rcpt: Vec<String> = Vec::new();
    let mut authed = false;
    let mut line = String::new();
    loop {
        line.clear();
        if r.read_line(&mut line).await? == 0 {
            return Ok(());
        }
        let cmd = line.trim_end_matches(['\r', '\n']);
        let upper = cmd.to_ascii_uppercase();
        let auth_required = state.lock().unwrap().auth.clone();
        let reply = if upper.starts_with("EHLO") {
            let mut r =
                String::from("250-peer.test greets you\r\n250-8BITMIME\r\n250-SMTPUTF8\r\n");
            if auth_required.is_some() {
                r.push_str("250-AUTH PLAIN\r\n");
            }
            r.push_str("250 SIZE 10485760\r\n");
            r
        } else if upper.starts_with("HELO") {
            "250 peer.test\r\n".into()
        } else if upper.starts_with("AUTH PLAIN") {
            let b64 = cmd[10..].trim();
            let decoded = STANDARD.decode(b64).unwrap_or_default();
            let parts: Vec<String> = decoded
                .split(|b| *b == 0)
                .map(|p| String::from_utf8_lossy(p).into_owned())
                .collect();
            let (user, pass) = (
                parts.get(1).cloned().unwrap_or_default(),
                parts.get(2).cloned().unwrap_or_default(),
            );
            state
                .lock()
                .unwrap()
                .auth_seen
                .push((user.clone(), pass.clone()));
            if auth_required == Some((user, pass)) {
                authed = true;
                "235 2.7.0 Authentication successful\r\n".into()
            } else {
                "535 5.7.8 Authentication credentials invalid\r\n".into()
            }
        } else if upper.starts_with("MAIL FROM:") {
            if auth_required.is_some() && !authed {
                "530 5.7.0 Authentication required\r\n".into()
            } else {
                mail_from = Some(angle(&cmd[10..]));
                rcpt.clear();
                "250 2.1.0 OK\r\n".into()
            }
        } else if upper.starts_with("RCPT TO:") {
            if mail_from.is_none() {
                "503 5.5.1 MAIL first\r\n".into()
            } else if let Some(reply) = state.lock().unwrap().rcpt_reply.clone() {
                format!("{reply}\r\n")
            } else {
                rcpt.push(angle(&cmd[8..]));
                "250 2.1.5 OK\r\n".into()
            }
        } else if upper == "DATA" {
            if rcpt.is_empty() {
                "503 5.5.1 RCPT first\r\n".into()
            } else {
                w.write_all(b"354 End data with <CR><LF>.<CR><LF>\r\n")
                    .await?;
                let data = read_data(&mut r).await?;
                let mut release = gate.subscribe();
                let hold = {
                    let mut s = state.lock().unwrap();
                    let hold = s.hold_budget > 0;
                    if hold {
                        s.hold_budget -= 1;
                        s.held += 1;
                    }
                    hold
                };
                if hold {
                    let _ = release.changed().await;
                    state.lock().unwrap().held -= 1;
                }
                let id = state.lock().unwrap().received.len() + 1;
                state.lock().unwrap().received.push(Received {
                    mail_from: mail_from.take().unwrap_or_default(),
                    rcpt_to: std::mem::take(&mut rcpt),
                    data,
                });
                format!("250 2.0.0 Ok: queued as Q{id}\r\n")
            }
        } else if upper == "RSET" {
            mail_from = None;
            rcpt.clear();
            "250 2.0.0 OK\r\n".into()
        } else if upper == "NOOP" {
            "250 2.0.0 OK\r\n".into()
        } else if upper == "QUIT" {
            w.write_all(b"221 2.0.0 Bye\r\n").await?;
            return Ok(());
        } else {
            "500 5.5.2 command not recognised\r\n".into()
        };
        w.write_all(reply.as_bytes()).await?;
    }
}

fn angle(s: &str) -> String {
    let s = s.trim();
    let end = s.find('>').map(|i| i + 1).unwrap_or(s.len());
    s[..end].trim_matches(['<', '>']).to_owned()
}

/// Reads DATA up to the lone "." line, undoing dot-stuffing (RFC 5321 section 4.5.2).
async fn read_data<R: AsyncBufReadExt + Unpin>(r: &mut R) -> std::io::Result<Vec<u8>> {
    let mut data = Vec::new();
    let mut line = Vec::new();
    loop {
        line.clear();
        if r.read_until(b'\n', &mut line).await? == 0 {
            return Err(std::io::ErrorKind::UnexpectedEof.into());
        }
        if line == b".\r\n" {
            return Ok(data);
        }
        let content = if line.starts_with(b".") {
            &line[1..]
        } else {
            &line[..]
        };
        data.extend_from_slice(content);
    }
}
