//! The loopback HTTP server answers every command of the list it shares with the desktop
//! shell's IPC (a name missing from its dispatch would answer "no command" in the browser
//! while working in the window).

use crate::console::{cheap, staff};
use crate::harness::both;
use gurumisha_api::commands::COMMANDS;
use gurumisha_core::domain::Role;
use std::net::SocketAddr;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// One HTTP/1.1 POST; returns the status code, the session cookie it set (if any) and the body.
async fn post(
    addr: SocketAddr,
    command: &str,
    body: &str,
    cookie: Option<&str>,
) -> (u16, Option<String>, String) {
    let mut s = tokio::net::TcpStream::connect(addr).await.unwrap();
    let cookie = cookie.map_or(String::new(), |c| format!("Cookie: {c}\r\n"));
    let req = format!(
        "POST /api/{command} HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\n{cookie}Connection: close\r\n\r\n{body}",
        body.len()
    );
    s.write_all(req.as_bytes()).await.unwrap();
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).await.unwrap();
    let text = String::from_utf8_lossy(&raw).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    let set_cookie = head
        .lines()
        .find_map(|l| l.strip_prefix("set-cookie: "))
        .and_then(|c| c.split(';').next())
        .map(str::to_owned);
    (status, set_cookie, body.to_owned())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_http_server_answers_every_shared_command() {
    both(|db| async move {
        staff(&db, "admin", Role::Admin, &cheap("pw"), true, true).await;
        let (tx, rx) = tokio::sync::oneshot::channel();
        let server = tokio::spawn(gurumisha_api::http::serve(
            db.api.clone(),
            "127.0.0.1:0".parse().unwrap(),
            None,
            move |a| {
                let _ = tx.send(a);
            },
        ));
        let addr = rx.await.unwrap();

        let (status, cookie, body) = post(
            addr,
            "sign_in",
            r#"{"username":"admin","password":"pw"}"#,
            None,
        )
        .await;
        assert_eq!(status, 200, "{}: {body}", db.name);
        let cookie = cookie.expect("sign_in sets the session cookie");

        // An unknown name is refused as such, so the check below can fail.
        let (status, _, body) = post(addr, "drop_tables", "{}", Some(&cookie)).await;
        assert_eq!(status, 404, "{body}");
        assert!(body.contains("no command"), "{body}");

        for command in COMMANDS.iter().filter(|c| **c != "sign_out") {
            // `{}` is a valid request for some commands and invalid input for others; what
            // matters is that each is dispatched.
            let (status, _, body) = post(addr, command, "{}", Some(&cookie)).await;
            assert!(
                !body.contains("no command"),
                "{}: {command} is not served over HTTP: {status} {body}",
                db.name
            );
            assert!(status != 0 && status < 500, "{command}: {status} {body}");
        }
        server.abort();
    })
    .await;
}
