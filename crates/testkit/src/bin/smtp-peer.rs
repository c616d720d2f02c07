//! The loopback SMTP server as a process, for the desktop end-to-end test: a real SMTP
//! conversation on 127.0.0.1 whose recipients are refused or accepted as a control file says.
//!
//!     smtp-peer CONTROL_FILE
//!
//! Prints `listening on 127.0.0.1:PORT`, then every 50 ms reads CONTROL_FILE: a line
//! starting with `reject` makes it answer RCPT with the rest of the line (default
//! `550 5.1.1 mailbox unavailable`); anything else, or no file, accepts. Mode changes are
//! reported as `mode ...` and each accepted message as `received for RECIPIENTS` on stdout.

use gurumisha_testkit::smtp_server::SmtpServer;
use std::io::Write;
use std::time::Duration;

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let Some(control) = std::env::args().nth(1) else {
        eprintln!("usage: smtp-peer CONTROL_FILE");
        std::process::exit(2);
    };
    let server = SmtpServer::start().await;
    println!("listening on {}", server.addr);
    let _ = std::io::stdout().flush();
    let mut seen = 0;
    let mut rejecting = None;
    loop {
        let mode = std::fs::read_to_string(&control).unwrap_or_default();
        let reject = mode.trim().strip_prefix("reject").map(|r| match r.trim() {
            "" => "550 5.1.1 mailbox unavailable".to_owned(),
            r => r.to_owned(),
        });
        if reject != rejecting {
            match &reject {
                Some(reply) => {
                    server.reply_to_rcpt(reply);
                    println!("mode reject {reply}");
                }
                None => {
                    server.accept_rcpt();
                    println!("mode accept");
                }
            }
            rejecting = reject;
        }
        let received = server.received();
        for r in &received[seen..] {
            println!("received for {}", r.rcpt_to.join(", "));
        }
        seen = received.len();
        let _ = std::io::stdout().flush();
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}
